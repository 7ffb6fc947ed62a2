"""Data-quality checks: a failed check with severity `error` vetoes the retrain.

Never retrain on bad data. `CHECKS` maps a kind's name to its `Kind`; each evaluator's
docstring is the user documentation of the kind. Every check takes `severity: error`
(default: a failure vetoes) or `severity: warn` (only reported).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds import (
    COMMON,
    DURATION,
    NUMBER,
    SERIES_OPTIONS,
    SEVERITY,
    Context,
    Kind,
    RuleConfig,
    error_outcome,
    outcome,
)
from retrain_gate.results import Outcome
from retrain_gate.rules import persistence_semantic, subject_of, unreadable_series
from retrain_gate.selection import (
    NoData,
    day,
    exceeds,
    fmt,
    persisted,
    persistence,
    persistence_phrase,
    rule_points,
)

CHECK_COMMON: dict[str, dict[str, Any]] = {**COMMON, "severity": SEVERITY}


def evaluate_range(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when a metric is within bounds: `at_least: X` and/or `at_most: Y` (inclusive).

    Use it for minimum rows (`metric: rows, at_least: 1000`), null rates
    (`metric: null_rate.age, at_most: 0.05`) or any value range. Judged on the latest
    observation, or an aggregate over a `window`; with `for: N` it fails only when the
    value was out of range on N consecutive observations. A missing value is an error
    (`missing: error`, the default) so the check vetoes: never retrain on data you cannot see.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    low = rule.options.get("at_least")
    high = rule.options.get("at_most")

    def outside(value: float) -> bool:
        return (low is not None and exceeds(low, value)) or (
            high is not None and exceeds(value, high)
        )

    try:
        failed, observed, matching = persisted(rule, ctx, outside)
    except NoData as exc:
        return error_outcome(rule, str(exc))
    latest = observed[-1]
    bounds = " and ".join(
        part
        for part in (
            f">= {fmt(float(low))}" if low is not None else "",
            f"<= {fmt(float(high))}" if high is not None else "",
        )
        if part
    )
    subject = subject_of(rule)
    near = float(low) if low is not None and (high is None or latest.value < low) else high
    value = fmt(latest.value, apart_from=None if near is None else float(near))
    needed, of_last = persistence(rule)
    if failed and of_last > 1:
        shown = ", ".join(fmt(o.value) for o in matching[-3:])
        verb = "are" if len(matching) > 1 else "is"
        reason = f"{subject} {shown} {verb} not {bounds}{persistence_phrase(rule, matching)}"
    elif failed:
        reason = f"{subject} {value} on {day(latest.time)} is not {bounds}"
    elif outside(latest.value):  # out of range now, but not on enough observations yet
        reason = (
            f"{subject} {value} on {day(latest.time)} is not {bounds}, but only "
            f"{len(matching)} of the last {of_last} observations (fails on {needed})"
        )
    else:
        reason = f"{subject} {value} on {day(latest.time)} is {bounds}"
    return outcome(
        rule,
        status="failed" if failed else "passed",
        observed=latest.value,
        threshold=bounds,
        reason=reason,
        recent=rule_points(rule, ctx),
        recent_label=subject_of(rule),
        limit=float(low) if low is not None else float(high) if high is not None else None,
    )


def evaluate_freshness(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when the newest observation is at most `freshness` old (e.g. `2d`) at `now`.

    Inclusive: data exactly `freshness` old passes. An observation dated after `now`
    fails: a clock or time-zone error in the metric job is bad data too. Missing data:
    a series with no observations at all makes the check an error.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    limit = parse_duration(str(rule.options["freshness"]))
    if ctx.end == 0:
        return error_outcome(rule, "no observations at all")
    newest = ctx.series.times[ctx.end - 1]
    age = ctx.now - newest
    hours = age.total_seconds() / 3600
    shown = f"{hours / 24:.1f}d" if abs(hours) >= 48 else f"{hours:.0f}h"
    if age.total_seconds() < 0:
        return outcome(
            rule,
            status="failed",
            observed=shown,
            threshold=f"<= {format_duration(limit)}",
            reason=f"newest observation {day(newest)} is in the future "
            f"({ctx.series.where[ctx.end - 1]})",
        )
    fresh = age <= limit
    relation = "within" if fresh else "older than"
    return outcome(
        rule,
        status="passed" if fresh else "failed",
        observed=shown,
        threshold=f"<= {format_duration(limit)}",
        reason=f"newest observation {day(newest)} is {shown} old: "
        f"{relation} {format_duration(limit)}",
    )


def evaluate_gaps(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when no two consecutive observations in the last `window` (default 14d) are
    more than `max_gap` apart (e.g. `max_gap: 1d` for daily metrics; a gap equal to
    max_gap passes). The gap into the window from the observation before it counts too.
    Missing data is what it looks for: no observation in the window at all fails.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    limit = parse_duration(str(rule.options["max_gap"]))
    window = parse_duration(str(rule.options.get("window", "14d")))
    start = ctx.now - window
    times = ctx.series.times
    inside = range(bisect.bisect_right(times, start, 0, ctx.end), ctx.end)
    if not inside:
        return outcome(
            rule,
            status="failed",
            observed="no data",
            threshold=f"gap <= {format_duration(limit)}",
            reason=f"no observations in the last {format_duration(window)}",
        )
    first = inside[0]
    pairs = [(first - 1, first)] if first > 0 else []
    pairs += [(i, i + 1) for i in inside[:-1]]
    gaps = [(times[b] - times[a], a, b) for a, b in pairs if times[b] - times[a] > limit]
    if not gaps:
        return outcome(
            rule,
            status="passed",
            observed="none",
            threshold=f"gap <= {format_duration(limit)}",
            reason=f"{len(inside)} observations in the last {format_duration(window)}, "
            f"none more than {format_duration(limit)} apart",
        )
    widest = max(gap for gap, _, _ in gaps)
    listed = "; ".join(f"{day(times[x])} -> {day(times[y])}" for _, x, y in gaps[:3])
    more = f" and {len(gaps) - 3} more" if len(gaps) > 3 else ""
    return outcome(
        rule,
        status="failed",
        observed=format_duration(widest),
        threshold=f"gap <= {format_duration(limit)}",
        reason=f"{len(gaps)} gap{'s' if len(gaps) > 1 else ''} over {format_duration(limit)} "
        f"in the last {format_duration(window)}: {listed}{more}",
    )


def evaluate_required_fields(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when every field in `required:` is present and not empty in the latest
    observation (or, with `window: N`, in each of the last N). Missing data is what it
    looks for: an absent or empty field fails; no observations at all is an error."""
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    fields = [str(f) for f in rule.options["required"]]
    count = int(rule.options.get("window", 1))
    start = max(0, ctx.end - count)
    absent = []
    for name in fields:
        column = ctx.series.columns.get(name)
        for i in range(start, ctx.end):
            if column is None or column[i] is None:
                absent.append((name, i))
                break
    if ctx.end == 0:
        return error_outcome(rule, "no observations at all")
    if absent:
        listed = ", ".join(f"{name} ({ctx.series.where[i]})" for name, i in absent)
        return outcome(
            rule,
            status="failed",
            observed=f"{len(absent)} missing",
            threshold="all present",
            reason=f"missing or empty: {listed}",
        )
    return outcome(
        rule,
        status="passed",
        observed="all present",
        threshold="all present",
        reason=f"{', '.join(fields)} present on {day(ctx.series.times[ctx.end - 1])}",
    )


