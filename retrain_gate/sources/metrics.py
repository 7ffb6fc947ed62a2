"""Load committed metric files into a `Series`, and model cards into a `Baseline`.

Accepted files: CSV (a header row, one row per observation), JSON (a list of records, a
mapping keyed by date, or one record), JSONL, YAML; one series file, or a glob of per-run
files with the date in a field or in the file name. Nested fields are read by dotted path
(`null_rate.age`). Timestamps are dates (midnight UTC) or ISO 8601 with a time zone.

Bad data is named, never guessed: non-numeric values, NaN or infinity, duplicated dates,
empty files and files that are not what their extension says each raise one `DataError`
with file and line (or record index). Unsorted rows are sorted; duplicates are an error.
"""

from __future__ import annotations

import csv
import glob as globlib
import io
import re
from collections.abc import Collection, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from retrain_gate.errors import DataError
from retrain_gate.model import Format, ReadOptions
from retrain_gate.sources.csv_columns import clean_csv_series
from retrain_gate.sources.files import (
    FORMAT_SUFFIXES,
    _format_of,
    _real,
    parse_json,
    parse_yaml,
    read_text,
    resolve_inside,
)
from retrain_gate.sources.series import Record, Series
from retrain_gate.sources.values import (  # re-exported: the readers' public names
    flatten,
    parse_time,
)

PLAIN = ReadOptions()
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T_](\d{2})[:-]?(\d{2})(?:[:-]?(\d{2}))?Z?)?")


def _records_from_data(data: Any, *, display: str) -> Iterator[Record]:
    if isinstance(data, list):
        for index, item in enumerate(data):
            if not isinstance(item, Mapping):
                raise DataError(
                    f"record {index} is {type(item).__name__}, not an object", file=display
                )
            yield Record(flatten(item), f"{display} record {index}")
    elif isinstance(data, Mapping):
        keyed = data and all(_looks_like_date(key) for key in data)
        if keyed:
            for key, item in data.items():
                where = f"{display} record {key}"
                if not isinstance(item, Mapping):
                    raise DataError(f"the value under {key!r} is not an object", file=where)
                yield Record(flatten(item), where, parse_time(key, where=where))
        else:
            yield Record(flatten(data), display)
    else:
        raise DataError(
            f"holds {type(data).__name__}, expected a list of records or a mapping", file=display
        )


def _looks_like_date(key: object) -> bool:
    return isinstance(key, (str, date)) and bool(_DATE_IN_NAME.fullmatch(str(key).strip()))


def read_records(
    path: Path, *, display: str, fmt: Format = "auto", delimiter: str | None = None
) -> list[Record]:
    """All observations of one file, in file order (a .tsv file is tab-separated unless
    `delimiter` says otherwise)."""
    kind = _format_of(path, fmt, display=display)
    if delimiter is None or (delimiter == "," and path.suffix.lower() == ".tsv"):
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    text = read_text(path, display=display)
    return records_from_text(text, kind=kind, display=display, delimiter=delimiter)


def records_from_text(text: str, *, kind: str, display: str, delimiter: str = ",") -> list[Record]:
    """All observations of one file's text (`kind`: csv, jsonl, json or yaml), in order;
    `display` names the file (or the file at a commit) in errors."""
    if kind == "csv":
        if text.lstrip()[:1] in ("{", "["):
            raise DataError("looks like JSON, not CSV", file=display, hint="rename it to .json")
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        if not reader.fieldnames or any(not (f or "").strip() for f in reader.fieldnames):
            raise DataError("the header row has an empty column name", file=display, line=1)
        _refuse_repeated_columns(reader.fieldnames, display=display)
        records = []
        for row in reader:
            where = f"{display}:{reader.line_num}"
            if None in row:
                raise DataError(
                    "has more fields than the header", file=display, line=reader.line_num
                )
            if any(value is None for value in row.values()):
                raise DataError(
                    "has fewer fields than the header", file=display, line=reader.line_num
                )
            records.append(Record(row, where))
        if not records:
            raise DataError("has a header but no rows", file=display)
        return records
    if kind == "jsonl":
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = parse_json(line, display=display)
            except DataError as exc:  # the file's line, not the line within the one-line text
                raise DataError(exc.message, file=display, line=number, hint=exc.hint) from None
            if not isinstance(item, Mapping):
                raise DataError("is not a JSON object", file=display, line=number)
            records.append(Record(flatten(item), f"{display}:{number}"))
        return records
    data = (
        parse_yaml(text, display=display) if kind == "yaml" else parse_json(text, display=display)
    )
    if kind == "evidently":  # the peers' results: one observation per file
        from retrain_gate.sources.evidently import evidently_records

        return evidently_records(data, display=display)
    if kind == "great_expectations":
        from retrain_gate.sources.great_expectations import gx_records

        return gx_records(data, display=display)
    records = list(_records_from_data(data, display=display))
    if not records:
        raise DataError("holds no records", file=display)
    return records


def _is_member(path: Path, *, root: Path) -> bool:
    """Whether a glob's match is a per-run file. A folder or broken link named like one (a
    metric extension or a date in its name) is an error, never skipped: skipping the newest
    run would decide on yesterday's data without a word. Other folders are left out."""
    if path.is_file():
        return True
    if path.suffix.lower() in FORMAT_SUFFIXES or _DATE_IN_NAME.search(path.name):
        display = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        what = "is a folder" if path.is_dir() else "cannot be read (a broken link?)"
        raise DataError(
            f"{what}, not a metric file, yet the glob matches it",
            file=display,
            hint="remove it, or narrow the glob to the per-run files",
        )
    return False


