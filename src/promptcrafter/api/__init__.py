"""HTTP layer: routes, request and response models, error rendering, middleware."""
