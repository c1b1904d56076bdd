"""/prompts/{id}/stats, /compare and /diff: how the versions of a prompt score, and what
changed between two of them."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from promptcrafter import diffs, stats
from promptcrafter.api.deps import CurrentUser, Db
from promptcrafter.api.models import LABEL_PATTERN, ModelName
from promptcrafter.api.params import version_number
from promptcrafter.api.response_models import CompareOut, DiffOut, StatsOut
from promptcrafter.api.responses import json_response
from promptcrafter.api.routes.prompts import WRITE_ID_INVALID, PromptId
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.clock import iso_ms
from promptcrafter.errors import MALFORMED_PARAMS, BadRequest
from promptcrafter.store import analytics, versions

router = APIRouter(prefix="/prompts", tags=["analytics"], route_class=ContractRoute)

# A version number (digits, >= 1) or a label name (``latest``: the current version).
_REF = rf"^(0*[1-9][0-9]*|{LABEL_PATTERN.strip('^$')})$"


def _ref_query(alias: str, description: str) -> Any:
    return Query(alias=alias, pattern=_REF, description=description)


RefA = Annotated[str, _ref_query("a", "Version number or label of the first side")]
RefB = Annotated[str, _ref_query("b", "Version number or label of the second side")]
RefFrom = Annotated[
    str | None,
    _ref_query("from", "Version or label (default: the version before `to`, else `to`)"),
]
RefTo = Annotated[str | None, _ref_query("to", "Version or label (default: the current one)")]
ByQuery = Annotated[
    str | None,
    Query(
        alias="by",
        max_length=20,
        description="`version`, `model` or `version,model` (the default)",
    ),
]
# Checked as a log's modelUsed is (1-100 characters, not blank, no U+0000): a name no log
# can have is a 400, and never reaches the engine.
ModelQuery = Annotated[
    ModelName | None, Query(alias="model", description="Only logs of this model")
]

DEFAULT_BY = ("version", "model")


def ref_of(text: str) -> versions.Ref:
    """What a validated ``a``/``b``/``from``/``to`` names: digits are a version."""
    return version_number(text) if text[0].isdigit() else text


def grouping(by: str | None) -> tuple[str, ...]:
    """The keys ``by`` names, in the one order groups are sorted by (version, then model)."""
    if by is None:
        return DEFAULT_BY
    names = by.split(",")
    if len(set(names)) != len(names) or not set(names) <= set(DEFAULT_BY):
        raise BadRequest(MALFORMED_PARAMS)
    return tuple(name for name in DEFAULT_BY if name in names)


def _summary(group: analytics.Group) -> dict[str, Any]:
    figures = stats.summarize(group.scores)
    return {
        "count": group.count,
        "scored": figures.scored,
        "mean": figures.mean,
        "median": figures.median,
        "stddev": figures.stddev,
        "min": figures.min,
        "max": figures.max,
        "ci95": None if figures.ci95 is None else list(figures.ci95),
        "histogram": figures.histogram,
        "firstAt": None if group.first_at is None else iso_ms(group.first_at),
        "lastAt": None if group.last_at is None else iso_ms(group.last_at),
    }


def _sort_key(item: tuple[analytics.GroupKey, Any], by: tuple[str, ...]) -> tuple[Any, ...]:
    key = dict(zip(by, item[0], strict=True))
    version, model = key.get("version"), key.get("model")
    # Newest version first, logs from before versions existed last; then by model name.
    newest_first = -version if isinstance(version, int) else 0
    return (version is None, newest_first, model if isinstance(model, str) else "")


@router.get("/{id}/stats", response_model=StatsOut, responses=documented_errors(400, 401, 403, 404))
@sentences(path=WRITE_ID_INVALID)
async def prompt_stats(
    prompt_id: PromptId, caller: CurrentUser, db: Db, by: ByQuery = None
) -> Response:
    """Score statistics of the prompt's logs per version, per model, or per both."""
    keys = grouping(by)
    found = await analytics.groups(db, caller.id, prompt_id, keys)
    total = analytics.Group()
    groups = []
    for key, group in sorted(found.items(), key=lambda item: _sort_key(item, keys)):
        total.absorb(group)
        named = dict(zip(keys, key, strict=True))
        labels: dict[str, Any] = {}
        if "version" in named:
            labels["promptVersion"] = named["version"]
        if "model" in named:
            labels["modelUsed"] = named["model"]
        groups.append({**labels, **_summary(group)})
    body = {"promptId": prompt_id, "by": list(keys), "groups": groups, "total": _summary(total)}
    return json_response(body)


def _side(side: stats.Side) -> dict[str, Any]:
    return {"version": side.version, "count": side.count, "mean": side.mean, "median": side.median}


@router.get(
    "/{id}/compare", response_model=CompareOut, responses=documented_errors(400, 401, 403, 404)
)
@sentences(path=WRITE_ID_INVALID)
async def compare_versions(
    prompt_id: PromptId,
    caller: CurrentUser,
    db: Db,
    a: RefA,
    b: RefB,
    model: ModelQuery = None,
) -> Response:
    """Whether version (or label) ``b`` scores better than ``a``: Welch's interval for the
    difference of means and a Mann–Whitney test, over scored logs."""
    version_a = await versions.resolve(db, caller.id, prompt_id, ref_of(a))
    version_b = await versions.resolve(db, caller.id, prompt_id, ref_of(b))
    of_a, of_b = await analytics.scores_of(db, caller.id, prompt_id, version_a, version_b, model)
    found = stats.compare(version_a, of_a, version_b, of_b)
    body = {
        "a": _side(found.a),
        "b": _side(found.b),
        "difference": found.difference,
        "ci95": None if found.ci95 is None else list(found.ci95),
        "pValue": found.p_value,
        "verdict": found.verdict,
    }
    return json_response(body)


def _snapshot(row: Any) -> diffs.Snapshot:
    return diffs.Snapshot(
        version=row[versions.VERSION],
        title=row[versions.TITLE],
        content=row[versions.CONTENT],
        model=row[versions.MODEL],
        tags=orjson.loads(row[versions.TAGS]),
        variables=orjson.loads(row[versions.VARIABLES]),
    )


@router.get("/{id}/diff", response_model=DiffOut, responses=documented_errors(400, 401, 403, 404))
@sentences(path=WRITE_ID_INVALID)
async def diff_versions(
    prompt_id: PromptId,
    caller: CurrentUser,
    db: Db,
    from_: RefFrom = None,
    to: RefTo = None,
) -> Response:
    """What changed from one version to another: fields, tags, variables and content."""
    after = (
        await versions.get_version(
            db, caller.id, prompt_id, versions.LATEST if to is None else ref_of(to)
        )
    ).row
    if from_ is not None:
        before = (await versions.get_version(db, caller.id, prompt_id, ref_of(from_))).row
    else:
        earlier = await versions.list_versions(
            db, caller.id, prompt_id, before=after[versions.VERSION], limit=1
        )
        before = earlier.rows[0] if earlier.rows else after
    # Matching lines is CPU work that grows with the texts (bounded: diffs.MATCH_BUDGET); it runs
    # off the event loop so that the worker goes on serving other requests meanwhile.
    found = await run_in_threadpool(diffs.diff, _snapshot(before), _snapshot(after))
    return json_response({"promptId": prompt_id, **found})
