"""Distribution drift: committed histograms and samples, compared by PSI, JS, KS, chi-square, W1.

What a committed distribution file may hold
-------------------------------------------
A file (JSON, YAML or CSV) holds one distribution or several named ones:

    {"bins": [0, 10, 20, 40], "counts": [120, 340, 95]}   # numeric histogram: k+1 edges, k counts
    {"categories": ["web", "ios"], "counts": [700, 300]}  # categorical: k labels, k counts
    {"values": [1.0, 2.5, 2.7]}                           # a raw sample
    [1.0, 2.5, 2.7]  or  ["fr", "de", "fr"]               # a raw sample of numbers or of labels
    {"features": {"age": {...}, "country": {...}}}        # several features, each one of the above
    {"fr": 600, "de": 400}                        # pandas value_counts().to_json(): categorical
    {"age": [31, 45], "country": ["fr", "de"]}    # pandas to_dict('list'): one sample per feature
    [{"age": 31, "country": "fr"}, ...]           # pandas to_json(orient='records')
    age,country / 31,fr / 45,de                   # a CSV: a header row, one sample per column

A single distribution may carry `"feature": "age"` to name it. Other keys (notes, timestamps) are
ignored. Counts may be any non-negative numbers (raw counts or proportions); they are normalised
to proportions before comparing. Bin edges must be strictly increasing; the outer edges may be
open: `-.inf` / `.inf` in YAML, and in JSON `null`, the strings "-inf" / "inf", or -Infinity /
Infinity as Python's json.dump writes them. A sample of labels is counted into a categorical
histogram. In samples, null, NaN and empty CSV cells are missing: dropped and counted (the rule
decides, by `missing:`, whether that is an error). NaN or infinite counts, infinite values,
negative counts, all-zero counts, empty samples and samples mixing numbers and labels are errors
naming the file, the feature and the entry; in a file holding several features such an error
belongs to that feature only. A mapping of lists is read as to_dict('list') unless a key is one
of bins, categories, values, counts, edges or feature.

Bringing two distributions onto the same bins
---------------------------------------------
PSI and JS compare two histograms bin by bin, so both sides are first put on the same bins:

- two numeric histograms must have identical edges (otherwise an error says where they differ);
- two categorical histograms are matched by label; a label missing on one side counts 0;
- two samples are binned on the REFERENCE sample's quantiles (deciles by default; the `bins`
  option sets how many): the inner edges are the reference's 1/bins, 2/bins, ... quantiles
  (linear interpolation, as `numpy.quantile`), duplicate edges are dropped (heavy ties give
  fewer bins), and the outer edges are -inf / +inf so every current value lands in a bin;
- a histogram and a sample: the sample is binned on the histogram's edges; values outside the
  outer edges are counted in the first or last bin, so out-of-range values show up as drift
  rather than vanish.

Bins are closed on the left: a value equal to an edge counts in the bin above it (the last bin
also holds its right edge).

Metrics
-------
PSI (population stability index), over bin proportions r_i (reference) and c_i (current):

    PSI = sum_i (c_i - r_i) * ln(c_i / r_i)

An empty bin would make a term infinite, so its proportion is replaced before the sum
(proportions are NOT renormalised after the replacement):

    empty r_i -> 1 / (2 n),   empty c_i -> 1 / (2 m)      (n, m: the two sides' counts)

that is, an empty bin counts as half an observation: the Haldane-Anscombe correction for the
logarithm of a frequency ratio (J. B. S. Haldane, "The estimation and significance of the
logarithm of a ratio of frequencies", Annals of Human Genetics 20, 1956; F. J. Anscombe,
"On estimating binomial response relations", Biometrika 43, 1956). It scales with the sample:
a fixed epsilon of 1e-4 stands for 100 observations at n = 1M, and sparse bins of two samples
of the same heavy-tailed distribution then read as drift (PSI 0.104 for two 1M-value samples of
Student's t(2) on 1,000 bins; 0.001 with 1 / (2 n)). A bin empty on both sides adds nothing.
A histogram of proportions (counts that are not whole numbers) has no n: its empty bins become
1e-4. The `epsilon` option replaces both rules with one fixed proportion. PSI is 0 for identical
distributions and symmetric in the two sides. Rule of thumb: below 0.1 no shift, 0.1 to 0.25 a
moderate shift, above 0.25 a major shift. Under no drift PSI is not 0 but about
(k - 1) * (1/n + 1/m) on k bins (it is then close to a chi-square over n m / (n + m)): with
100,000 categories and 1M values a side that is 0.2, so compare such features by a test.

JS distance (Jensen-Shannon), with m_i = (r_i + c_i) / 2 and log base 2:

    JS = sqrt( (sum_i r_i log2(r_i / m_i) + sum_i c_i log2(c_i / m_i)) / 2 )

Terms with a zero proportion are 0, so no epsilon is needed. It lies in [0, 1] (0: identical,
1: no overlap) and equals `scipy.spatial.distance.jensenshannon(r, c, base=2)`.

KS, chi-square and Wasserstein: see `retrain_gate.kinds.drift_tests`.

Everything here is pure computation on already-loaded data, O(n log n) in the sample sizes.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Literal

from retrain_gate.errors import ConfigError, DataError
from retrain_gate.sources.samples import Distribution, Histogram, Sample, _number

Metric = Literal["psi", "ks", "js", "chisquare", "wasserstein"]
METRICS: tuple[Metric, ...] = ("psi", "ks", "js", "chisquare", "wasserstein")
# Whose binning and formulas: retrain-gate's own, or Evidently's (for teams that migrate).
Convention = Literal["retrain-gate", "evidently"]
# The metrics that are tests: they have a p-value (`p_below:`).
TESTS: tuple[Metric, ...] = ("ks", "chisquare")

# Rule-of-thumb PSI bands (see the module docstring).
PSI_MODERATE = 0.1
PSI_MAJOR = 0.25
# The empty-bin proportion when a histogram holds proportions, not counts (no n to scale by).
FIXED_EPSILON = 1e-4


# --------------------------------------------------------------------------- parsing


# --------------------------------------------------------------------------- binning


def to_histogram(
    reference: Distribution, current: Distribution, *, bins: int = 10
) -> tuple[Histogram, Histogram]:
    """Put both distributions on the same bins (rules in the module docstring)."""
    _check_bins(bins)
    if isinstance(reference, Histogram) and isinstance(current, Histogram):
        return _align_histograms(reference, current)
    if isinstance(reference, Histogram) and isinstance(current, Sample):
        return reference, _bin_on(reference, current, side="current")
    if isinstance(reference, Sample) and isinstance(current, Histogram):
        return _bin_on(current, reference, side="reference"), current
    assert isinstance(reference, Sample) and isinstance(current, Sample)
    if not reference.values:
        raise DataError("the reference sample is empty")
    if not current.values:
        raise DataError("the current sample is empty")
    inner = _quantile_edges(reference.ordered, bins=bins)
    edges = (-math.inf, *inner, math.inf)
    return (
        Histogram(edges=edges, categories=None, counts=sample_in_bins(inner, reference)),
        Histogram(edges=edges, categories=None, counts=sample_in_bins(inner, current)),
    )


def _quantile_edges(ordered: Sequence[float], *, bins: int) -> tuple[float, ...]:
    """Inner quantile edges 1/bins .. (bins-1)/bins, linear like numpy.quantile, deduplicated."""
    last = len(ordered) - 1
    edges: list[float] = []
    for step in range(1, bins):
        position = (step / bins) * last
        lower = min(int(position), last)
        upper = min(lower + 1, last)
        low, high = ordered[lower], ordered[upper]
        fraction = position - lower
        # numpy's lerp: interpolate from the nearer end for accuracy.
        if fraction >= 0.5:
            edge = high - (high - low) * (1 - fraction)
        else:
            edge = low + (high - low) * fraction
        edge = min(max(edge, low), high)  # rounding must not break monotonicity
        if not edges or edge > edges[-1]:
            edges.append(edge)
    return tuple(edges)


def count_in_bins(inner_edges: Sequence[float], values: Sequence[float]) -> tuple[float, ...]:
    """Counts per bin; values beyond the outer edges fall in the first / last bin."""
    tally = Counter(map(partial(bisect_right, inner_edges), values))
    return tuple(float(tally.get(index, 0)) for index in range(len(inner_edges) + 1))


def sample_in_bins(inner_edges: Sequence[float], sample: Sample) -> tuple[float, ...]:
    """`count_in_bins` of a sample's values: by one bisection per edge when the sample is
    sorted already (`Sample.ordered`, cached: bins are closed on the left, so the values
    below an edge are those bisect_left finds), else value by value (half a sort's cost)."""
    if "ordered" not in sample.__dict__:  # not sorted yet, and nothing else needs it sorted
        return count_in_bins(inner_edges, sample.values)
    ordered = sample.ordered
    positions = [0, *(bisect_left(ordered, edge) for edge in inner_edges), len(ordered)]
    return tuple(float(b - a) for a, b in pairwise(positions))


def _bin_on(histogram: Histogram, sample: Sample, *, side: str) -> Histogram:
    if histogram.edges is None:
        raise DataError(
            f"the {side} distribution is a sample of numbers but the other side is a "
            "categorical histogram; they cannot be compared",
            hint="commit both sides as categories, or both as numbers",
        )
    if not sample.values:
        raise DataError(f"the {side} sample is empty")
    counts = sample_in_bins(histogram.edges[1:-1], sample)
    return Histogram(edges=histogram.edges, categories=None, counts=counts)


def _align_histograms(reference: Histogram, current: Histogram) -> tuple[Histogram, Histogram]:
    if reference.categories is not None and current.categories is not None:
        if reference.categories == current.categories:
            return reference, current
        labels = list(reference.categories)
        known = set(labels)
        labels += [label for label in current.categories if label not in known]

        def counts_by(histogram: Histogram) -> tuple[float, ...]:
            assert histogram.categories is not None
            by_label = dict(zip(histogram.categories, histogram.counts))
            return tuple(by_label.get(label, 0.0) for label in labels)

        return (
            Histogram(edges=None, categories=tuple(labels), counts=counts_by(reference)),
            Histogram(edges=None, categories=tuple(labels), counts=counts_by(current)),
        )
    if reference.edges is None or current.edges is None:
        raise DataError(
            "one histogram is categorical and the other numeric; they cannot be compared",
            hint="commit both with 'categories' or both with 'bins'",
        )
    if reference.edges != current.edges:
        hint = "commit both histograms on the same bins, or commit raw samples ('values')"
        if len(reference.edges) != len(current.edges):
            raise DataError(
                f"the histograms have different bin edges: the reference has "
                f"{len(reference.counts)} bins, the current {len(current.counts)}",
                hint=hint,
            )
        index = next(i for i, (a, b) in enumerate(zip(reference.edges, current.edges)) if a != b)
        raise DataError(
            f"the histograms have different bin edges: bins[{index}] is "
            f"{_number(reference.edges[index])} in the reference but "
            f"{_number(current.edges[index])} in the current",
            hint=hint,
        )
    return reference, current


def _proportions(histogram: Histogram, *, side: str) -> list[float]:
    total = histogram.total
    if not total > 0 or not math.isfinite(total):
        raise DataError(f"the {side} histogram has no observations (all counts are zero)")
    return [count / total for count in histogram.counts]


def _check_bins(bins: int) -> None:
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
        raise ConfigError(f"bins must be a whole number of at least 2, got {bins!r}")


# --------------------------------------------------------------------------- metrics


def psi(reference: Histogram, current: Histogram, *, epsilon: float | None = None) -> float:
    """Population stability index. An empty bin's proportion becomes `epsilon` when given,
    otherwise half an observation of its side (1 / (2 n)); bins empty on both sides add 0."""
    if epsilon is not None and (
        isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not 0 < epsilon < 1
    ):
        raise ConfigError(f"epsilon must be a number between 0 and 1, got {epsilon!r}")
    reference, current = _align_histograms(reference, current)
    ref = _proportions(reference, side="reference")
    cur = _proportions(current, side="current")
    ref_floor = epsilon if epsilon is not None else empty_bin_proportion(reference)
    cur_floor = epsilon if epsilon is not None else empty_bin_proportion(current)
    return math.fsum(
        (c - r) * math.log(c / r)
        for r, c in ((r or ref_floor, c or cur_floor) for r, c in zip(ref, cur) if r > 0 or c > 0)
    )


def empty_bin_proportion(histogram: Histogram) -> float:
    """Half an observation, 1 / (2 n), when the counts are whole numbers (n their sum): the
    Haldane-Anscombe correction. Proportions carry no n: the fixed `FIXED_EPSILON` then."""
    total = histogram.total
    if total >= 1 and all(count == int(count) for count in histogram.counts):
        return 0.5 / total
    return FIXED_EPSILON


def js_distance(reference: Histogram, current: Histogram) -> float:
    """Jensen-Shannon distance (base 2), in [0, 1]."""
    reference, current = _align_histograms(reference, current)
    ref = _proportions(reference, side="reference")
    cur = _proportions(current, side="current")
    divergence = 0.0
    for r, c in zip(ref, cur):
        m = (r + c) / 2.0
        if r > 0:
            divergence += r * math.log(r / m)
        if c > 0:
            divergence += c * math.log(c / m)
    divergence /= math.log(2.0)
    # rounding can leave a hair below 0 or above 1
    return math.sqrt(min(max(divergence / 2.0, 0.0), 1.0))


@dataclass(frozen=True)
class Measured:
    """One feature's drift: the statistic (larger is more drift) and, for tests, its p-value."""

    statistic: float
    p_value: float | None = None
