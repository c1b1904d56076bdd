"""bench.fts_lab's word-aligned chunks: what its figures for an index by difference rest on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import fts_lab
from promptcrafter.store.folding import PAD, fold_content

_TEXT = st.text(alphabet=st.sampled_from("ab cd\n\tEé.-"), max_size=300)


@given(_TEXT)
def test_every_term_of_the_text_is_inside_one_chunk(text: str) -> None:
    # A search term holds no white space, so each occurrence is inside one word: every word
    # (and so every term found in it) must be in some chunk, and each chunk ends with the pad.
    pieces = fts_lab.chunks(fold_content(text))
    for word in fold_content(text).rstrip(PAD).split():
        assert any(word in chunk.rstrip(PAD).split() for chunk in pieces)
    assert all(chunk.endswith(PAD * 2) for chunk in pieces)
    assert " ".join(c.rstrip(PAD) for c in pieces).split() == fold_content(text).rstrip(PAD).split()


@given(_TEXT, st.integers(min_value=0, max_value=10_000))
def test_a_changed_end_leaves_the_earlier_chunks_alone(text: str, revision: int) -> None:
    before = fts_lab.chunks(fold_content(text + " 1."))
    after = fts_lab.chunks(fold_content(f"{text} {revision}."))
    # Only the chunk holding the last words can differ: a cut depends on its word alone.
    assert before[:-1] == after[: len(before) - 1]
    assert len(after) == len(before)


@pytest.mark.parametrize("mode", ["whole", "chunks", "chunks_sql", "none"])
def test_each_mode_keeps_its_index_right(mode: str) -> None:
    # _run raises unless the index finds the last write's revision in its one prompt.
    micros = fts_lab._run(mode, 120, prompts=20, count=64, group=8)
    assert micros > 0


def test_the_check_refuses_an_index_that_missed_a_write() -> None:
    conn = fts_lab._database(5, 120)
    for statement in fts_lab._WHOLE:
        conn.execute(statement)
    conn.execute("DROP TRIGGER prompts_search_update")  # writes no longer reach the index
    content = fts_lab._text(120, 4321)
    conn.execute(fts_lab._UPDATE, (content, fold_content(content), 2))
    query = "SELECT rowid FROM prompt_search WHERE prompt_search MATCH ?"
    with pytest.raises(RuntimeError, match="the index found"):
        fts_lab._check(conn, query, [(2, content)])
