"""Writing the model card after a retrain: the new version, or the result of an attempt
that did not replace the model. Building the new card is pure; `write_card` does the I/O.

Versions: a card without `version` describes version 1 (the first model the gate knew), so
the first `record` writes version 2; `version: 0` is followed by 1; no card at all by 1.
The version replaced is kept as `previous`, and the ones before it in `history` (newest
first, at most HISTORY_LIMIT): that is the retrain history the gate reads.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from retrain_gate.errors import DataError
from retrain_gate.sources.card import (
    HISTORY_FIELDS,
    AttemptResult,
    card_from_data,
    version_of,
)
from retrain_gate.sources.metrics import read_records
from retrain_gate.sources.values import flatten, parse_time, to_number

HISTORY_LIMIT = 20  # older versions kept in `history`: enough for any retrain limit


@dataclass(frozen=True)
class Evaluation:
    """A training run's evaluation output: its row count and metric values."""

    source: str
    rows: float | None
    metrics: Mapping[str, float]  # names as in the card's `metrics:` (no `metrics.` prefix)

    def value(self, metric: str) -> float | None:
        """The value of `metric` (`accuracy` or `metrics.accuracy`); `rows` is the row count."""
        if metric == "rows":
            return self.rows
        return self.metrics.get(metric.removeprefix("metrics."))


def read_evaluation(path: Path, *, display: str) -> Evaluation:
    """An evaluation file in any format the gate reads (CSV, JSON, JSONL, YAML): its last
    record (a file of several holds the newest last). Numbers, and text that reads as one,
    are metrics; other text (a model name, a date) is left out; NaN is an error."""
    record = read_records(path, display=display)[-1]
    rows: float | None = None
    metrics: dict[str, float] = {}
    for key, value in flatten(record.fields).items():
        if isinstance(value, bool) or key == "version":
            continue
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                continue  # a label, not a value
        elif not isinstance(value, (int, float)):
            continue
        number = to_number(value, metric=key, where=record.where)
        if number is None:
            continue
        if key == "rows":
            rows = number
        else:
            metrics[key.removeprefix("metrics.")] = number
    if not metrics:
        raise DataError("holds no metric values (numbers) to record", file=record.where)
    return Evaluation(source=display, rows=rows, metrics=metrics)


def stamp(moment: datetime) -> str:
    """A time as the card writes it: ISO 8601 in UTC with Z."""
    text = moment.astimezone(timezone.utc).isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _as_version(card: Mapping[str, Any], version: int) -> dict[str, Any]:
    """What `previous` keeps of a version: version, trained_at, rows, metrics."""
    kept: dict[str, Any] = {"version": version}
    for key in ("trained_at", "rows", "metrics"):
        if key in card:
            kept[key] = card[key]
    return kept


def promoted_card(
    current: Mapping[str, Any] | None,
    evaluation: Evaluation,
    *,
    source: str,
    trained_at: datetime,
    rows: float | None,
    now: datetime,
    gate_run: str | None = None,
) -> dict[str, Any]:
    """The card of the new version: the current card's own fields kept (a model name, a data
    location), version, trained_at, rows and metrics replaced, the current one as `previous`."""
    if trained_at > now:
        raise DataError(
            f"the new model's trained_at {stamp(trained_at)} is after now ({stamp(now)})",
            file=source,
        )
    old = dict(current or {})
    old_card = card_from_data(old, source=source) if current is not None else None
    if old_card and old_card.trained_at and trained_at < old_card.trained_at:
        raise DataError(
            f"the new model's trained_at {stamp(trained_at)} is before the current model's "
            f"({stamp(old_card.trained_at)})",
            file=source,
            hint="pass --trained-at with the new training's time, or leave it out (now)",
        )
    found = version_of(old, where=source)
    old_version = 1 if found is None else found  # a card without a version is version 1
    version = 1 if current is None else old_version + 1
    card: dict[str, Any] = {"version": version}
    card.update((k, v) for k, v in old.items() if k not in (*HISTORY_FIELDS, "version"))
    card["trained_at"] = stamp(trained_at)
    count = rows if rows is not None else evaluation.rows
    if count is not None:
        card["rows"] = _number(count)
    else:
        card.pop("rows", None)
    card["metrics"] = {name: _number(value) for name, value in evaluation.metrics.items()}
    for name, value in evaluation.metrics.items():  # a metric the card keeps at the top level
        if isinstance(old.get(name), (int, float)) and not isinstance(old.get(name), bool):
            card[name] = _number(value)
    if current is not None:
        older = [old["previous"]] if isinstance(old.get("previous"), Mapping) else []
        older += list(old.get("history") or [])
        card["previous"] = _as_version(old, old_version)
        if older:
            card["history"] = older[:HISTORY_LIMIT]
    card["last_attempt"] = _attempt("promoted", now, version=version, gate_run=gate_run)
    card_from_data(card, source=source)  # what the gate will read back must be valid
    return card