def evaluate_sample_schema(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when every record of a committed data sample (`sample:`, JSONL, JSON or CSV)
    is valid against a JSON Schema (`schema:`). The reason names the first invalid records
    by line and what is wrong with them. Missing data: a missing or unreadable sample or
    schema makes the check an error."""
    import jsonschema

    sample = ctx.files.get(str(rule.options["sample"]))
    schema = ctx.files.get(str(rule.options["schema"]))
    if not isinstance(schema, dict):
        return error_outcome(rule, f"cannot read the schema: {schema}")
    if not isinstance(sample, list):
        return error_outcome(rule, f"cannot read the sample: {sample}")
    try:
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return error_outcome(
            rule, f"{rule.options['schema']} is not a valid JSON Schema: {exc.message}"
        )
    validator = validator_class(schema)
    invalid = []
    for where, record in sample:
        error = jsonschema.exceptions.best_match(validator.iter_errors(record))
        if error is not None:
            path = ".".join(str(p) for p in error.absolute_path)
            invalid.append(f"{where}: {path + ': ' if path else ''}{error.message}")
    if invalid:
        shown = "; ".join(invalid[:3]) + (
            f"; and {len(invalid) - 3} more" if len(invalid) > 3 else ""
        )
        return outcome(
            rule,
            status="failed",
            observed=f"{len(invalid)} of {len(sample)} invalid",
            threshold="all valid",
            reason=shown,
        )
    return outcome(
        rule,
        status="passed",
        observed=f"{len(sample)} valid",
        threshold="all valid",
        reason=f"all {len(sample)} records of {rule.options['sample']} "
        f"match {rule.options['schema']}",
    )


def _range_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if "at_least" not in options and "at_most" not in options:
        return [("at_least", "give at_least, at_most or both")]
    low, high = options.get("at_least"), options.get("at_most")
    if low is not None and high is not None and low > high:
        return [("at_most", f"at_most {high} is below at_least {low}: nothing could pass")]
    return persistence_semantic(options)


CHECKS: dict[str, Kind] = {
    "range": Kind(
        name="range",
        role="check",
        keys=("at_least", "at_most"),
        options={**CHECK_COMMON, **SERIES_OPTIONS, "at_least": NUMBER, "at_most": NUMBER},
        required=("metric",),
        evaluate=evaluate_range,
        semantic=_range_semantic,
    ),
    "freshness": Kind(
        name="freshness",
        role="check",
        keys=("freshness",),
        options={**CHECK_COMMON, "freshness": DURATION},
        required=(),
        evaluate=evaluate_freshness,
    ),
    "gaps": Kind(
        name="gaps",
        role="check",
        keys=("max_gap",),
        options={**CHECK_COMMON, "max_gap": DURATION, "window": DURATION},
        required=(),
        evaluate=evaluate_gaps,
    ),
    "required_fields": Kind(
        name="required_fields",
        role="check",
        keys=("required",),
        options={
            **CHECK_COMMON,
            "required": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "window": {"type": "integer", "minimum": 1},
        },
        required=(),
        evaluate=evaluate_required_fields,
    ),
    "sample_schema": Kind(
        name="sample_schema",
        role="check",
        keys=("sample",),
        options={
            **CHECK_COMMON,
            "sample": {
                "type": "string",
                "minLength": 1,
                "description": "A committed data sample (JSONL, JSON, CSV).",
            },
            "schema": {
                "type": "string",
                "minLength": 1,
                "description": "The JSON Schema its records must match.",
            },
        },
        required=("schema",),
        evaluate=evaluate_sample_schema,
        uses_series=False,
        inputs=lambda o: ((str(o["sample"]), "records"), (str(o["schema"]), "json")),
    ),
}
