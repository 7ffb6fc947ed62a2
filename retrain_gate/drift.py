"""Distribution drift: committed histograms and samples, compared with PSI, JS distance or KS.

What a committed distribution file may hold
-------------------------------------------
A file (JSON or YAML) holds one distribution or several named ones:

    {"bins": [0, 10, 20, 40], "counts": [120, 340, 95]}   # numeric histogram: k+1 edges, k counts
    {"categories": ["web", "ios"], "counts": [700, 300]}  # categorical: k labels, k counts
    {"values": [1.0, 2.5, 2.7]}                           # a raw sample
    [1.0, 2.5, 2.7]                                       # a raw sample, written as a plain list
    {"features": {"age": {...}, "country": {...}}}        # several features, each one of the above

A single distribution may carry `"feature": "age"` to name it. Other keys (notes, timestamps) are
ignored. Counts may be any non-negative numbers (raw counts or proportions); they are normalised
to proportions before comparing. Bin edges must be strictly increasing; the outer edges may be
`-.inf` / `.inf`. NaN or infinite counts and values, negative counts, all-zero counts and empty
samples are errors naming the file, the feature and the entry.

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

A proportion that is exactly 0 is replaced by `epsilon` (default 1e-4) before the sum, so an
empty bin gives a large but finite term; proportions are NOT renormalised after the
replacement. PSI is 0 for identical distributions and symmetric in the two sides. Rule of thumb:
below 0.1 no shift, 0.1 to 0.25 a moderate shift, above 0.25 a major shift.

JS distance (Jensen-Shannon), with m_i = (r_i + c_i) / 2 and log base 2:

    JS = sqrt( (sum_i r_i log2(r_i / m_i) + sum_i c_i log2(c_i / m_i)) / 2 )

Terms with a zero proportion are 0, so no epsilon is needed. It lies in [0, 1] (0: identical,
1: no overlap) and equals `scipy.spatial.distance.jensenshannon(r, c, base=2)`.

KS (two-sample Kolmogorov-Smirnov), on raw samples only (histograms are rejected):
D = sup_x |F_ref(x) - F_cur(x)|, the largest gap between the two empirical CDFs, in [0, 1].
The p-value is the asymptotic one: with en = n*m / (n+m),

    p = Q_KS(sqrt(en) * D),   Q_KS(x) = 2 * sum_{j>=1} (-1)^(j-1) * exp(-2 j^2 x^2)

(for small x the complementary series 1 - sqrt(2 pi)/x * sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 x^2))
is used, so p stays accurate). This is `scipy.special.kolmogorov(sqrt(en) * D)`, NOT the
p-value `scipy.stats.ks_2samp` reports by default (exact for small samples): with a few dozen
values per side the two differ noticeably; with thousands they agree closely. D itself equals
scipy's statistic. `compare("ks", ...)` returns D, so that for every metric a larger number
means more drift.

Everything here is pure computation on already-loaded data, O(n log n) in the sample sizes.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Literal, Protocol, cast

from retrain_gate.errors import ConfigError, DataError

Metric = Literal["psi", "ks", "js"]
METRICS: tuple[Metric, ...] = ("psi", "ks", "js")

# Rule-of-thumb PSI bands (see the module docstring).
PSI_MODERATE = 0.1
PSI_MAJOR = 0.25

_SHAPES = (
    '{"bins": [...], "counts": [...]}, {"categories": [...], "counts": [...]}, '
    '{"values": [...]}, {"features": {name: ...}} or a plain list of numbers'
)


@dataclass(frozen=True)
class Histogram:
    """Counts per bin: numeric (`edges`, k+1 increasing) or categorical (`categories`, k labels)."""

    edges: tuple[float, ...] | None
    categories: tuple[str, ...] | None
    counts: tuple[float, ...]

    def __post_init__(self) -> None:
        # Programming errors only: user data is checked (with its file) by parse_distributions.
        if (self.edges is None) == (self.categories is None):
            raise ValueError("a Histogram has either edges or categories, not both or neither")
        if not self.counts:
            raise ValueError("a Histogram needs at least one bin")
        if self.edges is not None and len(self.edges) != len(self.counts) + 1:
            raise ValueError(f"{len(self.edges)} edges for {len(self.counts)} counts")
        if self.categories is not None and len(self.categories) != len(self.counts):
            raise ValueError(f"{len(self.categories)} categories for {len(self.counts)} counts")

    @property
    def is_categorical(self) -> bool:
        return self.categories is not None

    @property
    def total(self) -> float:
        return math.fsum(self.counts)


@dataclass(frozen=True)
class Sample:
    """Raw observed values (finite numbers)."""

    values: tuple[float, ...]


Distribution = Histogram | Sample


# --------------------------------------------------------------------------- parsing


def parse_distributions(data: object, *, source: str) -> dict[str, Distribution]:
    """Parse a committed distribution file's content into {feature name: distribution}.

    A single unnamed distribution gets the key "". `source` is the file name used in errors.
    """
    if isinstance(data, Mapping) and "features" in data:
        clashing = sorted(str(k) for k in data if k in ("feature", "bins", "categories", "values"))
        if clashing:
            raise DataError(
                f"both 'features' and {_quoted(clashing)} at the top level; "
                "put every distribution under 'features'",
                file=source,
            )
        features = data["features"]
        if not isinstance(features, Mapping):
            raise DataError(
                f"'features' must be a mapping of feature name to distribution, "
                f"got {_kind(features)}",
                file=source,
            )
        if not features:
            raise DataError("'features' is empty; name at least one feature", file=source)
        parsed: dict[str, Distribution] = {}
        for name, entry in features.items():
            if not isinstance(name, str) or not name:
                raise DataError(
                    f"feature names must be non-empty strings, got {name!r}", file=source
                )
            if isinstance(entry, Mapping) and "feature" in entry and entry["feature"] != name:
                raise DataError(
                    f"feature {name!r}: its 'feature' key says {entry['feature']!r}",
                    file=source,
                    hint="drop the inner 'feature' key or make the two names agree",
                )
            parsed[name] = _parse_one(entry, feature=name, source=source)
        return parsed

    name = ""
    if isinstance(data, Mapping) and "feature" in data:
        name = data["feature"]
        if not isinstance(name, str) or not name:
            raise DataError(f"'feature' must be a non-empty string, got {name!r}", file=source)
    return {name: _parse_one(data, feature=name, source=source)}


def _parse_one(data: object, *, feature: str, source: str) -> Distribution:
    where = f"feature {feature!r}: " if feature else ""

    def fail(message: str, hint: str | None = None) -> DataError:
        return DataError(where + message, file=source, hint=hint)

    if isinstance(data, (list, tuple)):
        return Sample(_sample_values(data, field="values", fail=fail))
    if not isinstance(data, Mapping):
        raise fail(f"expected a distribution, got {_kind(data)}", hint=f"write one of {_SHAPES}")

    shape_keys = [key for key in ("bins", "categories", "values") if key in data]
    if len(shape_keys) != 1:
        found = sorted(str(key) for key in data)
        problem = (
            f"ambiguous distribution: it has {_quoted(shape_keys)}"
            if shape_keys
            else f"unknown distribution shape (keys: {_quoted(found) if found else 'none'})"
        )
        raise fail(problem, hint=f"expected one of {_SHAPES}")
    shape = shape_keys[0]

    if shape == "values":
        if "counts" in data:
            raise fail(
                "'values' and 'counts' together: a sample has no counts",
                hint='write either {"values": [...]} or {"bins": [...], "counts": [...]}',
            )
        values = data["values"]
        if not isinstance(values, (list, tuple)):
            raise fail(f"'values' must be a list of numbers, got {_kind(values)}")
        return Sample(_sample_values(values, field="values", fail=fail))

    if "counts" not in data:
        raise fail(f"'{shape}' without 'counts'", hint=f"add 'counts': one number per {shape[:-1]}")
    raw_counts = data["counts"]
    if not isinstance(raw_counts, (list, tuple)):
        raise fail(f"'counts' must be a list of numbers, got {_kind(raw_counts)}")
    counts = _numbers(raw_counts, field="counts", fail=fail)
    for index, count in enumerate(counts):
        if count < 0:
            raise fail(f"counts[{index}] is {_number(count)}; counts must be non-negative")

    if shape == "bins":
        raw_edges = data["bins"]
        if not isinstance(raw_edges, (list, tuple)):
            raise fail(f"'bins' must be a list of bin edges, got {_kind(raw_edges)}")
        edges = _numbers(raw_edges, field="bins", fail=fail, allow_infinite=True)
        if len(edges) < 2:
            raise fail(f"'bins' has {len(edges)} edge(s); a histogram needs at least 2 edges")
        for index in range(1, len(edges)):
            if not edges[index] > edges[index - 1]:
                raise fail(
                    f"bin edges must be strictly increasing: bins[{index}] = "
                    f"{_number(edges[index])} follows bins[{index - 1}] = "
                    f"{_number(edges[index - 1])}"
                )
        if len(counts) != len(edges) - 1:
            raise fail(
                f"'counts' has {len(counts)} entries but 'bins' has {len(edges)} edges; "
                f"expected {len(edges) - 1} counts (one per bin)"
            )
        _check_not_all_zero(counts, fail=fail)
        return Histogram(edges=edges, categories=None, counts=counts)

    raw_labels = data["categories"]
    if not isinstance(raw_labels, (list, tuple)) or not raw_labels:
        raise fail(f"'categories' must be a non-empty list of labels, got {_kind(raw_labels)}")
    labels: list[str] = []
    for index, label in enumerate(raw_labels):
        # YAML reads `1` or `2024` as numbers; they are still fine as labels.
        if isinstance(label, bool) or not isinstance(label, (str, int)):
            raise fail(f"categories[{index}] is {_kind(label)}; labels must be strings")
        labels.append(str(label))
    seen: set[str] = set()
    for index, label in enumerate(labels):
        if label in seen:
            raise fail(f"categories[{index}] repeats the label {label!r}")
        seen.add(label)
    if len(counts) != len(labels):
        raise fail(
            f"'counts' has {len(counts)} entries but 'categories' has {len(labels)} labels; "
            "expected one count per category"
        )
    _check_not_all_zero(counts, fail=fail)
    return Histogram(edges=None, categories=tuple(labels), counts=counts)


def _check_not_all_zero(counts: tuple[float, ...], *, fail: _Fail) -> None:
    if not any(counts):
        raise fail("counts are all zero; a histogram needs at least one observation")


def _sample_values(raw: Sequence[object], *, field: str, fail: _Fail) -> tuple[float, ...]:
    values = _numbers(raw, field=field, fail=fail)
    if not values:
        raise fail(f"'{field}' is empty; a sample needs at least one value")
    return values


class _Fail(Protocol):
    """Builds the DataError for one feature of one file (the prefix and file are filled in)."""

    def __call__(self, message: str, hint: str | None = None) -> DataError: ...


def _numbers(
    raw: Sequence[object], *, field: str, fail: _Fail, allow_infinite: bool = False
) -> tuple[float, ...]:
    """Finite floats from a list, or an error naming the first bad entry's index."""
    # Fast path at C speed for the common case (a million plain numbers).
    if set(map(type, raw)) <= {int, float}:
        try:
            values = tuple(map(float, cast("Sequence[float]", raw)))
        except OverflowError:
            values = None
        if (
            values is not None
            and not any(map(math.isnan, values))
            and (allow_infinite or all(map(math.isfinite, values)))
        ):
            return values
    converted: list[float] = []
    for index, item in enumerate(raw):
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise fail(f"{field}[{index}] is {_kind(item)}, not a number")
        try:
            number = float(item)
        except OverflowError:
            raise fail(f"{field}[{index}] is too large to be a number") from None
        if math.isnan(number):
            raise fail(
                f"{field}[{index}] is NaN",
                hint="drop missing values before committing the file",
            )
        if math.isinf(number) and not allow_infinite:
            raise fail(f"{field}[{index}] is {_number(number)}; it must be finite")
        converted.append(number)
    return tuple(converted)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


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
    ordered = sorted(reference.values)
    if not ordered:
        raise DataError("the reference sample is empty")
    if not current.values:
        raise DataError("the current sample is empty")
    inner = _quantile_edges(ordered, bins=bins)
    edges = (-math.inf, *inner, math.inf)
    # The reference is sorted already: one bisection per edge counts it (bins closed on the
    # left, so the values below an edge are those bisect_left finds).
    positions = [0, *(bisect_left(ordered, edge) for edge in inner), len(ordered)]
    reference_counts = tuple(float(b - a) for a, b in pairwise(positions))
    return (
        Histogram(edges=edges, categories=None, counts=reference_counts),
        Histogram(edges=edges, categories=None, counts=_count_in_bins(inner, current.values)),
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


def _count_in_bins(inner_edges: Sequence[float], values: Sequence[float]) -> tuple[float, ...]:
    """Counts per bin; values beyond the outer edges fall in the first / last bin."""
    tally = Counter(map(partial(bisect_right, inner_edges), values))
    return tuple(float(tally.get(index, 0)) for index in range(len(inner_edges) + 1))


def _bin_on(histogram: Histogram, sample: Sample, *, side: str) -> Histogram:
    if histogram.edges is None:
        raise DataError(
            f"the {side} distribution is a sample of numbers but the other side is a "
            "categorical histogram; they cannot be compared",
            hint="commit both sides as categories, or both as numbers",
        )
    if not sample.values:
        raise DataError(f"the {side} sample is empty")
    counts = _count_in_bins(histogram.edges[1:-1], sample.values)
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


def psi(reference: Histogram, current: Histogram, *, epsilon: float = 1e-4) -> float:
    """Population stability index; zero proportions become `epsilon`, not renormalised."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not 0 < epsilon < 1:
        raise ConfigError(f"epsilon must be a number between 0 and 1, got {epsilon!r}")
    reference, current = _align_histograms(reference, current)
    ref = [p if p > 0 else epsilon for p in _proportions(reference, side="reference")]
    cur = [p if p > 0 else epsilon for p in _proportions(current, side="current")]
    return math.fsum((c - r) * math.log(c / r) for r, c in zip(ref, cur))


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


def ks_2samp(reference: Sample, current: Sample) -> tuple[float, float]:
    """Two-sample KS statistic D and its asymptotic p-value (see the module docstring)."""
    ref = sorted(reference.values)
    cur = sorted(current.values)
    n, m = len(ref), len(cur)
    if n == 0:
        raise DataError("the reference sample is empty")
    if m == 0:
        raise DataError("the current sample is empty")
    # Merge-walk over distinct values; compare n*m-scaled gaps exactly in integers.
    # (Written out by hand: this loop is the hot path for a million values per side.)
    i = j = 0
    best_gap = 0
    best = (0, 0)
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
        if gap > best_gap:
            best_gap = gap
            best = (i, j)
        if i == n or j == m:
            break
    # Past this point one CDF is 1 and the other only climbs towards it: the gap shrinks.
    statistic = abs(best[0] / n - best[1] / m)
    effective_n = n * m / (n + m)
    return statistic, _kolmogorov_sf(math.sqrt(effective_n) * statistic)


# Below this x the alternating series converges slowly and loses precision near p = 1.
_KOLMOGOROV_CUTOVER = 0.82


def _kolmogorov_sf(x: float) -> float:
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


def compare(
    metric: Metric,
    reference: Distribution,
    current: Distribution,
    *,
    bins: int = 10,
    epsilon: float = 1e-4,
) -> float:
    """One drift number, larger meaning more drift: PSI, JS distance, or the KS statistic D."""
    if metric == "ks":
        if not (isinstance(reference, Sample) and isinstance(current, Sample)):
            raise DataError(
                "KS needs committed samples, not histograms",
                hint='commit raw values ({"values": [...]}) or use the psi or js metric',
            )
        statistic, _p_value = ks_2samp(reference, current)
        return statistic
    if metric not in ("psi", "js"):
        raise ConfigError(f"unknown drift metric {metric!r}; expected one of psi, ks, js")
    ref_hist, cur_hist = to_histogram(reference, current, bins=bins)
    if metric == "psi":
        return psi(ref_hist, cur_hist, epsilon=epsilon)
    return js_distance(ref_hist, cur_hist)
