"""PromptCrafter: a private library of generative-AI prompts and the outputs tested with them.

The SDK names are re-exported lazily so that running the server never imports the HTTP client.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_CLIENT_NAMES = frozenset(
    {
        "PromptCrafterClient",
        "AsyncPromptCrafterClient",
        "PromptCrafterAPIError",
        "BadRequestError",
        "AuthenticationError",
        "ForbiddenError",
        "NotFoundError",
        "ConflictError",
        "RateLimitError",
        "ServerError",
        "PromptCrafterConnectionError",
    }
)

__all__ = ["__version__", *sorted(_CLIENT_NAMES)]


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from promptcrafter import client

        return getattr(client, name)
    raise AttributeError(f"module 'promptcrafter' has no attribute {name!r}")
