"""Check and backtest cannot disagree: a rule judged on every replayed day at once gives, on
each day, the outcome it gives judged on that day alone (what `check` at that moment sees).

`kinds.judge` over many days reads the series in one pass and writes a day's reason only when
asked; over one day it reads only what that day's windows hold. These tests generate many
series (missing values, uneven spacing, values that tie with the thresholds exactly, since
they are binary fractions) and many option combinations per kind, and compare day by day,
outcomes and reasons included, without tolerance; and whole backtests against a replay that
runs `check` (the same rules, one day at a time) on each day.
"""

from __future__ import annotations

import dataclasses
import math
import random
import statistics
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.config.parse import load_config
from retrain_gate.engine.backtest import (
    ModelBacktest,
    ReplayedDay,
    TimelineStatus,
    Verdict,
    backtest_model,
    history_span,
    replay_time,
)
from retrain_gate.engine.context import context_for
from retrain_gate.engine.decide import decide
from retrain_gate.engine.load import ModelData, load_model
from retrain_gate.engine.replayed import replay_adjust
from retrain_gate.kinds import judge, registry
from retrain_gate.kinds.days import Context, Days
from retrain_gate.kinds.series import (
    exact_ints,
    exact_scale,
    mean_and_sd,
    scaled,
    window_aggregates,
)
from retrain_gate.model import DispatchConfig, ModelConfig, RuleConfig, SourceConfig
from retrain_gate.results import Problem, Status
from retrain_gate.sources.card import Baseline
from retrain_gate.sources.metrics import Series
from tests.conftest import EXAMPLES, daily_csv, write

UTC = timezone.utc
FIRST = datetime(2026, 1, 1, tzinfo=UTC)
# Binary fractions: a mean, median or change computed from them lands exactly on a
# threshold drawn from the same pool, so "equal does not fire" is exercised for real.
POOL = (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 1.5, 2.0)
# Decimals: 0.9 - 0.81 is not 0.09, 0.1 + 0.2 is not 0.3; equal up to rounding must not fire.
DECIMALS = (0.1, 0.2, 0.3, 0.7, 0.81, 0.873, 0.9, 0.97, 1.1)
LIMITS = POOL + DECIMALS
# one unit in the last place either side of a limit: past it by rounding noise only
NEAR = tuple(math.nextafter(x, d) for x in LIMITS for d in (-1.0, 3.0))
STEPS = (timedelta(days=1),) * 6 + (
    timedelta(days=2),
    timedelta(days=3),
    timedelta(hours=12),
    timedelta(hours=30),
)
METRICS = ("a", "b")
CONFIGS_PER_KIND = 250


def make_series(rng: random.Random) -> Series:
    count = rng.randint(0, 28)
    when = FIRST + timedelta(hours=rng.choice((0, 6, 18)))
    times = []
    for _ in range(count):
        times.append(when)
        when += rng.choice(STEPS)
    missing = rng.choice((0.0, 0.0, 0.1, 0.3))

    def value() -> float | None:
        pick = rng.random()
        if pick < missing:
            return None
        if pick < 0.5:
            return rng.choice(POOL)
        if pick < 0.7:
            return rng.choice(DECIMALS)
        if pick < 0.8:
            return rng.choice(NEAR)
        if pick < 0.9:
            return round(rng.uniform(0, 2), 2)
        return rng.uniform(0, 2)

    return Series(
        source="metrics.csv",
        times=tuple(times),
        columns={m: tuple(value() for _ in times) for m in METRICS},
        where=tuple(f"metrics.csv:{i + 2}" for i in range(count)),
    )


def make_days(rng: random.Random, ctx: Context) -> Days:
    """Every day a backtest would replay (and a few around), then arbitrary (now, end) pairs."""
    times = ctx.series.times if ctx.series is not None else ()
    first = (times[0] if times else FIRST).date() - timedelta(days=2)
    last = (times[-1] if times else FIRST).date() + timedelta(days=3)
    nows = [replay_time(first + timedelta(days=i)) for i in range((last - first).days + 1)]
    ends = [sum(1 for t in times if t < now) for now in nows]
    for _ in range(10):
        nows.append(FIRST + timedelta(hours=rng.randint(-48, 24 * 60)))
        ends.append(rng.randint(0, len(times)))
    return Days(ctx=ctx, nows=nows, ends=ends)


