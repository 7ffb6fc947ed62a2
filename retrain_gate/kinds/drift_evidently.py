"""Evidently's conventions (its legacy stattests, 0.4 to 0.7), for teams that migrate and want
the same numbers: `convention: evidently` on a drift or dataset_drift rule.

- Binning two samples (PSI, JS): when the reference has more than 20 distinct values,
  equal-width bins over both samples together, as many as Sturges' rule gives for their joint
  size N (ceil(log2 N + 1), `numpy.histogram_bin_edges(..., bins="sturges")`); otherwise one
  bin per distinct value of either sample. Bins are closed on the left, the last on both sides.
- Empty bins (PSI only): on each side, a zero proportion becomes min / 10^6, where min is the
  side's smallest non-zero proportion, if min <= 1e-4, else 1e-4. Bins empty on both sides are
  kept (with different sample sizes they add a small positive term).
- JS: the natural-log distance, sqrt(JSD_e), which is the base-2 distance times sqrt(ln 2).
- chi-square: the goodness-of-fit test against the reference scaled to the current's size.
- Thresholds are Evidently's: `>=` for PSI, JS and Wasserstein, `<=` for the KS p-value, `<`
  for chi-square's (retrain-gate's own: strict `>` and `<`).

Not reproduced: for fewer than 10,000 values per side scipy's `ks_2samp` (which Evidently calls)
computes an exact KS p-value; retrain-gate's is the asymptotic one, a little smaller at a few
hundred values. Verdicts differ only for p-values close to the threshold.
"""

from __future__ import annotations

import math
from collections import Counter

from retrain_gate.errors import DataError
from retrain_gate.sources.samples import Distribution, Histogram, Sample, count_distinct

# Evidently bins a numeric sample by value up to this many distinct reference values.
MAX_VALUES_BINNED_BY_VALUE = 20


def histograms(reference: Distribution, current: Distribution) -> tuple[Histogram, Histogram]:
    """Both samples on Evidently's bins; histograms are left as committed."""
    if not (isinstance(reference, Sample) and isinstance(current, Sample)):
        from retrain_gate.kinds.drift_measures import to_histogram

        return to_histogram(reference, current)
    if not reference.values:
        raise DataError("the reference sample is empty")
    if not current.values:
        raise DataError("the current sample is empty")
    if count_distinct(reference.values, limit=MAX_VALUES_BINNED_BY_VALUE) is not None:
        return by_value(reference, current)
    # Sorted once (the report's bins need the reference sorted anyway): the ends are the
    # extremes, and the bins are counted by one bisection per edge.
    ref, cur = reference.ordered, current.ordered
    edges = _sturges(min(ref[0], cur[0]), max(ref[-1], cur[-1]), len(ref) + len(cur))
    from retrain_gate.kinds.drift_measures import sample_in_bins

    inner = edges[1:-1]
    return (
        Histogram(edges=edges, categories=None, counts=sample_in_bins(inner, reference)),
        Histogram(edges=edges, categories=None, counts=sample_in_bins(inner, current)),
    )


def by_value(reference: Sample, current: Sample) -> tuple[Histogram, Histogram]:
    """One bin per distinct value of either sample."""
    ref, cur = Counter(reference.values), Counter(current.values)
    keys = sorted(set(ref) | set(cur))
    labels = tuple(repr(key) for key in keys)
    return (
        Histogram(edges=None, categories=labels, counts=tuple(float(ref[k]) for k in keys)),
        Histogram(edges=None, categories=labels, counts=tuple(float(cur[k]) for k in keys)),
    )


def sturges_edges(*samples: tuple[float, ...]) -> tuple[float, ...]:
    """numpy.histogram_bin_edges(concatenated samples, bins="sturges")."""
    low = min(min(s) for s in samples)
    high = max(max(s) for s in samples)
    return _sturges(low, high, sum(len(s) for s in samples))


def _sturges(low: float, high: float, size: int) -> tuple[float, ...]:
    if low == high:
        low, high = low - 0.5, high + 0.5
    width = (high - low) / (math.log2(size) + 1.0)
    count = math.ceil((high - low) / width) if width else 1
    step = (high - low) / count
    return (*(low + i * step for i in range(count)), high)


def psi(reference: Histogram, current: Histogram) -> float:
    """PSI with Evidently's empty-bin rule (module docstring)."""
    ref = _filled(_proportions(reference))
    cur = _filled(_proportions(current))
    return math.fsum((r - c) * math.log(r / c) for r, c in zip(ref, cur))


def _proportions(histogram: Histogram) -> list[float]:
    total = histogram.total
    return [count / total for count in histogram.counts]


def _filled(proportions: list[float]) -> list[float]:
    smallest = min(p for p in proportions if p > 0)
    fill = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return [p if p > 0 else fill for p in proportions]


def js_distance(reference: Histogram, current: Histogram) -> float:
    """The natural-log Jensen-Shannon distance (scipy's default base)."""
    from retrain_gate.kinds.drift_measures import js_distance as base_2

    return base_2(reference, current) * math.sqrt(math.log(2.0))
