"""How the registry's answers look to people: versions, labels, statistics, comparisons and
diffs. JSON output does not come through here (``--json`` prints the server's objects)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from promptcrafter.cli.output import (
    clean,
    empty,
    fields,
    fmt_labels,
    fmt_number,
    fmt_score,
    fmt_tags,
    fmt_time,
    one_line,
    table,
    truncate,
)


def versions_table(versions: Sequence[Mapping[str, Any]]) -> RenderableType:
    if not versions:
        return empty("No versions.")
    rows = [
        [
            fmt_score(v.get("version")),
            truncate(one_line(str(v.get("title", ""))), 40),
            truncate(one_line(str(v.get("model", ""))), 20),
            fmt_labels(v.get("labels")),
            one_line(str(v.get("commitMessage") or "-")),
            fmt_time(v.get("createdAt")),
        ]
        for v in versions
    ]
    headers = ["VERSION", "TITLE", "MODEL", "LABELS", "MESSAGE", "CREATED"]
    return table(headers, rows, flexible=4)


def labels_table(labels: Sequence[Mapping[str, Any]]) -> RenderableType:
    if not labels:
        return empty("No labels.")
    rows = [
        [
            str(label.get("name", "")),
            fmt_score(label.get("version")),
            fmt_time(label.get("updatedAt")),
        ]
        for label in labels
    ]
    return table(["LABEL", "VERSION", "UPDATED"], rows)


def label_detail(label: Mapping[str, Any]) -> RenderableType:
    return Text(f"Label {one_line(str(label.get('name', '')))} → version {label.get('version')}.")


def _change(entry: Mapping[str, Any]) -> str:
    before, after = entry.get("previousVersion"), entry.get("version")
    if before is None:
        return f"created at v{after}"
    if after is None:
        return f"deleted (was v{before})"
    return f"moved v{before} → v{after}"


def history_table(history: Sequence[Mapping[str, Any]]) -> RenderableType:
    if not history:
        return empty("No changes.")
    rows = [
        [fmt_time(entry.get("at")), _change(entry), str(entry.get("by", ""))] for entry in history
    ]
    return table(["WHEN", "CHANGE", "BY"], rows)


def _ci(value: object) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"[{fmt_number(value[0])}, {fmt_number(value[1])}]"
    return "-"


_STAT_HEADERS = ["COUNT", "SCORED", "MEAN", "MEDIAN", "SD", "MIN", "MAX", "95% CI"]


def _figures(group: Mapping[str, Any]) -> list[str]:
    return [
        str(group.get("count", 0)),
        str(group.get("scored", 0)),
        fmt_number(group.get("mean")),
        fmt_number(group.get("median")),
        fmt_number(group.get("stddev")),
        fmt_score(group.get("min")),
        fmt_score(group.get("max")),
        _ci(group.get("ci95")),
    ]


def stats_table(stats: Mapping[str, Any]) -> RenderableType:
    by = [str(key) for key in stats.get("by", [])]
    keys = [("promptVersion", "VERSION")] if "version" in by else []
    if "model" in by:
        keys.append(("modelUsed", "MODEL"))
    groups: list[Mapping[str, Any]] = list(stats.get("groups", []))
    rows = [
        [
            fmt_score(g.get(key)) if key == "promptVersion" else one_line(str(g.get(key)))
            for key, _ in keys
        ]
        + _figures(g)
        for g in groups
    ]
    total = stats.get("total") or {}
    rows.append(["all"] + [""] * (len(keys) - 1) + _figures(total) if keys else _figures(total))
    headers = [title for _, title in keys] + _STAT_HEADERS
    return table(headers, rows, flexible=len(keys) - 1 if "model" in by else None)


def comparison(result: Mapping[str, Any]) -> RenderableType:
    a, b = result.get("a") or {}, result.get("b") or {}

    def side(name: str, data: Mapping[str, Any]) -> tuple[str, str]:
        return (
            f"{name} (v{data.get('version')})",
            f"{data.get('count', 0)} scores, mean {fmt_number(data.get('mean'))}, "
            f"median {fmt_number(data.get('median'))}",
        )

    head = fields(
        [
            side("A", a),
            side("B", b),
            ("Difference (B - A)", fmt_number(result.get("difference"), 3)),
            ("95% interval", _ci(result.get("ci95"))),
            ("p-value", fmt_number(result.get("pValue"), 4)),
        ]
    )
    verdict = Text(f"Verdict: {one_line(str(result.get('verdict', '')))}", style="bold")
    return Group(head, Text(""), verdict)


def _pair(change: object) -> str | None:
    if isinstance(change, Mapping):
        return f"{one_line(str(change.get('from')))} → {one_line(str(change.get('to')))}"
    return None


def _added_removed(change: object) -> str | None:
    if not isinstance(change, Mapping):
        return None
    added, removed = change.get("added") or [], change.get("removed") or []
    if not added and not removed:
        return None
    parts = [f"+{fmt_tags(added)}"] if added else []
    parts += [f"-{fmt_tags(removed)}"] if removed else []
    return " ".join(parts)


def diff_view(diff: Mapping[str, Any]) -> RenderableType:
    summary: list[tuple[str, str]] = [("Versions", f"v{diff.get('from')} → v{diff.get('to')}")]
    for key, label in (("title", "Title"), ("model", "Model")):
        pair = _pair(diff.get(key))
        if pair is not None:
            summary.append((label, pair))
    for key, label in (("tags", "Tags"), ("variables", "Variables")):
        change = _added_removed(diff.get(key))
        if change is not None:
            summary.append((label, change))
    content = diff.get("content") or {}
    if not content.get("changed"):
        return Group(fields(summary), Text(""), Text("Content unchanged."))
    body = Text()
    for line in str(content.get("unified", "")).split("\n"):
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
        if line.startswith(("+++", "---", "@@")):
            style = "cyan"
        body.append(clean(line) + "\n", style=style)
    return Group(fields(summary), Text(""), body)
