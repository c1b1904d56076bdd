"""Pieces of the results sections that need no server: the snippets' base URL, reading
version references, and the number formats."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import cast

from promptcrafter.ui.core import Visitor
from promptcrafter.ui.render_pages import snippets_section
from promptcrafter.ui.results_base import Shown, interval, number, p_value, read_ref

SHOWN = Shown(
    prompt_id="prompt01abc",
    title="T",
    model="gpt-4o",
    version=3,
    label=None,
    variables=["name"],
    labels={"prod": 3},
)


def _visitor(public_url: str | None, origin: str = "http://127.0.0.1:8000") -> Visitor:
    settings = SimpleNamespace(public_url=public_url)
    return cast(
        Visitor, SimpleNamespace(services=SimpleNamespace(settings=settings), origin=origin)
    )


def test_snippets_use_the_public_url_when_set() -> None:
    made = snippets_section(_visitor("https://prompts.example.com/"), SHOWN)
    curl = made["items"][0]["text"]
    assert "https://prompts.example.com/prompts/prompt01abc?version=3" in curl
    assert "127.0.0.1" not in curl


def test_snippets_fall_back_to_the_request_origin() -> None:
    made = snippets_section(_visitor(None, "http://localhost:9000"), SHOWN)
    assert "http://localhost:9000/prompts/prompt01abc" in made["items"][0]["text"]
    assert made["for"] == "version 3"


def test_snippets_for_a_label() -> None:
    made = snippets_section(_visitor(None), replace(SHOWN, label="prod"))
    assert made["for"] == "label prod"
    assert "label=prod" in made["items"][0]["text"]
    assert "--label prod" in made["items"][2]["text"]


def test_read_ref() -> None:
    assert read_ref("7") == 7 and read_ref("007") == 7
    assert read_ref("prod") == "prod" and read_ref("latest") == "latest"
    for bad in ("0", "-1", "Prod", "a b", "", "1.5", "x" * 40):
        assert read_ref(bad) is None, bad


def test_number_formats() -> None:
    assert number(7.0) == "7" and number(7.126) == "7.13" and number(-0.001) == "0"
    assert number(None) == "–" and number(float("nan")) == "–"
    assert interval((1.0, 2.555)) == "1 to 2.56" and interval(None) == "–"
    assert p_value(0.00001) == "< 0.0001" and p_value(0.04567) == "0.0457"
    assert p_value(None) == "–"
