"""Metric files and model cards: every format, and every bad input named with its location."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from retrain_gate.errors import EXIT_DATA, DataError
from retrain_gate.sources.card import load_baseline
from retrain_gate.sources.metrics import Series, load_series
from tests.conftest import write
from tests.test_rules import run_gate


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def series(root: Path, files: dict[str, str], pattern: str, **options: object) -> Series:
    write(root, files)
    metrics = options.pop("metrics", ("acc",))
    return load_series(root, pattern, metrics=metrics, **options)  # type: ignore[arg-type]


def data_error(root: Path, files: dict[str, str], pattern: str, **options: object) -> str:
    """The one message a user sees for a bad metric file."""
    with pytest.raises(DataError) as caught:
        series(root, files, pattern, **options)
    assert caught.value.exit_code == EXIT_DATA
    return str(caught.value)


# --- formats that load ------------------------------------------------------------------------


def test_csv(tmp_path: Path) -> None:
    loaded = series(
        tmp_path, {"m.csv": "date,acc,note\n2026-11-01,0.25,x\n2026-11-02,,y\n"}, "m.csv"
    )
    assert loaded.times == (utc("2026-11-01"), utc("2026-11-02"))
    assert dict(loaded.columns) == {"acc": (0.25, None)}
    assert loaded.where == ("m.csv:2", "m.csv:3")
    assert loaded.source == "m.csv"


def test_unsorted_csv_rows_are_sorted_and_keep_their_lines(tmp_path: Path) -> None:
    csv = "date,acc\n2026-11-03,0.75\n2026-11-01,0.25\n2026-11-02,0.5\n"
    loaded = series(tmp_path, {"m.csv": csv}, "m.csv")
    assert loaded.times == (utc("2026-11-01"), utc("2026-11-02"), utc("2026-11-03"))
    assert loaded.columns["acc"] == (0.25, 0.5, 0.75)
    assert loaded.where == ("m.csv:3", "m.csv:4", "m.csv:2")


@pytest.mark.parametrize(
    "csv",
    [
        "date,acc\n2026-11-01,0.25\n2026-11-02,0.5\n",  # plain
        "date,acc\r\n2026-11-01,0.25\r\n2026-11-02,0.5\r\n",  # Windows line ends
        '"date","acc"\n"2026-11-01","0.25"\n"2026-11-02","0.5"\n',  # quoted
        "\ufeffdate,acc\n2026-11-01,0.25\n2026-11-02,0.5",  # BOM, no final newline
    ],
)
def test_csv_spellings_load_the_same(tmp_path: Path, csv: str) -> None:
    loaded = series(tmp_path, {"m.csv": csv}, "m.csv")
    assert loaded.columns["acc"] == (0.25, 0.5)
    assert loaded.where == ("m.csv:2", "m.csv:3")


def test_json_list_with_nested_fields_by_dotted_path(tmp_path: Path) -> None:
    records = [
        {"date": "2026-11-01", "null_rate": {"age": 0.01}, "acc": 0.5},
        {"date": "2026-11-02", "null_rate": {"age": None}, "acc": 0.75},
    ]
    loaded = series(
        tmp_path, {"m.json": json.dumps(records)}, "m.json", metrics=("acc", "null_rate.age")
    )
    assert dict(loaded.columns) == {"acc": (0.5, 0.75), "null_rate.age": (0.01, None)}
    assert loaded.where == ("m.json record 0", "m.json record 1")


def test_json_keyed_by_date(tmp_path: Path) -> None:
    text = json.dumps({"2026-11-02": {"acc": 0.5}, "2026-11-01": {"acc": 0.25}})
    loaded = series(tmp_path, {"m.json": text}, "m.json")
    assert loaded.times == (utc("2026-11-01"), utc("2026-11-02"))
    assert loaded.columns["acc"] == (0.25, 0.5)
    assert loaded.where == ("m.json record 2026-11-01", "m.json record 2026-11-02")


def test_jsonl_skips_blank_lines_and_keeps_line_numbers(tmp_path: Path) -> None:
    text = '{"date": "2026-11-01", "acc": 0.5}\n\n{"date": "2026-11-02", "acc": 0.75}\n'
    loaded = series(tmp_path, {"m.jsonl": text}, "m.jsonl")
    assert loaded.columns["acc"] == (0.5, 0.75)
    assert loaded.where == ("m.jsonl:1", "m.jsonl:3")


def test_yaml_list_and_yaml_keyed_by_date(tmp_path: Path) -> None:
    listed = "- {date: 2026-11-01, acc: 0.5}\n- {date: '2026-11-02T06:00:00Z', acc: 0.75}\n"
    loaded = series(tmp_path, {"m.yaml": listed}, "m.yaml")
    assert loaded.times == (utc("2026-11-01"), utc("2026-11-02T06:00:00"))
    keyed = series(
        tmp_path, {"k.yml": "2026-11-01: {acc: 0.5}\n2026-11-02: {acc: 0.75}\n"}, "k.yml"
    )
    assert keyed.columns["acc"] == (0.5, 0.75)


def test_glob_of_per_run_files_dated_by_file_name(tmp_path: Path) -> None:
    files = {
        "runs/2026-11-02.json": json.dumps({"metrics": {"acc": 0.5}}),
        "runs/2026-11-01.json": json.dumps({"metrics": {"acc": 0.25}}),
        "runs/2026-11-03T06-30.json": json.dumps({"metrics": {"acc": 0.75}}),
    }
    loaded = series(tmp_path, files, "runs/*.json", time_field="filename", metrics=("metrics.acc",))
    assert loaded.times == (
        utc("2026-11-01"),
        utc("2026-11-02"),
        utc("2026-11-03T06:30:00"),
    )
    assert loaded.columns["metrics.acc"] == (0.25, 0.5, 0.75)
    assert loaded.where == (
        "runs/2026-11-01.json",
        "runs/2026-11-02.json",
        "runs/2026-11-03T06-30.json",
    )


def test_glob_of_per_run_files_dated_by_a_field_with_zones_in_utc(tmp_path: Path) -> None:
    files = {
        "runs/a.json": json.dumps({"ts": "2026-11-02T01:00:00+02:00", "acc": 0.5}),
        "runs/b.json": json.dumps({"ts": "2026-11-01T22:30:00-01:00", "acc": 0.25}),
    }
    loaded = series(tmp_path, files, "runs/*.json", time_field="ts")
    # a: 2026-11-01T23:00Z; b: 2026-11-01T23:30Z
    assert loaded.times == (utc("2026-11-01T23:00:00"), utc("2026-11-01T23:30:00"))
    assert loaded.columns["acc"] == (0.5, 0.25)
    assert all(t.tzinfo == timezone.utc for t in loaded.times)


def test_a_declared_format_overrides_the_extension(tmp_path: Path) -> None:
    loaded = series(tmp_path, {"m.txt": "date,acc\n2026-11-01,0.5\n"}, "m.txt", fmt="csv")
    assert loaded.columns["acc"] == (0.5,)


# --- bad inputs: one message with file and line (or record) ---------------------------------


@pytest.mark.parametrize(
    ("name", "files", "pattern", "message"),
    [
        (
            "naive timestamp",
            {"m.csv": "date,acc\n2026-11-01T06:00:00,0.5\n"},
            "m.csv",
            "m.csv:2: timestamp 2026-11-01T06:00:00 has no time zone "
            "(write it with Z or an offset, e.g. 2026-11-20T06:00:00Z, or name the zone your "
            "tool writes in with `timezone:` (e.g. UTC))",
        ),
        (
            "impossible date",
            {"m.csv": "date,acc\n2026-11-01,0.5\n2026-13-01,0.5\n"},
            "m.csv",
            "m.csv:3: '2026-13-01' is not a date (expected YYYY-MM-DD)",
        ),
        (
            "not a time",
            {"m.csv": "date,acc\nyesterday,0.5\n"},
            "m.csv",
            "m.csv:2: 'yesterday' is not a date or an ISO 8601 timestamp",
        ),
        (
            "NaN in CSV",
            {"m.csv": "date,acc\n2026-11-01,0.5\n2026-11-02,NaN\n"},
            "m.csv",
            "m.csv:3: acc is 'NaN'; NaN and infinity are not metric values "
            "(leave the value empty or null if it is missing)",
        ),
        (
            "infinity in CSV",
            {"m.csv": "date,acc\n2026-11-01,inf\n"},
            "m.csv",
            "m.csv:2: acc is 'inf'; NaN and infinity are not metric values "
            "(leave the value empty or null if it is missing)",
        ),
        (
            "NaN in JSON",
            {
                "m.json": '[\n{"date": "2026-11-01", "acc": 0.5},\n'
                '{"date": "2026-11-02", "acc": NaN}\n]'
            },
            "m.json",
            "m.json:3: contains NaN; NaN and infinity are not metric values "
            "(write null if the value is missing)",
        ),
        (
            "-Infinity in JSONL",
            {
                "m.jsonl": '{"date": "2026-11-01", "acc": 0.5}\n'
                '{"date": "2026-11-02", "acc": -Infinity}\n'
            },
            "m.jsonl",
            "m.jsonl:2: contains -Infinity; NaN and infinity are not metric values "
            "(write null if the value is missing)",
        ),
        (
            "non-numeric CSV value",
            {"m.csv": "date,acc\n2026-11-01,0.5\n2026-11-02,high\n"},
            "m.csv",
            "m.csv:3: acc is 'high', not a number",
        ),
        (
            "boolean JSON value",
            {"m.json": '[{"date": "2026-11-01", "acc": 0.5}, {"date": "2026-11-02", "acc": true}]'},
            "m.json",
            "m.json record 1: acc is True, not a number",
        ),
        (
            "duplicate dates",
            {"m.csv": "date,acc\n2026-11-01,0.5\n2026-11-02,0.5\n2026-11-01,0.25\n"},
            "m.csv",
            "m.csv:4: duplicated date 2026-11-01 (also at m.csv:2) (keep one observation per time)",
        ),
        (
            "the same instant in two zones",
            {"m.csv": "date,acc\n2026-11-02T01:30:00Z,0.5\n2026-11-01T23:30:00-02:00,0.25\n"},
            "m.csv",
            "m.csv:3: duplicated date 2026-11-02T01:30:00+00:00 (also at m.csv:2) "
            "(keep one observation per time)",
        ),
        (
            "duplicate dates across per-run files",
            {
                "runs/a.json": '{"date": "2026-11-01", "acc": 0.5}',
                "runs/b.json": '{"date": "2026-11-01", "acc": 0.5}',
            },
            "runs/*.json",
            "runs/b.json: duplicated date 2026-11-01 (also at runs/a.json) "
            "(keep one observation per time)",
        ),
        ("empty file", {"m.csv": ""}, "m.csv", "m.csv: is empty"),
        ("blank file", {"m.jsonl": "\n  \n"}, "m.jsonl", "m.jsonl: is empty"),
        ("header only", {"m.csv": "date,acc\n"}, "m.csv", "m.csv: has a header but no rows"),
        ("empty JSON list", {"m.json": "[]"}, "m.json", "m.json: holds no records"),
        (
            "JSON in a .csv",
            {"m.csv": '[{"date": "2026-11-01", "acc": 0.5}]'},
            "m.csv",
            "m.csv: looks like JSON, not CSV (rename it to .json)",
        ),
        (
            "invalid JSON",
            {
                "m.json": '[\n{"date": "2026-11-01", "acc": 0.5},\n'
                '{"date": "2026-11-02" "acc": 1}\n]'
            },
            "m.json",
            "m.json:3: is not valid JSON: Expecting ',' delimiter (column 23)",
        ),
        (
            "invalid JSONL line",
            {"m.jsonl": '{"date": "2026-11-01", "acc": 0.5}\n{"date": \n'},
            "m.jsonl",
            "m.jsonl:2: is not valid JSON: Expecting value (column 10)",
        ),
        (
            "JSONL line that is not an object",
            {"m.jsonl": '{"date": "2026-11-01", "acc": 0.5}\n[1]\n'},
            "m.jsonl",
            "m.jsonl:2: is not a JSON object",
        ),
        (
            "invalid YAML",
            {"m.yaml": "- {date: 2026-11-01, acc: 0.5\n"},
            "m.yaml",
            "m.yaml:2: is not valid YAML: expected ',' or '}', but got '<stream end>'",
        ),
        (
            "a JSON number, not records",
            {"m.json": "42"},
            "m.json",
            "m.json: holds int, expected a list of records or a mapping",
        ),
        ("missing file", {}, "m.csv", "m.csv: file not found"),
        (
            "no time field",
            {"m.csv": "day,acc\n2026-11-01,0.5\n"},
            "m.csv",
            "m.csv:2: has no time field 'date' (fields are: acc, day)",
        ),
        (
            "more fields than the header",
            {"m.csv": "date,acc\n2026-11-01,0.5,9\n"},
            "m.csv",
            "m.csv:2: has more fields than the header",
        ),
        (
            "fewer fields than the header",
            {"m.csv": "date,acc,rows\n2026-11-01,0.5\n"},
            "m.csv",
            "m.csv:2: has fewer fields than the header",
        ),
        (
            "unknown extension",
            {"m.txt": "date,acc\n2026-11-01,0.5\n"},
            "m.txt",
            "m.txt: cannot tell the format of m.txt from its extension "
            "(use .csv, .json, .jsonl or .yaml, or set `format:` in the config)",
        ),
        ("binary file", {"m.csv": "date\0acc"}, "m.csv", "m.csv: is a binary file, not text"),
        (
            "no date in a per-run file name",
            {"runs/latest.json": '{"acc": 0.5}'},
            "runs/*.json",
            "runs/latest.json: has no date in its name (expected YYYY-MM-DD) "
            "(or set `time:` to the field that holds the date)",
        ),
        (
            "a glob matching nothing",
            {"other.txt": "x"},
            "runs/*.json",
            "runs/*.json: no file matches the glob 'runs/*.json'",
        ),
    ],
)
def test_bad_metric_files(
    tmp_path: Path, name: str, files: dict[str, str], pattern: str, message: str
) -> None:
    time_field = "filename" if name.startswith("no date in") else "date"
    assert data_error(tmp_path, files, pattern, time_field=time_field) == message


def test_a_bad_value_in_a_column_no_rule_reads_is_ignored(tmp_path: Path) -> None:
    csv = "date,acc,comment\n2026-11-01,0.5,NaN\n2026-11-02,0.75,n/a\n"
    assert series(tmp_path, {"m.csv": csv}, "m.csv").columns["acc"] == (0.5, 0.75)


def test_a_bad_metric_file_is_the_models_error_and_exit_3(tmp_path: Path) -> None:
    csv = "date,acc\n2026-11-01,0.5\n2026-11-02,NaN\n"
    report = run_gate(
        tmp_path, ["{name: floor, metric: acc, below: 0.5}"], files={"metrics.csv": csv}
    )
    (model,) = report.models
    assert model.decision == "error"
    assert [str(p) for p in model.problems] == [
        "metrics.csv:3: acc is 'NaN'; NaN and infinity are not metric values "
        "(leave the value empty or null if it is missing)"
    ]
    assert model.triggers[0].reason == (
        "not evaluated: the metric file cannot be read (metrics.csv, line 3)"
    )
    assert model.summary == f"{model.problems[0]}; 1 rule not evaluated"
    assert report.exit_code == 3


# --- model cards ------------------------------------------------------------------------------


def test_model_card_json_and_yaml(tmp_path: Path) -> None:
    card = {"trained_at": "2026-10-20T08:00:00+02:00", "rows": 12500, "metrics": {"acc": 0.9}}
    write(
        tmp_path, {"card.json": json.dumps(card), "card.yaml": "trained_at: 2026-10-20\nrows: 5\n"}
    )
    loaded = load_baseline(tmp_path, "card.json")
    assert loaded.trained_at == utc("2026-10-20T06:00:00")
    assert (loaded.value("acc"), loaded.value("rows"), loaded.value("recall")) == (0.9, 12500, None)
    yaml_card = load_baseline(tmp_path, "card.yaml")
    assert (yaml_card.trained_at, yaml_card.value("rows")) == (utc("2026-10-20"), 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"trained_at": "2026-10-20T06:00:00"}', "card.json field trained_at: timestamp "),
        ('["a"]', "card.json: is not a mapping of fields (a model card)"),
        ('{"acc": NaN}', "card.json:1: contains NaN"),
        ("", "card.json: is empty"),
    ],
)
def test_bad_model_cards(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, {"card.json": text})
    with pytest.raises(DataError) as caught:
        load_baseline(tmp_path, "card.json")
    assert str(caught.value).startswith(message)


def test_a_blank_line_in_a_csv_keeps_the_file_line_numbers(tmp_path: Path) -> None:
    csv = "date,acc\n2026-11-01,0.25\n\n2026-11-02,0.5\n"
    loaded = series(tmp_path, {"m.csv": csv}, "m.csv")
    assert loaded.columns["acc"] == (0.25, 0.5)
    assert loaded.where == ("m.csv:2", "m.csv:4")
