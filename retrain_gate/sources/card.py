"""The model card: when the model was trained and its values then."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from retrain_gate.errors import DataError
from retrain_gate.sources.files import _format_of, parse_json, parse_yaml, read_text, resolve_inside
from retrain_gate.sources.metrics import flatten, parse_time, to_number


@dataclass(frozen=True)
class Baseline:
    """A model card: when the model was trained, and metric values at training time."""

    source: str
    trained_at: datetime | None
    values: Mapping[str, float]

    def value(self, metric: str) -> float | None:
        """The card's value for a metric: `<metric>` or `metrics.<metric>`."""
        for key in (metric, f"metrics.{metric}"):
            if key in self.values:
                return self.values[key]
        return None


def load_baseline(root: Path, relative: str) -> Baseline:
    """A model card (JSON or YAML): `trained_at` and metric values at training time."""
    path = resolve_inside(root, relative, what="model card")
    text = read_text(path, display=relative)
    kind = _format_of(path, "auto", display=relative)
    data = (
        parse_yaml(text, display=relative) if kind == "yaml" else parse_json(text, display=relative)
    )
    if not isinstance(data, Mapping):
        raise DataError("is not a mapping of fields (a model card)", file=relative)
    flat = flatten(data)
    trained_at = None
    if flat.get("trained_at") is not None:
        trained_at = parse_time(flat["trained_at"], where=f"{relative} field trained_at")
    values: dict[str, float] = {}
    for key, value in flat.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        number = to_number(value, metric=key, where=relative)
        if number is not None:
            values[key] = number
    return Baseline(source=relative, trained_at=trained_at, values=values)
