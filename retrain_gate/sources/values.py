"""One observation's values: its time (a date or an ISO 8601 timestamp, within `YEARS`) and
its metric numbers (finite, within `LARGEST`), each refused with a located `DataError`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from retrain_gate.errors import DataError
from retrain_gate.sources.files import shown

# The years a time may have: wide enough for any real metric, far enough from year 1 and
# 9999 that date arithmetic (a window before it, a max_age after it) cannot overflow.
YEARS = range(1900, 3000)


def within_calendar(stamp: date, *, text: object, where: str) -> None:
    """Refuse a time outside `YEARS`: a typo, and Python's dates end at year 9999."""
    if stamp.year not in YEARS:
        raise DataError(
            f"{str(text)[:40]!r} is outside the years {YEARS.start} to {YEARS.stop - 1}",
            file=where,
            hint="check the date: the gate reads times from 1900 to 2999",
        )


def parse_time(value: object, *, where: str) -> datetime:
    """A date or an ISO 8601 timestamp with time zone -> aware UTC datetime, in `YEARS`."""
    if isinstance(value, datetime):
        parsed = value
        within_calendar(parsed, text=value.isoformat(), where=where)
    elif isinstance(value, date):
        within_calendar(value, text=value.isoformat(), where=where)
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if len(text) == 10:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise DataError(
                    f"{text!r} is not a date (expected YYYY-MM-DD)", file=where
                ) from None
            within_calendar(day, text=text, where=where)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise DataError(
                f"{text!r} is not a date or an ISO 8601 timestamp", file=where
            ) from None
        within_calendar(parsed, text=text, where=where)
    else:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise DataError(
                f"the time {shown(value)} is a number, not a date or an ISO 8601 timestamp",
                file=where,
                hint="an epoch time? say its unit with `time_unit: s` or `ms`",
            )
        raise DataError(f"the time is missing or not text ({shown(value)})", file=where)
    if parsed.tzinfo is None:
        raise DataError(
            f"timestamp {value!s} has no time zone",
            file=where,
            hint="write it with Z or an offset, e.g. 2026-11-20T06:00:00Z, or name the zone "
            "your tool writes in with `timezone:` (e.g. UTC)",
        )
    return parsed.astimezone(timezone.utc)


def flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}, "c": [{"d": 2}]} -> {"a.b": 1, "c": [...], "c.0.d": 2}: nested fields
    by dotted path, list elements by index (the list itself stays, for `required`)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            out.update(flatten(item, f"{name}."))
        elif isinstance(item, list):
            out[name] = item
            out.update(flatten({str(i): v for i, v in enumerate(item)}, f"{name}."))
        else:
            out[name] = item
    return out


# Metric values beyond this are refused: a standard deviation squares them, and float range
# ends near 1.8e308 (1e100 squared and summed over any real series stays far inside it).
LARGEST = 1e100


def to_number(value: object, *, metric: str, where: str) -> float | None:
    """A metric value: a finite number, or None when missing (empty or null)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, bool):
        raise DataError(f"{metric} is {shown(value)}, not a number", file=where)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise DataError(f"{metric} is {shown(value)}, not a number", file=where) from None
    if not math.isfinite(number):
        raise DataError(
            f"{metric} is {shown(value)}; NaN and infinity are not metric values",
            file=where,
            hint="leave the value empty or null if it is missing",
        )
    if abs(number) > LARGEST:
        raise DataError(
            f"{metric} is {shown(value)}, beyond the largest metric value the gate reads "
            f"(1e100): its statistics (squares, sums) would overflow",
            file=where,
        )
    return number
