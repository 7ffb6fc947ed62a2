"""Every replayed day's status of a rule, in one pass over the loaded series.

A backtest asks each rule the same question on each day: "fired or quiet (passed, failed,
error) with the observations up to here?". Calling the rule's evaluator once per day
recomputes every window from scratch and writes a reason sentence nobody reads. The
functions here answer for all the days at once: each observation's window is advanced
from the previous one (running exact sums for means and standard deviations, monotonic
queues for min and max, a sorted window for the median), persistence (`for`, `of_last`),
missing values and "too few observations" become running counts, and a day's status is
read off them in O(1).

They return statuses only; a day whose reasons are shown is evaluated again by the real
evaluator. Each function gives, for every day, exactly `evaluate(rule, ctx_of_that_day)
.status` (tests/test_replay.py checks that over many generated series and options); the
arithmetic is the evaluator's own (`exceeds`, the same float operations, and for anomaly
`selection.mean_and_sd`, rounded once from exact sums whichever way they were added up).

Each kind's `statuses` (in its own module) builds on these. A kind without one is evaluated
day by day (`base.evaluated`), so correctness never depends on a fast path existing.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from retrain_gate.durations import parse_duration
from retrain_gate.kinds.base import Context, Kind
from retrain_gate.kinds.series import (
    exact_scale,
    scaled,
)
from retrain_gate.model import RuleConfig
from retrain_gate.results import Status


def _window_starts(days: Days, points: Sequence[int], window: object) -> list[int]:
    """For each point, the first point of its window (points are series indices)."""
    if isinstance(window, int):
        return [max(0, p - window + 1) for p in range(len(points))]
    span = parse_duration(str(window))
    if span <= _NO_TIME:
        raise NoFastPath("an empty window")  # the evaluator has no values to combine
    times = days.times
    point_times = [times[i] for i in points]
    starts = []
    first = 0
    for when in point_times:  # the window is (when - span, when]
        start = when - span
        while point_times[first] <= start:
            first += 1
        starts.append(first)
    return starts


def exact_ints(values: Sequence[float | None]) -> tuple[int, list[int]]:
    """(scale, each value times 2**scale as an exact integer; a missing one as 0): the
    anomaly evaluator's `selection.exact_scale` and `selection.scaled`, over a column."""
    scale = exact_scale(values)
    return scale, [0 if v is None else scaled(v, scale) for v in values]


