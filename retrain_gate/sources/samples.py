"""What a drift rule compares: a histogram or a sample, and a sample's values checked as
they are read (finite numbers, or labels counted; nulls and NaNs dropped and counted)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, cast

from retrain_gate.errors import DataError


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


Distribution = Histogram | Sample


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


_Position = Callable[[int], str]


class _Fail(Protocol):
    """Builds the DataError for one feature of one file (the prefix and file are filled in)."""

    def __call__(self, message: str, hint: str | None = None) -> DataError: ...


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
