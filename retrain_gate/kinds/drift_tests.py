"""Two-sample tests and distances for drift: Kolmogorov-Smirnov, chi-square, Wasserstein.

KS (two-sample Kolmogorov-Smirnov), on raw samples only: D = sup_x |F_ref(x) - F_cur(x)|, the
largest gap between the two empirical CDFs, in [0, 1]. The p-value is the asymptotic one: with
en = n*m / (n+m),

    p = Q_KS(sqrt(en) * D),   Q_KS(x) = 2 * sum_{j>=1} (-1)^(j-1) * exp(-2 j^2 x^2)

(for small x the complementary series 1 - sqrt(2 pi)/x * sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 x^2))
is used, so p stays accurate). This is `scipy.special.kolmogorov(sqrt(en) * D)`, NOT the
p-value `scipy.stats.ks_2samp` reports by default for small samples (exact): with a few dozen
values per side the two differ noticeably; with thousands they agree closely. From 20,000
values the walk over the merged samples is replaced by an exact branch and bound: the gaps at
some values (two bisections each) bound the gap between them, the interval with the largest
bound is cut finer, and only small intervals whose bound still beats the best gap found are
walked (for two 1M-value normal samples 0.05 sd apart, about 10,000 bisections and a few
thousand values walked: 20 ms instead of 700).

Chi-square, on counts (histograms of whole counts, or samples binned or counted by value):

- homogeneity (the default): the 2 x k contingency table of the two sides' counts, expected
  counts from the pooled proportions, X^2 = sum (O - E)^2 / E over both rows, k - 1 degrees of
  freedom (k: bins with an observation on either side), no continuity correction. This is
  `scipy.stats.chi2_contingency(table, correction=False)`. Both samples are random: a small
  reference is not mistaken for the truth.
- goodness of fit (the Evidently convention): expected = reference counts scaled to the
  current's size, X^2 = sum (c_i - e_i)^2 / e_i, k - 1 degrees of freedom: this is
  `scipy.stats.chisquare(current, expected)`. It treats the reference as exact, so it reads
  the reference's own noise as drift when the reference is small; a value seen only in the
  current gives an infinite statistic and p = 0.

p = Q(df/2, X^2/2), the regularized upper incomplete gamma function (series below a + 1,
Lentz's continued fraction above; Numerical Recipes, 3rd ed., section 6.2).

Wasserstein (earth mover's) distance on raw samples: W1 = integral |F_ref(x) - F_cur(x)| dx,
`scipy.stats.wasserstein_distance`, divided by the reference's standard deviation (population,
ddof 0; at least 0.001) as Evidently normalises it: a unitless shift, 0.1 meaning the mass moved
a tenth of a standard deviation on average.
"""

from __future__ import annotations

import math
import operator
from bisect import bisect_right
from collections.abc import Sequence
from functools import partial
from heapq import heappop, heappush

from retrain_gate.errors import DataError

# Evidently's floor for the normalising standard deviation (a constant reference).
MIN_NORM = 0.001


def ks_2samp(
    reference: Sequence[float], current: Sequence[float], *, presorted: bool = False
) -> tuple[float, float]:
    """Two-sample KS statistic D and its asymptotic p-value (see the module docstring).
    `presorted`: both sequences are sorted already (`Sample.ordered`)."""
    ref = reference if presorted else sorted(reference)
    cur = current if presorted else sorted(current)
    n, m = len(ref), len(cur)
    if n == 0:
        raise DataError("the reference sample is empty")
    if m == 0:
        raise DataError("the current sample is empty")
    gap = _largest_gap(ref, cur) if n + m >= _PRUNE_FROM else _walk(ref, cur)
    statistic = gap / (n * m)
    effective_n = n * m / (n + m)
    return statistic, kolmogorov_sf(math.sqrt(effective_n) * statistic)


# From this many values the walk is pruned (`_largest_gap`).
_PRUNE_FROM = 20_000
# An interval is cut at every _STEP-th value of its larger side (at least _FAN pieces), and
# walked value by value once it holds at most _WALK values.
_STEP = 256
_FAN = 16
_WALK = 64


