"""Python SDK for the PromptCrafter API.

>>> from promptcrafter.client import PromptCrafterClient
>>> with PromptCrafterClient() as client:  # doctest: +SKIP
...     client.login("ada@example.com", "correct horse battery")
...     prompt = client.create_prompt("Subject lines", "Write five subject lines.", "gpt-4o")
"""

from promptcrafter.client._async import AsyncPromptCrafterClient
from promptcrafter.client._common import API_KEY_ENV, DEFAULT_BASE_URL, URL_ENV
from promptcrafter.client._errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PromptCrafterAPIError,
    PromptCrafterConnectionError,
    PromptCrafterError,
    RateLimitError,
    ServerError,
    UnreadableAnswerError,
)
from promptcrafter.client._registry import Page
from promptcrafter.client._sync import PromptCrafterClient
from promptcrafter.client._types import (
    ApiKey,
    Label,
    LabelChange,
    Log,
    Prompt,
    Rendered,
    User,
    Version,
)

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_BASE_URL",
    "URL_ENV",
    "ApiKey",
    "AsyncPromptCrafterClient",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "Label",
    "LabelChange",
    "Log",
    "NotFoundError",
    "Page",
    "Prompt",
    "PromptCrafterAPIError",
    "PromptCrafterClient",
    "PromptCrafterConnectionError",
    "PromptCrafterError",
    "RateLimitError",
    "Rendered",
    "ServerError",
    "UnreadableAnswerError",
    "User",
    "Version",
]
