"""The SDK's documented quickstart, end to end against a real server, sync and async."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

import promptcrafter
from promptcrafter.client import (
    AsyncPromptCrafterClient,
    AuthenticationError,
    NotFoundError,
    PromptCrafterClient,
)

PASSWORD = "correct horse battery staple"


def unique_email() -> str:
    return f"sdk-{uuid.uuid4().hex}@example.com"


def test_top_level_package_reexports_the_client_names() -> None:
    names = [
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
    ]
    import promptcrafter.client as client_module

    for name in names:
        assert getattr(promptcrafter, name) is getattr(client_module, name), name
        assert name in client_module.__all__


def test_quickstart_sync(live_server: Any) -> None:
    email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        token = client.signup("Ada Lovelace", email, PASSWORD)
        assert isinstance(token, str) and token
        assert client.token == token

        me = client.get_me()
        assert me["email"] == email
        assert me["name"] == "Ada Lovelace"

        prompt = client.create_prompt(
            "Product launch email",
            "Write a launch email for {product}.\nKeep it short.",
            "gpt-4o",
            tags=["marketing", "email"],
        )
        assert prompt["_id"].startswith("prompt")
        assert prompt["title"] == "Product launch email"
        assert prompt["content"] == "Write a launch email for {product}.\nKeep it short."
        assert prompt["model"] == "gpt-4o"
        assert prompt["tags"] == ["marketing", "email"]
        assert prompt["ownerId"] == me["_id"]

        untagged = client.create_prompt("Haiku about photosynthesis", "Write a haiku.", "claude")
        assert untagged["tags"] == []

        assert client.get_prompt(prompt["_id"]) == prompt
        assert [p["_id"] for p in client.get_prompts()] == [prompt["_id"], untagged["_id"]]

        updated = client.update_prompt(prompt["_id"], title="Launch email v2", tags=["launch"])
        assert updated["title"] == "Launch email v2"
        assert updated["tags"] == ["launch"]
        assert updated["content"] == prompt["content"]
        assert updated["createdAt"] == prompt["createdAt"]
        assert updated["updatedAt"] >= prompt["updatedAt"]
        assert client.get_prompt(prompt["_id"])["title"] == "Launch email v2"

        assert [p["_id"] for p in client.search_prompts("PHOTO")] == [untagged["_id"]]
        assert client.search_prompts("launch email")[0]["_id"] == prompt["_id"]
        assert client.search_prompts("no-such-word-anywhere") == []

        log = client.create_log(
            prompt["_id"], "Ready to upgrade?", "gpt-4o", notes="Punchy.", score=7.5
        )
        assert log["_id"].startswith("log")
        assert log["promptId"] == prompt["_id"]
        assert log["output"] == "Ready to upgrade?"
        assert log["modelUsed"] == "gpt-4o"
        assert log["notes"] == "Punchy."
        assert log["score"] == 7.5
        bare = client.create_log(prompt["_id"], "Second try.", "gpt-4o-mini")
        assert bare["notes"] is None and bare["score"] is None

        assert [entry["_id"] for entry in client.get_logs()] == [log["_id"], bare["_id"]]
        by_prompt = client.get_logs_by_prompt(prompt["_id"])
        assert [entry["_id"] for entry in by_prompt] == [log["_id"], bare["_id"]]
        assert client.get_logs_by_prompt(untagged["_id"]) == []

        assert client.delete_log(bare["_id"]) is None
        assert [entry["_id"] for entry in client.get_logs()] == [log["_id"]]

        assert client.delete_prompt(prompt["_id"]) is None
        with pytest.raises(NotFoundError):
            client.get_prompt(prompt["_id"])
        assert client.get_logs() == []  # the prompt's logs went with it
        assert [p["_id"] for p in client.get_prompts()] == [untagged["_id"]]

    # A second client logs in with the same credentials and sees the same library.
    with PromptCrafterClient(base_url=live_server.base_url) as again:
        second = again.login(email, PASSWORD)
        assert second and again.token == second
        assert [p["_id"] for p in again.get_prompts()] == [untagged["_id"]]


def test_quickstart_async(live_server: Any) -> None:
    email = unique_email()

    async def flow() -> None:
        async with AsyncPromptCrafterClient(base_url=live_server.base_url) as client:
            token = await client.signup("Grace Hopper", email, PASSWORD)
            assert token and client.token == token
            assert (await client.get_me())["email"] == email

            prompt = await client.create_prompt(
                "Bug report summary", "Summarise this bug report.", "gpt-4o", tags=["triage"]
            )
            assert prompt["tags"] == ["triage"]
            assert await client.get_prompt(prompt["_id"]) == prompt
            assert [p["_id"] for p in await client.get_prompts()] == [prompt["_id"]]

            updated = await client.update_prompt(prompt["_id"], model="claude")
            assert updated["model"] == "claude"
            assert updated["title"] == prompt["title"]
            assert [p["_id"] for p in await client.search_prompts("bug")] == [prompt["_id"]]

            log = await client.create_log(prompt["_id"], "A moth.", "claude", score=10)
            assert log["score"] == 10 and log["notes"] is None
            assert [x["_id"] for x in await client.get_logs()] == [log["_id"]]
            assert [x["_id"] for x in await client.get_logs_by_prompt(prompt["_id"])] == [
                log["_id"]
            ]
            assert await client.delete_log(log["_id"]) is None
            assert await client.get_logs() == []
            assert await client.delete_prompt(prompt["_id"]) is None
            assert await client.get_prompts() == []

        async with AsyncPromptCrafterClient(base_url=live_server.base_url) as again:
            assert await again.login(email, PASSWORD) == again.token
            assert await again.get_prompts() == []

    asyncio.run(flow())


def test_base_url_comes_from_the_environment(
    live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTCRAFTER_URL", live_server.base_url + "/")
    with PromptCrafterClient() as client:
        assert client.base_url == live_server.base_url
        assert client.health() == {"status": "ok"}
        client.signup("Env User", unique_email(), PASSWORD)
        assert client.get_prompts() == []


def test_base_url_default_and_explicit_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMPTCRAFTER_URL", raising=False)
    with PromptCrafterClient() as client:
        assert client.base_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("PROMPTCRAFTER_URL", "http://example.invalid:9")
    with PromptCrafterClient(base_url="http://127.0.0.1:1234/") as client:
        assert client.base_url == "http://127.0.0.1:1234"
    with pytest.raises(ValueError, match="http"):
        PromptCrafterClient(base_url="127.0.0.1:8000")


def test_set_token_switches_identity(live_server: Any) -> None:
    first_email, second_email = unique_email(), unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        first = client.signup("First", first_email, PASSWORD)
        mine = client.create_prompt("First's prompt", "text", "m")
        second = client.signup("Second", second_email, PASSWORD)
        assert client.get_me()["email"] == second_email
        assert client.get_prompts() == []

        client.set_token(first)
        assert client.get_me()["email"] == first_email
        assert [p["_id"] for p in client.get_prompts()] == [mine["_id"]]

        client.set_token(None)
        with pytest.raises(AuthenticationError) as missing:
            client.get_prompts()
        assert missing.value.message == "Authentication token is missing."

    with PromptCrafterClient(token=second, base_url=live_server.base_url) as by_constructor:
        assert by_constructor.get_me()["email"] == second_email


def test_logout_revokes_the_token(live_server: Any) -> None:
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        token = client.signup("Leaving", unique_email(), PASSWORD)
        assert client.logout() is None
        assert client.token is None

        client.set_token(token)
        with pytest.raises(AuthenticationError) as revoked:
            client.get_me()
        assert revoked.value.message == "Authentication token is expired or invalid."


def test_change_password(live_server: Any) -> None:
    email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        old_token = client.signup("Changing", email, PASSWORD)
        assert client.change_password(PASSWORD, PASSWORD + " v2") is None

        with pytest.raises(AuthenticationError):
            client.login(email, PASSWORD)
        assert client.login(email, PASSWORD + " v2") != old_token
        assert client.get_me()["email"] == email

        client.set_token(old_token)  # tokens issued before the change stop working
        with pytest.raises(AuthenticationError):
            client.get_me()


def test_closed_client_refuses_requests(live_server: Any) -> None:
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        assert client.health() == {"status": "ok"}
    with pytest.raises(RuntimeError):
        client.health()

    async def closed_async() -> None:
        async with AsyncPromptCrafterClient(base_url=live_server.base_url) as aclient:
            assert await aclient.health() == {"status": "ok"}
        with pytest.raises(RuntimeError):
            await aclient.health()

    asyncio.run(closed_async())


def test_argument_mistakes_are_caught_before_any_request() -> None:
    # Port 9 on an address that never answers: none of these may get as far as the network.
    with PromptCrafterClient(base_url="http://127.0.0.1:9") as client:
        with pytest.raises(TypeError, match="unknown fields"):
            client.update_prompt("prompt1", colour="red")
        with pytest.raises(TypeError, match="at least one field"):
            client.update_prompt("prompt1")
        with pytest.raises(TypeError, match="list of strings"):
            client.create_prompt("Title", "content", "model", tags="marketing")
        with pytest.raises(ValueError, match="non-empty"):
            client.get_prompt("")
