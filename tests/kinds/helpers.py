"""Hand-built series and runs for the per-kind tests: what a kind judges, day by day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from retrain_gate.kinds import judge
from retrain_gate.kinds.base import Judgement
from retrain_gate.kinds.days import Context, Days
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status
from retrain_gate.sources.card import Baseline
from retrain_gate.sources.metrics import Series

UTC = timezone.utc
START = datetime(2026, 3, 1, tzinfo=UTC)


def at(day: int, hour: int = 0) -> datetime:
    """Midnight (or `hour`) of 2026-03-`day`."""
    return START + timedelta(days=day - 1, hours=hour)


def daily(*, skip: Sequence[int] = (), **columns: Sequence[float | None]) -> Series:
    """One observation a day from 2026-03-01 (days in `skip`, 1-based, absent), as rows 2, 3,
    ... of m.csv."""
    count = len(next(iter(columns.values())))
    numbers = [d for d in range(1, count + len(skip) + 1) if d not in skip]
    return Series(
        source="m.csv",
        times=tuple(at(d) for d in numbers),
        columns={name: tuple(values) for name, values in columns.items()},
        where=tuple(f"m.csv:{i + 2}" for i in range(count)),
    )


def card(trained: datetime | None, **values: float) -> Baseline:
    return Baseline(source="card.json", trained_at=trained, values=values)


def every_day(series: Series | None, *, baseline: Baseline | None = None) -> Days:
    """A run at the end of each day with an observation (as a backtest replays them), each
    seeing the observations up to that day."""
    ctx = Context(model="m", now=START, series=series, baseline=baseline)
    times = series.times if series is not None else ()
    return Days(ctx=ctx, nows=[t + timedelta(days=1) for t in times], ends=range(1, len(times) + 1))


def runs(ctx: Context, *pairs: tuple[datetime, int]) -> Days:
    """Runs at the given (now, observations seen)."""
    return Days(ctx=ctx, nows=[now for now, _ in pairs], ends=[end for _, end in pairs])


def rule(kind: str, *, role: str = "trigger", name: str = "r", **options: Any) -> RuleConfig:
    return RuleConfig(
        name=name,
        kind=kind,
        role=role,  # type: ignore[arg-type]
        options=options,
        severity=options.pop("severity", "error"),
        missing=options.pop("missing", "error"),
    )


def judged(rule: RuleConfig, days: Days) -> tuple[list[Status], list[Outcome]]:
    """Each day's status and outcome, checking they agree and equal the day judged alone."""
    together: Judgement = judge(rule, days)
    outcomes = [together.outcome(i) for i in range(len(days))]
    assert [o.status for o in outcomes] == list(together.statuses)
    for i, got in enumerate(outcomes):
        alone = Days(ctx=days.ctx, nows=(days.nows[i],), ends=(days.ends[i],))
        assert judge(rule, alone).outcome(0) == got
    return list(together.statuses), outcomes


def reasons(outcomes: Sequence[Outcome]) -> list[str]:
    return [o.reason for o in outcomes]
