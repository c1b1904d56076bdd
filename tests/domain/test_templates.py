"""The template parser and renderer (promptcrafter.templates), without a server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promptcrafter.errors import BadRequest, PayloadTooLarge
from promptcrafter.templates import MAX_RENDERED_BYTES, parse, render, variables

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
PLACEHOLDER = re.compile(r"\{\{[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\}\}")
# Texts rich in the characters that matter: braces, backslashes, blanks, name characters.
TEXT = st.text(alphabet=st.sampled_from(list("{}\\ \tab_1x\n")), max_size=60)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("Hello {{name}}!", {"name": "Ada"}, "Hello Ada!"),
        ("{{ name }} and {{\tname\t}}", {"name": "x"}, "x and x"),
        ("{{{a}}}", {"a": "A"}, "{A}"),
        ("{{{{a}}}}", {"a": "A"}, "{{A}}"),
        ("\\{{a}}", {"a": "A"}, "{{a}}"),
        ("\\\\{{a}}", {"a": "A"}, "\\{{a}}"),
        ("{{ 1x }} {{a b}} {{}} {a} {{a", {}, "{{ 1x }} {{a b}} {{}} {a} {{a"),
        ('{"json": {"nested": 1}}', {}, '{"json": {"nested": 1}}'),
        ("{{a}}{{b}}", {"a": "{{b}}", "b": "B"}, "{{b}}B"),  # values are never re-read
        ("{{ a}", {"a": "A"}, "{{ a}"),
        ("{{a }}}", {"a": "A"}, "A}"),
        ("{{_}}{{A_1}}", {"_": 1, "A_1": 2}, "12"),
    ],
)
def test_rendering_examples(text: str, values: dict[str, Any], expected: str) -> None:
    assert render(text, values, strict=False).text == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("verbatim <b>&amp;</b>", "verbatim <b>&amp;</b>"),
        (7, "7"),
        (2.5, "2.5"),
        (-0.125, "-0.125"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        ([1, "two", None], '[1,"two",null]'),
        ({"b": 1, "a": [True]}, '{"b":1,"a":[true]}'),
        ({"ключ": "значение ✓"}, '{"ключ":"значение ✓"}'),
    ],
)
def test_values_are_formatted_as_the_spec_says(value: Any, expected: str) -> None:
    assert render("<{{v}}>", {"v": value}).text == f"<{expected}>"


def test_used_missing_and_unused() -> None:
    result = render(
        "{{b}} {{a}} {{b}} {{c}} {{d}}",
        {"z": 1, "a": 1, "b": None, "not a name": 2, "9x": 3},
        strict=False,
    )
    assert result.used == ["b", "a"]
    assert result.missing == ["c", "d"]
    assert result.unused == ["9x", "not a name", "z"]
    assert result.text == " 1  {{c}} {{d}}"


def test_missing_placeholders_stay_as_written_when_not_strict() -> None:
    assert render("x {{ a\t}} y", {}, strict=False).text == "x {{ a\t}} y"


def test_strict_refuses_missing_variables_naming_them_in_order() -> None:
    with pytest.raises(BadRequest) as caught:
        render("{{b}} {{a}} {{b}} {{c}}", {"c": 1})
    assert caught.value.message == "Missing template variables: b, a."
    assert caught.value.details == ["b", "a"]


def test_variables_in_order_of_first_appearance() -> None:
    assert variables("{{ b }} {{a}} {{b}} \\{{c}} {{{d}}}") == ["b", "a", "d"]
    assert variables("no placeholders {here}") == []


def test_rendered_text_over_two_mib_is_refused() -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        render("{{a}}" * 3, {"a": "x" * (MAX_RENDERED_BYTES // 3 + 1)})
    assert caught.value.message == "The rendered text would be larger than 2 MiB."
    # Bytes are counted, not characters: 2 MiB of 'é' is 1 MiB of characters.
    with pytest.raises(PayloadTooLarge):
        render("{{a}}", {"a": "é" * (MAX_RENDERED_BYTES // 2 + 1)})
    exact = render("{{a}}", {"a": "x" * MAX_RENDERED_BYTES})
    assert len(exact.text) == MAX_RENDERED_BYTES


def test_pathological_braces_parse_in_linear_time() -> None:
    # Quadratic parsing would take minutes on these; a linear scan takes milliseconds.
    for text in ("{{" * 200_000, "{{ " * 100_000 + "a", "{{a" * 100_000, "\\{{" * 100_000):
        assert parse(text).names == ()


def reference(text: str, values: dict[str, str]) -> str:
    """The SPEC's sentence, as literally as code can say it (and slowly)."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("\\{{", i):
            out.append("{{")
            i += 3
            continue
        if text.startswith("{{", i):
            end = text.find("}}", i + 2)
            inner = text[i + 2 : end] if end >= 0 else ""
            if end >= 0 and re.fullmatch(r"[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*", inner):
                out.append(values[inner.strip(" \t")])
                i = end + 2
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


@given(st.lists(st.tuples(TEXT, NAMES), max_size=8), TEXT)
def test_giving_every_variable_leaves_no_placeholder(
    pieces: list[tuple[str, str]], tail: str
) -> None:
    text = "".join(f"{literal}{{{{{name}}}}}" for literal, name in pieces) + tail
    marker = "\x00"  # cannot occur in the text, so each one in the output is a filled slot
    values = {name: marker for name in variables(text)}
    result = render(text, values)
    assert result.missing == []
    assert result.text == reference(text, values)
    assert result.text.count(marker) == len(parse(text).names)
    assert result.text.replace(marker, "") == "".join(parse(text).literals)


@given(st.text(max_size=200).filter(lambda text: "{{" not in text))
def test_text_without_double_braces_renders_unchanged(text: str) -> None:
    result = render(text, {"a": 1})
    assert result.text == text
    assert (result.used, result.missing, result.unused) == ([], [], ["a"])


@given(TEXT, TEXT)
def test_an_escape_always_yields_literal_braces(before: str, after: str) -> None:
    values = {name: "<v>" for name in variables(before) + variables(after)}
    whole = render(before + "\\{{" + after, values, strict=False).text
    assert whole == (
        render(before, values, strict=False).text + "{{" + render(after, values, strict=False).text
    )
