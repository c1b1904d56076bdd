"""SPEC Part 2, Score analytics: GET /prompts/{id}/compare, checked against SciPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats
from tests.support.api import Account, Api
from tests.support.contract import ABSENT_PROMPT_IDS, PROMPT_NOT_FOUND, assert_error, ok_json
from tests.support.registry import NO_SUCH_LABEL, NO_SUCH_VERSION, set_label, with_versions

MALFORMED = "The request is malformed or contains invalid parameters."
ID_INVALID = "The prompt ID format is invalid."
NOT_YOURS = "Prompt does not belong to the authenticated user."

A_SCORES = [6, 7, 7, 8, 5, 6, 7, 6.5]
B_SCORES = [8, 9, 7.5, 9, 8.5, 10, 9, 8]
OTHER_MODEL_B = [1, 2, 1, 2, 1]


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Compare Owner")


@pytest.fixture(scope="module")
def prompt_id(module_api: Api, owner: Account) -> str:
    """Version 1 scored A_SCORES, version 2 B_SCORES (model m) plus OTHER_MODEL_B (model n)
    and some unscored logs; version 3 has no logs; label ``prod`` names version 1."""
    prompt = with_versions(module_api, owner, "one", "two", "three")
    for version, scores, model in ((1, A_SCORES, "m"), (2, B_SCORES, "m"), (2, OTHER_MODEL_B, "n")):
        for score in scores:
            module_api.create_log(
                owner, prompt["_id"], promptVersion=version, modelUsed=model, score=score
            )
    module_api.create_log(owner, prompt["_id"], promptVersion=1, modelUsed="m")
    module_api.create_log(owner, prompt["_id"], promptVersion=2, modelUsed="m")
    ok_json(set_label(module_api, owner, prompt["_id"], "prod", 1))
    return str(prompt["_id"])


def compare(api: Api, account: Account, prompt_id: str, **params: str) -> Any:
    return api.client.get(f"/prompts/{prompt_id}/compare", params=params, headers=account.headers)


def expected(a: list[float], b: list[float]) -> dict[str, Any]:
    interval = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    p_value = scipy_stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic").pvalue
    return {
        "difference": float(np.mean(b) - np.mean(a)),
        "ci95": [float(interval.low), float(interval.high)],
        "pValue": float(p_value),
    }


def assert_matches(body: dict[str, Any], a: list[float], b: list[float]) -> None:
    assert set(body) == {"a", "b", "difference", "ci95", "pValue", "verdict"}
    for side, xs in (("a", a), ("b", b)):
        assert set(body[side]) == {"version", "count", "mean", "median"}
        assert body[side]["count"] == len(xs)
        assert body[side]["mean"] == pytest.approx(float(np.mean(xs)), abs=1e-6)
        assert body[side]["median"] == pytest.approx(float(np.median(xs)), abs=1e-6)
    reference = expected(a, b)
    assert body["difference"] == pytest.approx(reference["difference"], abs=1e-6)
    assert body["ci95"] == pytest.approx(reference["ci95"], abs=1e-6)
    assert body["pValue"] == pytest.approx(reference["pValue"], abs=1e-6)


def test_b_is_better(api: Api, owner: Account, prompt_id: str) -> None:
    body = ok_json(compare(api, owner, prompt_id, a="1", b="2", model="m"))
    assert_matches(body, A_SCORES, B_SCORES)
    assert body["a"]["version"] == 1 and body["b"]["version"] == 2
    assert body["verdict"] == "b is better"


def test_a_is_better_the_other_way_round(api: Api, owner: Account, prompt_id: str) -> None:
    body = ok_json(compare(api, owner, prompt_id, a="2", b="prod", model="m"))
    assert_matches(body, B_SCORES, A_SCORES)
    assert body["a"]["version"] == 2 and body["b"]["version"] == 1
    assert body["verdict"] == "a is better"


def test_without_a_model_every_models_scores_count(
    api: Api, owner: Account, prompt_id: str
) -> None:
    body = ok_json(compare(api, owner, prompt_id, a="prod", b="2"))
    assert_matches(body, A_SCORES, B_SCORES + OTHER_MODEL_B)
    assert body["verdict"] == "no clear difference"


def test_a_side_with_fewer_than_five_scores_is_not_enough_data(
    api: Api, owner: Account, prompt_id: str
) -> None:
    body = ok_json(compare(api, owner, prompt_id, a="1", b="latest"))
    assert body["b"] == {"version": 3, "count": 0, "mean": None, "median": None}
    assert body["difference"] is None and body["ci95"] is None and body["pValue"] is None
    assert body["verdict"] == "not enough data"
    few = ok_json(compare(api, owner, prompt_id, a="1", b="2", model="n"))
    assert few["a"]["count"] == 0 and few["b"]["count"] == 5
    assert few["verdict"] == "not enough data"


def test_all_ties_give_null_figures_not_nan(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "one", "two")
    for version in (1, 2):
        for _ in range(5):
            api.create_log(owner, prompt["_id"], promptVersion=version, score=7)
    body = ok_json(compare(api, owner, prompt["_id"], a="1", b="2"))
    assert body["difference"] == 0
    assert body["ci95"] is None and body["pValue"] is None
    assert body["verdict"] == "no clear difference"


def test_a_version_against_itself(api: Api, owner: Account, prompt_id: str) -> None:
    body = ok_json(compare(api, owner, prompt_id, a="1", b="prod", model="m"))
    assert_matches(body, A_SCORES, A_SCORES)
    assert body["verdict"] == "no clear difference"


@pytest.mark.parametrize(
    ("params", "sentence"),
    [
        ({"a": "1", "b": "9"}, NO_SUCH_VERSION),
        ({"a": "9", "b": "1"}, NO_SUCH_VERSION),
        ({"a": "1", "b": "staging"}, NO_SUCH_LABEL),
        ({"a": "99999999999999", "b": "1"}, NO_SUCH_VERSION),
    ],
)
def test_unknown_versions_and_labels_are_404(
    api: Api, owner: Account, prompt_id: str, params: dict[str, str], sentence: str
) -> None:
    assert_error(compare(api, owner, prompt_id, **params), 404, sentence)


@pytest.mark.parametrize(
    "params",
    [
        {"a": "1"},
        {"b": "1"},
        {},
        {"a": "0", "b": "1"},
        {"a": "1", "b": "-1"},
        {"a": "1.5", "b": "1"},
        {"a": "Prod", "b": "1"},
        {"a": "1", "b": "a" * 37},
        {"a": "1", "b": "2", "model": ""},
        {"a": "1", "b": "2", "model": "m" * 101},
        {"a": "1", "b": "2", "model": "nul\x00"},
        {"a": "1", "b": "2", "model": "  "},
        {"a": "1", "b": "2", "by": "version"},
    ],
)
def test_bad_parameters_are_400_before_ownership(
    api: Api, prompt_id: str, params: dict[str, str]
) -> None:
    stranger = api.signup(name="Compare stranger")
    assert_error(compare(api, stranger, prompt_id, **params), 400, MALFORMED)


def test_another_users_prompt_is_403(api: Api, prompt_id: str) -> None:
    stranger = api.signup(name="Compare stranger 2")
    assert_error(compare(api, stranger, prompt_id, a="1", b="2"), 403, NOT_YOURS)
    # 403 comes before 404: the stranger learns nothing of the versions.
    assert_error(compare(api, stranger, prompt_id, a="1", b="99"), 403, NOT_YOURS)


@pytest.mark.parametrize("absent", ABSENT_PROMPT_IDS)
def test_an_absent_prompt_is_404(api: Api, owner: Account, absent: str) -> None:
    assert_error(compare(api, owner, absent, a="1", b="2"), 404, PROMPT_NOT_FOUND)


def test_a_malformed_id_is_400(api: Api, owner: Account) -> None:
    assert_error(compare(api, owner, "invalid_prompt_id", a="1", b="2"), 400, ID_INVALID)
