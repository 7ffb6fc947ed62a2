"""A metric source read into observations: the raw records, then the series rules judge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Series:
    """Observations sorted by time; each metric a column aligned with `times`."""

    source: str
    times: tuple[datetime, ...]
    columns: Mapping[str, tuple[float | None, ...]]
    where: tuple[str, ...]  # "file:line" (or "file record N") of each observation

    def __len__(self) -> int:
        return len(self.times)


# A tool's verdict on one expectation or test, as its reader writes it (sources/evidently.py,
# sources/great_expectations.py) and the validation check reads it; under these prefixes.
PASSED, WARNED, FAILED = 1.0, 0.5, 0.0  # WARNED: failed, but not critical
RESULT_PREFIXES = ("expectations.", "tests.")


@dataclass(frozen=True)
class Record:
    """One raw observation before columns are built."""

    fields: Mapping[str, Any]
    where: str
    time: datetime | None = None  # known from a key or file name
