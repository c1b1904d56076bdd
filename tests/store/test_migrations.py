"""Migrations: data written at the first schema survives to head and works through the API."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from alembic.script import ScriptDirectory
from argon2 import PasswordHasher
from tests.support.databases import fresh_database
from tests.support.server import TEST_SECRET, ServerProcess

from promptcrafter.config import Settings
from promptcrafter.store import migrate

Statement = tuple[str, tuple[Any, ...]]


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, secret_key=TEST_SECRET)


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
    assert head is not None
    return head


def run_sql(url: str, statements: list[Statement], many: bool = False) -> list[list[tuple]]:
    """Run statements written with ``?`` placeholders in one transaction; rows of each."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            if many:
                return [conn.executemany(text, args).fetchall() for text, args in statements]
            return [conn.execute(text, args).fetchall() for text, args in statements]

    def numbered(text: str) -> str:
        parts = text.split("?")
        return "".join(f"{part}${i + 1}" for i, part in enumerate(parts[:-1])) + parts[-1]

    async def go() -> list[list[tuple]]:
        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                results: list[list[tuple]] = []
                for text, args in statements:
                    if many:
                        await conn.executemany(numbered(text), args)
                        results.append([])
                    else:
                        results.append([tuple(r) for r in await conn.fetch(numbered(text), *args)])
                return results
        finally:
            await conn.close()

    return asyncio.run(go())


def iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


