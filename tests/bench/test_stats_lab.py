"""bench.stats_lab: its three reads give the served statement's groups, and it says when not."""

from __future__ import annotations

import pytest

from bench import stats_lab


def test_the_reads_agree_and_every_figure_is_measured() -> None:
    # _sqlite raises unless the split and the tally reads give the served statement's groups.
    figures = stats_lab._sqlite(count=3000, writes=32, rounds=1)
    assert list(figures) == [
        "as served",
        "split in two",
        "from a tally table",
        "insert, as served",
        "insert, with the tally trigger",
    ]
    assert all(value > 0 for value in figures.values())


def test_a_read_with_other_groups_is_refused() -> None:
    expected: stats_lab.Groups = {(1, "m"): (2, {5.0: 2}, 10, 20)}
    with pytest.raises(RuntimeError, match="other groups"):
        stats_lab._median_ms(lambda: {(1, "m"): (2, {5.0: 1, 6.0: 1}, 10, 20)}, 1, expected)
    assert stats_lab._median_ms(lambda: dict(expected), 1, expected) >= 0
