"""GET /search: literal, case-insensitive substrings, AND-ed, ranked, and only the caller's."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    MALFORMED_PARAMS,
    SEARCH_BAD_QUERY,
    assert_error,
    ok_json,
    search,
)

WORDS = [f"word{i:02d}" for i in range(40)]

# (key, title, content, tags), created in this order: later is newer. Each special character
# of the literal-character tests occurs in exactly one prompt (see the comments).
CORPUS: list[tuple[str, str, str, list[str]]] = [
    ("photo", "Photosynthesis explained", "How plants turn light into sugar.", ["biology"]),
    ("newsletter", "Newsletter draft", "Write an email announcing our spring sale.", ["marketing"]),
    ("subjects", "Email subject lines", "Ten catchy openers.", ["copywriting"]),
    ("plan", "Marketing plan", "Quarterly goals for the team.", ["strategy"]),
    ("percent", "Percent sale", "Take 100% off now", []),  # the only %
    ("snake", "Snake variable", "name it a_c please", []),  # the only _
    ("plain", "Plain letters", "abc and 1000 apples", []),  # what wildcards would match
    ("quotes", "Quoted speech", 'He said "hello" and it\'s fine', []),  # the only " and '
    ("glob", "Glob star", "match *.txt files (all of them)", []),  # the only * and (
    ("path", "Windows path", "C:\\Users\\me", []),  # the only backslash
    ("school", "École primaire", "Cours de français", ["éducation"]),  # the only é and ç
    ("greeting", "Greeting", "привет мир", []),
    ("short", "Short terms", "the qx code", []),
    ("zebra-content-old", "Animal facts one", "zebra stripes", []),
    ("zebra-title-old", "Zebra crossing", "road safety", []),
    ("zebra-tag", "Safari notes", "lions and more", ["Zebra"]),
    ("zebra-content-new", "Animal facts two", "a ZEBRA herd", []),
    ("zebra-title-new", "zebra finch", "small bird", []),
    ("words", "Word list", " ".join(WORDS), []),
]


@pytest.fixture(scope="module")
def stranger(module_api: Api) -> tuple[Account, dict[str, Any]]:
    """Another user whose prompt matches nearly every query below."""
    account = module_api.signup(name="Search Stranger")
    prompt = module_api.create_prompt(
        account,
        title="Zebra photo email marketing école привет qx",
        content='100% a_c "hello" it\'s *.txt (all C:\\Users\\me français abc 1000',
        tags=["zebra", "marketing"],
    )
    return account, prompt


@pytest.fixture(scope="module")
def searcher(module_api: Api, stranger: Any) -> tuple[Account, dict[str, dict[str, Any]]]:
    """The searching user and their prompts by key (the stranger's prompt exists first)."""
    account = module_api.signup(name="Searcher")
    prompts = {
        key: module_api.create_prompt(account, title=title, content=content, tags=tags)
        for key, title, content, tags in CORPUS
    }
    return account, prompts


def found(api: Api, searcher: tuple[Account, dict[str, Any]], query: str) -> list[str]:
    """The keys of the searcher's prompts that ``query`` finds, in the order given."""
    account, prompts = searcher
    names = {prompt["_id"]: key for key, prompt in prompts.items()}
    return [
        names.get(p["_id"], f"not-mine:{p['title']}") for p in search(api.client, account, query)
    ]


def literal_matches(query: str) -> set[str]:
    """The contract's definition, applied to CORPUS: every term, literally, in any field."""
    terms = query.lower().split()
    return {
        key
        for key, title, content, tags in CORPUS
        if all(
            t in title.lower() or t in content.lower() or any(t in tag.lower() for tag in tags)
            for t in terms
        )
    }


def test_results_are_whole_prompts(api: Api, searcher: tuple[Account, Any]) -> None:
    account, prompts = searcher
    assert search(api.client, account, "photo") == [prompts["photo"]]


EXPECTED = [
    # case-insensitive partial words, in any field
    ("photo", ["photo"]),
    ("PHOTO", ["photo"]),
    ("pHoToSyNtHeSiS", ["photo"]),
    ("ynthes", ["photo"]),
    ("SUGAR", ["photo"]),
    ("BIOLOGY", ["photo"]),
    # every term must occur, in any field, in any order
    ("marketing email", ["newsletter"]),
    ("email marketing", ["newsletter"]),
    ("  marketing \t email  ", ["newsletter"]),
    ("newsletter spring marketing", ["newsletter"]),
    ("marketing strategy", ["plan"]),
    ("email zebra", []),
    # literal characters, never wildcards or syntax
    ("100%", ["percent"]),
    ("%", ["percent"]),
    ("%%", []),
    ("_", ["snake"]),
    ("a_c", ["snake"]),
    ("_%", []),
    ("1000", ["plain"]),
    ("abc*", []),
    ('"', ["quotes"]),
    ("'", ["quotes"]),
    ('"hello"', ["quotes"]),
    ("it's", ["quotes"]),
    ("*", ["glob"]),
    ("*.txt", ["glob"]),
    ("(", ["glob"]),
    ("(all", ["glob"]),
    ("\\", ["path"]),
    ("\\users", ["path"]),
    ("c:\\users\\me", ["path"]),
    # short terms, alone and with long ones
    ("qx", ["short"]),
    ("QX", ["short"]),
    ("qx code", ["short"]),
    ("qx zebra", []),
    ("q", ["quotes", "short", "plan"]),
    # non-ASCII case folding
    ("ÉCOLE", ["school"]),
    ("école", ["school"]),
    ("FRANÇAIS", ["school"]),
    ("ÉDUCATION", ["school"]),
    ("ç", ["school"]),
    ("É", ["school"]),
    ("ПРИВЕТ", ["greeting"]),
    ("Мир", ["greeting"]),
    # ranking: title, then tags, then content only; newest first within each group
    (
        "zebra",
        [
            "zebra-title-new",
            "zebra-title-old",
            "zebra-tag",
            "zebra-content-new",
            "zebra-content-old",
        ],
    ),
    ("email", ["subjects", "newsletter"]),
    ("marketing", ["plan", "newsletter"]),
    ("no-such-word-anywhere", []),
]


@pytest.mark.parametrize(("query", "expected"), EXPECTED, ids=[q for q, _ in EXPECTED])
def test_search_finds_exactly_the_expected_prompts_in_order(
    api: Api, searcher: tuple[Account, Any], query: str, expected: list[str]
) -> None:
    assert set(expected) == literal_matches(query)  # the table agrees with the definition
    assert found(api, searcher, query) == expected


HOSTILE = [
    "OR",
    "zebra OR photo",
    "NOT zebra",
    "zebra AND",
    "NEAR(zebra photo)",
    '"unterminated',
    "zebra*",
    "^zebra",
    "title:zebra",
    "{title}: zebra",
    "-zebra",
    "+zebra",
    "[a-z]",
    ".*",
    "$1",
    "?",
    "'; DROP TABLE prompts; --",
    "\\%",
    "\\_",
    "\\\\",
    "%_%",
    "a%c",
    "%'%",
    '"\'"',
    "||",
    "🦓",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_syntax_characters_are_literal_and_never_fail(
    api: Api, searcher: tuple[Account, Any], query: str
) -> None:
    assert set(found(api, searcher, query)) == literal_matches(query)


def test_a_user_only_ever_finds_their_own_prompts(
    api: Api, searcher: tuple[Account, Any], stranger: tuple[Account, dict[str, Any]]
) -> None:
    account, prompt = stranger
    for query in ("zebra", "photo email", "100%", "a_c", "école", "qx", "c:\\users"):
        assert search(api.client, account, query) == [prompt]


@pytest.mark.parametrize(
    "query",
    ["", "q=", "q=%20%20%20", "q=%09%0A", "q"],
    ids=["missing", "empty", "spaces", "tab-newline", "bare-name"],
)
def test_missing_or_blank_query_is_a_400(
    api: Api, searcher: tuple[Account, Any], query: str
) -> None:
    account, _ = searcher
    url = f"/search?{query}" if query else "/search"
    assert_error(api.client.get(url, headers=account.headers), 400, SEARCH_BAD_QUERY)


# (``limit`` is known since Part 2's paging: tests/api/test_paging_search.py.)
@pytest.mark.parametrize("query", ["q=zebra&offset=5", "query=zebra", "q=zebra&sort=title"])
def test_unknown_parameter_is_a_400(api: Api, searcher: tuple[Account, Any], query: str) -> None:
    account, _ = searcher
    response = api.client.get(f"/search?{query}", headers=account.headers)
    assert_error(response, 400, MALFORMED_PARAMS)


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        pytest.param(" ".join(reversed(WORDS)), True, id="40-terms"),
        pytest.param(" ".join([*WORDS, "absent"]), False, id="41-terms-one-absent"),
        pytest.param("word01 " + "x" * 1001, False, id="1001-char-term"),
    ],
)
def test_long_queries_are_still_queries(
    api: Api, searcher: tuple[Account, Any], query: str, finds: bool
) -> None:
    """The contract refuses only a missing or blank ``q``: many terms or a long term are fine."""
    assert found(api, searcher, query) == (["words"] if finds else [])


def test_search_sees_updates_and_deletes(api: Api) -> None:
    user = api.signup()
    prompt = api.create_prompt(user, title="Old title", content="plain text", tags=["fruit"])
    assert search(api.client, user, "kumquat") == []
    response = api.client.patch(
        f"/prompts/{prompt['_id']}", json={"title": "Kumquat recipes"}, headers=user.headers
    )
    updated = ok_json(response)
    assert search(api.client, user, "kumquat") == [updated]
    assert search(api.client, user, "old") == []
    response = api.client.patch(
        f"/prompts/{prompt['_id']}",
        json={"tags": ["citrus"], "content": "marmalade"},
        headers=user.headers,
    )
    updated = ok_json(response)
    assert search(api.client, user, "citrus marmalade") == [updated]
    assert search(api.client, user, "fruit") == []
    assert search(api.client, user, "plain") == []
    assert api.client.delete(f"/prompts/{prompt['_id']}", headers=user.headers).status_code == 204
    assert search(api.client, user, "kumquat") == []
    assert search(api.client, user, "citrus") == []
