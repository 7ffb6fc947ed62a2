"""MLflow's file store: `mlruns/<experiment>/<run>/metrics/<key>`, one file per metric key
(nested keys such as `val/loss` in subfolders), each line `timestamp value step` with the
timestamp in epoch milliseconds and no header.

A run's metrics folder (or a glob of them) is one source (`format: mlflow`): the values
logged at one step are one observation, timed by the earliest timestamp among them (MLflow
logs the keys of one step a few milliseconds apart)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from retrain_gate.errors import DataError
from retrain_gate.sources.files import read_text
from retrain_gate.sources.series import Record
from retrain_gate.sources.values import YEARS

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LOW = (datetime(YEARS.start, 1, 1, tzinfo=timezone.utc) - _EPOCH).total_seconds() * 1000
_HIGH = (datetime(YEARS.stop, 1, 1, tzinfo=timezone.utc) - _EPOCH).total_seconds() * 1000


def mlflow_records(folder: Path, *, display: str) -> list[Record]:
    """One record per (run folder, step): its keys' values, at the step's earliest time."""
    if not folder.is_dir():
        raise DataError(
            "is not a folder of MLflow metric files (mlruns/<experiment>/<run>/metrics)",
            file=display,
        )
    steps: dict[int, tuple[float, dict[str, str], str]] = {}
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not files:
        raise DataError("holds no metric files", file=display)
    for path in files:
        key = path.relative_to(folder).as_posix()
        shown = f"{display}/{key}"
        for number, line in enumerate(read_text(path, display=shown).splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                stamp, value = float(parts[0]), parts[1]
                step = int(parts[2]) if len(parts) > 2 else 0
            except (ValueError, IndexError):
                raise DataError(
                    "is not an MLflow metric line (timestamp value step)",
                    file=shown,
                    line=number,
                ) from None
            if not _LOW <= stamp < _HIGH:
                raise DataError(
                    f"timestamp {parts[0]} (epoch ms) is outside the years "
                    f"{YEARS.start} to {YEARS.stop - 1}",
                    file=shown,
                    line=number,
                )
            first, values, where = steps.get(step, (stamp, {}, f"{shown}:{number}"))
            if key in values:
                raise DataError(
                    f"{key} is logged twice at step {step}",
                    file=shown,
                    line=number,
                    hint="one value per key and step",
                )
            values[key] = value
            if stamp < first:
                first, where = stamp, f"{shown}:{number}"
            steps[step] = (first, values, where)
    return [
        Record({**values, "step": step}, where, _EPOCH + timedelta(milliseconds=first))
        for step, (first, values, where) in sorted(steps.items())
    ]
