"""Score statistics from aggregated data: (score, count) pairs, never one row per log.

The database groups a prompt's logs by score and counts them (see ``store/analytics.py``), so
what reaches Python is one pair per distinct score, and every figure here is exact from those
pairs: sums and spreads weight each score by its count, the median walks cumulative counts,
and Mann–Whitney's average ranks come from where each distinct score starts in the merged
order of both samples.

The two figures that need a distribution match SciPy (``scipy.stats.ttest_ind(b, a,
equal_var=False).confidence_interval(0.95)`` and ``scipy.stats.mannwhitneyu(b, a,
alternative="two-sided", method="asymptotic")``) to 1e-6, but SciPy is not a runtime
dependency: it weighs about 100 MB installed (with NumPy) for two functions. Student's t
quantile is computed here instead, from the regularized incomplete beta function (a continued
fraction) inverted by safeguarded Newton steps; the normal tail comes from ``math.erfc``.

A figure that is undefined is ``None``, never NaN: a spread below two scores, a Welch interval
when both samples have zero variance, a Mann–Whitney p-value when every score ties. A single
group's interval with zero variance is defined by its formula (mean ± 0) and is given.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, pairwise, repeat

Pairs = Mapping[float, int]
"""Distinct score → how many logs have it."""

BINS = 11
MIN_FOR_VERDICT = 5
ALPHA = 0.05

NOT_ENOUGH = "not enough data"
B_BETTER = "b is better"
A_BETTER = "a is better"
NO_CLEAR = "no clear difference"


def merge(parts: Iterable[Pairs]) -> dict[float, int]:
    """Pairs of several groups as one sample (for the total, or a version over its models)."""
    merged: dict[float, int] = {}
    for pairs in parts:
        for value, count in pairs.items():
            merged[value] = merged.get(value, 0) + count
    return merged


@dataclass(frozen=True, slots=True)
class Moments:
    n: int
    mean: float
    variance: float | None  # sample variance (n − 1); None below two scores


def moments(pairs: Pairs) -> Moments | None:
    return _moments(list(pairs), list(pairs.values()))


def _moments(values: list[float], counts: list[int]) -> Moments | None:
    n = sum(counts)
    if n == 0:
        return None
    # Every per-score loop stays in C (``map`` over ``operator`` functions): /stats summarises
    # a hundred groups of up to a hundred distinct scores each on every request. ``fsum`` is
    # correctly rounded, so the order of the scores does not change a figure.
    mean = math.fsum(map(operator.mul, values, counts)) / n
    if len(values) == 1:
        # Exactly zero: one distinct score has no spread, whatever rounding the mean took.
        variance: float | None = 0.0 if n > 1 else None
    elif n > 1:
        # count * (value - mean) ** 2 for each score, the same operations as written out.
        squares = map(operator.pow, map(operator.sub, values, repeat(mean)), repeat(2))
        variance = math.fsum(map(operator.mul, counts, squares)) / (n - 1)
    else:
        variance = None
    return Moments(n, mean, variance)


@dataclass(frozen=True, slots=True)
class _Sorted:
    """A group's pairs in score order, for the figures that need the order."""

    values: list[float]  # the distinct scores, ascending
    counts: list[int]  # how many logs have each
    through: list[int]  # running totals: through[i] = counts[0] + ... + counts[i]


def _sorted(pairs: Pairs) -> _Sorted:
    values = sorted(pairs)
    counts = list(map(pairs.__getitem__, values))
    return _Sorted(values, counts, list(accumulate(counts)))


def median(pairs: Pairs) -> float | None:
    return _median(_sorted(pairs))


