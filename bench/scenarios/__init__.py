"""What the benchmark measures on one running server, one module per concern."""
