"""PromptCrafter: a private library of generative-AI prompts and the outputs tested with them.

The SDK names are re-exported lazily so that running the server never imports the HTTP client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # typed names for users' type checkers; at run time they load lazily
    from promptcrafter.client import (
        AsyncPromptCrafterClient,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        ForbiddenError,
        NotFoundError,
        PromptCrafterAPIError,
        PromptCrafterClient,
        PromptCrafterConnectionError,
        RateLimitError,
        ServerError,
    )

__version__ = "0.1.0"

__all__ = [
    "AsyncPromptCrafterClient",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "PromptCrafterAPIError",
    "PromptCrafterClient",
    "PromptCrafterConnectionError",
    "RateLimitError",
    "ServerError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in __all__ and name != "__version__":
        from promptcrafter import client

        return getattr(client, name)
    raise AttributeError(f"module 'promptcrafter' has no attribute {name!r}")