def window_aggregates(
    aggregate: str,
    values: Sequence[float | None],
    starts: list[int],
    *,
    exact: tuple[int, Sequence[int]] | None = None,
) -> list[float | None]:
    """Each point's aggregate over `values[starts[p] : p + 1]`, as `selection.combine` gives
    it, advanced point by point (`starts` never decreases). Where a window holds a missing
    value the result is meaningless: the rule is an error there and never reads it.
    `exact`: the running sums of `exact_ints(values)` when already known."""
    count = len(values)
    if aggregate == "mean":
        # statistics.fmean is fsum / n, and fsum is the exact sum rounded once: the same
        # float as the exact running sum rounded once
        if exact is None:
            scale, ints = exact_ints(values)
            exact = scale, list(itertools.accumulate(ints, initial=0))
        scale, sums = exact
        unit = 1 << scale
        return [(sums[p + 1] - sums[s]) / unit / (p + 1 - s) for p, s in enumerate(starts)]
    if aggregate == "sum":
        # Python's sum depends on the order of additions: the evaluator's, window by window
        present = [0.0 if v is None else v for v in values]
        return [float(sum(present[s : p + 1])) for p, s in enumerate(starts)]
    if aggregate in ("min", "max"):
        better = (lambda a, b: a <= b) if aggregate == "min" else (lambda a, b: a >= b)
        queue: deque[int] = deque()  # window positions, their values monotonic
        result: list[float | None] = []
        for p in range(count):
            value = values[p]
            if value is not None:
                while queue and better(value, values[queue[-1]]):
                    queue.pop()
                queue.append(p)
            while queue and queue[0] < starts[p]:
                queue.popleft()
            result.append(values[queue[0]] if queue else None)
        return result
    if aggregate == "median":
        window: list[float] = []
        result = []
        first = 0
        for p in range(count):
            value = values[p]
            if value is not None:
                bisect.insort(window, value)
            while first < starts[p]:
                old = values[first]
                if old is not None:
                    del window[bisect.bisect_left(window, old)]
                first += 1
            size = len(window)
            if not size:
                result.append(None)
            elif size % 2:
                result.append(window[size // 2])
            else:
                result.append((window[size // 2 - 1] + window[size // 2]) / 2)
        return result
    raise NoFastPath(f"aggregate {aggregate!r}")


def _persisted(
    rule: RuleConfig,
    days: Days,
    condition: Callable[[float], bool],
    *,
    needed: int,
    of_last: int,
    holds: Status,
    not_holds: Status,
) -> list[Status]:
    """Each day: `error` when `selection.observe` raises NoData, else whether `condition`
    held on `needed` of the last `of_last` observations (`selection.persisted`)."""
    assert days.ctx.series is not None
    metric = str(rule.metric)
    column = days.ctx.series.columns[metric]
    ignore = rule.missing == "ignore"
    # the observations the rule reads: every one (a missing value is an error), or the
    # present ones (missing values dropped); counts: how many of them each day sees
    if ignore:
        points: Sequence[int] = [i for i, v in enumerate(column) if v is not None]
        values: Sequence[float | None] = [column[i] for i in points]
        visible = list(itertools.accumulate((v is not None for v in column), initial=0))
        counts: Sequence[int] = [visible[end] for end in days.ends]
    else:
        points, values, counts = range(len(column)), column, days.ends
    aggregate = str(rule.options.get("aggregate", "latest"))
    window = rule.options.get("window")
    aggregated = window is not None and aggregate != "latest"
    combined: Sequence[float | None]
    if aggregated:
        starts = _window_starts(days, points, window)
        exact = days.exact_sums(metric)[:2] if not ignore and aggregate == "mean" else None
        combined = window_aggregates(aggregate, values, starts, exact=exact)
        absent = list(itertools.accumulate((v is None for v in values), initial=0))
        broken = [absent[p + 1] - absent[s] > 0 for p, s in enumerate(starts)]
    else:
        combined = values
        broken = [v is None for v in values]
    # only the points some day judges
    first = max(0, min(counts, default=0) - of_last)
    # a broken window's value (None, or a sum with holes) is never judged
    if any(broken[first:]):
        judged = [
            not bad and condition(v)  # type: ignore[arg-type]
            for v, bad in zip(combined[first:], broken[first:])
        ]
    else:
        judged = list(map(condition, combined[first:]))  # type: ignore[arg-type]
    held = list(itertools.accumulate(itertools.chain([False] * first, judged), initial=0))
    bad_before = list(itertools.accumulate(broken, initial=0))
    # status when the rule sees the first c points; a last-N window needs N - 1 points
    # before the oldest one judged
    required = min(
        of_last + (window - 1 if aggregated and isinstance(window, int) else 0), len(values) + 1
    )
    skip = required - of_last
    error: Status = "error"
    by_count = [error] * required + [
        error if bad else holds if count >= needed else not_holds
        for bad, count in zip(
            [a - b for a, b in zip(bad_before[required:], bad_before[skip:])],
            [a - b for a, b in zip(held[required:], held[skip:])],
        )
    ]
    return [by_count[count] for count in counts]


_NO_TIME = timedelta(0)


@dataclass(frozen=True)
class Days:
    """The gate runs a backtest replays for one model, oldest first.

    `ctx` holds all the loaded data (its `now` and `end` are not used); run i happens at
    `nows[i]` and sees the observations `series.times[:ends[i]]`.
    """

    ctx: Context
    nows: Sequence[datetime]
    ends: Sequence[int]
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ends)

    def context(self, index: int) -> Context:
        """The context of run `index`, as the gate had it that day."""
        return replace(self.ctx, now=self.nows[index], end=self.ends[index])

    @property
    def times(self) -> Sequence[datetime]:
        """The series' times (none without a series)."""
        return self.ctx.series.times if self.ctx.series is not None else ()

    def exact_sums(self, metric: str) -> tuple[int, list[int], list[int], list[int]]:
        """(scale, running sums of the values as exact integers (`exact_ints`), of their
        squares, running counts of present values): entry i covers the first i
        observations."""
        key = ("sums", metric)
        if key not in self._cache:
            assert self.ctx.series is not None
            column = self.ctx.series.columns[metric]
            scale, ints = exact_ints(column)
            self._cache[key] = (
                scale,
                list(itertools.accumulate(ints, initial=0)),
                list(itertools.accumulate((i * i for i in ints), initial=0)),
                list(itertools.accumulate((v is not None for v in column), initial=0)),
            )
        result: tuple[int, list[int], list[int], list[int]] = self._cache[key]
        return result


FastStatuses = Callable[[RuleConfig, Days], list[Status]]


class NoFastPath(Exception):
    """This rule's options are outside what the fast path handles: evaluate day by day."""


def evaluated(rule: RuleConfig, kind: Kind, days: Days) -> list[Status]:
    """Each day's status from the rule's evaluator: the reference the fast paths equal."""
    return [kind.evaluate(rule, days.context(i)).status for i in range(len(days))]


def statuses(rule: RuleConfig, kind: Kind, days: Days) -> list[Status]:
    """The rule's status on each replayed day: from its fast path when it has one."""
    fast = kind.statuses
    if fast is not None:
        try:
            return fast(rule, days)
        except (NoFastPath, OverflowError):  # overflow: let the evaluator say what it says
            pass
    return evaluated(rule, kind, days)


def _same(days: Days, status: Status) -> list[Status]:
    return [status] * len(days)


def _as_trigger(holds: list[bool | None]) -> list[Status]:
    return ["error" if h is None else "fired" if h else "quiet" for h in holds]


def _as_check(rule: RuleConfig, failed: list[bool | None]) -> list[Status]:
    bad: Status = "warned" if rule.severity == "warn" else "failed"
    return ["error" if f is None else bad if f else "passed" for f in failed]


def _constant(rule: RuleConfig, days: Days) -> list[Status]:
    """Rules that read committed files, not the series: the same status on every day."""
    if not len(days):
        return []
    from retrain_gate.kinds import registry  # here: the registry imports every kind

    return _same(days, registry(rule.role)[rule.kind].evaluate(rule, days.ctx).status)


def _card_known(fast: FastStatuses) -> FastStatuses:
    """As `rules.card_from_the_future`: on a day whose `now` is before the card's
    trained_at, a rule that reads the card is an error."""

    def statuses_with_card(rule: RuleConfig, days: Days) -> list[Status]:
        column = fast(rule, days)
        card = days.ctx.baseline
        if card is not None and card.trained_at is not None:
            for i, now in enumerate(days.nows):
                if card.trained_at > now:
                    column[i] = "error"
        return column

    return statuses_with_card