def _median(ordered: _Sorted) -> float | None:
    n = ordered.through[-1] if ordered.through else 0
    if n == 0:
        return None
    # The middle score(s) are at 0-based positions (n - 1) // 2 and n // 2 of the sorted
    # sample: the first distinct score whose running total passes the position.
    low = ordered.values[bisect_right(ordered.through, (n - 1) // 2)]
    high = ordered.values[bisect_right(ordered.through, n // 2)]
    return low if low == high else (low + high) / 2


def histogram(pairs: Pairs) -> list[int]:
    """Eleven counts: bin i holds scores i ≤ s < i + 1; bin 10 holds 10."""
    return _histogram(_sorted(pairs))


def _histogram(ordered: _Sorted) -> list[int]:
    # Where each bin starts in the sorted scores; anything below 1 (there is nothing below 0)
    # is in bin 0 and anything from 10 on in bin 10, as a clamped floor would put it.
    cuts = [0, *(bisect_left(ordered.values, edge) for edge in range(1, BINS)), len(ordered.values)]
    before = [0, *ordered.through]  # before[k]: how many logs have one of the first k scores
    return [before[end] - before[start] for start, end in pairwise(cuts)]


@dataclass(frozen=True, slots=True)
class Summary:
    scored: int
    mean: float | None
    median: float | None
    stddev: float | None
    min: float | None
    max: float | None
    ci95: tuple[float, float] | None
    histogram: list[int]


def summarize(pairs: Pairs) -> Summary:
    """Every figure of one group's scores."""
    ordered = _sorted(pairs)
    m = _moments(ordered.values, ordered.counts)
    if m is None:
        return Summary(0, None, None, None, None, None, None, [0] * BINS)
    stddev = ci95 = None
    if m.variance is not None:
        stddev = math.sqrt(m.variance)
        half = t_quantile(0.975, m.n - 1) * stddev / math.sqrt(m.n)
        ci95 = (m.mean - half, m.mean + half)
    return Summary(
        scored=m.n,
        mean=m.mean,
        median=_median(ordered),
        stddev=stddev,
        min=ordered.values[0],
        max=ordered.values[-1],
        ci95=ci95,
        histogram=_histogram(ordered),
    )


# ---- two samples ------------------------------------------------------------------------


def welch_interval(a: Pairs, b: Pairs, level: float = 0.95) -> tuple[float, float] | None:
    """Welch's confidence interval for mean(b) − mean(a)."""
    ma, mb = moments(a), moments(b)
    if ma is None or mb is None or ma.variance is None or mb.variance is None:
        return None
    va, vb = ma.variance / ma.n, mb.variance / mb.n
    if va + vb == 0:
        return None
    df = (va + vb) ** 2 / (va**2 / (ma.n - 1) + vb**2 / (mb.n - 1))
    half = t_quantile(0.5 + level / 2, df) * math.sqrt(va + vb)
    difference = mb.mean - ma.mean
    return (difference - half, difference + half)


def mann_whitney_p(a: Pairs, b: Pairs) -> float | None:
    """Two-sided asymptotic Mann–Whitney U p-value for b against a, with the continuity and
    tie corrections (SciPy's defaults)."""
    na, nb = sum(a.values()), sum(b.values())
    n = na + nb
    if na == 0 or nb == 0:
        return None
    rank_sum_b = 0.0
    tie_term = 0
    below = 0  # scores of both samples strictly below the current value
    for value in sorted(a.keys() | b.keys()):
        in_a, in_b = a.get(value, 0), b.get(value, 0)
        tied = in_a + in_b
        # Ranks below+1 … below+tied share their average.
        rank_sum_b += in_b * (below + (tied + 1) / 2)
        tie_term += tied**3 - tied
        below += tied
    spread = na * nb / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    if spread <= 0:
        return None  # every score ties: nothing to rank
    u_b = rank_sum_b - nb * (nb + 1) / 2
    u = max(u_b, na * nb - u_b)
    z = (u - na * nb / 2 - 0.5) / math.sqrt(spread)
    return min(1.0, 2 * normal_sf(z))


def verdict(
    count_a: int, count_b: int, ci95: tuple[float, float] | None, p_value: float | None
) -> str:
    if count_a < MIN_FOR_VERDICT or count_b < MIN_FOR_VERDICT:
        return NOT_ENOUGH
    if ci95 is None or p_value is None or p_value >= ALPHA:
        return NO_CLEAR
    if ci95[0] > 0:
        return B_BETTER
    if ci95[1] < 0:
        return A_BETTER
    return NO_CLEAR


# ---- distributions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    """One version's scored logs in a comparison."""

    version: int
    count: int
    mean: float | None
    median: float | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Version b against version a: SPEC's ``compare`` figures, for the API and the UI."""

    a: Side
    b: Side
    difference: float | None  # mean(b) - mean(a)
    ci95: tuple[float, float] | None
    p_value: float | None
    verdict: str


def _side(version: int, pairs: Pairs) -> Side:
    m = moments(pairs)
    return Side(version, 0 if m is None else m.n, None if m is None else m.mean, median(pairs))


def compare(version_a: int, of_a: Pairs, version_b: int, of_b: Pairs) -> Comparison:
    """Welch's interval for the difference of means, Mann-Whitney's p and the verdict."""
    a, b = _side(version_a, of_a), _side(version_b, of_b)
    interval = welch_interval(of_a, of_b)
    p_value = mann_whitney_p(of_a, of_b)
    difference = None if a.mean is None or b.mean is None else b.mean - a.mean
    return Comparison(
        a, b, difference, interval, p_value, verdict(a.count, b.count, interval, p_value)
    )


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z, accurate far into the tail."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), evaluated by the modified Lentz method; converges
    fast for x < (a + 1) / (a + b + 2)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 100_000):
        # The even step, then the odd step, of the fraction's terms.
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-16:
            break
    return result


def beta_split(a: float, b: float, x: float, y: float) -> tuple[float, float]:
    """(I_x(a, b), 1 − I_x(a, b)), the regularized incomplete beta function and its
    complement, given x and y = 1 − x (both, so neither is rounded to 0 or 1 when tiny).
    Whichever of the two results the continued fraction computes is accurate to its last
    digits even when tiny; the other is one minus it."""
    if x <= 0:
        return 0.0, 1.0
    if y <= 0:
        return 1.0, 0.0
    log_front = (
        a * math.log(x) + b * math.log(y) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    )
    if x < (a + 1) / (a + b + 2):
        below = math.exp(log_front) * _beta_fraction(a, b, x) / a
        return below, 1 - below
    above = math.exp(log_front) * _beta_fraction(b, a, y) / b
    return 1 - above, above


def t_pdf(t: float, df: float) -> float:
    log_density = (
        math.lgamma((df + 1) / 2)
        - math.lgamma(df / 2)
        - 0.5 * math.log(df * math.pi)
        - (df + 1) / 2 * math.log1p(t * t / df)
    )
    return math.exp(log_density)


def _t_cdf_gap(t: float, df: float, p: float) -> float:
    """P(T ≤ t) − p for t ≥ 0 and p ≥ 0.5, without losing the digits of a small gap: the
    central probability P(|T| < t) is I_{t²/(df+t²)}(1/2, df/2), the two tails its complement,
    and the gap is taken against whichever of the two is the smaller."""
    central, tails = beta_split(0.5, df / 2, t * t / (df + t * t), df / (df + t * t))
    if tails < 0.5:
        return (1 - p) - tails / 2
    return central / 2 - (p - 0.5)


def normal_quantile(p: float) -> float:
    """The z with P(Z ≤ z) = p, for 0.5 ≤ p < 1: Newton's method on the normal CDF (near the
    centre from ``erf``, in the tail from ``erfc``, so the gap keeps its digits)."""
    z = 0.0
    for _ in range(100):
        near_centre = z < 1
        gap = (
            (0.5 * math.erf(z / math.sqrt(2)) - (p - 0.5))
            if near_centre
            else (1 - p) - normal_sf(z)
        )
        step = gap / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
        z -= step
        if abs(step) <= 1e-16 * max(1.0, z):
            break
    return z


# From this many degrees of freedom the expansion below alone is within 1e-13 of the
# quantile for p ≤ 0.999 (checked against SciPy in the tests); under it, or further into the
# tail, it is where Newton's method starts.
_EXPANSION_DF = 200
_EXPANSION_P = 0.999


def _t_expansion(z: float, df: float) -> float:
    """Cornish–Fisher expansion of Student's t quantile around the normal one, in 1/df."""
    z2 = z * z
    terms = (
        z,
        z * (z2 + 1) / 4,
        z * ((5 * z2 + 16) * z2 + 3) / 96,
        z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / 384,
        z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / 92160,
        z * (((((27 * z2 + 339) * z2 + 930) * z2 - 1782) * z2 - 765) * z2 + 17955) / 368640,
    )
    return math.fsum(term / df**power for power, term in enumerate(terms))


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The t with P(T ≤ t) = p for Student's t with ``df`` (any real > 0) degrees of
    freedom, for 0.5 ≤ p < 1 (what two-sided intervals need).

    For many degrees of freedom the expansion is exact to double precision and costs
    nothing, whereas the continued fraction takes longer the more degrees of freedom there
    are. Otherwise Newton's method refines the expansion, kept inside a bracket that shrinks
    with every step (bisection whenever a step would leave it), so it converges for any df.
    """
    if not 0.5 <= p < 1 or not df > 0:
        raise ValueError("t_quantile needs 0.5 <= p < 1 and df > 0")
    if p == 0.5:
        return 0.0
    t = _t_expansion(normal_quantile(p), df)
    if df >= _EXPANSION_DF and p <= _EXPANSION_P:
        return t
    low, high = 0.0, math.inf
    if not t > 0:
        t = 1.0
    for _ in range(300):
        gap = _t_cdf_gap(t, df, p)
        if gap == 0:
            return t
        if gap < 0:
            low = t  # P(T ≤ t) is still short of p: the quantile is further out
        else:
            high = t
        candidate = t - gap / t_pdf(t, df)
        if not low < candidate < high:
            candidate = (low + high) / 2 if high < math.inf else 2 * t
        if abs(candidate - t) <= 4e-16 * t:
            return candidate
        t = candidate
    return t
