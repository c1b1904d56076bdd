"""PostgreSQL search: the pieces index (migration 0011) and the statistics that trim its use.

What must hold for answers to stay exact: every piece that a search asks for a term is in the
index entry of every text containing the term (checked with generated text; the entry itself
is tested in tests/domain/test_grams.py), and the stored entry follows every write. And
whatever the statistics say, the answers are those of ``LIKE``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import require_engine
from tests.support.api import Api
from tests.support.databases import fresh_postgres
from tests.support.server import TEST_SECRET, ServerProcess

from promptcrafter import grams
from promptcrafter.config import Settings
from promptcrafter.store import gram_stats, migrate
from promptcrafter.store.folding import fold
from promptcrafter.store.gram_stats import GramStats
from promptcrafter.store.search import MAX_GRAMS, _pg_grams

# ---- which pieces a term asks for ----------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("e", ["e"]),
        ("a%", ["a%"]),  # a pair asks for itself: the index holds every pair (0015)
        ("a\u0400", ["a\u0400"]),
        ("it's", ["it'", "t's"]),
        ("pasogik", ["pas", "aso", "sog", "ogi", "gik"]),
        ("aaaaaa", ["aaa"]),
    ],
)
def test_a_term_asks_for_itself_or_its_three_character_pieces(
    term: str, expected: list[str]
) -> None:
    assert _pg_grams(term) == expected


def test_a_long_term_asks_for_a_few_pieces_from_start_to_end() -> None:
    term = "abcdefghijklmnopqrstuvwxyz0123456789"
    grams = _pg_grams(term)
    assert len(grams) == MAX_GRAMS
    assert grams[0] == "abc" and grams[-1] == "789"
    assert all(len(gram) == 3 and gram in term for gram in grams)


# ---- which pieces are worth asking the index for --------------------------------------------


def test_without_statistics_every_piece_is_asked_for_but_letters_and_digits() -> None:
    assert GramStats({}).selective({"pas", "aso", "e", "7", "%"}) == ["%", "aso", "pas"]
    assert GramStats({}).selective({"e"}) == []  # no index: LIKE over the owner's prompts


def test_a_single_letter_is_never_asked_for_even_if_rare() -> None:
    assert GramStats({"zz": 0.3, "ab": 0.01}).selective({"q", "é", "zq"}) == ["zq"]


def test_common_pieces_are_left_out_when_rare_ones_narrow_enough() -> None:
    share = {"age": 0.53, "int": 0.33, "pas": 0.19, "zzz": 0.02}
    # Pieces missing from the statistics are rarer than every listed one.
    kept = GramStats(share).selective({"pas", "aso", "gik", "age", "int"})
    assert kept == ["aso", "gik"]


def test_common_pieces_are_added_until_the_estimate_is_small() -> None:
    share = {"ab": 0.3, "bc": 0.2, "cd": 0.1, "de": 0.08, "x": 0.01}
    # 0.08 * 0.1 = 0.008 is below ENOUGH, so "bc" and "ab" add nothing.
    assert GramStats(share).selective({"ab", "bc", "cd", "de"}) == ["de", "cd"]


def test_the_index_is_not_used_when_it_would_leave_most_rows() -> None:
    share = {"e": 0.99, "a": 0.95, "zz": 0.01}
    assert GramStats(share).selective({"e"}) == []
    assert GramStats(share).selective({"e", "a"}) == []
    assert gram_stats.WORTH < 0.95


# ---- the stored pieces against the pieces asked for, on a real PostgreSQL ------------------


@pytest.fixture(scope="module")
def postgres_head() -> Iterator[str]:
    require_engine("postgresql")
    with fresh_postgres() as url:
        migrate.upgrade(Settings(database_url=url, secret_key=TEST_SECRET))
        yield url


def stored_pieces(url: str, prompt_id: str) -> set[int]:
    """What the index holds for one prompt: its three columns, concatenated as indexed."""

    async def go() -> set[int]:
        conn = await asyncpg.connect(url)
        try:
            row = await conn.fetchrow(
                "SELECT grams_title || grams_tags || grams_content FROM prompts WHERE id = $1",
                prompt_id,
            )
        finally:
            await conn.close()
        assert row is not None
        return set(row[0])

    return asyncio.run(go())


def _run_sql(url: str, statement: str) -> None:
    async def go() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(go())


def asked_for(term: str) -> set[int]:
    """The numbers a search for ``term`` sends the index when no statistics exist."""
    return set(grams.codes(GramStats({}).selective(_pg_grams(fold(term)))))


# Text as users write it, plus the characters most likely to split words differently.
WORDY = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
    | st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u3000%_'\"\\[]()*-"),
    min_size=1,
    max_size=160,
)


@settings(max_examples=300, deadline=None)
@given(text=WORDY, data=st.data())
def test_every_piece_asked_for_is_in_the_entry_of_a_text_holding_the_term(
    text: str, data: st.DataObject
) -> None:
    folded = fold(text)
    words = folded.split()
    if not words:
        return
    word = data.draw(st.sampled_from(words))
    start = data.draw(st.integers(0, len(word) - 1))
    term = word[start : data.draw(st.integers(start + 1, len(word)))]
    assert asked_for(term) <= grams.of_text(folded), (term, folded)


def test_the_stored_pieces_follow_each_write(postgres_head: str, tmp_path: Path) -> None:
    with ServerProcess(postgres_head, tmp_path) as server:
        api = Api(client=httpx.Client(base_url=server.base_url, timeout=30), engine="pg")
        account = api.signup()
        body = {"title": "Ünïcode Tïtle", "content": "first draft (v1)", "tags": ["Ops", "ß-x"]}
        prompt_id = api.create_prompt(account, **body)["_id"]
        expected = grams.of_text(fold("Ünïcode Tïtle\nops\nß-x\nfirst draft (v1)"))
        assert stored_pieces(postgres_head, prompt_id) == expected
        # A PATCH of the title alone keeps the pieces of the content and tags as stored.
        response = api.client.patch(
            f"/prompts/{prompt_id}", json={"title": "Renamed"}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        expected = grams.of_text(fold("Renamed\nops\nß-x\nfirst draft (v1)"))
        assert stored_pieces(postgres_head, prompt_id) == expected
        response = api.client.patch(
            f"/prompts/{prompt_id}", json={"content": "second"}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        assert stored_pieces(postgres_head, prompt_id) == grams.of_text(
            fold("Renamed ops ß-x second")
        )
        # A long text is numbered in a thread (store/prompts.py): same entry, same search.
        long = " ".join(f"w{i}x" for i in range(6000))
        response = api.client.patch(
            f"/prompts/{prompt_id}", json={"content": long}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        assert stored_pieces(postgres_head, prompt_id) == grams.of_text(
            fold(f"Renamed ops ß-x {long}")
        )
        found = api.client.get("/search", params={"q": "w5999x"}, headers=account.headers)
        assert [p["_id"] for p in found.json()] == [prompt_id]
        response = api.client.patch(
            f"/prompts/{prompt_id}", json={"content": "second"}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        found = api.client.get("/search", params={"q": "(v1)"}, headers=account.headers)
        assert found.status_code == 200 and found.json() == []
        found = api.client.get("/search", params={"q": "ß-"}, headers=account.headers)
        assert [p["_id"] for p in found.json()] == [prompt_id]
        api.client.close()


def test_the_index_holds_a_megabyte_of_new_entries_before_merging(postgres_head: str) -> None:
    """Migration 0012: a pending list of 1 MB, not 64 kB (writes merge less often; a search
    reads at most a tenth of a millisecond more, ``python -m bench.pieces_lab``)."""

    async def go() -> object:
        conn = await asyncpg.connect(postgres_head)
        try:
            return await conn.fetchval(
                "SELECT reloptions FROM pg_class WHERE relname = $1", gram_stats.INDEX
            )
        finally:
            await conn.close()

    assert asyncio.run(go()) == ["gin_pending_list_limit=1024"]


def test_migration_0015_puts_back_every_pair_of_every_entry(tmp_path: Path) -> None:
    """0014 left out the pairs a span was to find; 0015 computes every entry again with them,
    and two-character terms are found through the index, inside words and at their ends."""
    from alembic import command

    require_engine("postgresql")
    with fresh_postgres() as url:
        settings_at = Settings(database_url=url, secret_key=TEST_SECRET)
        migrate.upgrade(settings_at)
        with ServerProcess(url, tmp_path) as server:
            api = Api(client=httpx.Client(base_url=server.base_url, timeout=30), engine="pg")
            account = api.signup()
            body = {"title": "Pairs", "content": "kxqz ends-with-xq", "tags": ["ops"]}
            prompt_id = api.create_prompt(account, **body)["_id"]
            api.client.close()
        folded = fold("Pairs\nops\nkxqz ends-with-xq")
        assert stored_pieces(url, prompt_id) == grams.of_text(folded)
        assert grams.code("kx") in stored_pieces(url, prompt_id)  # a pair inside a word
        command.downgrade(migrate.alembic_config(url), "0014")
        # What 0014 stored lacked pieces; an entry with none at all stands for it here.
        emptied = "UPDATE prompts SET grams_title = '{}', grams_tags = '{}', grams_content = '{}'"
        _run_sql(url, emptied)
        assert stored_pieces(url, prompt_id) == set()
        migrate.upgrade(settings_at)
        assert stored_pieces(url, prompt_id) == grams.of_text(folded)
        with (
            ServerProcess(url, tmp_path) as server,
            httpx.Client(base_url=server.base_url, timeout=30) as client,
        ):
            for query in ("kx", "XQ", "qz", "zk"):
                found = client.get("/search", params={"q": query}, headers=account.headers)
                assert found.status_code == 200, found.text
                expected = [prompt_id] if query != "zk" else []
                assert [p["_id"] for p in found.json()] == expected, query


# ---- answers with the statistics in play ----------------------------------------------------


def corpus(i: int) -> dict[str, object]:
    extra = " it's (rare)" if i % 40 == 0 else ""
    return {"title": f"Note {i}", "content": f"the quick brown fox code{i:03d}{extra}", "tags": []}


def analyze(url: str) -> GramStats:
    """ANALYZE, then the statistics as the server will read them."""

    async def go() -> GramStats:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("ANALYZE prompts")
            row = await conn.fetchrow(gram_stats.STATS.postgresql)
        finally:
            await conn.close()
        assert row is not None
        return GramStats(gram_stats.shares(row))

    return asyncio.run(go())


@pytest.mark.slow
def test_answers_do_not_change_once_statistics_exist(tmp_path: Path) -> None:
    require_engine("postgresql")
    with fresh_postgres() as url:
        with ServerProcess(url, tmp_path) as server:
            api = Api(client=httpx.Client(base_url=server.base_url, timeout=30), engine="pg")
            account = api.signup()
            ids = [api.create_prompt(account, **corpus(i))["_id"] for i in range(120)]
            newest_first = ids[::-1]
            rare = [ids[i] for i in (80, 40, 0)]
            cases = {
                "e": newest_first,  # in every prompt; never sent to the index
                "QUICK fox": newest_first,  # common pieces only
                "it's": rare,
                "(RARE)": rare,
                "quick code007": [ids[7]],
                "co": newest_first,  # a pair in every prompt: not asked of the index
                "T'": rare,  # pairs inside a word
                "ra": rare,
                "'s": rare,  # a word's last pair
                "code11": [ids[i] for i in range(119, 109, -1)],
            }

            def check(base_url: str) -> None:
                with httpx.Client(base_url=base_url, timeout=30) as client:
                    for query, expected in cases.items():
                        response = client.get(
                            "/search", params={"q": query}, headers=account.headers
                        )
                        assert response.status_code == 200, response.text
                        assert [p["_id"] for p in response.json()] == expected, query

            check(server.base_url)  # no statistics anywhere yet: every piece is asked for
            api.client.close()

        known = analyze(url)
        assert known.selective({"qui", "uic", "ick"}) == []  # in every prompt: no index
        assert known.selective({"it'", "t's"}) == ["it'", "t's"]
        assert known.selective({"ra"}) == ["ra"] and known.selective({"co"}) == []
        # A new process reads the statistics before its first search.
        with ServerProcess(url, tmp_path) as server:
            check(server.base_url)
