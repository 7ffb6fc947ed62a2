"""Distributions committed for drift rules: histograms, samples, several features per file."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from retrain_gate.errors import DataError

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
    try:  # the measures divide by the total: it must be a finite number
        math.fsum(counts)
    except OverflowError:
        raise fail(
            "counts add up to more than the largest number (about 1.8e308)",
            hint="commit counts or proportions of a usable size",
        ) from None


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
