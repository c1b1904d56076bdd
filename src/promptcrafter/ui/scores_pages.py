"""Scores on the prompt page: the version x model table, the score distribution per version
(an SVG chart and the same counts in a table), and the comparison of two versions.

The figures come from the same aggregate statements and the same ``stats`` functions as
``/prompts/{id}/stats`` and ``/compare``: the database counts each distinct score, so a
prompt with a million logs costs a few hundred rows here.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from promptcrafter import charts, stats
from promptcrafter.errors import MALFORMED_PARAMS, NotFound
from promptcrafter.store import analytics, versions
from promptcrafter.ui.core import Visitor
from promptcrafter.ui.results_base import (
    Shown,
    interval,
    kept_params,
    number,
    p_value,
    read_ref,
    ref_options,
)

A, B, MODEL = "compare_a", "compare_b", "compare_model"
OWN = (A, B, MODEL)
BY = ("version", "model")


def _version_key(version: object) -> tuple[bool, int]:
    # Newest version first; logs from before versions existed last (as the API sorts).
    if isinstance(version, int):
        return (False, -version)
    return (True, 0)


def _figures(group: analytics.Group) -> dict[str, Any]:
    summary = stats.summarize(group.scores)
    return {
        "count": group.count,
        "scored": summary.scored,
        "mean": number(summary.mean),
        "median": number(summary.median),
        "ci95": interval(summary.ci95),
        "histogram": summary.histogram,
    }


def _version_name(version: int | None) -> str:
    return charts.NO_VERSION_LABEL if version is None else f"v{version}"


async def load(visitor: Visitor, shown: Shown) -> dict[analytics.GroupKey, analytics.Group]:
    """The prompt's logs counted per version, model and score, by the database."""
    return await analytics.groups(visitor.services.db, visitor.user.id, shown.prompt_id, BY)


async def section(
    request: Request,
    visitor: Visitor,
    shown: Shown,
    found: dict[analytics.GroupKey, analytics.Group],
    versions_listed: list[int],
) -> tuple[dict[str, Any], int, list[int], list[str]]:
    """The scores section's context, the status it asks of the page, and the versions and
    models that have logs (the logs filter offers those)."""
    ordered = sorted(found.items(), key=lambda item: (*_version_key(item[0][0]), str(item[0][1])))
    rows = []
    per_version: dict[int | None, analytics.Group] = {}
    models: set[str] = set()
    total = analytics.Group()
    for key, group in ordered:
        version = key[0] if isinstance(key[0], int) else None
        model = str(key[1])
        rows.append({"version": _version_name(version), "model": model, **_figures(group)})
        per_version.setdefault(version, analytics.Group()).absorb(group)
        total.absorb(group)
        models.add(model)
    # The distribution needs only the counts per bin (the table above has the figures).
    series = [
        (_version_name(version), stats.histogram(group.scores))
        for version, group in per_version.items()
    ]
    distribution = [
        {"version": name, "histogram": bins, "scored": sum(bins)} for name, bins in series
    ]
    chart = charts.score_histogram_svg(series)
    seen_versions = [v for v in per_version if isinstance(v, int)]
    seen_models = sorted(models)
    compare, status = await _compare(request, visitor, shown, seen_versions, versions_listed)
    compare["model_options"] = [("", "Any model")] + [(m, m) for m in seen_models]
    if compare["sent"][MODEL] and compare["sent"][MODEL] not in seen_models:
        compare["model_options"].append((compare["sent"][MODEL], compare["sent"][MODEL]))
    context = {
        "rows": rows,
        "total": _figures(total),
        "distribution": distribution,
        "bins": list(range(stats.BINS)),
        "chart": chart,
        "compare": compare,
    }
    return context, status, seen_versions, seen_models


def _defaults(seen: list[int], listed: list[int]) -> tuple[str, str]:
    """Version A and B before anything is chosen: the two newest versions with logs (else
    the two newest versions), older one as A."""
    pool = seen if len(seen) >= 2 else listed
    if len(pool) >= 2:
        return str(pool[1]), str(pool[0])
    only = str(pool[0]) if pool else ""
    return only, only


