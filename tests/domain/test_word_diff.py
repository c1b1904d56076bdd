"""diffs.word_rows: word-level rows that rebuild both texts and agree with line_ops."""

from __future__ import annotations

import time

from hypothesis import example, given, settings
from hypothesis import strategies as st

from promptcrafter.diffs import (
    DELETE,
    EQUAL,
    INSERT,
    WORD_SECONDS,
    WordRow,
    line_ops,
    word_ops,
    word_rows,
)

WORDS = ["alpha", "beta", " ", "  ", "\t", ",", "{{ x }}", "é", "gamma"]
LINE = st.lists(st.sampled_from(WORDS), max_size=8).map("".join)
TEXT = st.tuples(
    st.lists(LINE, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans()
).map(lambda t: t[1].join(t[0]) + (t[1] if t[2] else ""))


def side(rows: list[WordRow], which: str) -> str:
    return "".join(text for row in rows for _, text in getattr(row, which))


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT)
@example("a\nb\n", "a\r\nb")
@example("", "x")
@example("one two three\n", "one 2 three\n")
def test_joining_each_side_rebuilds_the_texts(before: str, after: str) -> None:
    rows = word_rows(before, after)
    assert side(rows, "old") == before
    assert side(rows, "new") == after
    # The same lines change as in the API's line view.
    ops = line_ops(before, after)
    assert sum(1 for op in ops if op["op"] == EQUAL) == sum(1 for r in rows if r.op == EQUAL)
    assert sum(1 for op in ops if op["op"] == DELETE) == sum(
        1 for r in rows if r.old_number and r.op != EQUAL
    )
    assert sum(1 for op in ops if op["op"] == INSERT) == sum(
        1 for r in rows if r.new_number and r.op != EQUAL
    )
    for row in rows:
        assert all(op in (EQUAL, DELETE) for op, _ in row.old)
        assert all(op in (EQUAL, INSERT) for op, _ in row.new)


def test_a_replaced_line_marks_only_the_changed_word() -> None:
    rows = word_rows("Write five subject lines.\nkeep\n", "Write ten subject lines.\nkeep\n")
    assert [row.op for row in rows] == ["replace", "equal"]
    assert rows[0].old == ((EQUAL, "Write "), (DELETE, "five "), (EQUAL, "subject lines.\n"))
    assert rows[0].new == ((EQUAL, "Write "), (INSERT, "ten "), (EQUAL, "subject lines.\n"))
    assert (rows[0].old_number, rows[0].new_number) == (1, 1)


def test_left_over_lines_of_a_block_are_deleted_or_inserted() -> None:
    rows = word_rows("a\nb\nc\n", "x\n")
    assert [(row.op, row.old_number, row.new_number) for row in rows] == [
        ("replace", 1, 1),
        ("delete", 2, None),
        ("delete", 3, None),
    ]
    assert word_ops("", "new") == ((), ((INSERT, "new"),))


def test_a_very_long_line_is_replaced_whole() -> None:
    old, new = "a " * 1500, "b " * 1500
    assert word_ops(old, new) == (((DELETE, old),), ((INSERT, new),))


def test_out_of_time_lines_are_replaced_whole_and_still_rebuild_the_texts() -> None:
    before, after = "a b\nc d\n", "a x\nc y\n"
    rows = word_rows(before, after, seconds=0)
    assert [row.old for row in rows] == [((DELETE, "a b\n"),), ((DELETE, "c d\n"),)]
    assert [row.new for row in rows] == [((INSERT, "a x\n"),), ((INSERT, "c y\n"),)]


def test_repetitive_lines_stay_fast() -> None:
    # One word repeated: the worst case of the matcher. 300 such pairs end well within a
    # second because the diff stops matching words after WORD_SECONDS.
    before = ("x " * 150 + "\n") * 300
    after = ("x y " * 75 + "\n") * 300
    started = time.monotonic()
    rows = word_rows(before, after)
    assert time.monotonic() - started < WORD_SECONDS + 1
    assert side(rows, "old") == before and side(rows, "new") == after
