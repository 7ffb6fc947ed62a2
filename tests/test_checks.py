"""Data-quality check kinds, run through the real pipeline on tiny repositories."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from retrain_gate.results import Outcome
from tests.conftest import daily_csv
from tests.test_rules import NOW, run_gate, seen

# a trigger every model needs; quiet on the metrics below (rows are never negative)
QUIET = "{name: never, metric: rows, below: 0}"


def check_outcome(
    root: Path,
    rule: str,
    csv: str,
    *,
    now: datetime = NOW,
    extra: dict[str, str] | None = None,
) -> Outcome:
    report = run_gate(root, [QUIET], [rule], files={"metrics.csv": csv, **(extra or {})}, now=now)
    (model,) = report.models
    (outcome,) = model.checks
    return outcome


# --- range ------------------------------------------------------------------------------------


def test_at_least_passes_and_fails(tmp_path: Path) -> None:
    rule = "{name: enough-rows, metric: rows, at_least: 1000}"
    passed = check_outcome(tmp_path, rule, daily_csv({"rows": [5, 1500]}))
    assert seen(passed) == ("passed", 1500.0, ">= 1,000", "rows 1,500 on 2026-11-02 is >= 1,000")
    failed = check_outcome(tmp_path, rule, daily_csv({"rows": [1500, 999]}))
    assert seen(failed) == (
        "failed",
        999.0,
        ">= 1,000",
        "rows 999 on 2026-11-02 is not >= 1,000",
    )
    assert failed.vetoes and failed.limit == 1000


def test_range_bounds_are_inclusive(tmp_path: Path) -> None:
    rule = "{name: nulls, metric: null_rate.age, at_least: 0.125, at_most: 0.875}"
    low = check_outcome(tmp_path, rule, daily_csv({"rows": [1], "null_rate.age": [0.125]}))
    assert seen(low) == (
        "passed",
        0.125,
        ">= 0.125 and <= 0.875",
        "null_rate.age 0.125 on 2026-11-01 is >= 0.125 and <= 0.875",
    )
    high = check_outcome(tmp_path, rule, daily_csv({"rows": [1], "null_rate.age": [0.875]}))
    assert high.status == "passed"
    above = check_outcome(tmp_path, rule, daily_csv({"rows": [1], "null_rate.age": [0.9]}))
    assert seen(above) == (
        "failed",
        0.9,
        ">= 0.125 and <= 0.875",
        "null_rate.age 0.9 on 2026-11-01 is not >= 0.125 and <= 0.875",
    )


def test_a_value_just_outside_a_bound_is_not_printed_as_the_bound(tmp_path: Path) -> None:
    rule = "{name: enough-rows, metric: rows, at_least: 1000}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [999.99]}))
    assert outcome.reason == "rows 999.99 on 2026-11-01 is not >= 1,000"


def test_at_most_with_a_window_aggregate(tmp_path: Path) -> None:
    rule = "{name: nulls, metric: null_rate, at_most: 0.25, aggregate: mean, window: 2}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1, 1], "null_rate": [0.5, 0.0]}))
    assert seen(outcome) == (
        "passed",
        0.25,
        "<= 0.25",
        "null_rate (mean of the last 2) 0.25 on 2026-11-02 is <= 0.25",
    )


def test_range_for_two_fails_only_on_two_consecutive_observations(tmp_path: Path) -> None:
    rule = "{name: enough-rows, metric: rows, at_least: 1000, for: 2}"
    once = check_outcome(tmp_path, rule, daily_csv({"rows": [1500, 500]}))
    assert seen(once) == (
        "passed",
        500.0,
        ">= 1,000",
        "rows 500 on 2026-11-02 is not >= 1,000, but only 1 of the last 2 observations "
        "(fails on 2)",
    )
    twice = check_outcome(tmp_path, rule, daily_csv({"rows": [1500, 600, 500]}))
    assert seen(twice) == (
        "failed",
        500.0,
        ">= 1,000",
        "rows 600, 500 are not >= 1,000 on 2 consecutive observations (2026-11-02, 2026-11-03)",
    )


def test_range_missing_value_is_an_error_that_vetoes(tmp_path: Path) -> None:
    rule = "{name: enough-rows, metric: rows, at_least: 1000}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1500, None]}))
    assert seen(outcome) == ("error", None, None, "rows is missing on 2026-11-02 (metrics.csv:3)")
    assert outcome.vetoes


def test_range_missing_ignore_judges_the_last_value_present(tmp_path: Path) -> None:
    rule = "{name: enough-rows, metric: rows, at_least: 1000, missing: ignore}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1500, None]}))
    assert seen(outcome) == ("passed", 1500.0, ">= 1,000", "rows 1,500 on 2026-11-01 is >= 1,000")


def test_warn_severity_turns_a_failure_into_warned(tmp_path: Path) -> None:
    rule = "{name: enough-rows, metric: rows, at_least: 1000, severity: warn}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [10]}))
    assert (outcome.status, outcome.severity, outcome.vetoes) == ("warned", "warn", False)
    assert outcome.reason == "rows 10 on 2026-11-01 is not >= 1,000"


# --- freshness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "status", "observed", "reason"),
    [
        (NOW, "passed", "24h", "newest observation 2026-11-10 is 24h old: within 2d"),
        (
            NOW + timedelta(days=1),
            "passed",
            "2.0d",
            "newest observation 2026-11-10 is 2.0d old: within 2d",
        ),
        (
            NOW + timedelta(days=1, seconds=1),
            "failed",
            "2.0d",
            "newest observation 2026-11-10 is 2.0d old: older than 2d",
        ),
        (
            NOW + timedelta(days=3),
            "failed",
            "4.0d",
            "newest observation 2026-11-10 is 4.0d old: older than 2d",
        ),
    ],
)
def test_freshness_is_inclusive(
    tmp_path: Path, now: datetime, status: str, observed: str, reason: str
) -> None:
    csv = daily_csv({"rows": [1] * 10})  # the newest row is 2026-11-10
    outcome = check_outcome(tmp_path, "{name: fresh, freshness: 2d}", csv, now=now)
    assert seen(outcome) == (status, observed, "<= 2d", reason)


def test_freshness_with_a_timestamp_in_the_future_fails(tmp_path: Path) -> None:
    csv = "date,rows\n2026-11-10,1\n2026-11-11T06:00:00Z,1\n"
    outcome = check_outcome(tmp_path, "{name: fresh, freshness: 2d}", csv)
    assert seen(outcome) == (
        "failed",
        "-6h",
        "<= 2d",
        "newest observation 2026-11-11T06:00Z is in the future (metrics.csv:3)",
    )


# --- gaps -------------------------------------------------------------------------------------


def test_gaps_pass_on_daily_data(tmp_path: Path) -> None:
    outcome = check_outcome(
        tmp_path, "{name: no-gaps, max_gap: 1d, window: 5d}", daily_csv({"rows": [1] * 10})
    )
    assert seen(outcome) == (
        "passed",
        "none",
        "gap <= 1d",
        "4 observations in the last 5d, none more than 1d apart",
    )


def test_a_gap_equal_to_max_gap_passes_and_a_longer_one_fails(tmp_path: Path) -> None:
    csv = "date,rows\n2026-11-04,1\n2026-11-06,1\n2026-11-07,1\n2026-11-10,1\n"
    equal = check_outcome(tmp_path, "{name: no-gaps, max_gap: 3d, window: 7d}", csv)
    assert equal.status == "passed"
    failed = check_outcome(tmp_path, "{name: no-gaps, max_gap: 1d, window: 7d}", csv)
    # the gap into the window (11-04 -> 11-06) counts: 11-04 is just outside the 7 days
    assert seen(failed) == (
        "failed",
        "3d",
        "gap <= 1d",
        "2 gaps over 1d in the last 7d: 2026-11-04 -> 2026-11-06; 2026-11-07 -> 2026-11-10",
    )


def test_no_observation_in_the_window_fails(tmp_path: Path) -> None:
    csv = daily_csv({"rows": [1, 1]})  # 2026-11-01 and 11-02; now is 11-11
    outcome = check_outcome(tmp_path, "{name: no-gaps, max_gap: 1d, window: 3d}", csv)
    assert seen(outcome) == ("failed", "no data", "gap <= 1d", "no observations in the last 3d")


# --- required_fields --------------------------------------------------------------------------


def test_required_fields_present(tmp_path: Path) -> None:
    csv = "date,rows,source\n2026-11-01,1,\n2026-11-02,1,warehouse\n"
    outcome = check_outcome(tmp_path, "{name: fields, required: [rows, source]}", csv)
    assert seen(outcome) == (
        "passed",
        "all present",
        "all present",
        "rows, source present on 2026-11-02",
    )


def test_required_fields_empty_or_absent_fail_with_their_line(tmp_path: Path) -> None:
    csv = "date,rows,source\n2026-11-01,1,warehouse\n2026-11-02,1,\n"
    outcome = check_outcome(tmp_path, "{name: fields, required: [source, owner]}", csv)
    assert seen(outcome) == (
        "failed",
        "2 missing",
        "all present",
        "missing or empty: source (metrics.csv:3), owner (metrics.csv:3)",
    )


def test_required_fields_over_a_window(tmp_path: Path) -> None:
    csv = "date,rows,source\n2026-11-01,1,\n2026-11-02,1,a\n2026-11-03,1,b\n"
    two = check_outcome(tmp_path, "{name: fields, required: [source], window: 2}", csv)
    assert two.status == "passed"
    three = check_outcome(tmp_path, "{name: fields, required: [source], window: 3}", csv)
    assert seen(three) == (
        "failed",
        "1 missing",
        "all present",
        "missing or empty: source (metrics.csv:2)",
    )


# --- sample_schema ----------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "required": ["age"],
    "properties": {"age": {"type": "integer", "minimum": 0}},
}


def test_sample_schema_passes(tmp_path: Path) -> None:
    extra = {
        "data/sample.jsonl": '{"age": 31}\n{"age": 45}\n',
        "data/schema.json": json.dumps(SCHEMA),
    }
    rule = "{name: sample, sample: data/sample.jsonl, schema: data/schema.json}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1]}), extra=extra)
    assert seen(outcome) == (
        "passed",
        "2 valid",
        "all valid",
        "all 2 records of data/sample.jsonl match data/schema.json",
    )


def test_sample_schema_names_the_invalid_records_by_line(tmp_path: Path) -> None:
    lines = ['{"age": 31}', '{"age": "old"}', "{}", '{"age": -1}', '{"age": 1.5}']
    extra = {
        "data/sample.jsonl": "\n".join(lines) + "\n",
        "data/schema.json": json.dumps(SCHEMA),
    }
    rule = "{name: sample, sample: data/sample.jsonl, schema: data/schema.json}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1]}), extra=extra)
    assert seen(outcome) == (
        "failed",
        "4 of 5 invalid",
        "all valid",
        "data/sample.jsonl:2: age: 'old' is not of type 'integer'; "
        "data/sample.jsonl:3: 'age' is a required property; "
        "data/sample.jsonl:4: age: -1 is less than the minimum of 0; and 1 more",
    )


def test_sample_schema_with_a_nested_csv_sample(tmp_path: Path) -> None:
    # a CSV column named with a dot is validated as the nested object it stands for
    schema = {"type": "object", "properties": {"user": {"required": ["country"]}}}
    extra = {
        "data/sample.csv": "user.country,user.age\nfr,31\n",
        "data/schema.json": json.dumps(schema),
    }
    rule = "{name: sample, sample: data/sample.csv, schema: data/schema.json}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1]}), extra=extra)
    assert outcome.status == "passed"


def test_sample_schema_with_an_invalid_schema_is_an_error(tmp_path: Path) -> None:
    extra = {
        "data/sample.jsonl": '{"age": 31}\n',
        "data/schema.json": json.dumps({"type": "whole number"}),
    }
    rule = "{name: sample, sample: data/sample.jsonl, schema: data/schema.json}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1]}), extra=extra)
    assert outcome.status == "error"
    assert outcome.reason.startswith("data/schema.json is not a valid JSON Schema: ")


def test_sample_schema_with_a_missing_sample_is_an_error(tmp_path: Path) -> None:
    extra = {"data/schema.json": json.dumps(SCHEMA)}
    rule = "{name: sample, sample: data/sample.jsonl, schema: data/schema.json}"
    outcome = check_outcome(tmp_path, rule, daily_csv({"rows": [1]}), extra=extra)
    assert seen(outcome) == (
        "error",
        None,
        None,
        "cannot read the sample: data/sample.jsonl: file not found",
    )
