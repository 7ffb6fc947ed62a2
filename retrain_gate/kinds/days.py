"""What a rule is judged on: the loaded data (`Context`) and the gate runs asked about (`Days`).

`check` asks about one run (now, seeing every observation); a backtest about one run per
replayed day, each seeing only the observations before it. Every kind answers both with the
same code: its status on each asked day in one pass over the series.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from retrain_gate.results import Problem
from retrain_gate.sources.card import Baseline
from retrain_gate.sources.metrics import Series


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at. Built by the load stage; evaluation does no I/O.

    `end` bounds the visible observations (`series.times[:end]`): a backtest replays day d
    by passing the index just after d, so no rule can see the future.
    """

    model: str
    now: datetime
    series: Series | None = None
    series_problem: Problem | None = None
    end: int = 0
    baseline: Baseline | None = None
    baseline_problem: Problem | None = None
    files: Mapping[str, object] = field(default_factory=dict)  # path -> parsed data or Problem
    # the model's other named sources (`sources:`), each read or why it could not be
    sources: Mapping[str, Series | None] = field(default_factory=dict)
    source_problems: Mapping[str, Problem | None] = field(default_factory=dict)
    # each run sees only the observations before its `now` (a backtest, `check --now`);
    # else, as a check at the clock, every observation
    as_of: bool = False


_T = TypeVar("_T")


@dataclass(frozen=True)
class Days:
    """The gate runs a rule is asked about, oldest first.

    `ctx` holds all the loaded data (its own `now` and `end` are not used); run i happens at
    `nows[i]` and sees the observations `series.times[:ends[i]]`.
    """

    ctx: Context
    nows: Sequence[datetime]
    ends: Sequence[int]
    as_of: bool = False  # ends are the observations before each now (see Context.as_of)
    # what several rules compute alike from the same data (running sums of a metric)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, ctx: Context) -> Days:
        """The one run `ctx` describes: at `ctx.now`, seeing `series.times[:ctx.end]`."""
        return cls(ctx=ctx, nows=(ctx.now,), ends=(ctx.end,), as_of=ctx.as_of)

    def on_source(self, name: str) -> Days:
        """The same runs, judged on the model's source `name` instead of its `metrics:`."""

        def make() -> Days:
            series = self.ctx.sources.get(name)
            times = series.times if series is not None else ()
            ends = (
                [bisect.bisect_left(times, now) for now in self.nows]
                if self.as_of
                else [len(times)] * len(self.nows)
            )
            ctx = replace(
                self.ctx,
                series=series,
                series_problem=self.ctx.source_problems.get(name),
                end=ends[0] if ends else 0,
            )
            return Days(ctx=ctx, nows=self.nows, ends=ends, as_of=self.as_of)

        return self.memo(("source", name), make)

    def __len__(self) -> int:
        return len(self.ends)

    def memo(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """`make()`, computed once for these days and `key`."""
        if key not in self._memo:
            self._memo[key] = make()
        result: _T = self._memo[key]
        return result

    @property
    def times(self) -> Sequence[datetime]:
        """The series' times (none without a series)."""
        return self.ctx.series.times if self.ctx.series is not None else ()
