"""Picking a rule's observations: windows, aggregates, persistence, `end`, and number wording."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.config.parse import load_config
from retrain_gate.engine.evaluate import evaluate_model
from retrain_gate.engine.load import load_model
from retrain_gate.kinds.days import Context, Days
from retrain_gate.kinds.series import (
    Observed,
    Persisted,
    day,
    exceeds,
    fmt,
    percent,
    window_label,
)
from retrain_gate.model import RuleConfig
from retrain_gate.sources.metrics import Series
from tests.conftest import daily_csv, write
from tests.test_rules import config_text

START = datetime(2026, 11, 1, tzinfo=timezone.utc)


def make_series(values: list[float | None], *, skip: tuple[int, ...] = ()) -> Series:
    """Daily observations from 2026-11-01; days in `skip` are absent from the file."""
    days = [i for i in range(len(values) + len(skip)) if i not in skip]
    return Series(
        source="m.csv",
        times=tuple(START + timedelta(days=d) for d in days),
        columns={"acc": tuple(values)},
        where=tuple(f"m.csv:{i + 2}" for i in range(len(values))),
    )


def rule(**options: Any) -> RuleConfig:
    missing = options.pop("missing", "error")
    return RuleConfig(
        name="r",
        kind="threshold",
        role="trigger",
        options={"metric": "acc", **options},
        missing=missing,
    )


def ctx(series: Series, end: int | None = None) -> Context:
    return Context(model="m", now=START, series=series, end=len(series) if end is None else end)


def values(observed: list[Any]) -> list[float]:
    return [o.value for o in observed]


def observe(rule: RuleConfig, ctx: Context, *, needed: int) -> list[Observed]:
    """The values the rule judges on the day `ctx` describes: its last `needed`."""
    options = {**rule.options, "of_last": needed}
    track = Persisted(dataclasses.replace(rule, options=options), Days.of(ctx), lambda _v: True)
    assert track.holds[0] is not None, track.problem(0)
    return track.observed(0)


def problem(rule: RuleConfig, ctx: Context, *, needed: int) -> str:
    """Why the rule is an error on the day `ctx` describes."""
    options = {**rule.options, "of_last": needed}
    track = Persisted(dataclasses.replace(rule, options=options), Days.of(ctx), lambda _v: True)
    assert track.holds[0] is None
    return track.problem(0)


def test_observe_the_latest_values() -> None:
    data = make_series([0.25, 0.5, 0.75])
    assert values(observe(rule(), ctx(data), needed=2)) == [0.5, 0.75]
    assert [day(o.time) for o in observe(rule(), ctx(data), needed=1)] == ["2026-11-03"]


def test_end_hides_later_observations() -> None:
    data = make_series([0.25, 0.5, 0.75])
    assert values(observe(rule(), ctx(data, end=2), needed=1)) == [0.5]
    assert problem(rule(), ctx(data, end=1), needed=2) == (
        "only 1 observation of acc; the rule needs 2"
    )


def test_last_n_window_aggregates_per_observation() -> None:
    data = make_series([1.0, 0.0, 0.5, 0.25])
    observed = observe(rule(aggregate="max", window=2), ctx(data), needed=2)
    assert values(observed) == [0.5, 0.5]  # max(0, 0.5), max(0.5, 0.25)
    assert values(observe(rule(aggregate="sum", window=4), ctx(data), needed=1)) == [1.75]


def test_duration_window_counts_back_from_each_observation() -> None:
    # 2026-11-03 is absent: the 2d window at 11-04 holds 11-04 only (11-02 is 2 days back)
    data = make_series([0.25, 0.5, 1.0], skip=(2,))
    observed = observe(rule(aggregate="mean", window="2d"), ctx(data), needed=2)
    assert values(observed) == [0.375, 1.0]


def test_missing_ignore_drops_nulls_before_windowing() -> None:
    data = make_series([0.25, None, 0.75, None])
    observed = observe(rule(aggregate="mean", window=2, missing="ignore"), ctx(data), needed=1)
    assert values(observed) == [0.5]
    assert [day(o.time) for o in observed] == ["2026-11-03"]


def test_missing_error_names_the_date_and_line_of_the_null() -> None:
    data = make_series([0.25, None, 0.75])
    assert problem(rule(aggregate="mean", window=2), ctx(data), needed=1) == (
        "acc is missing on 2026-11-02 (m.csv:3)"
    )


def test_persisted_m_of_n() -> None:
    data = make_series([0.1, 0.9, 0.1, 0.9, 0.1])
    track = Persisted(rule(**{"for": 2, "of_last": 3}), Days.of(ctx(data)), lambda v: v < 0.5)
    assert track.holds == [True] and values(track.observed(0)) == [0.1, 0.9, 0.1]
    assert [day(o.time) for o in track.matching(0)] == ["2026-11-03", "2026-11-05"]
    track = Persisted(rule(**{"for": 2}), Days.of(ctx(data)), lambda v: v < 0.5)
    assert track.holds == [False]


def test_window_label() -> None:
    assert window_label(rule()) == ""
    assert window_label(rule(aggregate="median", window=5)) == "median of the last 5"
    assert window_label(rule(aggregate="mean", window="168h")) == "mean over 7d"


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.87, "0.87"), (12500, "12,500"), (0.0312, "0.0312"), (1234.5, "1,234.5"), (3.0, "3")],
)
def test_fmt(value: float, text: str) -> None:
    assert fmt(value) == text


@pytest.mark.parametrize(
    ("value", "limit", "text"),
    [
        (0.87496, 0.875, "0.87496"),  # not "0.875", which would read as equal
        (999.99, 1000, "999.99"),
        (0.875, 0.875, "0.875"),
        (0.1 + 0.2, 0.3, "0.3"),  # equal up to rounding: shown equal
        (0.86, 0.875, "0.86"),  # already apart: the short form
    ],
)
def test_fmt_apart_from_a_threshold(value: float, limit: float, text: str) -> None:
    assert fmt(value, apart_from=limit) == text


def test_exceeds_is_strict_and_ignores_rounding_noise() -> None:
    assert not exceeds(0.5, 0.5)
    assert not exceeds(0.1 + 0.2, 0.3)  # 0.30000000000000004
    assert not exceeds(11000 / 10000 - 1, 0.1)  # 0.10000000000000009
    assert exceeds(0.30001, 0.3)
    assert not exceeds(0.25, 0.3)


def test_percent_and_day() -> None:
    assert [percent(x) for x in (0.03, 0.025, 0.2, 1.5)] == ["3%", "2.5%", "20%", "150%"]
    assert day(START) == "2026-11-01"
    assert day(START + timedelta(hours=6, minutes=30)) == "2026-11-01T06:30Z"


def test_a_backtest_replaying_a_day_cannot_see_the_next(tmp_path: Path) -> None:
    text = config_text(["{name: floor, metric: acc, below: 0.5, for: 2}"])
    write(tmp_path, {"retrain-gate.yml": text, "metrics.csv": daily_csv({"acc": [0.9, 0.4, 0.4]})})
    config = load_config(tmp_path / "retrain-gate.yml")
    model = config.models["m"]
    data = load_model(config, model)
    now = datetime(2026, 11, 4, tzinfo=timezone.utc)
    day2 = evaluate_model(model, data, now=now, end=2)  # as of 2026-11-02
    assert day2.decision == "skip"
    assert day2.triggers[0].reason == (
        "acc 0.4 < 0.5 on 2026-11-02, but only 1 of the last 2 observations (needs 2)"
    )
    day3 = evaluate_model(model, data, now=now, end=3)
    assert day3.decision == "retrain"
    assert [p.value for p in day2.triggers[0].recent] == [0.9, 0.4]


def test_chart_points_are_what_the_rule_compares() -> None:
    """An aggregated rule charts its aggregate (labelled so), not the raw values."""
    from retrain_gate.kinds.series import rule_points
    from retrain_gate.kinds.threshold import judge_threshold

    series = make_series([0.5, 0.25, 0.75, None, 1.0], skip=(3,))
    mean_of_two = rule(below=0.6, aggregate="mean", window=2, missing="ignore")
    assert [p.value for p in rule_points(mean_of_two, Days.of(ctx(series)), 0)] == [
        0.5, 0.375, 0.5, 0.75, 1.0
    ]  # fmt: skip
    over_two_days = rule(below=0.6, aggregate="max", window="2d", missing="ignore")
    # day 5's window (days 4-5) holds only its missing value: a gap in the chart
    assert [p.value for p in rule_points(over_two_days, Days.of(ctx(series)), 0)] == [
        0.5, 0.5, 0.75, None, 1.0
    ]  # fmt: skip
    raw = rule(below=0.6)
    assert [p.value for p in rule_points(raw, Days.of(ctx(series, end=3)), 0)] == [0.5, 0.25, 0.75]
    outcome = judge_threshold(mean_of_two, Days.of(ctx(series))).outcome(0)
    assert outcome.recent_label == "acc (mean of the last 2)"
    assert outcome.recent[-1].value == 1.0
