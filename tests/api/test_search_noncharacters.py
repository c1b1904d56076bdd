"""GET /search for U+FFFD, U+FFFE and U+FFFF, which SQLite's trigram tokenizer reads as one
character (U+FFFD), and whose last is the pad of the folded copies (store/folding.py).

A review (2026-12-08) found SQLite answering "world\\ufffd" with a prompt that only ends in
"world" (its pad read as U+FFFD) and nothing for a short term holding U+FFFE, where
PostgreSQL answered literally. Every query runs the whole answer and a page of it, since the
two are planned apart.
"""

from __future__ import annotations

import pytest
from tests.support.api import Account, Api
from tests.support.contract import ok_json

# (key, title, content, tags)
CORPUS = [
    ("plain", "Hello world", "plain text", []),
    ("replaced", "Other", "broken world\ufffd byte", []),
    ("marked", "Marker x\ufffey", "nothing else", []),
    ("tagged", "Tagged", "quiet", ["a\ufffdb"]),
]


@pytest.fixture(scope="module")
def library(module_api: Api) -> tuple[Api, Account, dict[str, str]]:
    account = module_api.signup()
    ids = {}
    for key, title, content, tags in CORPUS:
        made = module_api.create_prompt(account, title=title, content=content, tags=tags)
        ids[made["_id"]] = key
    return module_api, account, ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("world\ufffd", ["replaced"]),  # not "plain": its title ends in world + pad
        ("rld\ufffd", ["replaced"]),
        ("world\ufffe", []),
        ("world\uffff", ["plain", "replaced"]),  # the pad is folded away: this is "world"
        ("text\ufffd\ufffd", []),
        ("x\ufffe", ["marked"]),
        ("\ufffe", ["marked"]),
        ("\ufffey", ["marked"]),
        ("x\ufffd", []),
        ("\ufffd", ["tagged", "replaced"]),  # a tag match ranks before content
        ("a\ufffdb", ["tagged"]),
        ("\ufffd byte", ["replaced"]),  # and with a plain term beside it
    ],
)
def test_noncharacters_are_searched_literally(
    library: tuple[Api, Account, dict[str, str]], query: str, expected: list[str]
) -> None:
    api, account, ids = library
    for params in ({"q": query}, {"q": query, "limit": "50"}):
        response = api.client.get("/search", params=params, headers=account.headers)
        found = [ids[prompt["_id"]] for prompt in ok_json(response)]
        assert found == expected, (query, params)
