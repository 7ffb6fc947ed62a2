"""A metric source's values as its tool writes them (`ReadOptions`): epoch times, naive
times in a stated zone, booleans and named strings as numbers, the long (tidy) layout."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retrain_gate.errors import DataError
from retrain_gate.model import ReadOptions
from retrain_gate.sources.files import shown
from retrain_gate.sources.series import Record
from retrain_gate.sources.values import YEARS, parse_time, to_number

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def zone(name: str) -> tzinfo:
    """`UTC`, a fixed offset (`+02:00`) or an IANA name (`Europe/Paris`); ValueError else."""
    text = name.strip()
    if text.upper() in ("UTC", "Z"):
        return timezone.utc
    if text[:1] in "+-" and len(text) == 6 and text[3] == ":":
        hours, minutes = int(text[1:3]), int(text[4:6])
        sign = -1 if text[0] == "-" else 1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def time_of(value: object, *, read: ReadOptions, where: str) -> datetime:
    """A record's time as `read` says it is written; aware UTC, within `YEARS`."""
    if read.time_unit != "iso":
        return _epoch(value, unit=read.time_unit, where=where)
    if read.timezone is not None and isinstance(value, str):
        text = value.strip()
        try:
            naive = datetime.fromisoformat(text) if len(text) > 10 else None
        except ValueError:
            naive = None
        if naive is not None and naive.tzinfo is None:
            stamp = naive.replace(tzinfo=zone(read.timezone))
            return parse_time(stamp.isoformat(), where=where)
    return parse_time(value, where=where)


def _epoch(value: object, *, unit: str, where: str) -> datetime:
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else value
    except ValueError:
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise DataError(
            f"the time {shown(value)} is not a number of epoch {_UNITS[unit]}", file=where
        )
    seconds = number / 1000 if unit == "ms" else number
    # years outside the calendar are refused before any arithmetic can overflow
    low = (datetime(YEARS.start, 1, 1, tzinfo=timezone.utc) - _EPOCH).total_seconds()
    high = (datetime(YEARS.stop, 1, 1, tzinfo=timezone.utc) - _EPOCH).total_seconds()
    if not low <= seconds < high:
        raise DataError(
            f"the time {shown(value)} in epoch {_UNITS[unit]} is outside the years "
            f"{YEARS.start} to {YEARS.stop - 1}",
            file=where,
            hint="check `time_unit:` (s or ms)",
        )
    return _EPOCH + timedelta(seconds=seconds)


_UNITS = {"s": "seconds", "ms": "milliseconds"}


def number_of(value: object, *, metric: str, read: ReadOptions, where: str) -> float | None:
    """A metric value: booleans (with `booleans: true`) and named strings (`values:`) as
    their numbers, else `to_number`."""
    if isinstance(value, bool) and read.booleans:
        return 1.0 if value else 0.0
    if isinstance(value, str) and read.values:
        text = value.strip()
        for name, number in read.values:
            if text == name:
                return number
    if read.booleans and isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return 1.0 if value.strip().lower() == "true" else 0.0
    return to_number(value, metric=metric, where=where)


def from_long(records: Sequence[Record], *, read: ReadOptions, time_field: str) -> list[Record]:
    """Long (tidy) records -> one record per observation: the rows of one `group_by` value
    (or, without it, of one time) are one observation, each row's `key` a field holding
    its `value`. The observation's time is its earliest row's; a key twice in one
    observation is an error."""
    groups: dict[object, tuple[Record, dict[str, object], dict[str, str]]] = {}
    for record in records:
        fields = record.fields
        for column in (read.key, read.value):
            if column not in fields:
                raise DataError(
                    f"has no column {column!r} for the long layout",
                    file=record.where,
                    hint=f"fields are: {', '.join(sorted(fields)[:12])}",
                )
        group = fields.get(read.group_by) if read.group_by else fields.get(time_field)
        if read.group_by and group in (None, ""):
            raise DataError(f"has no {read.group_by!r} to group by", file=record.where)
        key = str(fields[read.key]).strip()
        if not key:
            raise DataError(f"has an empty {read.key!r}", file=record.where)
        first, values, seen = groups.setdefault(group, (record, {}, {}))
        if key in values:
            raise DataError(
                f"{key} appears twice in one observation (also at {seen[key]})",
                file=record.where,
                hint="give each observation one row per metric, or set `group_by:`",
            )
        values[key] = fields[read.value]
        seen[key] = record.where
        earliest = _earliest(first, record, read=read, time_field=time_field)
        groups[group] = (earliest, values, seen)
    return [
        Record({**values, time_field: first.fields.get(time_field)}, first.where, first.time)
        for first, values, _ in groups.values()
    ]


def _earliest(a: Record, b: Record, *, read: ReadOptions, time_field: str) -> Record:
    if a is b or time_field not in b.fields:
        return a
    when_a = time_of(a.fields.get(time_field), read=read, where=a.where)
    when_b = time_of(b.fields.get(time_field), read=read, where=b.where)
    return b if when_b < when_a else a
