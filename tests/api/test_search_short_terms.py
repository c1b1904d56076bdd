"""GET /search with terms too short for a trigram index (one or two characters).

They are answered through the index's vocabulary where possible (store/search.py), so these
cases aim at its edges: a term at the very end or start of a field, a one-character tag, a
term in no prompt at all, several short terms, and a term so common it falls back to a scan.
"""

from __future__ import annotations

import itertools
import string

import pytest
from tests.support.api import Account, Api
from tests.support.contract import search

# (key, title, content, tags)
CORPUS = [
    ("budget", "Budget 100%", "plain words", ["x"]),  # % ends the title; x is a whole tag
    ("draft", "(draft) notes", "this one ends with ab", []),  # ( starts; "ab" ends the content
    ("quiet", "nothing here", "zz", ["q"]),  # the whole content is two characters
    ("Accents", "Ça va", "fine", []),  # Ç folds to ç, at the start of the title
]


@pytest.fixture(scope="module")
def library(module_api: Api) -> tuple[Api, Account, dict[str, str]]:
    account = module_api.signup()
    ids = {}
    for key, title, content, tags in CORPUS:
        ids[module_api.create_prompt(account, title=title, content=content, tags=tags)["_id"]] = key
    return module_api, account, ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", {"budget"}),
        ("(", {"draft"}),
        ("ab", {"draft"}),
        ("AB", {"draft"}),
        ("x", {"budget"}),
        ("q", {"quiet"}),
        ("zz", {"quiet"}),
        ("z", {"quiet"}),
        ("ç", {"Accents"}),
        ("Ç", {"Accents"}),
        ("% x", {"budget"}),
        ("% q", set()),
        ("#", set()),
        ("é", set()),
    ],
)
def test_short_terms_find_exactly_the_prompts_holding_them(
    library: tuple[Api, Account, dict[str, str]], query: str, expected: set[str]
) -> None:
    api, account, ids = library
    found = search(api.client, account, query)
    assert {ids[item["_id"]] for item in found} == expected


def test_a_short_term_starting_very_many_trigrams_still_matches_exactly(api: Api) -> None:
    # "e" followed by 300 different pairs: more trigrams than the vocabulary path takes, so
    # this is answered by the scan; the answer must be the same kind of exact match.
    pairs = itertools.islice(itertools.product(string.ascii_lowercase, repeat=2), 300)
    account = api.signup()
    many = api.create_prompt(
        account, title="Many pairs", content=" ".join("e" + a + b for a, b in pairs)
    )
    api.create_prompt(account, title="Nothing", content="no match at all", tags=[])
    with_e = api.create_prompt(account, title="One e", content="x", tags=[])
    found = search(api.client, account, "E")
    # The title match first, then the content-only one.
    assert [item["_id"] for item in found] == [with_e["_id"], many["_id"]]


def test_a_pair_is_found_inside_a_word_at_its_end_and_before_any_character(api: Api) -> None:
    # Pairs inside words, at their ends, before characters numbered by code or by hash: the
    # index holds each (migration 0015), and LIKE decides.
    account = api.signup()
    texts = {
        "middle": "kxqz",
        "end": "zkxq",
        "before other": "xqΩ",  # Ω is U+03A9, a usual character; Ж (U+0416) is not
        "before hashed": "xqЖ",
        "alone": "xq",
        "apart": "x q",
    }
    ids = {
        api.create_prompt(account, title="Note", content=text)["_id"]: key
        for key, text in texts.items()
    }
    found = {ids[item["_id"]] for item in search(api.client, account, "XQ")}
    assert found == set(texts) - {"apart"}
    found = {ids[item["_id"]] for item in search(api.client, account, "kx")}
    assert found == {"middle", "end"}
    found = {ids[item["_id"]] for item in search(api.client, account, "qЖ")}
    assert found == {"before hashed"}
