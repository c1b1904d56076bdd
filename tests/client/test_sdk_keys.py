"""The SDK with API keys: create, list, revoke; api_key= and $PROMPTCRAFTER_API_KEY; sync, async."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from promptcrafter.client import (
    AsyncPromptCrafterClient,
    AuthenticationError,
    ForbiddenError,
    PromptCrafterClient,
)

PASSWORD = "correct horse battery staple"


def test_sync_keys_round_trip(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with PromptCrafterClient(base_url=live_server.base_url) as owner:
        owner.signup("Ada", f"sdk-{uuid.uuid4().hex}@example.com", PASSWORD)
        prompt = owner.create_prompt("Keyed prompt", "Some text", "gpt-4o")
        read = owner.create_api_key("reader", scope="read", expires_in_days=7)
        write = owner.create_api_key("writer")
        assert read["scope"] == "read" and write["scope"] == "write"
        assert [k["_id"] for k in owner.list_api_keys()] == [read["_id"], write["_id"]]

        with PromptCrafterClient(api_key=read["key"], base_url=live_server.base_url) as script:
            assert script.get_prompt(prompt["_id"]) == prompt
            with pytest.raises(ForbiddenError, match=r"This API key may only read\."):
                script.create_log(prompt["_id"], "out", "gpt-4o")
        monkeypatch.setenv("PROMPTCRAFTER_API_KEY", write["key"])
        with PromptCrafterClient(base_url=live_server.base_url) as script:
            assert script.create_log(prompt["_id"], "out", "gpt-4o", score=8)["score"] == 8
            with pytest.raises(ForbiddenError, match=r"API keys cannot manage the account\."):
                script.list_api_keys()
            owner.revoke_api_key(write["_id"])
            with pytest.raises(AuthenticationError):
                script.get_prompts()
        assert [k["_id"] for k in owner.list_api_keys()] == [read["_id"]]


def test_async_keys_round_trip(live_server: Any) -> None:
    async def main() -> None:
        async with AsyncPromptCrafterClient(base_url=live_server.base_url) as owner:
            await owner.signup("Ada", f"sdk-{uuid.uuid4().hex}@example.com", PASSWORD)
            made = await owner.create_api_key("async", scope="read")
            async with AsyncPromptCrafterClient(
                api_key=made["key"], base_url=live_server.base_url
            ) as script:
                assert (await script.get_me())["_id"] == (await owner.get_me())["_id"]
            assert len(await owner.list_api_keys()) == 1
            await owner.revoke_api_key(made["_id"])
            assert await owner.list_api_keys() == []

    asyncio.run(main())
