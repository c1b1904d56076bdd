"""templates.segments: the highlighting pieces agree with the parser and rebuild the text."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from promptcrafter.templates import Segment, parse, segments

TEXT = st.text(alphabet=st.sampled_from(list("{}\\ \tab_1x\n")), max_size=60)


def test_placeholders_escapes_and_braces() -> None:
    assert segments("Hi {{ name }}, \\{{a}} {{{b}}}") == [
        Segment("text", "Hi "),
        Segment("variable", "{{ name }}", "name"),
        Segment("text", ", \\{{a}} {"),
        Segment("variable", "{{b}}", "b"),
        Segment("text", "}"),
    ]
    assert segments("") == []
    assert segments("{{x}}") == [Segment("variable", "{{x}}", "x")]
    assert segments("{{ 1x }}") == [Segment("text", "{{ 1x }}")]


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("\\\\{{a}}")
@example("\\{{{a}}")
def test_joining_rebuilds_the_text_and_the_names_are_the_parsers(text: str) -> None:
    pieces = segments(text)
    assert "".join(piece.text for piece in pieces) == text
    template = parse(text)
    variables = [piece for piece in pieces if piece.kind == "variable"]
    assert [piece.name for piece in variables] == list(template.names)
    assert [piece.text for piece in variables] == list(template.raw)
    assert all(piece.text for piece in pieces)
    kinds = [piece.kind for piece in pieces]
    assert all(not (a == b == "text") for a, b in itertools.pairwise(kinds))
