"""The model card: when the model was trained and its values then, its version, the versions
before it, and how the last retrain went.

A card written by `retrain-gate record` (sources/card_write.py) looks like:

    version: 3
    trained_at: 2026-12-01T06:00:00Z
    rows: 13400
    metrics: {accuracy: 0.921, recall: 0.84}
    previous: {version: 2, trained_at: ..., rows: ..., metrics: {...}}
    history: [{version: 1, ...}]          # older versions, newest first
    last_attempt: {result: promoted, at: ..., version: 3}

Every field but `trained_at` and the values is optional: a hand-written card is version 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from retrain_gate.errors import DataError
from retrain_gate.model import CardTime
from retrain_gate.sources.files import _format_of, parse_json, parse_yaml, read_text, resolve_inside
from retrain_gate.sources.values import flatten, parse_time, to_number

AttemptResult = Literal["promoted", "kept_old", "failed"]
ATTEMPT_RESULTS: tuple[AttemptResult, ...] = ("promoted", "kept_old", "failed")

# fields of the card that describe other versions or attempts, not this model's values
HISTORY_FIELDS = ("previous", "history", "last_attempt")


@dataclass(frozen=True)
class CardVersion:
    """An earlier version of the model, as the card keeps it (`previous`, `history`)."""

    version: int | None
    trained_at: datetime | None
    values: Mapping[str, float]  # `rows`, `metrics.<name>`: as a Baseline's


@dataclass(frozen=True)
class Attempt:
    """The last retrain's result: promoted (recorded as the new version), kept_old (the
    candidate was not better), failed (training did not finish)."""

    result: AttemptResult
    at: datetime
    reason: str = ""
    version: int | None = None
    gate_run: str | None = None


@dataclass(frozen=True)
class Baseline:
    """A model card: when the model was trained, and metric values at training time."""

    source: str
    trained_at: datetime | None
    values: Mapping[str, float]
    version: int | None = None
    # the versions before this one, newest first (`previous`, then `history`)
    history: tuple[CardVersion, ...] = ()
    last_attempt: Attempt | None = None

    def value(self, metric: str) -> float | None:
        """The card's value for a metric: `<metric>` or `metrics.<metric>`."""
        for key in (metric, f"metrics.{metric}"):
            if key in self.values:
                return self.values[key]
        return None

    def at_version(self, earlier: CardVersion) -> Baseline:
        """The card as it was at an earlier version (its values and training time)."""
        return Baseline(
            source=self.source,
            trained_at=earlier.trained_at,
            values=earlier.values,
            version=earlier.version,
        )


def card_versions(card: Baseline | None) -> list[Baseline]:
    """The model card as it was at each version it records (`previous`, `history`), oldest
    first, ending with the current one; versions without `trained_at` are left out (when
    they came into use is unknown), and so are all of them when the card has none."""
    if card is None:
        return []
    current = card.trained_at
    if current is None:
        return [card]
    older = sorted(
        (
            (v.trained_at, card.at_version(v))
            for v in card.history
            if v.trained_at is not None and v.trained_at < current
        ),
        key=lambda pair: pair[0],
    )
    return [*(b for _, b in older), card]


def card_as_of(card: Baseline | None, now: datetime) -> Baseline | None:
    """The card of the model in use at `now`: the newest version trained by then (the
    oldest when none was: its trained_at after `now` makes the rules that read it errors)."""
    versions = card_versions(card)
    in_use = [v for v in versions if v.trained_at is None or v.trained_at <= now]
    return in_use[-1] if in_use else (versions[0] if versions else None)


def read_card_data(root: Path, relative: str) -> tuple[Path, str, dict[str, Any]]:
    """(path, format, raw mapping) of a model card (JSON or YAML)."""
    path = resolve_inside(root, relative, what="model card")
    text = read_text(path, display=relative)
    kind = _format_of(path, "auto", display=relative)
    data = (
        parse_yaml(text, display=relative) if kind == "yaml" else parse_json(text, display=relative)
    )
    if not isinstance(data, Mapping):
        raise DataError("is not a mapping of fields (a model card)", file=relative)
    return path, kind, dict(data)


ISO_TRAINED_AT = CardTime()


def load_baseline(root: Path, relative: str, *, time: CardTime = ISO_TRAINED_AT) -> Baseline:
    """A model card (JSON or YAML): `trained_at` (or the field `time` names) and metric
    values at training time."""
    _, _, data = read_card_data(root, relative)
    return card_from_data(data, source=relative, time=time)


def card_from_data(
    data: Mapping[str, Any], *, source: str, time: CardTime = ISO_TRAINED_AT
) -> Baseline:
    """A card's raw mapping -> Baseline (bad fields are a DataError naming them)."""
    current = {k: v for k, v in data.items() if k not in HISTORY_FIELDS}
    trained_at, values = _values(current, where=source, time=time)
    history: list[CardVersion] = []
    if data.get("previous") is not None:
        history.append(_version_of(data["previous"], where=f"{source} field previous", time=time))
    older = data.get("history")
    if older is not None:
        if not isinstance(older, list):
            raise DataError("field history is not a list of versions", file=source)
        for index, item in enumerate(older):
            where = f"{source} field history[{index}]"
            history.append(_version_of(item, where=where, time=time))
    attempt = None
    if data.get("last_attempt") is not None:
        attempt = _attempt(data["last_attempt"], where=f"{source} field last_attempt")
    return Baseline(
        source=source,
        trained_at=trained_at,
        values=values,
        version=version_of(data, where=source),
        history=tuple(history),
        last_attempt=attempt,
    )


def version_of(data: Mapping[str, Any], *, where: str) -> int | None:
    """The `version` field: a whole number from 0, or None when the card has none."""
    value = data.get("version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DataError(f"field version is {value!r}, not a whole number from 0", file=where)
    return value


def _values(
    data: Mapping[str, Any], *, where: str, time: CardTime
) -> tuple[datetime | None, dict[str, float]]:
    flat = flatten(data)
    trained_at = None
    if flat.get(time.name) is not None:
        at = f"{where} field {time.name}"
        if time.read.plain:
            trained_at = parse_time(flat[time.name], where=at)
        else:  # epoch times, or naive ones in a stated zone
            from retrain_gate.sources.reading import time_of

            trained_at = time_of(flat[time.name], read=time.read, where=at)
    values: dict[str, float] = {}
    for key, value in flat.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if key in ("version", time.name):
            continue
        number = to_number(value, metric=key, where=where)
        if number is not None:
            values[key] = number
    return trained_at, values


def _version_of(item: object, *, where: str, time: CardTime) -> CardVersion:
    if not isinstance(item, Mapping):
        raise DataError("is not a mapping (version, trained_at, rows, metrics)", file=where)
    trained_at, values = _values(item, where=where, time=time)
    return CardVersion(version=version_of(item, where=where), trained_at=trained_at, values=values)


def _attempt(item: object, *, where: str) -> Attempt:
    if not isinstance(item, Mapping):
        raise DataError("is not a mapping (result, at)", file=where)
    result = item.get("result")
    if result not in ATTEMPT_RESULTS:
        raise DataError(
            f"result is {result!r}, not one of {', '.join(ATTEMPT_RESULTS)}", file=where
        )
    gate_run = item.get("gate_run")
    return Attempt(
        result=result,
        at=parse_time(item.get("at"), where=f"{where}.at"),
        reason=str(item.get("reason") or ""),
        version=version_of(item, where=where),
        gate_run=str(gate_run) if gate_run else None,
    )
