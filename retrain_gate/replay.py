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

`FAST` maps (role, kind) to its function. A kind without one is evaluated day by day
(`evaluated`), so correctness never depends on a fast path existing.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from retrain_gate.config import group_members, group_mode, kinds
from retrain_gate.durations import parse_amount, parse_duration
from retrain_gate.kinds import Context, Kind, RuleConfig
from retrain_gate.results import Role, Status
from retrain_gate.selection import (
    anomalous,
    column_sum,
    exact_scale,
    exceeds,
    mean_and_sd,
    persistence,
    scaled,
)

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
    fast = FAST.get((rule.role, rule.kind))
    if fast is not None:
        try:
            return fast(rule, days)
        except (NoFastPath, OverflowError):  # overflow: let the evaluator say what it says
            pass
    return evaluated(rule, kind, days)


# --- shared pieces ----------------------------------------------------------------------


def _same(days: Days, status: Status) -> list[Status]:
    return [status] * len(days)


def _as_trigger(holds: list[bool | None]) -> list[Status]:
    return ["error" if h is None else "fired" if h else "quiet" for h in holds]


def _as_check(rule: RuleConfig, failed: list[bool | None]) -> list[Status]:
    bad: Status = "warned" if rule.severity == "warn" else "failed"
    return ["error" if f is None else bad if f else "passed" for f in failed]


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


# --- triggers -----------------------------------------------------------------------------


def _threshold(rule: RuleConfig, days: Days) -> list[Status]:
    if days.ctx.series is None:
        return _same(days, "error")
    below = rule.options.get("below")
    limit = float(below if below is not None else rule.options["above"])
    # exceeds(limit, value) / exceeds(value, limit), called without a closure in between
    condition: Callable[[float], bool] = (
        partial(exceeds, limit) if below is not None else partial(exceeds, limit=limit)
    )
    needed, of_last = persistence(rule)
    return _persisted(
        rule, days, condition, needed=needed, of_last=of_last, holds="fired", not_holds="quiet"
    )


def _baseline(rule: RuleConfig, days: Days) -> float | None:
    """The model card's value of the rule's metric; None when the evaluator says error."""
    if days.ctx.series is None or days.ctx.baseline is None:
        return None
    return days.ctx.baseline.value(str(rule.metric))


def _baseline_change(rule: RuleConfig, days: Days) -> list[Status]:
    base = _baseline(rule, days)
    if base is None:
        return _same(days, "error")
    dropping = "drop_from_baseline" in rule.options
    amount, relative = parse_amount(
        rule.options["drop_from_baseline" if dropping else "rise_from_baseline"]
    )
    if relative and base == 0:
        return _same(days, "error")

    def condition(value: float) -> bool:
        moved = (base - value) if dropping else (value - base)
        return exceeds(moved / abs(base) if relative else moved, amount)

    needed, of_last = persistence(rule)
    return _persisted(
        rule, days, condition, needed=needed, of_last=of_last, holds="fired", not_holds="quiet"
    )


def _data_growth(rule: RuleConfig, days: Days) -> list[Status]:
    base = _baseline(rule, days)
    if base is None:
        return _same(days, "error")
    amount, relative = parse_amount(rule.options["growth_since_baseline"])
    if relative and base == 0:
        return _same(days, "error")
    ctx = days.ctx
    assert ctx.series is not None and ctx.baseline is not None
    if rule.options.get("count", "latest") == "since_training":
        trained = ctx.baseline.trained_at
        if trained is None:
            return _same(days, "error")
        column = ctx.series.columns[str(rule.metric)]
        after = bisect.bisect_right(ctx.series.times, trained)
        holds: list[bool | None] = []
        for end in days.ends:
            # the evaluator's own running sums: the same float differences
            current, missing = column_sum(column, min(after, end), end)
            if missing and rule.missing == "error":
                holds.append(None)
            else:
                holds.append(exceeds(current / base if relative else current, amount))
        return _as_trigger(holds)

    def condition(value: float) -> bool:
        return exceeds(value / base - 1 if relative else value - base, amount)

    return _persisted(rule, days, condition, needed=1, of_last=1, holds="fired", not_holds="quiet")


def _model_age(rule: RuleConfig, days: Days) -> list[Status]:
    baseline = days.ctx.baseline
    if baseline is None or baseline.trained_at is None:
        return _same(days, "error")
    limit = parse_duration(str(rule.options["max_age"]))
    trained = baseline.trained_at
    return ["fired" if now - trained > limit else "quiet" for now in days.nows]


def group_statuses(
    rule: RuleConfig, members: Sequence[Sequence[Status]], count: int
) -> list[Status]:
    """A group's status on each of `count` days from its members' statuses that day, as
    `rules.group_outcome` judges: error if any member is an error (fail closed), else
    fired when every member fired (`all`) or one did (`any`), else quiet."""
    if not members:
        return ["error"] * count  # the evaluator's "the group has no members"
    needs_all = group_mode(rule) == "all"
    result: list[Status] = []
    for row in zip(*members):
        if "error" in row:
            result.append("error")
        elif needs_all:
            result.append("fired" if all(s == "fired" for s in row) else "quiet")
        else:
            result.append("fired" if "fired" in row else "quiet")
    return result


def _group(rule: RuleConfig, days: Days) -> list[Status]:
    """From each member's statuses (its own fast path, or its evaluator day by day)."""
    triggers = kinds("trigger")
    members = [statuses(m, triggers[m.kind], days) for m in group_members(rule)]
    return group_statuses(rule, members, len(days))


def _constant(rule: RuleConfig, days: Days) -> list[Status]:
    """Rules that read committed files, not the series: the same status on every day."""
    if not len(days):
        return []
    return _same(days, kinds(rule.role)[rule.kind].evaluate(rule, days.ctx).status)


