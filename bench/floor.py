"""The floor: a bare ASGI app that answers every request with one fixed JSON prompt.

It is served by the same uvicorn build and options as PromptCrafter (uvloop, httptools, no
access log), so ``req/s of an endpoint / req/s of the floor`` says how much of the budget
the application itself spends. The body has the shape and roughly the size of the prompt
that ``GET /prompts/{id}`` returns during the benchmark.

Run it with ``uvicorn bench.floor:app --loop uvloop --http httptools --no-access-log``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_CONTENT = (
    "You are a senior copywriter for a small coffee roaster. Write a launch email for a "
    "seasonal single-origin bean. Open with one sensory sentence, then three short "
    "paragraphs: where the coffee comes from, how it tastes (name two tasting notes and "
    "the roast level), and how to brew it at home with a pour-over. Close with a one-line "
    "call to action and no more than one exclamation mark. Keep it under 180 words, in a "
    "warm but plain voice, and avoid the words 'artisanal', 'curated' and 'journey'."
)

PROMPT: dict[str, Any] = {
    "_id": "prompt01j9zq4m7k3v8x2c5n6b0t1r4y",
    "ownerId": "user01j9zq3w2e8r5t7y1u4i6o9p0a",
    "title": "Seasonal coffee launch email",
    "content": _CONTENT,
    "model": "gpt-4o",
    "tags": ["marketing", "email", "coffee"],
    "createdAt": "2024-06-20T13:20:12.000Z",
    "updatedAt": "2024-06-20T13:20:12.000Z",
}

BODY: bytes = json.dumps(PROMPT, separators=(",", ":"), ensure_ascii=False).encode()

_START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(BODY)).encode()),
    ],
}
_BODY: Message = {"type": "http.response.body", "body": BODY, "more_body": False}


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer any HTTP request with the fixed prompt; drain a request body if one is sent."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = bool(message.get("more_body", False))
    await send(_START)
    await send(_BODY)
