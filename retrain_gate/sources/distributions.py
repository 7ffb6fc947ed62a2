"""Distributions committed for drift rules: histograms, samples, several features per file."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, cast

from retrain_gate.errors import DataError

_SHAPES = (
    '{"bins": [...], "counts": [...]}, {"categories": [...], "counts": [...]}, '
    '{"values": [...]}, {"features": {name: ...}}, a plain list of numbers or labels, '
    "{label: count} (pandas value_counts), {name: [values]} (to_dict('list')) or "
    "records [{name: value}, ...]"
)


@dataclass(frozen=True)
class Histogram:
    """Counts per bin: numeric (`edges`, k+1 increasing) or categorical (`categories`, k labels)."""

    edges: tuple[float, ...] | None
    categories: tuple[str, ...] | None
    counts: tuple[float, ...]
    missing: int = 0  # values dropped as missing (a categorical sample's nulls)

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
    """Raw observed values (finite numbers); `missing` counts the nulls and NaNs dropped."""

    values: tuple[float, ...]
    missing: int = 0

    @cached_property
    def ordered(self) -> list[float]:
        """The values sorted, once: binning, KS, Wasserstein and the report's bins share it
        (sorting a million values costs as much as reading them)."""
        return sorted(self.values)


def count_distinct(*samples: Sequence[float], limit: int) -> int | None:
    """How many distinct values the samples hold together, when at most `limit`; None when
    more. Stops as soon as there are more: a set of a million distinct floats costs more
    than reading them, and a continuous sample shows more than a few values in its first
    thousands."""
    seen: set[float] = set()
    for values in samples:
        for start in range(0, len(values), _DISTINCT_CHUNK):
            seen.update(values[start : start + _DISTINCT_CHUNK])
            if len(seen) > limit:
                return None
    return len(seen)


_DISTINCT_CHUNK = 4096


@dataclass(frozen=True)
class Unreadable:
    """A feature whose data is bad: only the rules that read this feature are errors."""

    error: DataError


Distribution = Histogram | Sample
Feature = Distribution | Unreadable

# Keys that make a mapping one distribution (never a mapping of feature names).
_RESERVED = frozenset({"bins", "categories", "values", "counts", "edges", "feature"})


def parse_distributions(
    data: object, *, source: str, rows: _Position | None = None
) -> dict[str, Feature]:
    """Parse a committed distribution file's content into {feature name: distribution}.

    A single unnamed distribution gets the key "". `source` is the file name used in errors.
    A bad feature of a file holding several becomes `Unreadable`: the rules reading the
    other features are unaffected. `rows` names a sample's entries in errors (a CSV's lines).
    """
    if isinstance(data, list) and data and all(isinstance(row, Mapping) for row in data):
        from retrain_gate.sources.tables import records_to_columns  # orient='records'

        columns = records_to_columns(data, source=source)
        return _parse_features(columns, source=source, rows=lambda index: f"record {index}")
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
        return _parse_features(features, source=source)
    if (
        isinstance(data, Mapping)
        and data
        and not _RESERVED & set(data)
        and all(isinstance(v, (list, tuple, Mapping)) for v in data.values())
    ):  # pandas' to_dict('list'): {feature: [values]} (or {feature: distribution})
        return _parse_features(data, source=source, rows=rows)

    name = ""
    if isinstance(data, Mapping) and "feature" in data:
        name = data["feature"]
        if not isinstance(name, str) or not name:
            raise DataError(f"'feature' must be a non-empty string, got {name!r}", file=source)
    return {name: _parse_one(data, feature=name, source=source)}


def _parse_features(
    features: Mapping[Any, object], *, source: str, rows: _Position | None = None
) -> dict[str, Feature]:
    if not features:
        raise DataError("'features' is empty; name at least one feature", file=source)
    parsed: dict[str, Feature] = {}
    for name, entry in features.items():
        if not isinstance(name, str) or not name:
            raise DataError(f"feature names must be non-empty strings, got {name!r}", file=source)
        try:
            if isinstance(entry, Mapping) and "feature" in entry and entry["feature"] != name:
                raise DataError(
                    f"feature {name!r}: its 'feature' key says {entry['feature']!r}",
                    file=source,
                    hint="drop the inner 'feature' key or make the two names agree",
                )
            parsed[name] = _parse_one(entry, feature=name, source=source, rows=rows)
        except DataError as exc:
            parsed[name] = Unreadable(exc)
    return parsed


def _parse_one(
    data: object, *, feature: str, source: str, rows: _Position | None = None
) -> Distribution:
    where = f"feature {feature!r}: " if feature else ""

    def fail(message: str, hint: str | None = None) -> DataError:
        return DataError(where + message, file=source, hint=hint)

    if isinstance(data, (list, tuple)):
        return sample_of(data, field="values", fail=fail, position=rows)
    if not isinstance(data, Mapping):
        raise fail(f"expected a distribution, got {_kind(data)}", hint=f"write one of {_SHAPES}")

    shape_keys = [key for key in ("bins", "categories", "values") if key in data]
    if (
        not shape_keys
        and data
        and not _RESERVED & set(data)
        and all(type(v) in (int, float) for v in data.values())
    ):  # pandas' value_counts().to_json(): {label: count}
        return _parse_one(
            {"categories": list(data), "counts": list(data.values())},
            feature=feature,
            source=source,
        )
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
        return sample_of(values, field="values", fail=fail)

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
        edges = _numbers(_open_ends(raw_edges), field="bins", fail=fail, allow_infinite=True)
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
    try:  # the measures divide by the total: it must be a finite number
        math.fsum(counts)
    except OverflowError:
        raise fail(
            "counts add up to more than the largest number (about 1.8e308)",
            hint="commit counts or proportions of a usable size",
        ) from None


def sample_of(
    raw: Sequence[object], *, field: str, fail: _Fail, position: _Position | None = None
) -> Distribution:
    """A sample: numbers (a `Sample`) or labels (counted into a categorical `Histogram`).
    Nulls and NaNs are missing: dropped and counted. Mixing numbers and labels is an error."""
    at = position or (lambda index: f"{field}[{index}]")
    types = set(map(type, raw))
    if types <= {int, float}:  # the common case, at C speed
        try:
            numbers = (
                tuple(cast("Sequence[float]", raw))
                if types == {float}  # already floats: no conversion
                else tuple(map(float, cast("Sequence[float]", raw)))
            )
        except OverflowError:
            numbers = None
        # a NaN or an infinity makes the sum non-finite (a finite one may overflow: look then)
        if numbers is not None and (
            math.isfinite(sum(numbers)) or all(map(math.isfinite, numbers))
        ):
            if not numbers:
                raise fail(f"'{field}' is empty; a sample needs at least one value")
            return Sample(numbers)
    values: list[float] = []
    labels: Counter[str] = Counter()
    missing = 0
    first: int | None = None  # the first present value: numbers or labels decide
    for index, item in enumerate(raw):
        if item is None or (type(item) is float and math.isnan(item)):
            missing += 1
            continue
        is_label = isinstance(item, str)
        if isinstance(item, bool) or not (is_label or isinstance(item, (int, float))):
            raise fail(f"{at(index)} is {_kind(item)}, not a number")
        if first is None:
            first = index
        elif is_label != bool(labels):
            expected = "a label (a string)" if labels else "a number"
            raise fail(
                f"{at(index)} is {_kind(item)}, not {expected} like {at(first)}",
                hint="a sample holds either numbers or labels, not both",
            )
        if is_label:
            labels[cast(str, item)] += 1
            continue
        try:
            number = float(cast(float, item))
        except OverflowError:
            raise fail(f"{at(index)} is too large to be a number") from None
        if math.isinf(number):
            raise fail(f"{at(index)} is {_number(number)}; it must be finite")
        values.append(number)
    if first is None:
        missing_text = f" ({missing} missing)" if missing else ""
        raise fail(f"'{field}' is empty{missing_text}; a sample needs at least one value")
    if labels:
        categories = tuple(labels)
        return Histogram(
            edges=None,
            categories=categories,
            counts=tuple(float(labels[c]) for c in categories),
            missing=missing,
        )
    return Sample(tuple(values), missing=missing)


_OPEN = {"-inf": -math.inf, "-infinity": -math.inf, "inf": math.inf, "+inf": math.inf}
_OPEN["infinity"] = _OPEN["+infinity"] = math.inf


def _open_ends(edges: Sequence[object]) -> list[object]:
    """Bin edges as JSON can write them: null for an open outer end, "-inf"/"inf" strings."""
    out: list[object] = [
        _OPEN.get(edge.strip().lower(), edge) if isinstance(edge, str) else edge for edge in edges
    ]
    if out and out[0] is None:
        out[0] = -math.inf
    if len(out) > 1 and out[-1] is None:
        out[-1] = math.inf
    return out


_Position = Callable[[int], str]


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
