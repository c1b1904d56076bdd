"""A diff's matching has a bounded cost (review of 2026-12-07: 50,000 lines drawn from a
hundred values, in two random orders, held a worker's event loop for 25 s): past the budget a
pair of texts is shown as its common first and last lines with the rest replaced, a correct
diff that is not minimal. Texts of the usual kind never reach it."""

from __future__ import annotations

import difflib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from promptcrafter import diffs
from promptcrafter.diffs import Snapshot


def _snapshot(version: int, content: str) -> Snapshot:
    return Snapshot(version, "t", content, "m", [], [])


def _rebuilt(ops: list[diffs.Opcode], old: list[str], new: list[str]) -> tuple[list[str], ...]:
    left = [line for _, i1, i2, _, _ in ops for line in old[i1:i2]]
    right = [line for _, _, _, j1, j2 in ops for line in new[j1:j2]]
    return left, right


def _shuffled_values(seed: int, count: int = 50_000) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.randint(0, 100):03d}" for _ in range(count)]


def test_a_pathological_pair_falls_back_to_its_common_ends() -> None:
    shared_head, shared_tail = ["# head", "intro"], ["outro", "# tail"]
    old = shared_head + _shuffled_values(1) + shared_tail
    new = shared_head + _shuffled_values(2) + shared_tail
    ops = diffs.line_opcodes(old, new)
    assert ops == [
        ("equal", 0, 2, 0, 2),
        ("replace", 2, len(old) - 2, 2, len(new) - 2),
        ("equal", len(old) - 2, len(old), len(new) - 2, len(new)),
    ]
    assert _rebuilt(ops, old, new) == (old, new)


def test_the_whole_diff_object_agrees_with_itself_past_the_budget() -> None:
    before = "\n".join(_shuffled_values(3))
    after = "\n".join(_shuffled_values(4))
    found = diffs.diff(_snapshot(1, before), _snapshot(2, after))["content"]
    kept = [line["text"] for line in found["lines"] if line["op"] != "insert"]
    made = [line["text"] for line in found["lines"] if line["op"] != "delete"]
    assert (kept, made) == (before.splitlines(), after.splitlines())
    unified = found["unified"].split("\n")
    assert unified[:2] == ["--- v1", "+++ v2"] and unified[2].startswith("@@ -1,")
    body = unified[3:]  # one hunk: the random orders may share a first or last line
    assert sum(not line.startswith("+") for line in body) == 50_000
    assert sum(not line.startswith("-") for line in body) == 50_000
    rows = diffs.word_rows(before, after)
    assert "".join(t for row in rows for _, t in row.old) == before


def test_a_long_prompt_of_the_usual_kind_is_matched_exactly() -> None:
    rng = random.Random(5)
    words = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "a",
        "lazy",
        "dog",
        "while",
        "seven",
        "owls",
        "sing",
    ]
    old = [" ".join(rng.choice(words) for _ in range(10)) + f" {n}" for n in range(5_000)]
    new = list(old)
    for _ in range(40):
        new[rng.randrange(len(new))] = f"changed {rng.random()}"
    new += ["", ""] * 200  # blank lines repeated: popular lines are not a pathology
    expected = difflib.SequenceMatcher(None, old, new).get_opcodes()
    assert diffs.line_opcodes(old, new) == [tuple(op) for op in expected]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", ""]), max_size=40),
    st.lists(st.sampled_from(["a", "b", "d", ""]), max_size=40),
    st.integers(min_value=0, max_value=60),
)
def test_any_budget_gives_a_diff_that_rebuilds_both_texts(
    old: list[str], new: list[str], budget: int
) -> None:
    ops = diffs.line_opcodes(old, new, budget=budget)
    assert _rebuilt(ops, old, new) == (old, new)
    for tag, i1, i2, j1, j2 in ops:
        assert (old[i1:i2] == new[j1:j2]) if tag == "equal" else (i2 > i1 or j2 > j1)
    unified = diffs.unified_text(old, new, ops, "a", "b")
    assert (unified == "") == all(op[0] == "equal" for op in ops)
