"""Distributions committed for drift rules: histograms, samples, several features per file."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from retrain_gate.errors import DataError
from retrain_gate.sources.samples import (
    Distribution,
    Histogram,
    _Fail,
    _kind,
    _number,
    _numbers,
    _Position,
    sample_of,
)

_SHAPES = (
    '{"bins": [...], "counts": [...]}, {"categories": [...], "counts": [...]}, '
    '{"values": [...]}, {"features": {name: ...}}, a plain list of numbers or labels, '
    "{label: count} (pandas value_counts), {name: [values]} (to_dict('list')) or "
    "records [{name: value}, ...]"
)


@dataclass(frozen=True)
class Unreadable:
    """A feature whose data is bad: only the rules that read this feature are errors."""

    error: DataError


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


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)