def _anomaly(rule: RuleConfig, days: Days) -> list[Status]:
    ctx = days.ctx
    if ctx.series is None:
        return _same(days, "error")
    metric = str(rule.metric)
    column = ctx.series.columns[metric]
    k = float(rule.options["outside_sigma"])
    direction = str(rule.options.get("direction", "both"))
    window = rule.options.get("reference_window", 28)
    needed, of_last = persistence(rule)
    ignore = rule.missing == "ignore"
    scale, sums, squares, present = days.exact_sums(metric)
    count = len(column)
    if isinstance(window, int):
        starts = [max(0, i - window) for i in range(count)]
    else:  # the reference window is [times[i] - span, times[i])
        span = parse_duration(str(window))
        times = days.times
        starts, first = [], 0
        for i, when in enumerate(times):
            while first < i and times[first] < when - span:
                first += 1
            starts.append(first)
    references = [present[i] - present[first] for i, first in enumerate(starts)]
    missing = [v is None for v in column]
    # the rule is an error when it judges an observation with fewer than 3 reference
    # values, or a missing one (unless missing values are ignored: then it skips them)
    failing = [
        (gone and not ignore) or (not gone and size < 3) for gone, size in zip(missing, references)
    ]
    outside = [False] * count
    # only the observations some replayed day judges
    for i in range(max(0, min(days.ends, default=0) - of_last), count):
        value, size, first = column[i], references[i], starts[i]
        if value is not None and size >= 3:
            mean, sd = mean_and_sd(
                size, sums[i] - sums[first], squares[i] - squares[first], scale=scale
            )
            outside[i] = anomalous(value, mean, sd, k=k, direction=direction)
    failing_before = list(itertools.accumulate(failing, initial=0))
    outside_before = list(itertools.accumulate(outside, initial=0))
    skipped_before = list(itertools.accumulate(missing, initial=0)) if ignore else None
    error: Status = "error"
    by_end = [error] * min(of_last, count + 1)
    for end in range(of_last, count + 1):
        begin = end - of_last
        if failing_before[end] - failing_before[begin] or (
            skipped_before and skipped_before[end] - skipped_before[begin] == of_last
        ):  # nothing left to judge
            by_end.append(error)
        else:
            by_end.append(
                "fired" if outside_before[end] - outside_before[begin] >= needed else "quiet"
            )
    return [by_end[end] for end in days.ends]


# --- checks -------------------------------------------------------------------------------


def _range(rule: RuleConfig, days: Days) -> list[Status]:
    if days.ctx.series is None:
        return _same(days, "error")
    low = rule.options.get("at_least")
    high = rule.options.get("at_most")

    def outside(value: float) -> bool:
        return (low is not None and exceeds(low, value)) or (
            high is not None and exceeds(value, high)
        )

    needed, of_last = persistence(rule)
    failed: Status = "warned" if rule.severity == "warn" else "failed"
    return _persisted(
        rule, days, outside, needed=needed, of_last=of_last, holds=failed, not_holds="passed"
    )


def _freshness(rule: RuleConfig, days: Days) -> list[Status]:
    if days.ctx.series is None:
        return _same(days, "error")
    limit = parse_duration(str(rule.options["freshness"]))
    times = days.times
    failed: list[bool | None] = []
    for end, now in zip(days.ends, days.nows):
        if end == 0:
            failed.append(None)
        else:
            age = now - times[end - 1]
            failed.append(age < _NO_TIME or age > limit)  # in the future, or too old
    return _as_check(rule, failed)


def _gaps(rule: RuleConfig, days: Days) -> list[Status]:
    if days.ctx.series is None:
        return _same(days, "error")
    limit = parse_duration(str(rule.options["max_gap"]))
    window = parse_duration(str(rule.options.get("window", "14d")))
    times = days.times
    # wide[j]: observation j is more than max_gap after the one before it
    wide = [False] + [b - a > limit for a, b in zip(times, times[1:])]
    wide_before = list(itertools.accumulate(wide, initial=0))
    failed: list[bool | None] = []
    for end, now in zip(days.ends, days.nows):
        first = bisect.bisect_right(times, now - window, 0, end)
        # the gaps into the window's observations: into `first` (when one comes before
        # it) and between the ones inside
        failed.append(first >= end or wide_before[end] - wide_before[max(first, 1)] > 0)
    return _as_check(rule, failed)


def _required_fields(rule: RuleConfig, days: Days) -> list[Status]:
    series = days.ctx.series
    if series is None:
        return _same(days, "error")
    count = int(rule.options.get("window", 1))
    absent_before = []
    for name in (str(f) for f in rule.options["required"]):
        column = series.columns.get(name)
        if column is None:
            absent_before.append(list(range(len(series) + 1)))  # absent on every observation
        else:
            absent_before.append(list(itertools.accumulate((v is None for v in column), initial=0)))
    failed: list[bool | None] = []
    for end in days.ends:
        start = max(0, end - count)
        if end == 0:
            failed.append(None)
        else:
            failed.append(any(a[end] - a[start] for a in absent_before))
    return _as_check(rule, failed)


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


FAST: dict[tuple[Role, str], FastStatuses] = {
    ("trigger", "threshold"): _threshold,
    ("trigger", "baseline_change"): _card_known(_baseline_change),
    ("trigger", "data_growth"): _card_known(_data_growth),
    ("trigger", "model_age"): _card_known(_model_age),
    ("trigger", "drift"): _constant,
    ("trigger", "anomaly"): _anomaly,
    ("trigger", "group"): _group,
    ("check", "range"): _range,
    ("check", "freshness"): _freshness,
    ("check", "gaps"): _gaps,
    ("check", "required_fields"): _required_fields,
    ("check", "sample_schema"): _constant,
}
