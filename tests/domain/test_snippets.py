"""The "use this prompt" snippets call the real SDK and CLI the way they really are."""

from __future__ import annotations

import ast
import inspect
import json
import shlex
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from promptcrafter.cli import build_parser
from promptcrafter.client import PromptCrafterClient
from promptcrafter.snippets import usage_snippets

BASE = "http://127.0.0.1:8000"
HOSTILE = 'prod\'; rm -rf ~ $(id) `id` "x" &'
CASES = [
    {"version": 3},
    {"label": "production"},
    {"label": HOSTILE},
]


def commands(text: str) -> list[list[str]]:
    """Each shell command of a snippet, split as the shell would (comments dropped)."""
    joined = text.replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines() if line and not line.startswith("#")]


def literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return object()  # a name or subscript: any value will do for binding


@pytest.mark.parametrize("ref", CASES)
def test_python_snippet_binds_to_the_real_client_signatures(ref: dict[str, Any]) -> None:
    code = usage_snippets(BASE, "p_1", variables=["name", "topic"], **ref).python
    tree = ast.parse(code)
    compile(tree, "<snippet>", "exec")
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    bound: dict[str, inspect.BoundArguments] = {}
    for call in calls:
        func = call.func
        if isinstance(func, ast.Name) and func.id == "PromptCrafterClient":
            target: Any = PromptCrafterClient.__init__
            args: list[Any] = [None]  # self
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "client"
        ):
            target = getattr(PromptCrafterClient, func.attr)
            args = [None]
        else:
            continue
        args += [literal(arg) for arg in call.args]
        kwargs = {kw.arg: literal(kw.value) for kw in call.keywords if kw.arg}
        name = func.id if isinstance(func, ast.Name) else func.attr
        bound[name] = inspect.signature(target).bind(*args, **kwargs)
    assert set(bound) == {"PromptCrafterClient", "get_prompt", "render", "create_log"}
    kind, value = next(iter(ref.items()))
    assert bound["get_prompt"].arguments[kind] == value
    assert bound["render"].arguments[kind] == value
    assert bound["render"].arguments["variables"] == {"name": "...", "topic": "..."}
    assert bound["PromptCrafterClient"].arguments["base_url"] == BASE
    assert "PROMPTCRAFTER_API_KEY" in code


@pytest.mark.parametrize("ref", CASES)
def test_cli_snippet_parses_with_the_real_parser(ref: dict[str, Any]) -> None:
    text = usage_snippets(BASE, "p_1", variables=["name"], model="gpt 4o", **ref).cli
    lines = commands(text)
    assert [line[:3] for line in lines] == [
        ["promptcrafter", "prompts", "get"],
        ["promptcrafter", "render", "p_1"],
        ["promptcrafter", "logs", "create"],
    ]
    parser = build_parser()
    kind, value = next(iter(ref.items()))
    for line in lines:
        args = parser.parse_args(line[1:])
        assert getattr(args, kind) == value
        assert args.url == BASE
    logged = parser.parse_args(lines[2][1:])
    assert (logged.prompt, logged.model, logged.score) == ("p_1", "gpt 4o", 8)
    assert parser.parse_args(lines[1][1:]).var == ["name=..."]


@pytest.mark.parametrize("ref", CASES)
def test_curl_snippet_quotes_values_and_keeps_the_key_in_the_environment(
    ref: dict[str, Any],
) -> None:
    text = usage_snippets(BASE, "p_1", variables=["name"], **ref).curl
    fetch, render, log = commands(text)
    assert fetch[:4] == ["curl", "-sS", "-H", "Authorization: Bearer $PROMPTCRAFTER_API_KEY"]
    kind, value = next(iter(ref.items()))
    url = urlsplit(fetch[-1])
    assert url.path == "/prompts/p_1" and parse_qs(url.query) == {kind: [str(value)]}
    assert json.loads(render[render.index("-d") + 1])[kind] == value
    body = json.loads(log[log.index("-d") + 1])
    assert log[-1] == f"{BASE}/logs"
    assert body["promptId"] == "p_1"
    assert body["promptVersion" if kind == "version" else "label"] == value


def test_a_hostile_label_is_shell_quoted() -> None:
    snippets = usage_snippets(BASE, "p_1", label=HOSTILE)
    assert shlex.quote(HOSTILE) in snippets.cli
    assert HOSTILE not in snippets.cli.replace(shlex.quote(HOSTILE), "")


def test_exactly_one_reference() -> None:
    with pytest.raises(ValueError):
        usage_snippets(BASE, "p_1")
    with pytest.raises(ValueError):
        usage_snippets(BASE, "p_1", version=1, label="x")
