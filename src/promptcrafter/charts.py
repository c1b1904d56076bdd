"""Server-rendered SVG of the score distribution per version (the stats ``histogram``).

Small multiples rather than grouped bars: one row of 11 bars per version, all rows on the
same 0..10 axis. With grouped bars, five versions make 55 thin bars whose colours the reader
must decode; stacked rows keep each distribution's shape readable and need no colour at all
(the colours are only a second cue). Each row is scaled to its own tallest bar, so a version
with few logs shows its shape as clearly as one with thousands; the row's label says how
many scores it holds, and the page shows the exact numbers in a table beside the chart.

The markup carries presentation attributes and CSS classes only: the CSP forbids inline
``style``. Every piece of text goes through ``markupsafe.escape``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

BINS = 11
WIDTH = 640
LABEL_WIDTH = 150  # room for the version label and its count at the left of each row
PLOT_WIDTH = WIDTH - LABEL_WIDTH - 10
BAR_SLOT = PLOT_WIDTH / BINS
BAR_WIDTH = BAR_SLOT * 0.8
ROW_BARS = 60  # height of the tallest bar in a row
ROW_HEIGHT = ROW_BARS + 30  # bars, then the axis labels under them, then a gap
TOP = 10
LABEL_CHARS = 20  # longer labels are cut (with "…") so they stay left of the bars
# A few distinct fills so neighbouring rows differ even without the stylesheet.
FILLS = ("#3b6ea8", "#c0622f", "#4d8f4a", "#8a5aa6", "#a8913b", "#3b9a9a")

Series = tuple[str, Sequence[int]]
NO_VERSION_LABEL = "before versions"  # the group of logs written before versions existed


def _f(value: float) -> str:
    """Coordinates with at most two decimals, for a compact, stable output."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _scores(count: int) -> str:
    return "1 score" if count == 1 else f"{count} scores"


def _describe(series: Sequence[Series]) -> str:
    parts = [f"{label}: {_scores(sum(counts))}" for label, counts in series]
    return "Score distribution per version, scores 0 to 10. " + "; ".join(parts) + "."


def _open(height: float, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pc-chart" viewBox="0 0 {WIDTH} '
        f'{_f(height)}" role="img" aria-label="{escape(description)}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
    ]


def _empty() -> Markup:
    parts = _open(60, "Score distribution per version", "No scores yet.")
    parts.append(
        '<text class="pc-chart-empty" x="320" y="35" text-anchor="middle" '
        'font-size="16" fill="currentColor">No scores yet</text></svg>'
    )
    # Safe: every text and attribute value that is not our own number went through escape().
    return Markup("".join(parts))  # noqa: S704


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "\u2026"


def _row(index: int, label: str, counts: Sequence[int], top: float) -> list[str]:
    total = sum(counts)
    tallest = max(counts)
    base = top + ROW_BARS
    fill = FILLS[index % len(FILLS)]
    series_class = f"pc-chart-series-{index % len(FILLS)}"
    parts = [
        f'<g class="pc-chart-row {series_class}">',
        # The legend: a swatch and the version label with its number of scores.
        f'<rect class="pc-chart-swatch" x="0" y="{_f(top + 2)}" width="10" height="10" '
        f'fill="{fill}"/>',
        f'<text class="pc-chart-label" x="16" y="{_f(top + 11)}" font-size="12" '
        f'fill="currentColor">{escape(_short(label))}<title>{escape(label)}</title></text>',
        f'<text class="pc-chart-count" x="16" y="{_f(top + 27)}" font-size="11" '
        f'fill="currentColor">{_scores(total)}</text>',
        f'<line class="pc-chart-axis" x1="{LABEL_WIDTH}" y1="{_f(base)}" '
        f'x2="{_f(LABEL_WIDTH + PLOT_WIDTH)}" y2="{_f(base)}" stroke="currentColor" '
        'stroke-width="1"/>',
    ]
    for score, count in enumerate(counts):
        x = LABEL_WIDTH + score * BAR_SLOT + (BAR_SLOT - BAR_WIDTH) / 2
        height = ROW_BARS * count / tallest
        parts.append(
            f'<rect class="pc-chart-bar" x="{_f(x)}" y="{_f(base - height)}" '
            f'width="{_f(BAR_WIDTH)}" height="{_f(height)}" fill="{fill}">'
            f"<title>{escape(label)}, score {score}: {count}</title></rect>"
        )
        parts.append(
            f'<text class="pc-chart-tick" x="{_f(x + BAR_WIDTH / 2)}" y="{_f(base + 13)}" '
            f'font-size="10" text-anchor="middle" fill="currentColor">{score}</text>'
        )
    parts.append("</g>")
    return parts


def score_histogram_svg(series: Sequence[Series]) -> Markup:
    """An SVG (safe to put in a page as is) of each version's 11 histogram counts, one row
    per version in the order given; versions without a score are left out, and with none
    left the chart says "No scores yet". ``series`` is ``[(label, histogram), ...]``, e.g.
    ``[("v3", group["histogram"]), ...]`` from the stats groups."""
    for label, counts in series:
        if len(counts) != BINS or any(count < 0 for count in counts):
            raise ValueError(f"a histogram has {BINS} counts, none negative: {label!r}")
    shown = [(label, counts) for label, counts in series if sum(counts) > 0]
    if not shown:
        return _empty()
    height = TOP + ROW_HEIGHT * len(shown)
    parts = _open(height, "Score distribution per version", _describe(shown))
    for index, (label, counts) in enumerate(shown):
        parts.extend(_row(index, label, counts, TOP + index * ROW_HEIGHT))
    parts.append("</svg>")
    # Safe: every text and attribute value that is not our own number went through escape().
    return Markup("".join(parts))  # noqa: S704


def version_series(groups: Iterable[Mapping[str, Any]]) -> list[Series]:
    """``[(label, histogram)]`` per version from the stats ``groups`` (grouped by version, or
    by version and model: a version's models are added up), in the groups' order (newest
    first); labels are ``v<n>``, and ``before versions`` for logs without a version."""
    summed: dict[int | None, list[int]] = {}
    for group in groups:
        counts = summed.setdefault(group["promptVersion"], [0] * BINS)
        for score, count in enumerate(group["histogram"]):
            counts[score] += count
    return [
        (NO_VERSION_LABEL if version is None else f"v{version}", counts)
        for version, counts in summed.items()
    ]
