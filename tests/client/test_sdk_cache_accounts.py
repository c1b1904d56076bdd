"""The prompt cache belongs to the credential that filled it, and a stand-in answering for
the server (a proxy's or captive portal's page) counts as the server being away
(review of 2026-12-07: one account's cached prompt was served to the next)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from tests.support.server import ServerProcess

from promptcrafter.client import (
    AsyncPromptCrafterClient,
    ForbiddenError,
    PromptCrafterClient,
    UnreadableAnswerError,
)

PASSWORD = "correct horse battery staple"


def _account(client: PromptCrafterClient, name: str) -> str:
    email = f"{name}-{uuid.uuid4().hex}@example.com"
    client.signup(name, email, PASSWORD)
    return email


def test_after_a_login_as_someone_else_the_cached_copy_is_not_served(
    live_server: ServerProcess,
) -> None:
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        _account(client, "owner")
        prompt = client.create_prompt("Owner's prompt", "Private text", "gpt-4o")
        client.set_label(prompt["_id"], "prod", 1)
        assert client.get_prompt(prompt["_id"], label="prod", cache_ttl=300)["title"] == (
            "Owner's prompt"
        )
        client.logout()
        _account(client, "other")
        with pytest.raises(ForbiddenError):
            client.get_prompt(prompt["_id"], label="prod", cache_ttl=300)
        client.set_token(None)
        with pytest.raises(Exception) as refused:
            client.get_prompt(prompt["_id"], label="prod", cache_ttl=300)
        assert "Private text" not in str(refused.value)


def test_async_client_keeps_copies_per_credential_too(live_server: ServerProcess) -> None:
    async def scenario() -> None:
        async with AsyncPromptCrafterClient(base_url=live_server.base_url) as client:
            await client.signup("Owner", f"o-{uuid.uuid4().hex}@example.com", PASSWORD)
            prompt = await client.create_prompt("Owner's prompt", "Private text", "gpt-4o")
            await client.get_prompt(prompt["_id"], cache_ttl=300)
            await client.signup("Other", f"x-{uuid.uuid4().hex}@example.com", PASSWORD)
            with pytest.raises(ForbiddenError):
                await client.get_prompt(prompt["_id"], cache_ttl=300)

    asyncio.run(scenario())


class _Portal(BaseHTTPRequestHandler):
    """What a captive portal does: 200 and a page of its own, whatever was asked."""

    def do_GET(self) -> None:
        body = b"<html><body>Please sign in to the network</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_portal_page_in_place_of_the_server_gets_the_stale_copy(
    live_server: ServerProcess, portal: str
) -> None:
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        _account(client, "portal")
        prompt = client.create_prompt("Behind a portal", "Kept text", "gpt-4o")
        client.get_prompt(prompt["_id"], cache_ttl=0)
        token, cache = client.token, client._prompt_cache
    # The same credential and cache, but the network now answers with the portal's page.
    with PromptCrafterClient(base_url=portal, token=token) as moved:
        moved._prompt_cache = cache
        stale = moved.get_prompt(prompt["_id"], cache_ttl=0)
        assert stale["stale"] is True and stale["content"] == "Kept text"
        with pytest.raises(UnreadableAnswerError):
            moved.get_prompt(prompt["_id"])  # no cache asked for: the failure is raised
