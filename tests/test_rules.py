"""Trigger rule kinds, run through the real pipeline on tiny repositories.

Each test writes a config and committed metric files under tmp_path, loads the config,
runs `gate.check` and asserts what a user sees: the status, the observed value, the
threshold text and the reason sentence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest

from retrain_gate.config.parse import load_config
from retrain_gate.engine.gate import check
from retrain_gate.results import Outcome, Report
from tests.conftest import daily_csv, write

# 2026-11-01 + 9 days: the tenth daily row is 2026-11-10; "now" is the day after.
NOW = datetime(2026, 11, 11, tzinfo=timezone.utc)
METRICS = "{path: metrics.csv, time: date}"


def config_text(
    triggers: Sequence[str],
    checks: Sequence[str] = (),
    *,
    metrics: str | None = METRICS,
    baseline: str | None = None,
) -> str:
    """A one-model config (model `m`); rules are YAML flow mappings, one per line."""
    lines = ["version: 1", "models:", "  m:"]
    if metrics is not None:
        lines.append(f"    metrics: {metrics}")
    if baseline is not None:
        lines.append(f"    baseline: {baseline}")
    lines.append("    triggers:")
    lines += [f"      - {rule}" for rule in triggers]
    if checks:
        lines.append("    checks:")
        lines += [f"      - {rule}" for rule in checks]
    return "\n".join(lines) + "\n"


def run_gate(
    root: Path,
    triggers: Sequence[str],
    checks: Sequence[str] = (),
    *,
    files: dict[str, str],
    metrics: str | None = METRICS,
    baseline: str | None = None,
    now: datetime = NOW,
) -> Report:
    """Write the repository, load its config and run the whole gate on it."""
    config = config_text(triggers, checks, metrics=metrics, baseline=baseline)
    write(root, {"retrain-gate.yml": config, **files})
    return check(load_config(root / "retrain-gate.yml"), now=now)


def trigger(
    root: Path,
    rule: str,
    csv: str,
    *,
    card: dict[str, object] | None = None,
    now: datetime = NOW,
    extra: dict[str, str] | None = None,
) -> Outcome:
    """The outcome of one trigger rule on one metrics CSV (and model card, if given)."""
    files = {"metrics.csv": csv, **(extra or {})}
    baseline = None
    if card is not None:
        files["card.json"] = json.dumps(card)
        baseline = "card.json"
    report = run_gate(root, [rule], files=files, baseline=baseline, now=now)
    (model,) = report.models
    (outcome,) = model.triggers
    return outcome


def seen(outcome: Outcome) -> tuple[str, object, object, str]:
    return outcome.status, outcome.observed, outcome.threshold, outcome.reason


# --- threshold: latest value ----------------------------------------------------------------


def test_below_fires_on_the_latest_value(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.9, 0.9, 0.84]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87}", csv)
    assert seen(outcome) == ("fired", 0.84, "< 0.87", "accuracy 0.84 < 0.87 on 2026-11-03")
    assert outcome.limit == 0.87
    assert [p.value for p in outcome.recent] == [0.9, 0.9, 0.84]


def test_below_is_quiet_above_the_threshold(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.8, 0.9]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87}", csv)
    assert seen(outcome) == ("quiet", 0.9, "< 0.87", "accuracy 0.9 >= 0.87 on 2026-11-02")


def test_below_equal_to_the_threshold_does_not_fire(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.875]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.875}", csv)
    assert seen(outcome) == ("quiet", 0.875, "< 0.875", "accuracy 0.875 >= 0.875 on 2026-11-01")


def test_above_fires_and_equal_does_not(tmp_path: Path) -> None:
    rule = "{name: latency, metric: p95_ms, above: 250}"
    fired = trigger(tmp_path, rule, daily_csv({"p95_ms": [240, 250.5]}))
    assert seen(fired) == ("fired", 250.5, "> 250", "p95_ms 250.5 > 250 on 2026-11-02")
    equal = trigger(tmp_path, rule, daily_csv({"p95_ms": [300, 250]}))
    assert seen(equal) == ("quiet", 250.0, "> 250", "p95_ms 250 <= 250 on 2026-11-02")


def test_a_value_that_rounds_to_the_threshold_is_shown_with_enough_digits(
    tmp_path: Path,
) -> None:
    # 0.87496 printed with 4 significant digits is "0.875": "0.875 < 0.875" would be absurd.
    csv = daily_csv({"accuracy": [0.87496]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.875}", csv)
    assert outcome.status == "fired"
    assert outcome.reason == "accuracy 0.87496 < 0.875 on 2026-11-01"


# --- threshold: aggregates over a window ------------------------------------------------------


@pytest.mark.parametrize(
    ("aggregate", "observed", "status", "relation"),
    [
        ("mean", 0.5, "quiet", ">="),  # (0.25 + 0.5 + 0.75) / 3 == 0.5: equal, not below
        ("median", 0.5, "quiet", ">="),
        ("min", 0.25, "fired", "<"),
        ("max", 0.75, "quiet", ">="),
        ("sum", 1.5, "quiet", ">="),
    ],
)
def test_aggregate_over_the_last_n_observations(
    tmp_path: Path, aggregate: str, observed: float, status: str, relation: str
) -> None:
    # the first value (0.0) is outside the window of 3 and must not count
    csv = daily_csv({"score": [0.0, 0.25, 0.5, 0.75]})
    rule = f"{{name: r, metric: score, below: 0.5, aggregate: {aggregate}, window: 3}}"
    outcome = trigger(tmp_path, rule, csv)
    shown = {0.5: "0.5", 0.25: "0.25", 0.75: "0.75", 1.5: "1.5"}[observed]
    assert seen(outcome) == (
        status,
        observed,
        "< 0.5",
        f"score ({aggregate} of the last 3) {shown} {relation} 0.5 on 2026-11-04",
    )


@pytest.mark.parametrize(
    "options",
    [
        "below: 0.5, aggregate: mean, window: {n}",
        "outside_sigma: 2, reference_window: {n}",
        "below: 0.5, for: {n}",
    ],
)
def test_a_count_written_as_a_whole_float_is_read_as_that_count(
    tmp_path: Path, options: str
) -> None:
    """JSON Schema takes 3.0 for the integer 3, so the config accepts `window: 3.0`; the rule
    must then read it as 3 observations (it was an internal error: a window that is not an
    int was taken for a duration such as '7d')."""
    csv = daily_csv({"score": [0.9, 0.9, 0.91, 0.89, 0.2, 0.25, 0.3]})
    as_int = trigger(tmp_path / "int", f"{{name: r, metric: score, {options.format(n=3)}}}", csv)
    as_float = trigger(
        tmp_path / "float", f"{{name: r, metric: score, {options.format(n='3.0')}}}", csv
    )
    assert seen(as_float) == seen(as_int)
    assert as_float.status in ("fired", "quiet")


def test_aggregate_over_a_duration_window_counts_back_from_the_observation(
    tmp_path: Path,
) -> None:
    # window 3d at 2026-11-05 covers 11-03, 11-04, 11-05 (after 11-02 00:00, exclusive)
    csv = daily_csv({"score": [0.0, 0.0, 0.25, 0.5, 0.75]})
    rule = "{name: r, metric: score, below: 0.5, aggregate: mean, window: 3d}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "quiet",
        0.5,
        "< 0.5",
        "score (mean over 3d) 0.5 >= 0.5 on 2026-11-05",
    )


def test_duration_window_covers_fewer_observations_across_a_missing_date(
    tmp_path: Path,
) -> None:
    csv = (
        "date,score\n2026-11-01,0.0\n2026-11-02,0.0\n2026-11-03,0.25\n"
        "2026-11-05,0.5\n"  # 11-04 is not in the file: the 3d window holds 11-03 and 11-05
    )
    rule = "{name: r, metric: score, below: 0.4, aggregate: mean, window: 3d}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "fired",
        0.375,
        "< 0.4",
        "score (mean over 3d) 0.375 < 0.4 on 2026-11-05",
    )


def test_a_last_n_window_needs_n_observations(tmp_path: Path) -> None:
    csv = daily_csv({"score": [0.1, 0.2]})
    rule = "{name: r, metric: score, below: 0.5, aggregate: mean, window: 5}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "error",
        None,
        None,
        "only 2 observations of score; the rule needs 5",
    )


# --- threshold: persistence -----------------------------------------------------------------


def test_for_two_fires_on_two_consecutive_observations(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.9, 0.86, 0.85]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87, for: 2}", csv)
    assert seen(outcome) == (
        "fired",
        0.85,
        "< 0.87",
        "accuracy 0.86, 0.85 < 0.87 on 2 consecutive observations (2026-11-02, 2026-11-03)",
    )


def test_for_two_is_quiet_after_one_low_observation(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.86, 0.9, 0.85]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87, for: 2}", csv)
    assert seen(outcome) == (
        "quiet",
        0.85,
        "< 0.87",
        "accuracy 0.85 < 0.87 on 2026-11-03, but only 1 of the last 2 observations (needs 2)",
    )


def test_for_counts_observations_not_calendar_days(tmp_path: Path) -> None:
    # 2026-11-03 is missing from the file: 11-02 and 11-04 are still consecutive observations
    csv = "date,accuracy\n2026-11-01,0.9\n2026-11-02,0.86\n2026-11-04,0.85\n"
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87, for: 2}", csv)
    assert seen(outcome) == (
        "fired",
        0.85,
        "< 0.87",
        "accuracy 0.86, 0.85 < 0.87 on 2 consecutive observations (2026-11-02, 2026-11-04)",
    )


def test_a_null_value_in_the_streak_is_an_error_naming_date_and_line(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.86, None, 0.85]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87, for: 2}", csv)
    assert seen(outcome) == (
        "error",
        None,
        None,
        "accuracy is missing on 2026-11-02 (metrics.csv:3)",
    )


def test_missing_ignore_skips_the_null_value(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.86, None, 0.85]})
    rule = "{name: floor, metric: accuracy, below: 0.87, for: 2, missing: ignore}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "fired",
        0.85,
        "< 0.87",
        "accuracy 0.86, 0.85 < 0.87 on 2 consecutive observations (2026-11-01, 2026-11-03)",
    )


def test_a_null_value_outside_what_the_rule_reads_is_harmless(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [None, 0.9, 0.85]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87}", csv)
    assert seen(outcome) == ("fired", 0.85, "< 0.87", "accuracy 0.85 < 0.87 on 2026-11-03")


def test_too_few_observations_for_persistence_is_an_error(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.8, 0.8]})
    outcome = trigger(tmp_path, "{name: floor, metric: accuracy, below: 0.87, for: 3}", csv)
    assert seen(outcome) == (
        "error",
        None,
        None,
        "only 2 observations of accuracy; the rule needs 3",
    )


def test_m_of_last_n_fires_on_m_matches_in_any_order(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.8, 0.86, 0.9, 0.85, 0.9]})
    rule = "{name: floor, metric: accuracy, below: 0.87, for: 2, of_last: 4}"
    outcome = trigger(tmp_path, rule, csv)
    # the last value is fine, but 2 of the last 4 (11-02 and 11-04) were low
    assert seen(outcome) == (
        "fired",
        0.9,
        "< 0.87",
        "accuracy 0.86, 0.85 < 0.87 on 2 of the last 4 observations (2026-11-02, 2026-11-04)",
    )


def test_m_of_last_n_does_not_count_older_matches(tmp_path: Path) -> None:
    # 11-01 is low but outside the last 4
    csv = daily_csv({"accuracy": [0.8, 0.9, 0.9, 0.9, 0.85]})
    rule = "{name: floor, metric: accuracy, below: 0.87, for: 2, of_last: 4}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "quiet",
        0.85,
        "< 0.87",
        "accuracy 0.85 < 0.87 on 2026-11-05, but only 1 of the last 4 observations (needs 2)",
    )


def test_aggregate_and_persistence_combine(tmp_path: Path) -> None:
    # mean of the last 2 at each of the last 2 observations: (0.5+0.25)/2, (0.25+0.25)/2
    csv = daily_csv({"score": [1.0, 0.5, 0.25, 0.25]})
    rule = "{name: r, metric: score, below: 0.5, aggregate: mean, window: 2, for: 2}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "fired",
        0.25,
        "< 0.5",
        "score (mean of the last 2) 0.375, 0.25 < 0.5 on 2 consecutive observations "
        "(2026-11-03, 2026-11-04)",
    )


# --- baseline_change ------------------------------------------------------------------------

CARD = {"trained_at": "2026-10-01T00:00:00Z", "rows": 10000, "metrics": {"accuracy": 0.8}}


def test_relative_drop_fires(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.8, 0.7]})
    rule = "{name: drop, metric: accuracy, drop_from_baseline: 10%}"
    outcome = trigger(tmp_path, rule, csv, card=CARD)
    assert outcome.status == "fired"
    assert outcome.observed == pytest.approx(0.125)
    assert outcome.threshold == "drop > 10%"
    assert outcome.reason == (
        "accuracy 0.7 on 2026-11-02 vs 0.8 at training: a drop of 12.5%, more than 10%"
    )


def test_relative_drop_equal_to_the_amount_does_not_fire(tmp_path: Path) -> None:
    # 0.6 is exactly 25% under 0.8 in decimal, but (0.8 - 0.6) / 0.8 is 0.2500000000000001
    # in binary floating point: the rule must still treat it as equal.
    csv = daily_csv({"accuracy": [0.6]})
    rule = "{name: drop, metric: accuracy, drop_from_baseline: 25%}"
    outcome = trigger(tmp_path, rule, csv, card=CARD)
    assert outcome.status == "quiet"
    assert outcome.threshold == "drop > 25%"
    assert outcome.reason == (
        "accuracy 0.6 on 2026-11-01 vs 0.8 at training: a drop of 25.0%, not more than 25%"
    )


def test_relative_drop_of_three_percent_exactly_does_not_fire(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.873]})
    card = {"accuracy": 0.9}
    rule = "{name: drop, metric: accuracy, drop_from_baseline: 3%}"
    outcome = trigger(tmp_path, rule, csv, card=card)
    assert (outcome.status, outcome.threshold) == ("quiet", "drop > 3%")
    assert outcome.reason.endswith("a drop of 3.0%, not more than 3%")


def test_a_fractional_percentage_is_shown_as_written(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.8]})
    rule = "{name: drop, metric: accuracy, drop_from_baseline: 2.5%}"
    outcome = trigger(tmp_path, rule, csv, card=CARD)
    assert outcome.threshold == "drop > 2.5%"
    assert outcome.reason.endswith("a drop of 0.0%, not more than 2.5%")


def test_absolute_drop_fires_and_equal_does_not(tmp_path: Path) -> None:
    card = {"metrics": {"auc": 0.875}}
    rule = "{name: drop, metric: auc, drop_from_baseline: 0.125}"
    fired = trigger(tmp_path, rule, daily_csv({"auc": [0.5]}), card=card)
    assert seen(fired) == (
        "fired",
        0.375,
        "drop > 0.125",
        "auc 0.5 on 2026-11-01 vs 0.875 at training: a drop of 0.375, more than 0.125",
    )
    assert fired.limit == 0.75
    equal = trigger(tmp_path, rule, daily_csv({"auc": [0.75]}), card=card)
    assert seen(equal) == (
        "quiet",
        0.125,
        "drop > 0.125",
        "auc 0.75 on 2026-11-01 vs 0.875 at training: a drop of 0.125, not more than 0.125",
    )


def test_rise_from_baseline_relative_and_absolute(tmp_path: Path) -> None:
    card = {"error_rate": 0.25}
    relative = trigger(
        tmp_path,
        "{name: rise, metric: error_rate, rise_from_baseline: 50%}",
        daily_csv({"error_rate": [0.5]}),
        card=card,
    )
    assert seen(relative) == (
        "fired",
        1.0,
        "rise > 50%",
        "error_rate 0.5 on 2026-11-01 vs 0.25 at training: a rise of 100.0%, more than 50%",
    )
    absolute = trigger(
        tmp_path,
        "{name: rise, metric: error_rate, rise_from_baseline: 0.25}",
        daily_csv({"error_rate": [0.5]}),
        card=card,
    )
    assert seen(absolute) == (
        "quiet",
        0.25,
        "rise > 0.25",
        "error_rate 0.5 on 2026-11-01 vs 0.25 at training: a rise of 0.25, not more than 0.25",
    )


def test_baseline_change_with_a_window_and_persistence(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.8, 0.5, 0.5, 0.5]})
    rule = (
        "{name: drop, metric: accuracy, drop_from_baseline: 0.25, aggregate: max, "
        "window: 2, for: 2}"
    )
    outcome = trigger(tmp_path, rule, csv, card=CARD)
    # max of the last 2 is 0.8 on 11-02 (a drop of 0) and 0.5 on 11-03, 11-04
    assert outcome.status == "fired"
    assert outcome.reason == (
        "accuracy (max of the last 2) 0.5 on 2026-11-04 vs 0.8 at training: a drop of 0.3, "
        "more than 0.25 on 2 consecutive observations (2026-11-03, 2026-11-04)"
    )


def test_model_card_without_the_metric_is_an_error(tmp_path: Path) -> None:
    csv = daily_csv({"recall": [0.5]})
    rule = "{name: drop, metric: recall, drop_from_baseline: 3%}"
    outcome = trigger(tmp_path, rule, csv, card=CARD)
    assert seen(outcome) == (
        "error",
        None,
        None,
        "the model card card.json has no value for recall "
        "(looked for `recall` and `metrics.recall`)",
    )


def test_relative_change_from_a_zero_baseline_is_an_error(tmp_path: Path) -> None:
    csv = daily_csv({"errors": [3]})
    rule = "{name: rise, metric: errors, rise_from_baseline: 10%}"
    outcome = trigger(tmp_path, rule, csv, card={"errors": 0})
    assert seen(outcome) == (
        "error",
        None,
        None,
        "card.json: the baseline errors is 0; a relative change is undefined",
    )


def test_missing_model_card_file_makes_the_model_an_error_with_exit_3(tmp_path: Path) -> None:
    files = {"metrics.csv": daily_csv({"accuracy": [0.8]})}
    report = run_gate(
        tmp_path,
        ["{name: drop, metric: accuracy, drop_from_baseline: 3%}", "{name: age, max_age: 30d}"],
        files=files,
        baseline="models/card.json",
    )
    (model,) = report.models
    assert model.decision == "error"
    drop, age = model.triggers
    assert seen(drop) == (
        "error",
        None,
        None,
        "needs the model card's values, but there is none: models/card.json: file not found",
    )
    assert age.reason == "cannot tell the model's age: models/card.json: file not found"
    assert model.summary == "models/card.json: file not found; 2 rules not evaluated"
    assert [str(p) for p in model.problems] == ["models/card.json: file not found"]
    assert report.decision == "error"
    assert report.exit_code == 3


# --- data_growth ------------------------------------------------------------------------------


def test_growth_relative_fires(tmp_path: Path) -> None:
    csv = daily_csv({"rows": [10000, 13000]})
    outcome = trigger(
        tmp_path, "{name: g, metric: rows, growth_since_baseline: 20%}", csv, card=CARD
    )
    assert outcome.status == "fired"
    assert outcome.observed == pytest.approx(0.3)
    assert outcome.threshold == "growth > 20%"
    assert (
        outcome.reason == "rows 13,000 on 2026-11-02 vs 10,000 at training: +30.0%, more than 20%"
    )


def test_growth_equal_to_the_amount_does_not_fire(tmp_path: Path) -> None:
    # 11000 / 10000 - 1 is 0.10000000000000009 in floating point: still "equal" to 10%
    csv = daily_csv({"rows": [11000]})
    outcome = trigger(
        tmp_path, "{name: g, metric: rows, growth_since_baseline: 10%}", csv, card=CARD
    )
    assert outcome.status == "quiet"
    assert outcome.reason == (
        "rows 11,000 on 2026-11-01 vs 10,000 at training: +10.0%, not more than 10%"
    )


def test_growth_absolute(tmp_path: Path) -> None:
    rule = "{name: g, metric: rows, growth_since_baseline: 2500}"
    fired = trigger(tmp_path, rule, daily_csv({"rows": [12501]}), card=CARD)
    assert seen(fired) == (
        "fired",
        2501.0,
        "growth > 2,500",
        "rows 12,501 on 2026-11-01 vs 10,000 at training: +2,501, more than 2,500",
    )
    equal = trigger(tmp_path, rule, daily_csv({"rows": [12500]}), card=CARD)
    assert (equal.status, equal.observed) == ("quiet", 2500.0)
    assert equal.reason.endswith(": +2,500, not more than 2,500")


def test_growth_since_training_adds_up_rows_after_trained_at(tmp_path: Path) -> None:
    card = {"trained_at": "2026-11-02T12:00:00Z", "rows": 1000}
    # rows on 11-01 and 11-02 (before 12:00) are older than the model and are not counted
    csv = daily_csv({"rows": [700, 700, 100, 100, 50]})
    rule = "{name: g, metric: rows, growth_since_baseline: 25%, count: since_training}"
    outcome = trigger(tmp_path, rule, csv, card=card)
    assert seen(outcome) == (
        "quiet",
        0.25,
        "growth > 25%",
        "250 rows since training on 2026-11-02T12:00Z vs 1,000 at training: "
        "+25.0%, not more than 25%",
    )


def test_growth_since_training_needs_trained_at(tmp_path: Path) -> None:
    rule = "{name: g, metric: rows, growth_since_baseline: 25%, count: since_training}"
    outcome = trigger(tmp_path, rule, daily_csv({"rows": [5]}), card={"rows": 1000})
    assert seen(outcome) == (
        "error",
        None,
        None,
        "count: since_training needs `trained_at` in the model card",
    )


def test_growth_since_training_with_a_missing_value(tmp_path: Path) -> None:
    card = {"trained_at": "2026-10-01", "rows": 1000}
    csv = daily_csv({"rows": [100, None, 100]})
    rule = "{name: g, metric: rows, growth_since_baseline: 15%, count: since_training}"
    error = trigger(tmp_path, rule, csv, card=card)
    assert seen(error) == (
        "error",
        None,
        None,
        "rows is missing on 2026-11-02 (metrics.csv:3)",
    )
    ignore = rule[:-1] + ", missing: ignore}"
    outcome = trigger(tmp_path, ignore, csv, card=card)
    assert (outcome.status, outcome.observed) == ("fired", 0.2)


def test_growth_relative_to_a_zero_baseline_is_an_error(tmp_path: Path) -> None:
    rule = "{name: g, metric: rows, growth_since_baseline: 20%}"
    outcome = trigger(tmp_path, rule, daily_csv({"rows": [5]}), card={"rows": 0})
    assert seen(outcome) == (
        "error",
        None,
        None,
        "card.json: the model card's rows is 0; growth is undefined",
    )


# --- model_age --------------------------------------------------------------------------------


def test_model_age_fires_past_max_age_and_equal_does_not(tmp_path: Path) -> None:
    card = {"trained_at": "2026-10-12T00:00:00Z"}
    rule = "{name: age, max_age: 30d}"
    csv = daily_csv({"rows": [1]})
    equal = trigger(tmp_path, rule, csv, card=card)  # NOW is 2026-11-11: exactly 30 days
    assert seen(equal) == (
        "quiet",
        "30.0d",
        "> 30d",
        "model trained 2026-10-12, 30.0 days ago: not older than 30d",
    )
    older = trigger(tmp_path, rule, csv, card={"trained_at": "2026-10-11T18:00:00Z"})
    assert seen(older) == (
        "fired",
        "30.2d",
        "> 30d",
        "model trained 2026-10-11T18:00Z, 30.2 days ago: older than 30d",
    )


def test_model_age_reads_trained_at_with_an_offset_as_utc(tmp_path: Path) -> None:
    # 2026-10-12T02:00+02:00 is 2026-10-12T00:00Z: exactly 30 days before NOW
    card = {"trained_at": "2026-10-12T02:00:00+02:00"}
    outcome = trigger(tmp_path, "{name: age, max_age: 720h}", daily_csv({"rows": [1]}), card=card)
    assert (outcome.status, outcome.threshold) == ("quiet", "> 30d")


def test_model_age_without_trained_at_is_an_error(tmp_path: Path) -> None:
    outcome = trigger(
        tmp_path,
        "{name: age, max_age: 30d}",
        daily_csv({"rows": [1]}),
        card=CARD | {"trained_at": None},
    )
    assert seen(outcome) == (
        "error",
        None,
        None,
        "cannot tell the model's age: the model card card.json has no `trained_at`",
    )


def test_model_age_needs_no_metric_file(tmp_path: Path) -> None:
    write(tmp_path, {"card.yaml": "trained_at: 2026-09-01T00:00:00Z\n"})
    report = run_gate(
        tmp_path, ["{name: age, max_age: 2w}"], files={}, metrics=None, baseline="card.yaml"
    )
    (model,) = report.models
    assert model.decision == "retrain"
    assert model.triggers[0].reason == "model trained 2026-09-01, 71.0 days ago: older than 14d"
    assert model.summary == "age fired; no checks configured"


# --- drift ------------------------------------------------------------------------------------

REFERENCE = {"features": {"age": {"bins": [0, 1, 2, 3, 4], "counts": [25, 25, 25, 25]}}}


def _drift_outcome(tmp_path: Path, rule: str, reference: object, current: object) -> Outcome:
    files = {
        "data/ref.json": json.dumps(reference),
        "data/cur.json": json.dumps(current),
    }
    return trigger(tmp_path, rule, daily_csv({"rows": [1]}), extra=files)


def test_psi_rule_on_committed_histograms(tmp_path: Path) -> None:
    import math

    current = {"features": {"age": {"bins": [0, 1, 2, 3, 4], "counts": [10, 20, 30, 40]}}}
    rule = "{name: d, psi: {reference: data/ref.json, current: data/cur.json}, above: 0.25}"
    outcome = _drift_outcome(tmp_path, rule, REFERENCE, current)
    expected = sum((c - 0.25) * math.log(c / 0.25) for c in (0.1, 0.2, 0.3, 0.4))
    assert outcome.kind == "drift"
    assert outcome.status == "quiet"
    assert outcome.observed == pytest.approx(expected, abs=1e-12)
    assert outcome.threshold == "> 0.25"
    assert outcome.reason == (f"PSI of age {expected:.3f} <= 0.25, data/cur.json vs data/ref.json")


def test_psi_fires_on_a_shifted_histogram(tmp_path: Path) -> None:
    current = {"features": {"age": {"bins": [0, 1, 2, 3, 4], "counts": [0, 10, 30, 60]}}}
    rule = (
        "{name: d, psi: {reference: data/ref.json, current: data/cur.json, feature: age}, "
        "above: 0.25}"
    )
    outcome = _drift_outcome(tmp_path, rule, REFERENCE, current)
    assert outcome.status == "fired"
    assert isinstance(outcome.observed, float) and outcome.observed > 0.25
    assert outcome.reason.startswith("PSI of age ")
    assert outcome.reason.endswith(" > 0.25, data/cur.json vs data/ref.json")


def test_js_equal_to_the_threshold_does_not_fire(tmp_path: Path) -> None:
    # disjoint histograms: the base-2 JS distance is exactly 1
    reference = {"categories": ["a", "b"], "counts": [1, 0]}
    current = {"categories": ["a", "b"], "counts": [0, 1]}
    rule = "{name: d, js: {reference: data/ref.json, current: data/cur.json}, above: 1}"
    outcome = _drift_outcome(tmp_path, rule, reference, current)
    assert seen(outcome) == (
        "quiet",
        1.0,
        "> 1",
        "Jensen-Shannon distance 1.000 <= 1, data/cur.json vs data/ref.json",
    )


def test_ks_on_committed_samples_compares_every_feature(tmp_path: Path) -> None:
    reference = {"features": {"a": {"values": [1, 2, 3, 4]}, "b": {"values": [1, 2, 3, 4]}}}
    current = {"features": {"a": {"values": [1, 2, 3, 4]}, "b": {"values": [3, 4, 5, 6]}}}
    rule = "{name: d, ks: {reference: data/ref.json, current: data/cur.json}, above: 0.25}"
    outcome = _drift_outcome(tmp_path, rule, reference, current)
    # b: the CDFs differ by at most 2/4 (at x in [2, 3))
    assert seen(outcome) == (
        "fired",
        0.5,
        "> 0.25",
        "KS statistic D of b 0.500 > 0.25, p = 0.699 (largest of 2 features), "
        "data/cur.json vs data/ref.json",
    )


def test_ks_on_histograms_is_an_error(tmp_path: Path) -> None:
    rule = "{name: d, ks: {reference: data/ref.json, current: data/cur.json}, above: 0.1}"
    outcome = _drift_outcome(tmp_path, rule, REFERENCE, REFERENCE)
    assert outcome.status == "error"
    assert outcome.reason.startswith(
        "data/ref.json vs data/cur.json: KS needs committed samples, not histograms"
    )


def test_drift_with_a_missing_current_file_is_an_error(tmp_path: Path) -> None:
    files = {"data/ref.json": json.dumps(REFERENCE)}
    rule = "{name: d, psi: {reference: data/ref.json, current: data/cur.json}, above: 0.25}"
    report = run_gate(tmp_path, [rule], files={"metrics.csv": daily_csv({"rows": [1]}), **files})
    (model,) = report.models
    assert model.decision == "error"
    assert model.triggers[0].reason == (
        "cannot read the current distribution: data/cur.json: file not found"
    )
    assert report.exit_code == 3


def test_drift_feature_absent_from_a_file_is_an_error(tmp_path: Path) -> None:
    rule = (
        "{name: d, psi: {reference: data/ref.json, current: data/cur.json, feature: income}, "
        "above: 0.25}"
    )
    outcome = _drift_outcome(tmp_path, rule, REFERENCE, REFERENCE)
    assert seen(outcome) == ("error", None, None, "feature 'income' is not in data/ref.json")


def test_the_example_histogram_format_is_read_as_written(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    files = {
        "data/ref.json": (EXAMPLES / "data/churn/reference_hist.json").read_text(),
        "data/cur.json": (EXAMPLES / "data/churn/current_hist.json").read_text(),
    }
    rule = (
        "{name: d, js: {reference: data/ref.json, current: data/cur.json, feature: tenure_months},"
        " above: 0.5}"
    )
    outcome = trigger(tmp_path, rule, daily_csv({"rows": [1]}), extra=files)
    assert outcome.status == "quiet"
    assert outcome.reason.startswith("Jensen-Shannon distance of tenure_months 0.")


# --- anomaly ----------------------------------------------------------------------------------


def test_anomaly_fires_outside_k_sigma(tmp_path: Path) -> None:
    # reference 0.5, 0.75, 1.0: mean 0.75, sample standard deviation 0.25
    csv = daily_csv({"score": [0.5, 0.75, 1.0, 0.125]})
    rule = "{name: a, metric: score, outside_sigma: 2, reference_window: 3}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "fired",
        0.125,
        "0.75 ± 2σ",
        "score 0.125 on 2026-11-04 is 2.5σ below its reference mean 0.75 (σ 0.25): "
        "more than 2σ away",
    )


def test_anomaly_exactly_k_sigma_away_does_not_fire(tmp_path: Path) -> None:
    csv = daily_csv({"score": [0.5, 0.75, 1.0, 0.25]})
    rule = "{name: a, metric: score, outside_sigma: 2, reference_window: 3}"
    outcome = trigger(tmp_path, rule, csv)
    assert seen(outcome) == (
        "quiet",
        0.25,
        "0.75 ± 2σ",
        "score 0.25 on 2026-11-04 is 2.0σ below its reference mean 0.75 (σ 0.25): "
        "not more than 2σ away",
    )


def test_anomaly_reference_window_as_a_duration(tmp_path: Path) -> None:
    # 3d back from 11-05 holds 11-02..11-04 (0.5, 0.75, 1.0); 11-01's 100 is outside it
    csv = daily_csv({"score": [100, 0.5, 0.75, 1.0, 1.5]})
    rule = "{name: a, metric: score, outside_sigma: 2, reference_window: 3d}"
    outcome = trigger(tmp_path, rule, csv)
    assert (outcome.status, outcome.threshold) == ("fired", "0.75 ± 2σ")
    assert outcome.reason.endswith(
        "is 3.0σ above its reference mean 0.75 (σ 0.25): more than 2σ away"
    )


SCORE_REFERENCE = "its reference mean 0.75 (σ 0.25)"


@pytest.mark.parametrize(
    ("direction", "last", "status", "threshold", "tail"),
    [
        # a fall of 2.5σ: `below` and `both` fire, `above` does not
        ("below", 0.125, "fired", "0.75 - 2σ", f"2.5σ below {SCORE_REFERENCE}: more than 2σ below"),
        (
            "above",
            0.125,
            "quiet",
            "0.75 + 2σ",
            f"2.5σ below {SCORE_REFERENCE}: not more than 2σ above",
        ),
        # a jump up of 2.5σ (a model just retrained): only `above` and `both` fire
        (
            "below",
            1.375,
            "quiet",
            "0.75 - 2σ",
            f"2.5σ above {SCORE_REFERENCE}: not more than 2σ below",
        ),
        ("above", 1.375, "fired", "0.75 + 2σ", f"2.5σ above {SCORE_REFERENCE}: more than 2σ above"),
        ("both", 1.375, "fired", "0.75 ± 2σ", f"2.5σ above {SCORE_REFERENCE}: more than 2σ away"),
    ],
)
def test_anomaly_direction_picks_the_side_that_fires(
    tmp_path: Path, direction: str, last: float, status: str, threshold: str, tail: str
) -> None:
    csv = daily_csv({"score": [0.5, 0.75, 1.0, last]})
    rule = (
        f"{{name: a, metric: score, outside_sigma: 2, reference_window: 3, direction: {direction}}}"
    )
    outcome = trigger(tmp_path, rule, csv)
    assert (outcome.status, outcome.threshold) == (status, threshold)
    assert outcome.reason == f"score {last:g} on 2026-11-04 is {tail}"


def test_anomaly_needs_three_reference_values(tmp_path: Path) -> None:
    csv = daily_csv({"score": [0.5, 0.75, 0.125]})
    outcome = trigger(tmp_path, "{name: a, metric: score, outside_sigma: 2}", csv)
    assert seen(outcome) == (
        "error",
        None,
        None,
        "only 2 reference values before 2026-11-03; needs 3",
    )


def test_anomaly_missing_value_names_date_and_line(tmp_path: Path) -> None:
    csv = daily_csv({"score": [0.5, 0.75, 1.0, None]})
    outcome = trigger(tmp_path, "{name: a, metric: score, outside_sigma: 2}", csv)
    assert seen(outcome) == ("error", None, None, "score is missing on 2026-11-04 (metrics.csv:5)")


def test_anomaly_m_of_last_n(tmp_path: Path) -> None:
    # 20 calm days (0.5 / 1.0), then 3.0, 0.75, 3.0: two of the last three are outliers
    csv = daily_csv({"score": [0.5, 1.0] * 10 + [3.0, 0.75, 3.0]})
    rule = "{name: a, metric: score, outside_sigma: 3, reference_window: 20, for: 2, of_last: 3}"
    outcome = trigger(tmp_path, rule, csv)
    assert (outcome.status, outcome.observed, outcome.threshold) == ("fired", 3.0, "0.8625 ± 3σ")
    assert outcome.reason == (
        "score more than 3σ away from its reference mean on 2 of the last 3 observations "
        "(2026-11-21, 2026-11-23); latest 3 on 2026-11-23 is 3.8σ above its reference mean "
        "0.8625 (σ 0.559)"
    )


def test_anomaly_one_outlier_of_three_is_not_enough(tmp_path: Path) -> None:
    csv = daily_csv({"score": [0.5, 1.0] * 10 + [3.0, 0.75, 1.0]})
    rule = "{name: a, metric: score, outside_sigma: 3, reference_window: 20, for: 2, of_last: 3}"
    outcome = trigger(tmp_path, rule, csv)
    assert outcome.status == "quiet"
    assert outcome.reason.startswith(
        "score more than 3σ away from its reference mean on 1 of the last 3 observations "
        "(2026-11-21), "
        "needs 2; latest 1 on 2026-11-23 is "
    )


# --- group: all / any ---------------------------------------------------------------------

# accuracy under 0.87 on the last two days; rows +30% on the card's 10,000
GROUP_CSV = daily_csv({"accuracy": [0.9, 0.86, 0.85], "rows": [10000, 11000, 13000]})
GROUP_CARD = {"trained_at": "2026-10-20T00:00:00Z", "rows": 10000}
LOW = "{name: low-accuracy, metric: accuracy, below: 0.87, for: 2}"
LOW_REASON = "accuracy 0.86, 0.85 < 0.87 on 2 consecutive observations (2026-11-02, 2026-11-03)"
STALE = "{name: stale, max_age: 30d}"
STALE_REASON = "model trained 2026-10-20, 22.0 days ago: not older than 30d"


def more_data(growth: str) -> str:
    return f"{{name: more-data, metric: rows, growth_since_baseline: {growth}}}"


def group_gate(root: Path, rule: str, *, card: dict[str, object] = GROUP_CARD) -> Report:
    files = {"metrics.csv": GROUP_CSV, "card.json": json.dumps(card)}
    return run_gate(root, [rule], files=files, baseline="card.json")


def test_all_fires_when_every_member_fires(tmp_path: Path) -> None:
    rule = f"{{name: accuracy-and-volume, all: [{LOW}, {more_data('20%')}]}}"
    (model,) = group_gate(tmp_path, rule).models
    (group,) = model.triggers
    assert seen(group) == (
        "fired",
        "2 of 2 fired",
        "all of 2",
        f"all 2 fired: low-accuracy ({LOW_REASON}); more-data (rows 13,000 on 2026-11-03 vs "
        "10,000 at training: +30.0%, more than 20%)",
    )
    assert (group.kind, group.line) == ("group", 7)
    assert [(m.name, m.kind, m.status, m.line) for m in group.members] == [
        ("low-accuracy", "threshold", "fired", 7),
        ("more-data", "data_growth", "fired", 7),
    ]
    assert (model.decision, model.summary) == (
        "retrain",
        "accuracy-and-volume fired; no checks configured",
    )


def test_all_is_quiet_when_one_member_is_quiet_and_a_firing_member_does_not_retrain(
    tmp_path: Path,
) -> None:
    rule = f"{{name: accuracy-and-volume, all: [{LOW}, {more_data('50%')}]}}"
    (model,) = group_gate(tmp_path, rule).models
    (group,) = model.triggers
    assert seen(group) == (
        "quiet",
        "1 of 2 fired",
        "all of 2",
        "1 of 2 fired, all needed: low-accuracy fired; more-data quiet (rows 13,000 on "
        "2026-11-03 vs 10,000 at training: +30.0%, not more than 50%)",
    )
    assert [m.status for m in group.members] == ["fired", "quiet"]
    assert (model.decision, model.summary) == ("skip", "no trigger fired, 1 quiet")


def test_all_with_no_member_firing(tmp_path: Path) -> None:
    rule = f"{{name: g, all: [{STALE}, {more_data('50%')}]}}"
    (group,) = group_gate(tmp_path, rule).models[0].triggers
    assert seen(group) == (
        "quiet",
        "0 of 2 fired",
        "all of 2",
        f"none of 2 fired, all needed: stale ({STALE_REASON}); more-data (rows 13,000 on "
        "2026-11-03 vs 10,000 at training: +30.0%, not more than 50%)",
    )


def test_any_fires_when_one_member_fires(tmp_path: Path) -> None:
    rule = f"{{name: any-reason, any: [{LOW}, {STALE}]}}"
    (model,) = group_gate(tmp_path, rule).models
    (group,) = model.triggers
    assert seen(group) == (
        "fired",
        "1 of 2 fired",
        "any of 2",
        f"1 of 2 fired, one is enough: low-accuracy fired ({LOW_REASON}); stale quiet",
    )
    assert model.decision == "retrain"


def test_any_is_quiet_when_no_member_fires(tmp_path: Path) -> None:
    rule = f"{{name: any-reason, any: [{STALE}, {more_data('50%')}]}}"
    (model,) = group_gate(tmp_path, rule).models
    (group,) = model.triggers
    assert seen(group) == (
        "quiet",
        "0 of 2 fired",
        "any of 2",
        f"none of 2 fired: stale ({STALE_REASON}); more-data (rows 13,000 on 2026-11-03 vs "
        "10,000 at training: +30.0%, not more than 50%)",
    )
    assert model.decision == "skip"


def test_a_member_error_makes_the_group_an_error_even_when_another_fired(
    tmp_path: Path,
) -> None:
    """Fail closed: an `any` group with a firing member and a member that cannot be
    evaluated (the card has no `rows`) is an error, not a retrain on a partial picture."""
    rule = f"{{name: any-reason, any: [{LOW}, {more_data('20%')}]}}"
    card: dict[str, object] = {"trained_at": "2026-10-20T00:00:00Z"}
    (model,) = group_gate(tmp_path, rule, card=card).models
    (group,) = model.triggers
    member_reason = (
        "the model card card.json has no value for rows (looked for `rows` and `metrics.rows`)"
    )
    assert seen(group) == (
        "error",
        None,
        None,
        f"member more-data could not be evaluated ({member_reason})",
    )
    assert [m.status for m in group.members] == ["fired", "error"]
    assert model.decision == "error"
    assert model.summary == (
        f"any-reason could not be evaluated: member more-data could not be evaluated "
        f"({member_reason})"
    )


def test_several_member_errors_are_each_named(tmp_path: Path) -> None:
    rule = "{name: g, all: [{name: a, metric: accuracy, below: 0.8, for: 5}, " + (
        "{name: b, metric: rows, above: 5, for: 4}]}"
    )
    (group,) = group_gate(tmp_path, rule).models[0].triggers
    assert seen(group) == (
        "error",
        None,
        None,
        "members a, b could not be evaluated: a (only 3 observations of accuracy; the rule "
        "needs 5); b (only 3 observations of rows; the rule needs 4)",
    )


def test_groups_nest(tmp_path: Path) -> None:
    rule = f"{{name: outer, any: [{STALE}, {{name: inner, all: [{LOW}, {more_data('20%')}]}}]}}"
    (model,) = group_gate(tmp_path, rule).models
    (outer,) = model.triggers
    assert seen(outer) == (
        "fired",
        "1 of 2 fired",
        "any of 2",
        f"1 of 2 fired, one is enough: stale quiet; inner fired (all 2 fired: low-accuracy "
        f"({LOW_REASON}); more-data (rows 13,000 on 2026-11-03 vs 10,000 at training: +30.0%, "
        "more than 20%))",
    )
    stale, inner = outer.members
    assert (stale.status, inner.kind, inner.status) == ("quiet", "group", "fired")
    assert [m.name for m in inner.members] == ["low-accuracy", "more-data"]
    assert (model.decision, model.summary) == ("retrain", "outer fired; no checks configured")


def test_a_long_member_reason_is_shortened_in_the_group_reason_only() -> None:
    from retrain_gate.kinds.group import group_outcome
    from retrain_gate.model import RuleConfig

    words = " ".join(f"word{i}" for i in range(60))  # 469 characters
    member = Outcome("long", "threshold", "trigger", "quiet", 1.0, "< 0.5", words)
    short = Outcome("short", "model_age", "trigger", "quiet", "3.0d", "> 30d", "young")
    group = RuleConfig("g", "group", "trigger", {"any": ()})
    result = group_outcome(group, [member, short])
    # cut at a space within 160 characters, the ellipsis included: word0 to word23 are
    # 10 * 6 + 14 * 7 - 1 = 157 characters
    kept = " ".join(f"word{i}" for i in range(24))
    assert result.reason == f"none of 2 fired: long ({kept} …); short (young)"
    assert result.members == (member, short)
    assert result.members[0].reason == words


def test_a_model_card_trained_after_now_is_an_error_for_the_rules_that_read_it(
    tmp_path: Path,
) -> None:
    """A clock or time-zone error in the card (or --now before the training): fail closed."""
    files = {"metrics.csv": daily_csv({"accuracy": [0.9, 0.8]})}
    card = {"trained_at": "2026-12-01T00:00:00Z", "metrics": {"accuracy": 0.9}}
    report = run_gate(
        tmp_path,
        ["{name: age, max_age: 30d}", "{name: drop, metric: accuracy, drop_from_baseline: 5%}"],
        files={**files, "card.json": json.dumps(card)},
        baseline="card.json",
    )
    (model,) = report.models
    future = (
        "the model card card.json says the model was trained 2026-12-01, after now "
        "(2026-11-11): a clock or time-zone error, or --now before the training"
    )
    assert [(o.status, o.reason) for o in model.triggers] == [("error", future)] * 2
    assert model.decision == "error"
    assert report.exit_code == 3
