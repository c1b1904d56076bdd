"""GET /prompts/{id}/stats: every group is found, however the versions and models are spread,
and every score comes back exactly, whatever its digits (SQLite passes them to Python as
text; see ``store/sqlite_groups.py``)."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest
from tests.api.test_stats import get_stats
from tests.support.api import Api
from tests.support.contract import ok_json
from tests.support.registry import with_versions

# Doubles that fifteen significant digits would not tell apart from their neighbours, the
# smallest ones (subnormal included) and the edges of the range.
AWKWARD = [
    1 / 3,
    2 / 3,
    0.1 + 0.2,
    math.nextafter(0.1, 1),
    math.nextafter(10, 0),
    math.nextafter(0, 1),
    2.2250738585072014e-308,
    1e-300,
    7.123456789012345,
    0.0,
    10.0,
    *(random.Random(3).uniform(0, 10) for _ in range(5)),
]


def test_every_score_comes_back_exactly(api: Api) -> None:
    owner = api.signup(name="Exact scores")
    prompt = api.create_prompt(owner)
    # One group per score (its own model), so each group's min and max are that score.
    for index, score in enumerate(AWKWARD):
        api.create_log(owner, prompt["_id"], modelUsed=f"m{index:02d}", score=score)
    shared = [1 / 3, 1 / 3, math.nextafter(1 / 3, 1)]
    for score in shared:
        api.create_log(owner, prompt["_id"], modelUsed="shared", score=score)

    body = ok_json(get_stats(api, owner, prompt["_id"]))
    by_model = {group["modelUsed"]: group for group in body["groups"]}
    for index, score in enumerate(AWKWARD):
        group = by_model[f"m{index:02d}"]
        assert (group["min"], group["max"], group["mean"]) == (score, score, score)
    together = by_model["shared"]
    assert (together["scored"], together["min"], together["median"]) == (3, 1 / 3, 1 / 3)
    assert together["max"] == math.nextafter(1 / 3, 1)
    everything = [*AWKWARD, *shared]
    total = body["total"]
    assert (total["min"], total["max"], total["scored"]) == (0.0, 10.0, len(everything))
    assert total["mean"] == pytest.approx(float(np.mean(everything)), abs=1e-12)
    assert total["median"] == float(np.median(everything))


def _members(made: list[dict[str, Any]], **key: Any) -> list[dict[str, Any]]:
    return [log for log in made if all(log[name] == value for name, value in key.items())]


def test_groups_are_found_across_versions_without_logs(api: Api) -> None:
    owner = api.signup(name="Sparse versions")
    prompt = with_versions(api, owner, "one", "two", "three", "four")
    # Nothing for version 2; models that sort before and after one another in each version.
    spread = [(1, "b", 2.0), (1, "a", 3.5), (3, "c", None), (4, "z", 9.0), (4, "a", 1.0)]
    made = [
        api.create_log(owner, prompt["_id"], promptVersion=version, modelUsed=model, score=score)
        for version, model, score in spread * 2
    ]

    groups = ok_json(get_stats(api, owner, prompt["_id"]))["groups"]
    assert [(g["promptVersion"], g["modelUsed"], g["count"]) for g in groups] == [
        (4, "a", 2),
        (4, "z", 2),
        (3, "c", 2),
        (1, "a", 2),
        (1, "b", 2),
    ]

    # One key: the (version, model) groups merged, first and last across the parts.
    merged = ok_json(get_stats(api, owner, prompt["_id"], by="model"))["groups"]
    assert [(g["modelUsed"], g["count"], g["scored"]) for g in merged] == [
        ("a", 4, 4),
        ("b", 2, 2),
        ("c", 2, 0),
        ("z", 2, 2),
    ]
    [model_a] = [g for g in merged if g["modelUsed"] == "a"]
    times = sorted(log["createdAt"] for log in _members(made, modelUsed="a"))
    assert (model_a["firstAt"], model_a["lastAt"]) == (times[0], times[-1])
    assert model_a["histogram"] == [0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0]
    versions = ok_json(get_stats(api, owner, prompt["_id"], by="version"))["groups"]
    assert [(g["promptVersion"], g["count"]) for g in versions] == [(4, 4), (3, 2), (1, 4)]
