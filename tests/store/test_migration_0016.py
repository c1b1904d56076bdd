"""Migration 0016: search copies folded by ``str.lower`` (up to 0015) are folded again with
``str.casefold``, so full case folding finds what lower-casing missed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from alembic import command
from tests.store.test_migrations import run_sql, search_ids, settings_for
from tests.support.databases import fresh_database
from tests.support.server import ServerProcess

from promptcrafter import grams
from promptcrafter.store import migrate
from promptcrafter.store.folding import PAD

PASSWORD = "correct horse battery"
_PADDING = PAD * 2


def _lower(text: str) -> str:
    """How 0015's server folded: lower-case, pad removed, two pads after."""
    return text.lower().replace(PAD, "") + _PADDING


_SET_COPIES = (
    "UPDATE prompts SET search_title = ?, search_tags = ?, search_content = ? WHERE id = ?"
)
_SET_COPIES_AND_GRAMS = (
    "UPDATE prompts SET search_title = ?, search_tags = ?, search_content = ?, "
    "grams_title = ?, grams_tags = ?, grams_content = ? WHERE id = ?"
)


@pytest.fixture
def database(engine: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(engine, tmp_path) as url:
        yield url


def test_copies_folded_by_lower_are_folded_again(database: str, tmp_path: Path) -> None:
    prompts = [
        ("ΚΟΣΜΟΣ news", "ΟΔΟΣ to the sea", ["ΣΟΦΙΑ"]),
        ("Straße names", "An ordinary text", ["MASSE"]),
        ("Plain ASCII title", "Nothing to fold again", ["tag"]),
    ]
    with (
        ServerProcess(database, tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=60) as client,
    ):
        signed = client.post(
            "/auth/signup",
            json={"name": "Folder", "email": "folder@example.com", "password": PASSWORD},
        )
        headers = {"Authorization": f"Bearer {signed.json()['token']}"}
        ids = [
            client.post(
                "/prompts",
                json={"title": t, "content": c, "model": "m", "tags": g},
                headers=headers,
            ).json()["_id"]
            for t, c, g in prompts
        ]
    # The database as 0015's server left it: its copies (and PostgreSQL's grams) by lower().
    command.downgrade(migrate.alembic_config(database), "0015")
    for prompt_id, (title, content, tags) in zip(ids, prompts, strict=True):
        folded = [_lower(title), "\n".join(t.lower() for t in tags) + _PADDING, _lower(content)]
        args: tuple[object, ...] = (*folded,)
        statement = _SET_COPIES
        if database.startswith("postgresql"):
            statement = _SET_COPIES_AND_GRAMS
            args += tuple(grams.entry(text.rstrip(PAD)) for text in folded)
        run_sql(database, [(statement, (*args, prompt_id))])
    [[(stored,)]] = run_sql(
        database, [("SELECT search_title FROM prompts WHERE id = ?", (ids[0],))]
    )
    assert stored == "κοσμος news" + _PADDING  # the final sigma that hid ΚΟΣ

    migrate.upgrade(settings_for(database))

    rows = run_sql(
        database, [("SELECT id, title, tags, search_title, search_tags FROM prompts", ())]
    )
    for _, title, tags, search_title, search_tags in rows[0]:
        assert search_title == title.casefold() + _PADDING
        assert search_tags == "\n".join(t.casefold() for t in orjson.loads(tags)) + _PADDING
    with (
        ServerProcess(database, tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=60) as client,
    ):
        login = client.post(
            "/auth/login", json={"email": "folder@example.com", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        assert search_ids(client, headers, "ΚΟΣ") == [ids[0]]
        assert search_ids(client, headers, "κοσμοσ") == [ids[0]]
        assert search_ids(client, headers, "οδοσ") == [ids[0]]
        assert search_ids(client, headers, "σοφια") == [ids[0]]
        assert search_ids(client, headers, "STRASSE") == [ids[1]]
        assert search_ids(client, headers, "straße") == [ids[1]]
        assert search_ids(client, headers, "masse") == [ids[1]]
        assert search_ids(client, headers, "ascii") == [ids[2]]
