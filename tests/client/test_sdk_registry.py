"""The SDK's registry methods against a real server: versions, labels, render, logs per
version, stats, compare, diff and the Link-following iterators, blocking and asyncio."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from promptcrafter.client import (
    AsyncPromptCrafterClient,
    BadRequestError,
    NotFoundError,
    PromptCrafterClient,
)

PASSWORD = "correct horse battery staple"


def unique_email() -> str:
    return f"sdk-reg-{uuid.uuid4().hex}@example.com"


@pytest.fixture
def client(live_server: Any) -> Any:
    with PromptCrafterClient(base_url=live_server.base_url) as sdk:
        sdk.signup("Registry", unique_email(), PASSWORD)
        yield sdk


def test_history_labels_and_render(client: PromptCrafterClient) -> None:
    prompt = client.create_prompt(
        "Greeting", "Hello {{ name }}", "gpt-4o", ["demo"], commit_message="first cut"
    )
    assert prompt["version"] == 1 and prompt["variables"] == ["name"] and prompt["labels"] == {}
    changed = client.update_prompt(
        prompt["_id"], content="Hi {{ name }} from {{ place }}", commit_message="warmer"
    )
    assert changed["version"] == 2 and changed["variables"] == ["name", "place"]

    versions = client.get_versions(prompt["_id"])
    assert [(v["version"], v["commitMessage"]) for v in versions] == [
        (2, "warmer"),
        (1, "first cut"),
    ]
    assert client.get_version(prompt["_id"], 1)["content"] == "Hello {{ name }}"
    with pytest.raises(NotFoundError) as missing:
        client.get_version(prompt["_id"], 9)
    assert missing.value.message == "No such version of this prompt."

    label = client.set_label(prompt["_id"], "production", 1)
    assert (label["name"], label["version"]) == ("production", 1)
    assert [entry["name"] for entry in client.get_labels(prompt["_id"])] == ["production"]
    as_labelled = client.get_prompt(prompt["_id"], label="production")
    assert as_labelled["version"] == 1 and as_labelled["content"] == "Hello {{ name }}"
    assert client.get_prompt(prompt["_id"], version=2)["content"].startswith("Hi")

    rendered = client.render(prompt["_id"], {"name": "Ada", "extra": 1}, label="production")
    assert rendered["rendered"] == "Hello Ada" and rendered["unused"] == ["extra"]
    lenient = client.render(prompt["_id"], {"name": "Ada"}, strict=False)
    assert lenient["rendered"] == "Hi Ada from {{ place }}" and lenient["missing"] == ["place"]
    with pytest.raises(BadRequestError) as strict:
        client.render(prompt["_id"], {})
    assert strict.value.message == "Missing template variables: name, place."

    restored = client.restore_version(prompt["_id"], 1, commit_message="back to basics")
    assert restored["version"] == 3 and restored["content"] == "Hello {{ name }}"
    client.delete_label(prompt["_id"], "production")
    history = client.get_label_history(prompt["_id"], "production")
    assert [(h["version"], h["previousVersion"]) for h in history] == [(None, 1), (1, None)]
    with pytest.raises(ValueError):
        client.get_prompt(prompt["_id"], version=1, label="production")


def test_logs_per_version_stats_compare_and_diff(client: PromptCrafterClient) -> None:
    prompt = client.create_prompt("Scored", "one\ntwo\n", "gpt-4o")
    client.update_prompt(prompt["_id"], content="one\nthree\n")
    for score in (4, 5, 6):
        log = client.create_log(prompt["_id"], "out", "gpt-4o", score=score, prompt_version=1)
        assert log["promptVersion"] == 1 and log["model"] == "gpt-4o"
    client.set_label(prompt["_id"], "candidate", 2)
    for score in (8, 9):
        log = client.create_log(prompt["_id"], "out", "claude", score=score, label="candidate")
        assert log["promptVersion"] == 2 and log["label"] == "candidate"

    stats = client.get_stats(prompt["_id"], by="version")
    assert stats["by"] == ["version"]
    assert [(g["promptVersion"], g["count"], g["mean"]) for g in stats["groups"]] == [
        (2, 2, 8.5),
        (1, 3, 5),
    ]
    assert stats["total"]["count"] == 5
    both = client.get_stats(prompt["_id"], by=["version", "model"])
    assert both["by"] == ["version", "model"]

    result = client.compare(prompt["_id"], 1, "candidate")
    assert result["a"]["version"] == 1 and result["b"]["version"] == 2
    assert result["difference"] == pytest.approx(3.5)
    assert result["verdict"] == "not enough data"

    diff = client.diff(prompt["_id"], from_=1, to="candidate")
    assert (diff["from"], diff["to"]) == (1, 2) and diff["content"]["changed"] is True
    assert "-two" in diff["content"]["unified"] and "+three" in diff["content"]["unified"]
    assert client.diff(prompt["_id"])["from"] == 1


def test_iterators_follow_link_headers(client: PromptCrafterClient) -> None:
    made = [client.create_prompt(f"Paged prompt {i}", "walk me", "gpt-4o") for i in range(5)]
    ids = [p["_id"] for p in client.iter_prompts(page_size=2)]
    assert ids == [p["_id"] for p in made]
    for i in range(3):
        client.create_log(made[0]["_id"], f"out {i}", "gpt-4o", score=i)
    logs = list(client.iter_logs(prompt_id=made[0]["_id"], sort="-score", page_size=2))
    assert [log["score"] for log in logs] == [2, 1, 0]
    found = [p["_id"] for p in client.iter_search("walk", page_size=2)]
    assert sorted(found) == sorted(ids)
    for n in range(3):
        client.update_prompt(made[1]["_id"], content=f"version {n + 2}")
    numbers = [v["version"] for v in client.iter_versions(made[1]["_id"], page_size=3)]
    assert numbers == [4, 3, 2, 1]
    with pytest.raises(ValueError):
        list(client.iter_prompts(page_size=0))


def test_async_client_has_the_registry_methods(live_server: Any) -> None:
    async def scenario() -> None:
        async with AsyncPromptCrafterClient(base_url=live_server.base_url) as sdk:
            await sdk.signup("Async registry", unique_email(), PASSWORD)
            prompt = await sdk.create_prompt("Async", "Dear {{ who }}", "gpt-4o")
            await sdk.update_prompt(prompt["_id"], title="Async v2", commit_message="rename")
            versions = await sdk.get_versions(prompt["_id"])
            assert [v["version"] for v in versions] == [2, 1]
            await sdk.set_label(prompt["_id"], "staging", 2)
            assert [label["name"] for label in await sdk.get_labels(prompt["_id"])] == ["staging"]
            rendered = await sdk.render(prompt["_id"], {"who": "Grace"}, label="staging")
            assert rendered["rendered"] == "Dear Grace"
            diff = await sdk.diff(prompt["_id"], 1, 2)
            assert diff["title"] == {"from": "Async", "to": "Async v2"}
            stats = await sdk.get_stats(prompt["_id"])
            assert stats["total"]["count"] == 0
            walked = [p["_id"] async for p in sdk.iter_prompts(page_size=1)]
            assert walked == [prompt["_id"]]
            history = await sdk.get_label_history(prompt["_id"], "staging")
            assert history[0]["version"] == 2

    asyncio.run(scenario())