def _walk(ref: Sequence[float], cur: Sequence[float]) -> int:
    """max |i m - j n| over the distinct values, i and j the counts of values <= each one:
    n m times D. Compared exactly in integers."""
    # (Written out by hand: this loop is the hot path for a million values per side.)
    n, m = len(ref), len(cur)
    i = j = 0
    best = 0
    x, y = ref[0], cur[0]
    while True:
        value = x if x <= y else y
        while x <= value:
            i += 1
            if i == n:
                break
            x = ref[i]
        while y <= value:
            j += 1
            if j == m:
                break
            y = cur[j]
        gap = i * m - j * n
        if gap < 0:
            gap = -gap
        if gap > best:
            best = gap
        if i == n or j == m:
            # past this point one CDF is 1 and the other only climbs towards it
            return best


def _largest_gap(ref: Sequence[float], cur: Sequence[float]) -> int:
    """What `_walk` returns, by branch and bound: an interval of values (ref[i:i_end] and
    cur[j:j_end], i and j counting the values below it) is cut at some of its values, where
    the gaps are exact (two bisections each); the gap anywhere inside a piece is bounded by
    the counts at its ends (they lie between them); the piece with the largest bound is cut
    next, walked once small, and the search stops when no bound beats the best exact gap."""
    n, m = len(ref), len(cur)
    best = 0
    pending = [(-n * m, 0, n, 0, m)]  # (-bound, i, i_end, j, j_end), a heap
    while pending:
        bound, i, i_end, j, j_end = heappop(pending)
        if -bound <= best:
            break
        size = i_end - i + j_end - j
        if size <= _WALK:
            best = max(best, _walk_between(ref, cur, i, i_end, j, j_end))
            continue
        side, low, high = (ref, i, i_end) if i_end - i >= j_end - j else (cur, j, j_end)
        step = max(1, min(_STEP, (high - low) // _FAN))
        cuts = side[low + step - 1 : high - 1 : step]  # values inside the interval
        refs = [*map(partial(bisect_right, ref, lo=i, hi=i_end), cuts), i_end]
        curs = [*map(partial(bisect_right, cur, lo=j, hi=j_end), cuts), j_end]
        best = max(best, *(abs(a * m - b * n) for a, b in zip(refs, curs)))
        low_i, low_j = i, j
        for high_i, high_j in zip(refs, curs):
            piece = max(high_i * m - low_j * n, high_j * n - low_i * m)
            if piece > best:
                if high_i - low_i + high_j - low_j == size:  # one tied value: no cut helps
                    best = max(best, _walk_between(ref, cur, low_i, high_i, low_j, high_j))
                else:
                    heappush(pending, (-piece, low_i, high_i, low_j, high_j))
            low_i, low_j = high_i, high_j
    return best


def _walk_between(
    ref: Sequence[float], cur: Sequence[float], i: int, i_end: int, j: int, j_end: int
) -> int:
    """`_walk` over ref[i:i_end] and cur[j:j_end], the values of one interval, i and j
    counting the values below it."""
    n, m = len(ref), len(cur)
    best = 0
    x = ref[i] if i < i_end else math.inf
    y = cur[j] if j < j_end else math.inf
    while i < i_end or j < j_end:
        value = x if x <= y else y
        while x <= value:
            i += 1
            x = ref[i] if i < i_end else math.inf
        while y <= value:
            j += 1
            y = cur[j] if j < j_end else math.inf
        gap = i * m - j * n
        if gap < 0:
            gap = -gap
        if gap > best:
            best = gap
    return best


# Below this x the alternating series converges slowly and loses precision near p = 1.
_KOLMOGOROV_CUTOVER = 0.82


def kolmogorov_sf(x: float) -> float:
    """Q_KS(x) = P(K > x) for the Kolmogorov distribution, in [0, 1]."""
    if not x > 0:
        return 1.0
    if x < _KOLMOGOROV_CUTOVER:
        w = math.pi**2 / (8.0 * x * x)
        total = 0.0
        k = 1
        while True:
            term = math.exp(-(k * k) * w)
            total += term
            if term <= total * 1e-17:
                break
            k += 2
        cdf = math.sqrt(2.0 * math.pi) / x * total
        return min(max(1.0 - cdf, 0.0), 1.0)
    total = 0.0
    sign = 1.0
    for j in range(1, 101):
        term = math.exp(-2.0 * j * j * x * x)
        total += sign * term
        if term <= abs(total) * 1e-17 or term == 0.0:
            break
        sign = -sign
    return min(max(2.0 * total, 0.0), 1.0)


def chi_square(
    reference: Sequence[float], current: Sequence[float], *, goodness_of_fit: bool = False
) -> tuple[float, float]:
    """Chi-square statistic and p-value over aligned counts (module docstring)."""
    n, m = math.fsum(reference), math.fsum(current)
    if not n > 0:
        raise DataError("the reference has no observations")
    if not m > 0:
        raise DataError("the current has no observations")
    pairs = [(r, c) for r, c in zip(reference, current) if r > 0 or c > 0]
    if goodness_of_fit:
        scale = m / n
        if any(r == 0 for r, _ in pairs):  # a value the reference never saw
            return math.inf, 0.0
        statistic = math.fsum((c - r * scale) ** 2 / (r * scale) for r, c in pairs)
    else:
        total = n + m
        terms = []
        for r, c in pairs:
            expected_r = n * (r + c) / total
            expected_c = m * (r + c) / total
            terms.append((r - expected_r) ** 2 / expected_r + (c - expected_c) ** 2 / expected_c)
        statistic = math.fsum(terms)
    freedom = len(pairs) - 1
    if freedom < 1:
        return 0.0, 1.0
    return statistic, chi2_sf(statistic, freedom)


def chi2_sf(x: float, freedom: int) -> float:
    """P(X > x) for a chi-square with `freedom` degrees: Q(freedom / 2, x / 2)."""
    if not x > 0:
        return 1.0
    if math.isinf(x):
        return 0.0
    a, z = freedom / 2.0, x / 2.0
    log_prefix = -z + a * math.log(z) - math.lgamma(a)
    if z < a + 1.0:  # the series for P(a, z) converges fast here
        term = total = 1.0 / a
        denominator = a
        while True:
            denominator += 1.0
            term *= z / denominator
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return min(max(1.0 - total * math.exp(log_prefix), 0.0), 1.0)
    tiny = 1e-300  # Lentz's continued fraction for Q(a, z)
    b = z + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    i = 1
    while i < 100_000:
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = d if abs(d) > tiny else tiny
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
        i += 1
    return min(max(math.exp(log_prefix) * h, 0.0), 1.0)


def wasserstein(
    reference: Sequence[float], current: Sequence[float], *, presorted: bool = False
) -> float:
    """W1 between two samples: the area between their empirical CDFs (`presorted`: both
    sequences are sorted already)."""
    ref = reference if presorted else sorted(reference)
    cur = current if presorted else sorted(current)
    n, m = len(ref), len(cur)
    if n == 0:
        raise DataError("the reference sample is empty")
    if m == 0:
        raise DataError("the current sample is empty")
    if n == m:
        # W1 is also the area between the quantile functions, which for n values a side both
        # step at k / n: the mean gap between the k-th smallest values, summed at C speed.
        return math.fsum(map(abs, map(operator.sub, ref, cur))) / n
    # Walk the merged distinct values; between two of them the CDF gap |i/n - j/m| is flat.
    i = j = 0
    area = 0.0
    x, y = ref[0], cur[0]
    previous = x if x <= y else y
    while i < n or j < m:
        value = x if x <= y else y
        gap = i * m - j * n
        area += (gap if gap >= 0 else -gap) * (value - previous)
        previous = value
        while x <= value:
            i += 1
            if i == n:
                x = math.inf
                break
            x = ref[i]
        while y <= value:
            j += 1
            if j == m:
                y = math.inf
                break
            y = cur[j]
    return area / (n * m)


def normalised_wasserstein(
    reference: Sequence[float], current: Sequence[float], *, presorted: bool = False
) -> float:
    """W1 divided by the reference's population standard deviation (at least MIN_NORM)."""
    return wasserstein(reference, current, presorted=presorted) / reference_spread(reference)


def reference_spread(values: Sequence[float]) -> float:
    """The population standard deviation (ddof 0), at least MIN_NORM: Wasserstein's unit.
    Exact sums (fsum), so the order does not matter: pass the values as committed, not
    sorted (a pass over a million sorted floats is twice as slow: they lie all over memory)."""
    mean = math.fsum(values) / len(values)
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))
    return max(spread, MIN_NORM)
