"""SPEC Part 2, Score analytics: GET /prompts/{id}/stats, figures checked against NumPy/SciPy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats
from tests.support.api import Account, Api
from tests.support.contract import ABSENT_PROMPT_IDS, PROMPT_NOT_FOUND, assert_error, ok_json
from tests.support.registry import with_versions

MALFORMED = "The request is malformed or contains invalid parameters."
ID_INVALID = "The prompt ID format is invalid."
NOT_YOURS = "Prompt does not belong to the authenticated user."

# (version, model, score) of every log of the shared prompt; None = unscored.
LOGS: list[tuple[int, str, float | None]] = [
    (1, "m-b", 5),
    (1, "m-a", 1),
    (1, "m-a", 2),
    (1, "m-a", 3),
    (1, "m-a", 4.5),
    (1, "m-b", None),
    (2, "m-a", 7),
    (2, "m-a", 8),
    (2, "m-a", 8),
    (2, "m-a", 9.9),
    (2, "m-a", 10),
    (2, "m-a", None),
    (3, "m-c", None),
]


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Stats Owner")


@pytest.fixture(scope="module")
def scored(module_api: Api, owner: Account) -> tuple[str, list[dict[str, Any]]]:
    """A prompt with three versions and the logs above; its id and the created logs."""
    prompt = with_versions(module_api, owner, "one", "two", "three")
    made = [
        module_api.create_log(
            owner, prompt["_id"], promptVersion=version, modelUsed=model, score=score
        )
        for version, model, score in LOGS
    ]
    return prompt["_id"], made


def get_stats(api: Api, account: Account, prompt_id: str, **params: str) -> Any:
    return api.client.get(f"/prompts/{prompt_id}/stats", params=params, headers=account.headers)


def expected_summary(logs: list[dict[str, Any]]) -> dict[str, Any]:
    xs = [log["score"] for log in logs if log["score"] is not None]
    created = sorted(log["createdAt"] for log in logs)
    figures: dict[str, Any] = {
        "count": len(logs),
        "scored": len(xs),
        "histogram": [sum(1 for x in xs if i <= x < i + 1) for i in range(10)] + [xs.count(10)],
        "firstAt": created[0] if created else None,
        "lastAt": created[-1] if created else None,
    }
    if not xs:
        return {**figures, "mean": None, "median": None, "stddev": None, "min": None,
                "max": None, "ci95": None}  # fmt: skip
    mean = float(np.mean(xs))
    figures.update(mean=mean, median=float(np.median(xs)), min=min(xs), max=max(xs))
    if len(xs) < 2:
        return {**figures, "stddev": None, "ci95": None}
    sd = float(np.std(xs, ddof=1))
    half = float(scipy_stats.t.ppf(0.975, len(xs) - 1)) * sd / math.sqrt(len(xs))
    return {**figures, "stddev": sd, "ci95": [mean - half, mean + half]}


def assert_summary(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    for name in ("count", "scored", "histogram", "firstAt", "lastAt", "min", "max"):
        assert actual[name] == expected[name], name
    for name in ("mean", "median", "stddev"):
        if expected[name] is None:
            assert actual[name] is None, name
        else:
            assert actual[name] == pytest.approx(expected[name], abs=1e-6), name
    if expected["ci95"] is None:
        assert actual["ci95"] is None
    else:
        assert actual["ci95"] == pytest.approx(expected["ci95"], abs=1e-6)


def test_default_groups_by_version_and_model_newest_first(
    api: Api, owner: Account, scored: tuple[str, list[dict[str, Any]]]
) -> None:
    prompt_id, made = scored
    body = ok_json(get_stats(api, owner, prompt_id))
    assert set(body) == {"promptId", "by", "groups", "total"}
    assert body["promptId"] == prompt_id and body["by"] == ["version", "model"]
    keys = [(g["promptVersion"], g["modelUsed"]) for g in body["groups"]]
    assert keys == [(3, "m-c"), (2, "m-a"), (1, "m-a"), (1, "m-b")]
    for group in body["groups"]:
        members = [
            log
            for log in made
            if (log["promptVersion"], log["modelUsed"])
            == (group["promptVersion"], group["modelUsed"])
        ]
        assert_summary(group, expected_summary(members))
    assert_summary(body["total"], expected_summary(made))


@pytest.mark.parametrize(
    ("by", "echo", "key"),
    [
        ("version", ["version"], "promptVersion"),
        ("model", ["model"], "modelUsed"),
        ("model,version", ["version", "model"], None),
        ("version,model", ["version", "model"], None),
    ],
)
def test_grouping_by_one_key_or_both(
    api: Api,
    owner: Account,
    scored: tuple[str, list[dict[str, Any]]],
    by: str,
    echo: list[str],
    key: str | None,
) -> None:
    prompt_id, made = scored
    body = ok_json(get_stats(api, owner, prompt_id, by=by))
    assert body["by"] == echo
    if key is None:
        assert [(g["promptVersion"], g["modelUsed"]) for g in body["groups"]] == [
            (3, "m-c"),
            (2, "m-a"),
            (1, "m-a"),
            (1, "m-b"),
        ]
        return
    field = "promptVersion" if key == "promptVersion" else "modelUsed"
    values = [g[field] for g in body["groups"]]
    assert values == ([3, 2, 1] if field == "promptVersion" else ["m-a", "m-b", "m-c"])
    for group in body["groups"]:
        assert set(group) - {field} == set(body["total"])
        assert_summary(group, expected_summary([g for g in made if g[field] == group[field]]))
    assert_summary(body["total"], expected_summary(made))


def test_a_group_without_scores_has_null_figures(
    api: Api, owner: Account, scored: tuple[str, list[dict[str, Any]]]
) -> None:
    prompt_id, _ = scored
    [unscored] = [
        g for g in ok_json(get_stats(api, owner, prompt_id))["groups"] if g["promptVersion"] == 3
    ]
    assert unscored["count"] == 1 and unscored["scored"] == 0
    assert unscored["histogram"] == [0] * 11
    for name in ("mean", "median", "stddev", "min", "max", "ci95"):
        assert unscored[name] is None


def test_one_score_has_no_spread(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner)
    api.create_log(owner, prompt["_id"], score=6)
    api.create_log(owner, prompt["_id"], score=6, modelUsed="other")
    body = ok_json(get_stats(api, owner, prompt["_id"], by="version"))
    [group] = body["groups"]
    assert group["scored"] == 2 and group["stddev"] == 0
    assert group["ci95"] == [6, 6]
    [single] = ok_json(get_stats(api, owner, prompt["_id"], by="model"))["groups"][:1]
    assert single["stddev"] is None and single["ci95"] is None and single["mean"] == 6


def test_a_prompt_without_logs_has_no_groups(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner)
    body = ok_json(get_stats(api, owner, prompt["_id"]))
    assert body["groups"] == []
    assert body["total"] == {
        "count": 0,
        "scored": 0,
        "mean": None,
        "median": None,
        "stddev": None,
        "min": None,
        "max": None,
        "ci95": None,
        "histogram": [0] * 11,
        "firstAt": None,
        "lastAt": None,
    }


def test_another_users_prompt_is_403(api: Api, scored: tuple[str, list[dict[str, Any]]]) -> None:
    stranger = api.signup(name="Stranger")
    assert_error(get_stats(api, stranger, scored[0]), 403, NOT_YOURS)


@pytest.mark.parametrize("prompt_id", ABSENT_PROMPT_IDS)
def test_an_absent_prompt_is_404(api: Api, owner: Account, prompt_id: str) -> None:
    assert_error(get_stats(api, owner, prompt_id), 404, PROMPT_NOT_FOUND)


def test_a_malformed_id_is_400(api: Api, owner: Account) -> None:
    assert_error(get_stats(api, owner, "invalid_prompt_id"), 400, ID_INVALID)
    # The path is judged before the query.
    assert_error(get_stats(api, owner, "invalid_prompt_id", by="nope"), 400, ID_INVALID)


@pytest.mark.parametrize(
    "params",
    [
        {"by": "prompt"},
        {"by": ""},
        {"by": "version,version"},
        {"by": "version,"},
        {"by": "Version"},
        {"by": "version model"},
        {"sort": "x"},
    ],
)
def test_bad_parameters_are_400_before_ownership(
    api: Api, scored: tuple[str, list[dict[str, Any]]], params: dict[str, str]
) -> None:
    stranger = api.signup(name="Stranger with bad params")
    assert_error(get_stats(api, stranger, scored[0], **params), 400, MALFORMED)


def test_without_a_token_is_401(api: Api, scored: tuple[str, list[dict[str, Any]]]) -> None:
    assert_error(api.client.get(f"/prompts/{scored[0]}/stats"), 401)


def test_a_score_of_minus_zero_is_stored_as_zero(api: Api, owner: Account) -> None:
    # -0.0 is a number from 0 to 10; PostgreSQL kept its sign and /stats answered -0.0 for
    # the median and minimum where SQLite answered 0.0.
    prompt = api.create_prompt(owner)
    made = api.client.post(
        "/logs",
        content=b'{"promptId":"%s","output":"o","modelUsed":"m","score":-0.0}'
        % prompt["_id"].encode(),
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["score"] == 0
    answer = get_stats(api, owner, prompt["_id"])
    assert answer.status_code == 200
    assert ":-0" not in answer.text, answer.text
    total = answer.json()["total"]
    assert (total["min"], total["median"], total["max"]) == (0, 0, 0)