def attempt_card(
    current: Mapping[str, Any],
    result: AttemptResult,
    *,
    source: str,
    now: datetime,
    reason: str = "",
    evaluation: Evaluation | None = None,
    gate_run: str | None = None,
) -> dict[str, Any]:
    """The current card with `last_attempt` set: a retrain that did not replace the model."""
    card = dict(current)
    card_from_data(card, source=source)  # refuse to build on a bad card
    attempt = _attempt(result, now, reason=reason, gate_run=gate_run)
    if evaluation is not None:
        attempt["metrics"] = {k: _number(v) for k, v in evaluation.metrics.items()}
        if evaluation.rows is not None:
            attempt["rows"] = _number(evaluation.rows)
    card["last_attempt"] = attempt
    card_from_data(card, source=source)
    return card


def _attempt(
    result: AttemptResult,
    now: datetime,
    *,
    version: int | None = None,
    reason: str = "",
    gate_run: str | None = None,
) -> dict[str, Any]:
    attempt: dict[str, Any] = {"result": result, "at": stamp(now)}
    if version is not None:
        attempt["version"] = version
    if reason:
        attempt["reason"] = reason
    if gate_run:
        attempt["gate_run"] = gate_run
    return attempt


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """What changed, one line each: `version: 1 -> 2`, `metrics.accuracy: 0.912 -> 0.925`."""
    was_card = dict(old or {})
    if old is not None and "version" in new and "version" not in old:
        was_card["version"] = 1  # a card without a version describes version 1
    before = {k: v for k, v in flatten(was_card).items() if not _history(k)}
    after = {k: v for k, v in flatten(dict(new)).items() if not _history(k)}
    lines = []
    for key in [*after, *(k for k in before if k not in after)]:
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        shown = f"{key}: {_show(was)} -> {_show(now)}"
        if _numeric(was) and _numeric(now):
            assert isinstance(was, (int, float)) and isinstance(now, (int, float))
            shown += f" ({now - was:+.4g})"
        lines.append(shown)
    attempt = new.get("last_attempt")
    if isinstance(attempt, Mapping) and attempt != (old or {}).get("last_attempt"):
        text = f"last_attempt: {attempt.get('result')} at {attempt.get('at')}"
        if attempt.get("reason"):
            text += f" ({attempt['reason']})"
        lines.append(text)
    return lines


def _history(key: str) -> bool:
    return key.split(".")[0] in HISTORY_FIELDS


def _numeric(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: object) -> str:
    return "(none)" if value is None else str(value)


def trained_at_option(text: str) -> datetime:
    """--trained-at: a date or an ISO 8601 time with a time zone."""
    return parse_time(text, where="--trained-at")


def write_card(path: Path, card: Mapping[str, Any], *, fmt: str) -> None:
    """Write the card in its format (JSON or YAML), atomically: a reader never sees half."""
    if fmt == "yaml":
        import yaml

        text = yaml.safe_dump(dict(card), sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise DataError(f"cannot write the model card: {exc.strerror}", file=str(path)) from None
