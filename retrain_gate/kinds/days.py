"""What a rule is judged on: the loaded data (`Context`) and the gate runs asked about (`Days`).

`check` asks about one run (now, seeing every observation); a backtest about one run per
replayed day, each seeing only the observations before it. Every kind answers both with the
same code: its status on each asked day in one pass over the series.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
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
    # what several rules compute alike from the same data (running sums of a metric)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, ctx: Context) -> Days:
        """The one run `ctx` describes: at `ctx.now`, seeing `series.times[:ctx.end]`."""
        return cls(ctx=ctx, nows=(ctx.now,), ends=(ctx.end,))

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
