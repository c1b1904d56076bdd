"""SQLite: a PATCH re-indexes the prompt for search only when a searched field changed
(migration 0013), and search follows every change that matters.

What the full-text index wrote is read from its own tables: FTS5 keeps its segments as rows
of ``prompt_search_data``, and each commit that changed the index adds at least one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
from tests.support.api import Api
from tests.support.server import ServerProcess


def index_rows(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        [(count,)] = conn.execute("SELECT count(*) FROM prompt_search_data").fetchall()
    finally:
        conn.close()
    return int(count)


def test_only_a_change_to_a_searched_field_touches_the_index(tmp_path: Path) -> None:
    path = tmp_path / "reindex.db"
    with ServerProcess(f"sqlite:///{path}", tmp_path) as server:
        api = Api(client=httpx.Client(base_url=server.base_url, timeout=30), engine="sqlite")
        account = api.signup()
        prompt = api.create_prompt(account, title="Roast notes", content="Bright and floral")
        url = f"/prompts/{prompt['_id']}"

        def patch(body: dict[str, object]) -> dict[str, object]:
            response = api.client.patch(url, json=body, headers=account.headers)
            assert response.status_code == 200, response.text
            answer: dict[str, object] = response.json()
            return answer

        def found(term: str) -> list[str]:
            response = api.client.get("/search", params={"q": term}, headers=account.headers)
            assert response.status_code == 200, response.text
            return [item["_id"] for item in response.json()]

        before = index_rows(path)
        # A new model, and a title that differs only in case (the folded copy is the same),
        # make versions but leave the index as it was.
        assert patch({"model": "gpt-4o-mini"})["version"] == 2
        assert patch({"title": "ROAST NOTES"})["version"] == 3
        assert index_rows(path) == before
        assert found("floral") == [prompt["_id"]]

        # New content and new tags are indexed at once, and the old words are gone.
        assert patch({"content": "Dark and smoky"})["version"] == 4
        after_content = index_rows(path)
        assert after_content > before
        assert found("smoky") == [prompt["_id"]]
        assert found("floral") == []
        assert patch({"tags": ["espresso"]})["version"] == 5
        assert index_rows(path) > after_content
        assert found("espresso") == [prompt["_id"]]
        api.client.close()
