"""promptcrafter.diffs against difflib, and the field rules of the diff object."""

from __future__ import annotations

import difflib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from promptcrafter.diffs import Snapshot, diff, line_ops

LINES = ["alpha", "beta", "gamma", "", "  indented", "{{ name }}", "delta"]


def snapshot(version: int, content: str, **fields: object) -> Snapshot:
    values: dict[str, object] = {
        "title": "A title",
        "model": "gpt-4o",
        "tags": [],
        "variables": [],
        **fields,
    }
    return Snapshot(version=version, content=content, **values)  # type: ignore[arg-type]


texts = st.lists(st.sampled_from(LINES), max_size=30).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda end: end.join(lines))
)


@settings(max_examples=300, deadline=None)
@given(texts, texts, st.booleans())
@example("", "", False)
@example("a\nb\n", "a\nb", False)
@example("one", "", True)
def test_unified_is_difflibs_and_lines_rebuild_both_texts(
    before: str, after: str, trailing: bool
) -> None:
    if trailing:
        after += "\n"
    result = diff(snapshot(3, before), snapshot(7, after))
    content = result["content"]
    expected = "\n".join(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile="v3",
            tofile="v7",
            n=3,
            lineterm="",
        )
    )
    assert content["unified"] == expected
    assert content["changed"] is (before != after)
    ops = content["lines"]
    assert {op["op"] for op in ops} <= {"equal", "insert", "delete"}
    assert [op["text"] for op in ops if op["op"] != "insert"] == before.splitlines()
    assert [op["text"] for op in ops if op["op"] != "delete"] == after.splitlines()
    # Lines marked equal are exactly what difflib matched.
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines())
    assert sum(op["op"] == "equal" for op in ops) == sum(
        block.size for block in matcher.get_matching_blocks()
    )


def test_a_replaced_block_is_its_deletes_then_its_inserts() -> None:
    assert line_ops("keep\nold 1\nold 2\nend", "keep\nnew 1\nend") == [
        {"op": "equal", "text": "keep"},
        {"op": "delete", "text": "old 1"},
        {"op": "delete", "text": "old 2"},
        {"op": "insert", "text": "new 1"},
        {"op": "equal", "text": "end"},
    ]


def test_equal_versions_have_an_empty_diff() -> None:
    same = snapshot(2, "text\nmore", tags=["a"], variables=["x"])
    assert diff(same, same) == {
        "from": 2,
        "to": 2,
        "title": None,
        "model": None,
        "tags": {"added": [], "removed": []},
        "variables": {"added": [], "removed": []},
        "content": {
            "changed": False,
            "unified": "",
            "lines": [{"op": "equal", "text": "text"}, {"op": "equal", "text": "more"}],
        },
    }


def test_title_model_tags_and_variables() -> None:
    before = snapshot(
        1, "x", title="Old", model="m1", tags=["b", "a", "c"], variables=["one", "two"]
    )
    after = snapshot(
        2, "x", title="New", model="m2", tags=["d", "a", "e", "d"], variables=["three", "one"]
    )
    result = diff(before, after)
    assert result["title"] == {"from": "Old", "to": "New"}
    assert result["model"] == {"from": "m1", "to": "m2"}
    # Each name once, in the order it appears in the version that has it.
    assert result["tags"] == {"added": ["d", "e"], "removed": ["b", "c"]}
    assert result["variables"] == {"added": ["three"], "removed": ["two"]}


def test_tag_order_alone_adds_and_removes_nothing() -> None:
    result = diff(snapshot(1, "x", tags=["a", "b"]), snapshot(2, "x", tags=["b", "a"]))
    assert result["tags"] == {"added": [], "removed": []}


def test_a_change_of_line_endings_alone_is_a_change_without_line_ops() -> None:
    result = diff(snapshot(1, "a\nb"), snapshot(2, "a\r\nb\n"))
    assert result["content"]["changed"] is True
    assert result["content"]["unified"] == ""
    assert [op["op"] for op in result["content"]["lines"]] == ["equal", "equal"]