def _refuse_repeated_columns(header: Collection[str], *, display: str) -> None:
    """csv.DictReader keeps the last of two same-named columns silently: refuse it."""
    names = list(header)
    for index, name in enumerate(names):
        if name in names[:index]:
            raise DataError(
                f"the header names the column {name!r} twice "
                f"(columns {names.index(name) + 1} and {index + 1})",
                file=display,
                line=1,
                hint="rename or drop one: the gate does not guess which is meant",
            )


def load_series(
    root: Path,
    pattern: str,
    *,
    time_field: str = "date",
    metrics: Collection[str] = (),
    presence: Collection[str] = (),
    fmt: Format = "auto",
    read: ReadOptions = PLAIN,
) -> Series:
    """Read one metric file or a glob of per-run files into a sorted Series.

    `time_field` names the timestamp field, or is `filename` to take the date from each
    file's name. Only the `metrics` columns are converted to numbers (others may be text).
    """
    root = _real(root)
    if any(ch in pattern for ch in "*?["):
        matches = sorted(globlib.glob(str(root / pattern), recursive=True))
        paths = [
            Path(p)
            for p in matches
            if (Path(p).is_dir() if fmt == "mlflow" else _is_member(Path(p), root=root))
        ]
        for path in paths:  # a glob may follow a link out of the repository
            resolve_inside(root, str(path.relative_to(root)), what="metric file")
        if not paths:
            raise DataError(f"no file matches the glob {pattern!r}", file=pattern)
    else:
        paths = [root / pattern]
    first = paths[0]
    first_display = str(first.relative_to(root)) if first.is_relative_to(root) else str(first)
    if (
        len(paths) == 1
        and read.plain
        and time_field != "filename"
        and _format_of(first, fmt, display=first_display) == "csv"
        and not any(m.endswith("*") for m in metrics)
    ):
        path, display = first, first_display
        fast = clean_csv_series(
            path,
            display=display,
            source=pattern,
            time_field=time_field,
            metrics=metrics,
            presence=presence,
        )
        if fast is not None:
            return fast
    records: list[Record] = []
    for path in paths:
        display = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        if fmt == "mlflow":  # a run's metrics folder
            from retrain_gate.sources.mlflow import mlflow_records

            records.extend(mlflow_records(path, display=display))
            continue
        file_records = read_records(path, display=display, fmt=fmt, delimiter=read.delimiter)
        if time_field == "filename":
            match = _DATE_IN_NAME.search(path.name)
            if not match:
                raise DataError(
                    "has no date in its name (expected YYYY-MM-DD)",
                    file=display,
                    hint="or set `time:` to the field that holds the date",
                )
            stamp = parse_time(match.group(1), where=display)
            if match.group(2):
                stamp = stamp.replace(
                    hour=int(match.group(2)),
                    minute=int(match.group(3)),
                    second=int(match.group(4) or 0),
                )
            file_records = [Record(r.fields, r.where, stamp) for r in file_records]
        records.extend(file_records)
    return build_series(
        records,
        source=pattern,
        time_field=time_field,
        metrics=metrics,
        presence=presence,
        read=read,
    )


def build_series(
    records: list[Record],
    *,
    source: str,
    time_field: str,
    metrics: Collection[str],
    presence: Collection[str] = (),
    read: ReadOptions = PLAIN,
) -> Series:
    """Records -> Series: times parsed and sorted, duplicates refused, metrics numeric
    (`read`: how the source writes its times and values, and its layout)."""
    from retrain_gate.sources.reading import from_long, number_of, time_of

    if read.layout == "long":
        records = from_long(records, read=read, time_field=time_field)
    stamped: list[tuple[datetime, int, Record]] = []
    for index, record in enumerate(records):
        if record.time is not None:
            stamp = record.time
        else:
            if time_field not in record.fields:
                raise DataError(
                    f"has no time field {time_field!r}",
                    file=record.where,
                    hint=f"fields are: {', '.join(sorted(record.fields)[:12])}",
                )
            stamp = time_of(record.fields[time_field], read=read, where=record.where)
        stamped.append((stamp, index, record))
    stamped.sort(key=lambda item: (item[0], item[1]))
    for (first, _, a), (second, _, b) in zip(stamped, stamped[1:]):
        if first == second:
            raise DataError(
                f"duplicated date {first.isoformat().removesuffix('T00:00:00+00:00')} "
                f"(also at {a.where})",
                file=b.where,
                hint="keep one observation per time",
            )
    columns: dict[str, tuple[float | None, ...]] = {}
    for metric in _expanded(metrics, [r for _, _, r in stamped]):
        present = [metric in r.fields for _, _, r in stamped]
        if not any(present):
            continue  # the load stage reports unknown metrics against the rule's line
        columns[metric] = tuple(
            number_of(r.fields.get(metric), metric=metric, read=read, where=r.where)
            for _, _, r in stamped
        )
    for name in presence:  # fields that need only be there (text is fine): 1.0 or None
        if name not in columns:
            columns[name] = tuple(
                None if r.fields.get(name) in (None, "") else 1.0 for _, _, r in stamped
            )
    return Series(
        source=source,
        times=tuple(s for s, _, _ in stamped),
        columns=columns,
        where=tuple(r.where for _, _, r in stamped),
    )


def _expanded(metrics: Collection[str], records: list[Record]) -> list[str]:
    """The metrics, a name ending in `*` standing for every field it begins (the results a
    validation check reads: `expectations.*`)."""
    patterns = [m[:-1] for m in metrics if m.endswith("*")]
    if not patterns:
        return list(metrics)
    names = {name for r in records for name in r.fields}
    found = {n for n in names for prefix in patterns if n.startswith(prefix)}
    return [m for m in metrics if not m.endswith("*")] + sorted(found - set(metrics))
