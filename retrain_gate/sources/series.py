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


@dataclass(frozen=True)
class Record:
    """One raw observation before columns are built."""

    fields: Mapping[str, Any]
    where: str
    time: datetime | None = None  # known from a key or file name
