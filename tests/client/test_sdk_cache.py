"""``get_prompt(cache_ttl=...)``: a copy reused for its TTL, and the last good copy served
(marked stale) when the server goes away, against a real server that the test stops."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from tests.support.databases import fresh_database
from tests.support.server import ServerProcess

from promptcrafter.client import (
    AsyncPromptCrafterClient,
    NotFoundError,
    PromptCrafterClient,
    PromptCrafterConnectionError,
)
from promptcrafter.client._cache import PromptCache

PASSWORD = "correct horse battery staple"


def test_cached_copy_is_reused_then_served_stale_when_the_server_is_gone(
    engine: str, tmp_path: Path
) -> None:
    with fresh_database(engine, tmp_path) as url:
        server = ServerProcess(url, tmp_path).start()
        try:
            client = PromptCrafterClient(base_url=server.base_url, timeout=5)
            client.signup("Cache", f"cache-{uuid.uuid4().hex}@example.com", PASSWORD)
            prompt = client.create_prompt("Cached prompt", "Hello {{ name }}", "gpt-4o")
            first = client.get_prompt(prompt["_id"], cache_ttl=300)
            assert first["content"] == "Hello {{ name }}" and "stale" not in first

            # Within the TTL the copy is served without asking: a change is not seen yet.
            client.update_prompt(prompt["_id"], content="Changed")
            assert client.get_prompt(prompt["_id"], cache_ttl=300)["content"] == "Hello {{ name }}"
            # A TTL of zero always asks, and refreshes the copy.
            assert client.get_prompt(prompt["_id"], cache_ttl=0)["content"] == "Changed"
        finally:
            server.stop()

        stale = client.get_prompt(prompt["_id"], cache_ttl=0)
        assert stale["stale"] is True and stale["content"] == "Changed"
        # Without a cache, or for a prompt never fetched, the failure is raised as before.
        with pytest.raises(PromptCrafterConnectionError):
            client.get_prompt(prompt["_id"])
        with pytest.raises(PromptCrafterConnectionError):
            client.get_prompt("prompt0", cache_ttl=0)
        client.close()


def test_async_client_serves_the_stale_copy_too(engine: str, tmp_path: Path) -> None:
    async def scenario(server: ServerProcess) -> None:
        client = AsyncPromptCrafterClient(base_url=server.base_url, timeout=5)
        try:
            await client.signup("Cache", f"cache-{uuid.uuid4().hex}@example.com", PASSWORD)
            prompt = await client.create_prompt("Cached prompt", "Text", "gpt-4o")
            fresh = await client.get_prompt(prompt["_id"], cache_ttl=0)
            assert "stale" not in fresh
        finally:
            server.stop()
        stale = await client.get_prompt(prompt["_id"], cache_ttl=0)
        assert stale["stale"] is True and stale["_id"] == prompt["_id"]
        await client.aclose()

    with fresh_database(engine, tmp_path) as url:
        asyncio.run(scenario(ServerProcess(url, tmp_path).start()))


def test_a_deleted_prompt_is_not_papered_over(live_server: ServerProcess) -> None:
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        client.signup("Cache", f"cache-{uuid.uuid4().hex}@example.com", PASSWORD)
        prompt = client.create_prompt("Soon gone", "Text", "gpt-4o")
        client.get_prompt(prompt["_id"], cache_ttl=0)
        client.delete_prompt(prompt["_id"])
        with pytest.raises(NotFoundError):
            client.get_prompt(prompt["_id"], cache_ttl=0)


def test_cache_copies_are_independent_and_expire() -> None:
    now = [100.0]
    cache = PromptCache(clock=lambda: now[0])
    key = ("prompt1", None, "production")
    cache.store(key, {"_id": "prompt1", "tags": ["a"]})  # type: ignore[typeddict-item]
    copy = cache.fresh(key, 10)
    assert copy is not None
    copy["tags"].append("mutated")
    again = cache.fresh(key, 10)
    assert again is not None and again["tags"] == ["a"]
    assert cache.fresh(key, 0) is None
    now[0] = 110.0
    assert cache.fresh(key, 10) is None
    assert cache.fresh(key, 11) is not None
    last = cache.last_good(key)
    assert last is not None and last["stale"] is True and last["tags"] == ["a"]
    for bad in (-1, "5", True, float("nan")):
        with pytest.raises(ValueError):
            PromptCache.check_ttl(bad)  # type: ignore[arg-type]