@pytest.fixture
def database(engine: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(engine, tmp_path) as url:
        yield url


# ---- legacy data, written with raw SQL at revision 0001 ----------------------------------

T0 = 1718889612345  # 2024-06-20T13:20:12.345Z
PASSWORDS = {"ada": "ada-legacy-password", "bob": "bob-legacy-password", "cy": "cy-legacy-pass"}
USERS = {
    "ada": ("user0legacy0ada", "Ada Legacy", "Ada.Legacy@Example.com", T0),
    "bob": ("user0legacy0bob", "Bob Legacy", "bob@example.org", T0 + 1),
    "cy": ("user0legacy0cy", "Cy Bulk", "cy@example.net", T0 + 2),
}
PROMPTS = [  # id, owner, title, content, model, tags, created, updated
    ("prompt0legacy01", "ada", "Photosynthesis explained", "Explain it to a child.", "gpt-4",
     ["science", "Kids"], T0 + 10, T0 + 5000),
    ("prompt0legacy02", "ada", "Launch note", "Write an email announcing the launch.",
     "claude-3", ["marketing"], T0 + 20, T0 + 20),
    ("prompt0legacy03", "ada", "Überblick Grüße", "Schreibe — ÄÖÜ ß 😀 100% _x_", "mistral",
     [], T0 + 30, T0 + 30),
    ("prompt0legacy04", "bob", "Bob photo prompt", "photo of a cat", "sdxl", ["photo"],
     T0 + 40, T0 + 40),
]  # fmt: skip
LOGS = [  # id, prompt, owner, output, model used, notes, score, created
    ("log0legacy01", "prompt0legacy01", "ada", "Plants eat light.", "gpt-4", None, None,
     T0 + 100),
    ("log0legacy02", "prompt0legacy01", "ada", "Leaves make sugar.", "gpt-4", "good", 7.5,
     T0 + 200),
    ("log0legacy03", "prompt0legacy02", "ada", "Dear customers", "claude-3", "", 10.0, T0 + 300),
    ("log0legacy04", "prompt0legacy04", "bob", "cat.png", "sdxl", None, 0.0, T0 + 400),
]  # fmt: skip
BULK = 1100  # more than two backfill batches of 500


def fill_legacy(url: str) -> None:
    hasher = PasswordHasher()
    users = [
        (
            "INSERT INTO users (id, name, email, email_key, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (uid, name, email, email.lower(), hasher.hash(PASSWORDS[key]), created),
        )
        for key, (uid, name, email, created) in USERS.items()
    ]
    prompts = [
        (
            "INSERT INTO prompts (id, owner_id, title, content, model, tags, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (pid, USERS[owner][0], title, content, model, json.dumps(tags), created, updated),
        )
        for pid, owner, title, content, model, tags, created, updated in PROMPTS
    ]
    logs = [
        (
            "INSERT INTO logs (id, prompt_id, owner_id, output, model_used, notes, score, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (lid, pid, USERS[owner][0], output, model, notes, score, created),
        )
        for lid, pid, owner, output, model, notes, score, created in LOGS
    ]
    run_sql(url, users + prompts + logs)
    bulk = [
        (f"prompt0bulk{i}", USERS["cy"][0], f"Bulk {i}", f"needle{i}", "m", '["bulk"]', T0, T0)
        for i in range(BULK)
    ]
    insert = (
        "INSERT INTO prompts (id, owner_id, title, content, model, tags, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    run_sql(url, [(insert, tuple(bulk))], many=True)


def expected_prompt(row: tuple) -> dict[str, Any]:
    pid, owner, title, content, model, tags, created, updated = row
    return {
        "_id": pid,
        "ownerId": USERS[owner][0],
        "title": title,
        "content": content,
        "model": model,
        "tags": tags,
        "createdAt": iso(created),
        "updatedAt": iso(updated),
        # Part 2 (0007): the history starts at the version the prompt had.
        "version": 1,
        "labels": {},
        "variables": [],
    }


def expected_log(row: tuple) -> dict[str, Any]:
    lid, pid, _, output, model, notes, score, created = row
    keys = ("_id", "promptId", "output", "modelUsed", "notes", "score", "createdAt")
    log = dict(zip(keys, (lid, pid, output, model, notes, score, iso(created)), strict=True))
    # Part 2 (0007): no version is known for logs written before versions existed.
    return {**log, "promptVersion": None, "label": None, "model": model}


def login(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def search_ids(client: httpx.Client, headers: dict[str, str], query: str) -> list[str]:
    response = client.get("/search", params={"q": query}, headers=headers)
    assert response.status_code == 200, response.text
    return [prompt["_id"] for prompt in response.json()]


@pytest.mark.slow
def test_legacy_data_survives_upgrade_and_works(database: str, tmp_path: Path) -> None:
    migrate.upgrade(settings_for(database), "0001")
    fill_legacy(database)
    migrate.upgrade(settings_for(database))
    with (
        ServerProcess(database, tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=60) as client,
    ):
        ada = login(client, "ADA.LEGACY@example.COM", PASSWORDS["ada"])
        ada = login(client, "ada.legacy@example.com", PASSWORDS["ada"])  # after any re-hash
        bob = login(client, "bob@example.org", PASSWORDS["bob"])
        cy = login(client, "cy@example.net", PASSWORDS["cy"])
        wrong = client.post("/auth/login", json={"email": "bob@example.org", "password": "x" * 12})
        assert wrong.status_code == 401, wrong.text

        uid, name, email, created = USERS["ada"]
        me = client.get("/auth/me", headers=ada).json()
        assert me == {"_id": uid, "name": name, "email": email, "createdAt": iso(created)}

        prompts = client.get("/prompts", headers=ada).json()
        assert prompts == [expected_prompt(row) for row in PROMPTS if row[1] == "ada"]
        assert client.get("/prompts", headers=bob).json() == [expected_prompt(PROMPTS[3])]
        bulk = client.get("/prompts", headers=cy).json()
        assert [p["_id"] for p in bulk] == [f"prompt0bulk{i}" for i in range(BULK)]
        assert bulk[-1]["tags"] == ["bulk"]

        logs = client.get("/logs", headers=ada).json()
        assert logs == [expected_log(row) for row in LOGS if row[2] == "ada"]
        one = client.get("/logs", params={"promptId": "prompt0legacy01"}, headers=ada).json()
        assert one == [expected_log(row) for row in LOGS[:2]]
        assert client.get("/logs", headers=bob).json() == [expected_log(LOGS[3])]

        # The 0003 backfill made every old prompt searchable, in every batch.
        cases = [
            (ada, "photo", ["prompt0legacy01"]),
            (ada, "PHOTOSYNTHESIS kids", ["prompt0legacy01"]),
            (ada, "marketing email", ["prompt0legacy02"]),
            (ada, "ÜBERBLICK", ["prompt0legacy03"]),
            (ada, "grüße", ["prompt0legacy03"]),
            (ada, "😀 100%", ["prompt0legacy03"]),
            (ada, "_x_", ["prompt0legacy03"]),
            (bob, "photo", ["prompt0legacy04"]),
            (cy, "needle1099", ["prompt0bulk1099"]),
            (cy, "needle0", ["prompt0bulk0"]),
            (cy, "photo", []),
        ]
        for headers, query, expected in cases:
            assert search_ids(client, headers, query) == expected, query
        assert len(search_ids(client, cy, "needle10")) == 111  # 10, 100-109, 1000-1099

        # Old rows take part in new writes: edits re-index them, new prompts are indexed.
        patched = client.patch(
            "/prompts/prompt0legacy02", json={"title": "Quarterly newsletter"}, headers=ada
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["createdAt"] == iso(T0 + 20)
        assert search_ids(client, ada, "newsletter") == ["prompt0legacy02"]
        assert search_ids(client, ada, "launch") == ["prompt0legacy02"]  # still in content
        assert search_ids(client, ada, "note") == []
        deleted = client.delete("/prompts/prompt0legacy01", headers=ada)
        assert deleted.status_code == 204, deleted.text
        assert [log["_id"] for log in client.get("/logs", headers=ada).json()] == ["log0legacy03"]
        assert search_ids(client, ada, "photo") == []


# ---- running migrations again, and at once ------------------------------------------------


def schema(url: str) -> list[tuple]:
    if url.startswith("sqlite"):
        query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        return sorted(run_sql(url, [(query, ())])[0])
    queries = [
        "SELECT table_name, column_name, data_type, column_default FROM "
        "information_schema.columns WHERE table_schema = 'public'",
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace",
    ]
    return sorted(row for rows in run_sql(url, [(q, ()) for q in queries]) for row in rows)


def versions(url: str) -> list[tuple]:
    return run_sql(url, [("SELECT version_num FROM alembic_version", ())])[0]


def test_upgrading_twice_is_a_no_op(database: str) -> None:
    settings = settings_for(database)
    migrate.upgrade(settings)
    before = schema(database)
    assert versions(database) == [(head_revision(database),)]
    insert = (
        "INSERT INTO users (id, name, email, email_key, password_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    run_sql(database, [(insert, ("user0keep", "Keep", "k@example.com", "k@example.com", "h", 1))])
    migrate.upgrade(settings)
    assert schema(database) == before
    assert versions(database) == [(head_revision(database),)]
    rows = run_sql(database, [("SELECT id, name FROM users", ())])[0]
    assert rows == [("user0keep", "Keep")]


UPGRADER = """
import sys, time
from promptcrafter.config import Settings
from promptcrafter.store.migrate import upgrade
url, secret, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
settings = Settings(database_url=url, secret_key=secret)
while time.time() < start:
    time.sleep(0.001)
upgrade(settings)
"""


@pytest.mark.slow
def test_concurrent_migrations_of_a_fresh_database_all_succeed(
    database: str, engine: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTCRAFTER_")}
    start = time.time() + 3  # every process has imported everything by then
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADER, database, TEST_SECRET, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = [
        process.communicate(timeout=120)[0].decode(errors="replace") for process in processes
    ]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert versions(database) == [(head_revision(database),)]
    with fresh_database(engine, tmp_path / "reference") as reference:
        migrate.upgrade(settings_for(reference))
        assert schema(database) == schema(reference)


def structure(url: str) -> list[tuple]:
    """The schema, but for SQLite as its parts rather than the CREATE text, which differs
    when a batch migration rebuilds a table with the same columns."""
    if not url.startswith("sqlite"):
        return schema(url)
    objects = run_sql(url, [("SELECT type, name, tbl_name FROM sqlite_master", ())])[0]
    parts: list[tuple] = sorted(objects)
    for kind, name, _ in sorted(objects):
        if kind == "table" and not name.startswith("sqlite_"):
            for pragma in (
                "SELECT * FROM pragma_table_xinfo(?)",
                "SELECT * FROM pragma_foreign_key_list(?)",
                "SELECT * FROM pragma_index_list(?)",
            ):
                rows = run_sql(url, [(pragma, (name,))])[0]
                parts += [(name, pragma, *row) for row in sorted(rows)]
        elif kind == "index":
            rows = run_sql(url, [("SELECT * FROM pragma_index_xinfo(?)", (name,))])[0]
            parts += [(name, "index_xinfo", *row) for row in rows]
    return parts


def test_every_step_down_and_up_again_restores_the_schema(database: str) -> None:
    """Each migration's downgrade undoes exactly its upgrade: walking down one revision at a
    time gives the schema that upgrading to that revision gave, and back up gives head."""
    from alembic import command

    settings = settings_for(database)
    config = migrate.alembic_config(database)
    revisions = [
        script.revision
        for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))
    ]
    shapes = []
    for revision in revisions:
        migrate.upgrade(settings, revision)
        shapes.append(structure(database))
    for revision, shape in zip(reversed(revisions[:-1]), reversed(shapes[:-1]), strict=True):
        command.downgrade(config, revision)
        assert versions(database) == [(revision,)]
        assert structure(database) == shape, revision
    migrate.upgrade(settings)
    assert structure(database) == shapes[-1]