def _resolve_here(ref: versions.Ref, shown: Shown, known: set[int]) -> int | None:
    if isinstance(ref, int):
        return ref if ref in known else None
    if ref == versions.LATEST:
        return shown.version
    return shown.labels.get(ref)


async def _compare(
    request: Request, visitor: Visitor, shown: Shown, seen: list[int], listed: list[int]
) -> tuple[dict[str, Any], int]:
    query = request.query_params
    sent = {key: query.get(key, "").strip() for key in OWN}
    default_a, default_b = _defaults(seen, listed)
    values = {A: sent[A] or default_a, B: sent[B] or default_b, MODEL: sent[MODEL]}
    context: dict[str, Any] = {
        "sent": sent,
        "chosen": values,
        "errors": {},
        "result": None,
        "kept": kept_params(request, OWN),
        "ref_options": ref_options(listed, shown.labels),
    }
    if not (sent[A] or sent[B]):
        return context, 200
    errors: dict[str, str] = context["errors"]
    refs = {}
    for key in (A, B):
        ref = read_ref(sent[key]) if sent[key] else None
        if ref is None:
            errors[key] = MALFORMED_PARAMS
        else:
            refs[key] = ref
    model = sent[MODEL] or None
    if model is not None and (len(model) > 100 or not model.strip() or "\x00" in model):
        errors[MODEL] = MALFORMED_PARAMS
    if errors:
        return context, 400
    db, owner = visitor.services.db, visitor.user.id
    resolved = {}
    known = set(listed)
    for key, ref in refs.items():
        # The page already holds the version numbers and the labels: only a reference they
        # do not name goes to the database (which says why it names no version).
        local = _resolve_here(ref, shown, known)
        if local is not None:
            resolved[key] = local
            continue
        try:
            resolved[key] = await versions.resolve(db, owner, shown.prompt_id, ref)
        except NotFound as exc:
            errors[key] = exc.message
    if errors:
        return context, 404
    version_a, version_b = resolved[A], resolved[B]
    of_a, of_b = await analytics.scores_of(db, owner, shown.prompt_id, version_a, version_b, model)
    context["result"] = _comparison(version_a, version_b, of_a, of_b, model)
    return context, 200


def _comparison(
    version_a: int,
    version_b: int,
    of_a: dict[float, int],
    of_b: dict[float, int],
    model: str | None,
) -> dict[str, Any]:
    found = stats.compare(version_a, of_a, version_b, of_b)
    return {
        "a": _side(found.a),
        "b": _side(found.b),
        "difference": number(found.difference),
        "ci95": interval(found.ci95),
        "p_value": p_value(found.p_value),
        "verdict": found.verdict,
        "sentence": _sentence(
            version_a,
            version_b,
            found.difference,
            found.ci95,
            found.p_value,
            found.verdict,
            model,
        ),
    }


def _side(side: stats.Side) -> dict[str, Any]:
    return {
        "version": side.version,
        "count": side.count,
        "mean": number(side.mean),
        "median": number(side.median),
    }


def _sentence(
    version_a: int,
    version_b: int,
    difference: float | None,
    ci95: tuple[float, float] | None,
    p: float | None,
    verdict: str,
    model: str | None,
) -> str:
    """The comparison in plain words, ending with the API's verdict."""
    scope = f" for {model}" if model else ""
    head = f"Version {version_b} (b) against version {version_a} (a){scope}: "
    if difference is None:
        return head + f"one side has no scores yet, so {verdict}."
    direction = "higher" if difference > 0 else "lower" if difference < 0 else "the same"
    amount = "" if difference == 0 else f"{number(abs(difference))} points "
    said = f"b's mean score is {amount}{direction}"
    if ci95 is not None:
        said += f" (95% interval of the difference {interval(ci95)})"
    if p is not None:
        said += f", p = {p_value(p)}"
    return head + said + f"; verdict: {verdict}."
