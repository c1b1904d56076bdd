"""promptcrafter.stats against SciPy and NumPy (test dependencies only), to 1e-6.

The module takes (score, count) pairs, so every sample here is counted first, exactly as the
database's GROUP BY hands it over, and the reference sees the raw list.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from promptcrafter import stats

TOLERANCE = 1e-6

# SciPy warns about its own rounding on nearly identical samples; that is its business.
pytestmark = pytest.mark.filterwarnings("ignore:Precision loss occurred:RuntimeWarning")

integer_scores = st.integers(0, 10).map(float)
tenth_scores = st.integers(0, 100).map(lambda tenths: tenths / 10)
any_scores = st.floats(0, 10, allow_nan=False, allow_infinity=False)
scores = st.one_of(integer_scores, tenth_scores, any_scores)


def samples(min_size: int = 0, max_size: int = 300) -> st.SearchStrategy[list[float]]:
    """Samples with many ties (few distinct values), decimals, one repeated value, or many
    values; small and large."""
    few_values = st.lists(st.sampled_from([0.0, 2.5, 5.0, 7.0, 10.0]), min_size=min_size)
    return st.one_of(
        st.lists(integer_scores, min_size=min_size, max_size=max_size),
        st.lists(tenth_scores, min_size=min_size, max_size=max_size),
        st.lists(any_scores, min_size=min_size, max_size=max_size),
        few_values.filter(lambda xs: len(xs) <= max_size),
        st.tuples(scores, st.integers(max(min_size, 1), max_size)).map(lambda v: [v[0]] * v[1]),
        # Large samples, drawn as counts per score (cheap to generate).
        st.dictionaries(st.one_of(integer_scores, tenth_scores), st.integers(1, 800), min_size=1)
        .map(lambda counted: [score for score, n in counted.items() for _ in range(n)])
        .filter(lambda xs: len(xs) >= min_size),
    )


def pairs(xs: list[float]) -> dict[float, int]:
    return dict(Counter(xs))


def close(actual: float | None, expected: float) -> bool:
    return actual is not None and abs(actual - expected) <= TOLERANCE


# ---- one group --------------------------------------------------------------------------


def reference_histogram(xs: list[float]) -> list[int]:
    return [sum(1 for x in xs if i <= x < i + 1) for i in range(10)] + [xs.count(10.0)]


@settings(max_examples=300, deadline=None)
@given(samples())
@example([])
@example([7.0])
@example([3.0, 3.0])
@example([0.1, 0.1, 0.1])
@example([0.0, 10.0])
def test_summary_matches_numpy_and_scipy(xs: list[float]) -> None:
    summary = stats.summarize(pairs(xs))
    assert summary.scored == len(xs)
    assert summary.histogram == reference_histogram(xs)
    if not xs:
        assert summary == stats.Summary(0, None, None, None, None, None, None, [0] * 11)
        return
    assert close(summary.mean, float(np.mean(xs)))
    assert summary.median == pytest.approx(float(np.median(xs)), abs=TOLERANCE)
    assert (summary.min, summary.max) == (min(xs), max(xs))
    if len(xs) < 2:
        assert summary.stddev is None and summary.ci95 is None
        return
    sd = float(np.std(xs, ddof=1))
    assert close(summary.stddev, sd)
    half = float(scipy_stats.t.ppf(0.975, len(xs) - 1)) * sd / math.sqrt(len(xs))
    assert summary.ci95 is not None
    assert close(summary.ci95[0], float(np.mean(xs)) - half)
    assert close(summary.ci95[1], float(np.mean(xs)) + half)


def test_one_repeated_score_has_no_spread_and_a_point_interval() -> None:
    summary = stats.summarize({0.1: 3})
    assert summary.stddev == 0.0
    assert summary.ci95 == (summary.mean, summary.mean)


def test_histogram_bins_are_half_open_and_ten_is_the_last() -> None:
    counted = {0.0: 1, 0.99: 2, 1.0: 3, 9.5: 4, 9.999: 5, 10.0: 6}
    assert stats.histogram(counted) == [3, 3, 0, 0, 0, 0, 0, 0, 0, 9, 6]


def test_median_of_an_even_count_is_the_middle_pair_mean() -> None:
    assert stats.median({1.0: 1, 2.0: 1, 8.0: 1, 9.0: 1}) == 5.0
    assert stats.median({1.0: 2, 9.0: 2}) == 5.0
    assert stats.median({1.0: 3, 9.0: 1}) == 1.0
    assert stats.median({4.0: 1}) == 4.0


def test_merge_adds_the_counts_of_each_score() -> None:
    assert stats.merge([{1.0: 2, 5.0: 1}, {5.0: 3}, {}]) == {1.0: 2, 5.0: 4}


# ---- two samples ------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(samples(), samples())
@example([5.0] * 6, [5.0] * 7)
@example([5.0] * 6, [6.0] * 7)
@example([1.0, 2.0], [3.0])
@example([1.0], [2.0])
@example([1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0])
def test_compare_matches_scipy(a: list[float], b: list[float]) -> None:
    pa, pb = pairs(a), pairs(b)
    interval = stats.welch_interval(pa, pb)
    p_value = stats.mann_whitney_p(pa, pb)

    if len(a) < 2 or len(b) < 2:
        assert interval is None
    else:
        reference = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
        if len(pa) == 1 and len(pb) == 1:
            assert interval is None
        if interval is None:
            # Zero variance on both sides (or spreads so tiny their squares underflow):
            # undefined here, where SciPy collapses the interval to a point.
            assert abs(reference.high - reference.low) < 1e-9
        else:
            assert close(interval[0], float(reference.low))
            assert close(interval[1], float(reference.high))

    if not a or not b:
        assert p_value is None
    else:
        reference_p = scipy_stats.mannwhitneyu(
            b, a, alternative="two-sided", method="asymptotic"
        ).pvalue
        if len(pa.keys() | pb.keys()) == 1:
            # Every score ties: undefined here; SciPy answers 1.
            assert p_value is None
            assert reference_p == 1.0
        else:
            assert close(p_value, float(reference_p))


def test_compare_fixed_case() -> None:
    a = [6, 7, 7, 8, 5, 6, 7, 6.5]
    b = [8, 9, 7.5, 9, 8.5, 10, 9, 8]
    interval = stats.welch_interval(pairs(a), pairs(b))
    p_value = stats.mann_whitney_p(pairs(a), pairs(b))
    reference = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert interval == pytest.approx((reference.low, reference.high), abs=1e-12)
    assert p_value == pytest.approx(
        scipy_stats.mannwhitneyu(b, a, alternative="two-sided", method="asymptotic").pvalue,
        abs=1e-12,
    )
    assert stats.verdict(len(a), len(b), interval, p_value) == stats.B_BETTER
    assert stats.verdict(len(b), len(a), (-interval[1], -interval[0]), p_value) == stats.A_BETTER


@pytest.mark.parametrize(
    ("count_a", "count_b", "ci95", "p_value", "expected"),
    [
        (4, 100, (1.0, 2.0), 0.001, stats.NOT_ENOUGH),
        (100, 4, (1.0, 2.0), 0.001, stats.NOT_ENOUGH),
        (5, 5, (0.1, 2.0), 0.049, stats.B_BETTER),
        (5, 5, (-2.0, -0.1), 0.049, stats.A_BETTER),
        (5, 5, (0.1, 2.0), 0.05, stats.NO_CLEAR),
        (5, 5, (0.0, 2.0), 0.001, stats.NO_CLEAR),
        (5, 5, (-2.0, 0.0), 0.001, stats.NO_CLEAR),
        (5, 5, (-1.0, 1.0), 0.001, stats.NO_CLEAR),
        (5, 5, None, 0.001, stats.NO_CLEAR),
        (5, 5, (0.1, 2.0), None, stats.NO_CLEAR),
    ],
)
def test_verdict_rules(
    count_a: int,
    count_b: int,
    ci95: tuple[float, float] | None,
    p_value: float | None,
    expected: str,
) -> None:
    assert stats.verdict(count_a, count_b, ci95, p_value) == expected


# ---- distributions ----------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.floats(1, 400),
        st.floats(400, 1e9),
        st.integers(1, 5000).map(float),
    ),
    st.sampled_from([0.6, 0.9, 0.95, 0.975, 0.995, 0.999]),
)
@example(1.0, 0.975)
@example(199.99, 0.975)
@example(200.0, 0.975)
def test_t_quantile_matches_scipy_for_any_degrees_of_freedom(df: float, p: float) -> None:
    expected = float(scipy_stats.t.ppf(p, df))
    assert stats.t_quantile(p, df) == pytest.approx(expected, rel=1e-10)


@given(st.floats(-40, 40))
def test_normal_tail_matches_scipy(z: float) -> None:
    assert stats.normal_sf(z) == pytest.approx(float(scipy_stats.norm.sf(z)), rel=1e-12)


@pytest.mark.parametrize("p", [0.5001, 0.6, 0.9, 0.975, 0.999999])
def test_normal_quantile_matches_scipy(p: float) -> None:
    assert stats.normal_quantile(p) == pytest.approx(float(scipy_stats.norm.ppf(p)), rel=1e-10)


@pytest.mark.parametrize(("p", "df"), [(0.4, 3.0), (1.0, 3.0), (0.975, 0.0), (0.975, -1.0)])
def test_t_quantile_refuses_what_it_does_not_compute(p: float, df: float) -> None:
    with pytest.raises(ValueError):
        stats.t_quantile(p, df)
