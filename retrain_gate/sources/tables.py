"""Tables of samples, as data scientists write them: records (pandas `to_json(orient='records')`)
and CSV files (a header row of feature names, one row per observation).

Both become {feature: [values]}, which `distributions.parse_distributions` reads like pandas'
`to_dict('list')`: each column a sample of numbers or of labels, empty cells missing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from retrain_gate.errors import DataError

# Cells that mean "no value" in CSV files written by pandas, R and spreadsheets.
_MISSING = frozenset({"", "nan", "NaN", "NA", "N/A", "null", "None", "<NA>"})


def records_to_columns(rows: Sequence[Mapping[object, object]], *, source: str) -> dict[str, list]:
    """[{name: value}, ...] -> {name: [value per row]}; a key absent from a row is missing."""
    columns: dict[str, list[object]] = {}
    for index, row in enumerate(rows):
        for name, value in row.items():
            if not isinstance(name, str) or not name:
                raise DataError(
                    f"record {index}: feature names must be non-empty strings, got {name!r}",
                    file=source,
                )
            if name not in columns:
                columns[name] = [None] * index
            columns[name].append(value)
        for column in columns.values():
            if len(column) == index:
                column.append(None)
    return columns


def parse_csv(text: str, *, source: str) -> dict[str, list]:
    """A CSV of samples -> {feature: [values]}: a column whose present cells are all numbers is
    numeric, any other is labels; empty cells, NaN and NA are missing (None)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or not all(name.strip() for name in header):
        raise DataError(
            "a CSV sample needs a header row naming every column",
            file=source,
            line=1,
            hint="write the feature names on the first line, e.g. age,country",
        )
    names = [name.strip() for name in header]
    duplicated = next((n for n in names if names.count(n) > 1), None)
    if duplicated:
        raise DataError(f"the header names {duplicated!r} twice", file=source, line=1)
    cells: list[list[str]] = [[] for _ in names]
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(names):
            raise DataError(
                f"has {len(row)} cells but the header names {len(names)} columns",
                file=source,
                line=line,
            )
        for column, cell in zip(cells, row):
            column.append(cell.strip())
    return {name: _typed(column) for name, column in zip(names, cells)}


def _typed(column: list[str]) -> list[object]:
    """Numbers where a cell reads as one. A column of labels stays text; a mostly numeric
    column with some text keeps both, so that reading it names the first bad cell."""
    typed = [None if cell in _MISSING else _number_or_text(cell) for cell in column]
    numbers = sum(isinstance(value, float) for value in typed)
    texts = sum(isinstance(value, str) for value in typed)
    if numbers and texts and texts >= numbers:  # labels, some of which look like numbers
        return [None if cell in _MISSING else cell for cell in column]
    return typed


def _number_or_text(cell: str) -> object:
    try:
        return float(cell)
    except ValueError:
        return cell