def make_context(rng: random.Random) -> Context:
    if rng.random() < 0.04:
        return Context(
            model="m", now=FIRST, series_problem=Problem("metrics.csv: cannot read", 3, "m.csv")
        )
    series = make_series(rng)
    baseline = None
    if rng.random() < 0.92:
        trained = FIRST + timedelta(hours=rng.randint(-48, 24 * 40))
        values = {"a": rng.choice(LIMITS), "metrics.b": rng.choice(LIMITS)}
        if rng.random() < 0.1:
            del values["a"]
        baseline = Baseline(
            source="card.json",
            trained_at=trained if rng.random() < 0.9 else None,
            values=values,
        )
    return Context(model="m", now=FIRST, series=series, end=len(series), baseline=baseline)


def series_options(rng: random.Random, *, persistence: bool = True) -> dict[str, Any]:
    options: dict[str, Any] = {"metric": rng.choice(METRICS)}
    aggregate = rng.choice(("latest", "latest", "mean", "median", "min", "max", "sum"))
    if aggregate != "latest":
        options["aggregate"] = aggregate
        options["window"] = rng.choice((1, 2, 3, 5, "1d", "2d", "3d", "36h", "7d"))
    if persistence and rng.random() < 0.6:
        needed = rng.randint(1, 3)
        options["for"] = needed
        if rng.random() < 0.5:
            options["of_last"] = needed + rng.randint(0, 2)
    return options


def amount(rng: random.Random) -> object:
    return rng.choice(
        ("0%", "3%", "10%", "12.5%", "25%", "50%", "100%", 0, 0.03, 0.1, 0.125, 0.25, 0.5)
    )


def threshold(rng: random.Random) -> dict[str, Any]:
    side = rng.choice(("below", "above"))
    return {**series_options(rng), side: rng.choice(LIMITS)}


def baseline_change(rng: random.Random) -> dict[str, Any]:
    side = rng.choice(("drop_from_baseline", "rise_from_baseline"))
    return {**series_options(rng), side: amount(rng)}


