"""The score chart: well-formed SVG, escaped text, one bar per bin, no inline style."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from promptcrafter.charts import score_histogram_svg, version_series

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "</text><script>alert(1)</script>\"&'<"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to check it is XML)


def test_hostile_label_is_text_and_the_svg_parses() -> None:
    svg = score_histogram_svg([(HOSTILE, [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2])])
    assert "<script" not in svg
    root = parse(svg)
    labels = [el for el in root.iter(f"{NS}text") if el.get("class") == "pc-chart-label"]
    assert [el.text for el in labels] == [HOSTILE[:19] + "\u2026"]  # cut to fit, whole below
    assert [el.findtext(f"{NS}title") for el in labels] == [HOSTILE]
    assert HOSTILE in (root.get("aria-label") or "")
    assert root.get("role") == "img" and root.get("viewBox")
    assert root.find(f"{NS}title") is not None


def test_one_bar_per_bin_per_version_with_scores_and_axis_labels() -> None:
    series = [
        ("v3", [0, 0, 0, 0, 0, 1, 2, 3, 2, 1, 0]),
        ("v2", [0] * 11),  # no score: left out
        ("v1", [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    ]
    root = parse(score_histogram_svg(series))
    bars = [el for el in root.iter(f"{NS}rect") if el.get("class") == "pc-chart-bar"]
    assert len(bars) == 22
    ticks = [el.text for el in root.iter(f"{NS}text") if el.get("class") == "pc-chart-tick"]
    assert ticks == [str(n) for n in range(11)] * 2
    rows = [el for el in root.iter(f"{NS}g") if "pc-chart-row" in (el.get("class") or "")]
    assert len(rows) == 2
    # Each row is scaled to its tallest bar, which fills the row.
    assert max(float(bar.get("height", "0")) for bar in bars[:11]) == 60
    assert "v3: 9 scores; v1: 6 scores" in (root.get("aria-label") or "")


def test_no_style_attribute_or_element_anywhere() -> None:
    svg = score_histogram_svg([("a", [1] * 11), ("b", [2] * 11)])
    for element in parse(svg).iter():
        assert "style" not in element.attrib
        assert not element.tag.endswith("style")
        assert not any(name.startswith("on") for name in element.attrib)


@pytest.mark.parametrize("series", [[], [("v1", [0] * 11)]])
def test_no_scores_yet(series: list[tuple[str, list[int]]]) -> None:
    root = parse(score_histogram_svg(series))
    assert "No scores yet" in "".join(root.itertext())
    assert root.get("role") == "img"


def test_a_histogram_must_have_eleven_counts() -> None:
    with pytest.raises(ValueError):
        score_histogram_svg([("v1", [1, 2])])


def test_series_from_stats_groups_add_up_the_models_of_a_version() -> None:
    one = [0] * 11
    one[7] = 1
    groups = [
        {"promptVersion": 2, "modelUsed": "a", "histogram": one},
        {"promptVersion": 2, "modelUsed": "b", "histogram": one},
        {"promptVersion": 1, "modelUsed": "a", "histogram": [1] * 11},
        {"promptVersion": None, "modelUsed": "a", "histogram": one},
    ]
    series = version_series(groups)
    assert [label for label, _ in series] == ["v2", "v1", "before versions"]
    assert series[0][1][7] == 2 and sum(series[0][1]) == 2
    assert groups[0]["histogram"][7] == 1  # the groups are left as they were