def data_growth(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        return {
            "metric": rng.choice(METRICS),
            "growth_since_baseline": amount(rng),
            "count": "since_training",
        }
    return {**series_options(rng, persistence=False), "growth_since_baseline": amount(rng)}


def model_age(rng: random.Random) -> dict[str, Any]:
    return {"max_age": rng.choice(("1d", "2d", "10d", "36h", "30d"))}


def anomaly(rng: random.Random) -> dict[str, Any]:
    options: dict[str, Any] = {
        "metric": rng.choice(METRICS),
        "outside_sigma": rng.choice((0.5, 1, 1.5, 2, 3)),
    }
    if rng.random() < 0.8:
        options["reference_window"] = rng.choice((1, 2, 3, 5, 8, "0s", "2d", "4d", "7d", "36h"))
    if rng.random() < 0.5:
        needed = rng.randint(1, 3)
        options["for"] = needed
        if rng.random() < 0.5:
            options["of_last"] = needed + rng.randint(0, 2)
    if rng.random() < 0.6:
        options["direction"] = rng.choice(("both", "below", "above"))
    return options


def range_check(rng: random.Random) -> dict[str, Any]:
    low, high = sorted(rng.sample(LIMITS, 2))
    bounds = rng.choice(({"at_least": low}, {"at_most": high}, {"at_least": low, "at_most": high}))
    return {**series_options(rng), **bounds}


def freshness(rng: random.Random) -> dict[str, Any]:
    return {"freshness": rng.choice(("12h", "1d", "36h", "2d", "3d"))}


def gaps(rng: random.Random) -> dict[str, Any]:
    options: dict[str, Any] = {"max_gap": rng.choice(("12h", "1d", "30h", "2d"))}
    if rng.random() < 0.7:
        options["window"] = rng.choice(("1d", "2d", "7d", "14d"))
    return options


def required_fields(rng: random.Random) -> dict[str, Any]:
    fields = rng.sample(("a", "b", "c"), rng.randint(1, 3))  # c: not in the series at all
    options: dict[str, Any] = {"required": fields}
    if rng.random() < 0.5:
        options["window"] = rng.randint(1, 4)
    return options


# the kinds a generated group's members are drawn from (drift needs files: see the example)
MEMBER_KINDS = ("threshold", "baseline_change", "data_growth", "model_age", "anomaly")


def group(rng: random.Random, *, depth: int = 0) -> dict[str, Any]:
    """`all:` or `any:` of 1 to 3 random trigger rules, a nested group among them at times."""
    members = []
    for _ in range(rng.randint(1, 3)):
        if depth < 2 and rng.random() < 0.2:
            kind, options = "group", group(rng, depth=depth + 1)
        else:
            kind = rng.choice(MEMBER_KINDS)
            options = GENERATORS[("trigger", kind)](rng)
        members.append(
            RuleConfig(
                name=f"member-{rng.randrange(10**9)}",
                kind=kind,
                role="trigger",
                options=options,
                missing=rng.choice(("error", "ignore")),
            )
        )
    return {rng.choice(("all", "any")): tuple(members)}


GENERATORS: dict[tuple[str, str], Callable[[random.Random], dict[str, Any]]] = {
    ("trigger", "threshold"): threshold,
    ("trigger", "baseline_change"): baseline_change,
    ("trigger", "data_growth"): data_growth,
    ("trigger", "model_age"): model_age,
    ("trigger", "anomaly"): anomaly,
    ("trigger", "group"): group,
    ("check", "range"): range_check,
    ("check", "freshness"): freshness,
    ("check", "gaps"): gaps,
    ("check", "required_fields"): required_fields,
}
# what the generated cases must reach, so the comparison is not vacuous
EXPECTED: dict[str, set[Status]] = {
    "trigger": {"fired", "quiet", "error"},
    "check": {"passed", "failed", "warned", "error"},
}


def alone(days: Days, index: int) -> Days:
    """Run `index` of `days` on its own, as `check` at that moment asks about it."""
    return Days.of(dataclasses.replace(days.ctx, now=days.nows[index], end=days.ends[index]))


def assert_same_every_day(rule: RuleConfig, days: Days) -> list[Status]:
    """The rule judged on all the days at once gives, on each day, the status and the very
    outcome (reason, observed value, chart points, members) it gives judged on that day
    alone; returns the statuses."""
    together = judge(rule, days)
    assert len(together.statuses) == len(days)
    for i in range(len(days)):
        expected = judge(rule, alone(days, i)).outcome(0)
        got = together.outcome(i)
        if (together.statuses[i], got) != (expected.status, expected):
            pytest.fail(
                f"{rule.options} missing={rule.missing} on run {i} (now {days.nows[i]}, end "
                f"{days.ends[i]}): together {together.statuses[i]} {got}, alone {expected}; "
                f"series {days.ctx.series}; baseline {days.ctx.baseline}"
            )
    return list(together.statuses)


@pytest.mark.parametrize("role, kind", list(GENERATORS), ids=[k for _, k in GENERATORS])
def test_every_day_at_once_is_each_day_alone(role: str, kind: str) -> None:
    rng = random.Random(f"{role}-{kind}")
    seen: set[Status] = set()
    for _ in range(CONFIGS_PER_KIND):
        ctx = make_context(rng)
        rule = RuleConfig(
            name="rule",
            kind=kind,
            role=role,  # type: ignore[arg-type]
            options=GENERATORS[(role, kind)](rng),
            severity=rng.choice(("error", "warn")),
            missing=rng.choice(("error", "ignore")),
        )
        seen.update(assert_same_every_day(rule, make_days(rng, ctx)))
    assert seen >= EXPECTED[role]


def test_anomaly_a_hair_past_k_sigma_is_not_outside() -> None:
    """Reference 0, 1, 2: mean 1, sd 1. At k = 1, 2 + 1 ulp is 1 sd away up to rounding."""
    values = (0.0, 1.0, 2.0, math.nextafter(2.0, 3.0), 0.0, 1.0, 2.0, 2.0)
    times = tuple(FIRST + timedelta(days=i) for i in range(len(values)))
    series = Series("m.csv", times, {"a": values}, tuple(f"m.csv:{i}" for i in range(8)))
    ctx = Context(model="m", now=FIRST, series=series, end=len(series))
    days = Days(ctx=ctx, nows=[replay_time(t.date()) for t in times], ends=range(1, 9))
    for window in (3, "3d"):
        rule = RuleConfig(
            name="odd",
            kind="anomaly",
            role="trigger",
            options={"metric": "a", "outside_sigma": 1, "reference_window": window},
        )
        statuses = assert_same_every_day(rule, days)
        assert statuses[3] == "quiet"
        assert judge(rule, days).outcome(3).reason == (
            "a 2 on 2026-01-04 is 1.0σ above its reference mean 1 (σ 1): not more than 1σ away"
        )


def combine(aggregate: str, values: list[float]) -> float:
    """A window's aggregate as the statistics module gives it."""
    if aggregate == "mean":
        return statistics.fmean(values)
    if aggregate == "median":
        return float(statistics.median(values))
    if aggregate == "sum":
        return float(sum(values))
    return min(values) if aggregate == "min" else max(values)


def test_window_aggregates_equal_the_statistics_module_exactly() -> None:
    """Running means (exact sums), sums, min/max queues and the sorted median window give
    the very floats the statistics module gives each window on its own (missing values
    left out; a window without values is None)."""
    rng = random.Random(7)
    awkward = (0.1, 0.2, 0.3, 1e-16, 2.0**53, 1.0, 2.0**-1074, 1e300, -0.0, 0.0, -1.5, None)
    for _ in range(2000):
        size = rng.randint(1, 30)
        values: list[float | None] = [
            rng.choice(awkward) if rng.random() < 0.3 else rng.uniform(-1e3, 1e3)
            for _ in range(size)
        ]
        if rng.random() < 0.3:
            values = [rng.choice(POOL) for _ in range(size)]
        starts, first = [], 0
        for p in range(size):  # any window that never moves back
            first = rng.randint(first, p)
            starts.append(first)
        for aggregate in ("mean", "median", "min", "max", "sum"):
            got = window_aggregates(aggregate, values, starts)
            for p, start in enumerate(starts):
                window = [v for v in values[start : p + 1] if v is not None]
                expected = combine(aggregate, window) if window else None
                assert got[p] == expected, (aggregate, values, start, p)


def test_mean_and_sd_do_not_depend_on_how_the_sums_were_taken() -> None:
    """One window summed on its own (`scaled` at the window's scale) and the same window
    from running sums over a longer stretch (`exact_ints`, that stretch's scale: what a
    judgement over more days reads) round the same exact values once."""
    rng = random.Random(3)
    for _ in range(500):
        column = [rng.choice((rng.uniform(0, 1), round(rng.uniform(0, 1), 3), *POOL))]
        column += [rng.choice((rng.uniform(0, 1), round(rng.uniform(0, 1), 3), *POOL))]
        column += [rng.gauss(0.9, 0.01) for _ in range(rng.randint(1, 40))]
        start = rng.randint(0, len(column) - 2)
        window = column[start:]
        own = exact_scale(window)
        ints = [scaled(v, own) for v in window]
        one = mean_and_sd(len(ints), sum(ints), sum(i * i for i in ints), scale=own)
        whole, running = exact_ints(column)
        other = mean_and_sd(
            len(window),
            sum(running) - sum(running[:start]),
            sum(i * i for i in running) - sum(i * i for i in running[:start]),
            scale=whole,
        )
        assert one == other
        assert one[0] == pytest.approx(statistics.fmean(window), rel=1e-15)
        assert one[1] == pytest.approx(statistics.stdev(window), rel=1e-15)


def test_file_rules_and_every_example_rule_agree_on_the_example_history() -> None:
    """drift and sample_schema read committed files: one status for every day; every rule
    of the bundled example is the same judged on all days or one at a time, and so is its
    whole backtest (file rules judged from the newest observation's day on, the card from
    its trained_at on)."""
    config = load_config(EXAMPLES / "retrain-gate.yml")
    checked = set()
    for model in config.models.values():
        data = load_model(config, model)
        ctx = context_for(model, data, now=FIRST)
        days = make_days(random.Random(model.name), ctx)
        for rule in model.rules:
            statuses = assert_same_every_day(rule, days)
            if registry(rule.role)[rule.kind].inputs(rule.options):
                assert len(set(statuses)) == 1, rule.name
            checked.add(rule.kind)
        span = history_span([data])
        assert span is not None
        start = span[0] - timedelta(days=3)
        got = backtest_model(model, data, start=start, end=span[1])
        assert got == reference_backtest(model, data, start=start, end=span[1])
    assert {"drift", "sample_schema"} <= checked


# --- the whole backtest against `check` run on each day -----------------------------------


def reference_backtest(
    model: ModelConfig, data: ModelData, *, start: date, end: date
) -> ModelBacktest:
    """The backtest as `check` would give it run on each day in turn: every rule judged on
    that day alone, with the replay's rules for the card and for files without history."""
    times = data.series.times if data.series is not None else ()
    card_from = data.baseline.trained_at if data.baseline is not None else None
    files_from = times[-1].date() if times else None
    cooldown = model.dispatch.cooldown if model.dispatch is not None else None
    last_retrain: date | None = None
    replayed = []
    current = max(start, times[0].date()) if times else start
    while current <= end:
        now = replay_time(current)
        visible = sum(1 for t in times if t < now)
        ctx = context_for(model, data, now=now, end=visible)
        today = Days.of(ctx)
        adjust = replay_adjust(
            today,
            before_card=int(card_from is not None and now < card_from),
            before_files=int(files_from is not None and current < files_from),
        )
        triggers = tuple(judge(r, today, adjust=adjust).outcome(0) for r in model.triggers)
        checks = tuple(judge(r, today, adjust=adjust).outcome(0) for r in model.checks)
        decision, summary = decide(triggers, checks, data.problems)
        status: TimelineStatus = decision
        if decision == "retrain":
            if cooldown and last_retrain and now - replay_time(last_retrain) < cooldown:
                status = "held"
                summary += f"; held: within the cooldown of the retrain on {last_retrain}"
            else:
                last_retrain = current
        replayed.append(
            ReplayedDay(
                day=current,
                verdict=Verdict(
                    status=status,
                    summary=summary,
                    fired=tuple(o.name for o in triggers if o.status == "fired"),
                    vetoes=tuple(o.name for o in checks if o.vetoes),
                    errors=tuple(o.name for o in triggers + checks if o.status == "error"),
                ),
                observations=visible,
            )
        )
        current += timedelta(days=1)
    return ModelBacktest(
        model=model.name,
        days=tuple(replayed),
        cooldown=cooldown,
        card_from=card_from,
        not_replayed=tuple(
            r.name for r in model.rules if registry(r.role)[r.kind].inputs(r.options)
        ),
        problems=data.problems,
    )


def random_model(rng: random.Random) -> tuple[ModelConfig, ModelData]:
    ctx = make_context(rng)
    rules = {}
    for (role, kind), generate in GENERATORS.items():
        for number in range(rng.randint(0, 2)):
            rules[f"{kind}-{number}"] = RuleConfig(
                name=f"{kind}-{number}",
                kind=kind,
                role=role,  # type: ignore[arg-type]
                options=generate(rng),
                severity=rng.choice(("error", "error", "warn")),
                missing=rng.choice(("error", "ignore")),
            )
    model = ModelConfig(
        name="m",
        metrics=SourceConfig(path="metrics.csv"),
        baseline="card.json",
        triggers=tuple(r for r in rules.values() if r.role == "trigger"),
        checks=tuple(r for r in rules.values() if r.role == "check"),
        dispatch=DispatchConfig(
            event="workflow_dispatch",
            workflow="retrain.yml",
            cooldown=rng.choice((None, timedelta(days=1), timedelta(days=3), timedelta(hours=60))),
        ),
    )
    problems = (ctx.series_problem,) if ctx.series_problem else ()
    return model, ModelData(series=ctx.series, baseline=ctx.baseline, problems=problems)


def test_backtests_of_random_models_equal_check_on_every_day() -> None:
    """Decisions, summaries (error reasons included), fired rules, vetoes, errors and the
    replayed cooldown: the same as judging every rule on each day alone."""
    rng = random.Random(2026)
    decided: set[str] = set()
    for _ in range(150):
        model, data = random_model(rng)
        span = history_span([data]) or (FIRST.date(), FIRST.date() + timedelta(days=5))
        start = span[0] + timedelta(days=rng.randint(-2, 5))
        got = backtest_model(model, data, start=start, end=span[1])
        assert got == reference_backtest(model, data, start=start, end=span[1])
        decided.update(d.status for d in got.days)
    assert decided == {"retrain", "held", "blocked", "skip", "error"}


def test_a_shuffled_file_with_gaps_and_empty_cells_backtests_as_check_day_by_day(
    tmp_path: Path,
) -> None:
    """Rows in any order (the loader sorts them), dates missing, cells empty."""
    rng = random.Random(5)
    day = date(2026, 3, 1)
    rows = []
    for _ in range(60):
        accuracy = "" if rng.random() < 0.1 else f"{rng.choice((0.8, 0.85, 0.875, 0.9, 0.91))}"
        rows.append(f"{day.isoformat()},{accuracy},{rng.choice((900, 1000, 5000))}")
        day += timedelta(days=rng.choice((1, 1, 1, 2)))
    rng.shuffle(rows)
    root = write(
        tmp_path,
        {
            "metrics.csv": "date,accuracy,rows\n" + "\n".join(rows) + "\n",
            "card.json": '{"trained_at": "2026-03-20T06:00:00Z", "accuracy": 0.9, "rows": 900}',
            "retrain-gate.yml": """\
version: 1
models:
  m:
    metrics: {path: metrics.csv, time: date}
    baseline: card.json
    dispatch: {workflow: retrain.yml, cooldown: 5d}
    triggers:
      - {name: floor, metric: accuracy, below: 0.875, for: 2, of_last: 3, missing: ignore}
      - {name: mean-drop, metric: accuracy, drop_from_baseline: 2.5%, aggregate: mean, window: 7d}
      - {name: median, metric: accuracy, below: 0.875, aggregate: median, window: 4}
      - {name: growth, metric: rows, growth_since_baseline: 100%, count: since_training}
      - {name: odd, metric: accuracy, outside_sigma: 2, reference_window: 10d, missing: ignore}
      - {name: age, max_age: 20d}
    checks:
      - {name: rows, metric: rows, at_least: 1000, for: 2}
      - {name: fresh, freshness: 1d, severity: warn}
      - {name: gaps, max_gap: 1d, window: 5d}
""",
        },
    )
    config = load_config(root / "retrain-gate.yml")
    model = config.models["m"]
    data = load_model(config, model)
    assert data.problems == ()
    span = history_span([data])
    assert span is not None
    got = backtest_model(model, data, start=span[0], end=span[1])
    assert got == reference_backtest(model, data, start=span[0], end=span[1])
    assert {d.status for d in got.days} >= {"retrain", "held", "skip", "error"}


def test_a_group_is_replayed_from_its_members_and_its_days_name_the_group(
    tmp_path: Path,
) -> None:
    """`both` needs accuracy under 0.87 twice running and rows 20% over the card's. The card
    dates from 03-03 12:00: on 03-02 accuracy is low and rows are +50%, but the model was not
    trained yet, so the growth member is quiet and so is `both`. From 03-03 on the card
    counts: accuracy is low again from 03-04 (fires on 03-05, for: 2), rows pass +20% on
    03-06: `both` fires from 03-06."""
    root = write(
        tmp_path,
        {
            "metrics.csv": daily_csv(
                {
                    "accuracy": [0.85, 0.85, 0.9, 0.86, 0.85, 0.84, 0.83],
                    "rows": [15000, 15000, 10000, 11000, 11500, 12500, 13000],
                },
                start="2026-03-01",
            ),
            "card.json": '{"trained_at": "2026-03-03T12:00:00Z", "rows": 10000}',
            "retrain-gate.yml": """\
version: 1
models:
  m:
    metrics: {path: metrics.csv, time: date}
    baseline: card.json
    triggers:
      - name: both
        all:
          - {name: low, metric: accuracy, below: 0.87, for: 2}
          - {name: more, metric: rows, growth_since_baseline: 20%}
""",
        },
    )
    config = load_config(root / "retrain-gate.yml")
    model = config.models["m"]
    data = load_model(config, model)
    span = history_span([data])
    assert span is not None
    got = backtest_model(model, data, start=span[0], end=span[1])
    assert [(d.day.isoformat(), d.status, d.fired) for d in got.days] == [
        ("2026-03-01", "error", ()),  # low needs 2 observations
        ("2026-03-02", "skip", ()),  # low fired; rows +50%, but before the card
        ("2026-03-03", "skip", ()),
        ("2026-03-04", "skip", ()),
        ("2026-03-05", "skip", ()),  # low fired; rows +15%
        ("2026-03-06", "retrain", ("both",)),
        ("2026-03-07", "retrain", ("both",)),
    ]
    assert got.days[0].summary == (
        "both could not be evaluated: member low could not be evaluated (only 1 observation "
        "of accuracy; the rule needs 2)"
    )
    assert got == reference_backtest(model, data, start=span[0], end=span[1])
