"""A rule's observations on the days it is asked about: windows, aggregates, persistence,
missing values, in one pass over the series.

`check` asks about one day, a backtest about every day; both get their answers from the same
pass (`Persisted`), which reads only the observations the asked days can see: never past a
day's `end`, so a backtest cannot peek, and never further back than the oldest window the
asked days need, so one day costs what its windows hold.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.values import day
from retrain_gate.kinds.values import exceeds as exceeds  # re-exported
from retrain_gate.kinds.values import fmt as fmt  # re-exported
from retrain_gate.kinds.values import percent as percent  # re-exported
from retrain_gate.model import RuleConfig
from retrain_gate.results import Point


@dataclass(frozen=True)
class Observed:
    """A rule's value at one observation: the raw value or the window's aggregate."""

    index: int
    time: datetime
    value: float


def window_label(rule: RuleConfig) -> str:
    """'mean over 7d' / 'mean of the last 5' / '' for the latest value."""
    aggregate = rule.options.get("aggregate", "latest")
    window = rule.options.get("window")
    if window is None or aggregate == "latest":
        return ""
    if isinstance(window, int):
        return f"{aggregate} of the last {window}"
    return f"{aggregate} over {format_duration(parse_duration(window))}"


def persistence(rule: RuleConfig) -> tuple[int, int]:
    """(M, N): the condition must hold on M of the last N observations (M == N: consecutive)."""
    needed = int(rule.options.get("for", 1))
    of_last = int(rule.options.get("of_last", needed))
    return needed, max(of_last, needed)


def persistence_phrase(rule: RuleConfig, matching: list[Observed]) -> str:
    """' on 2 consecutive observations (2026-11-20, 2026-11-21)' or ''."""
    needed, of_last = persistence(rule)
    if of_last == 1:
        return ""
    dates = ", ".join(day(o.time) for o in matching[-6:])
    if needed == of_last:
        return f" on {len(matching)} consecutive observations ({dates})"
    return f" on {len(matching)} of the last {of_last} observations ({dates})"


# A window: the last N observations (an int), or a duration back from each observation.
Span = int | timedelta


def span_of(window: object) -> Span:
    """A window option as written (5, '7d'): a count or a duration."""
    return window if isinstance(window, int) else parse_duration(str(window))


def window_start(times: Sequence[datetime], point: int, span: Span, *, before: bool = False) -> int:
    """The first point of the window of `point` (points given by their times, oldest first).

    A count N: the last N points, `point` included; a duration: the points after
    `time - duration`, up to `point`. With `before` (a reference window): the points
    before `point`, the N before it or those from `time - duration` on.
    """
    if isinstance(span, int):
        return max(0, point - (span if before else span - 1))
    if before:
        return bisect.bisect_left(times, times[point] - span, 0, point)
    return bisect.bisect_right(times, times[point] - span, 0, point)


def window_starts(times: Sequence[datetime], span: Span, *, before: bool = False) -> list[int]:
    """`window_start` of every point, in one sweep (the starts never move back)."""
    if isinstance(span, int):
        shift = span if before else span - 1
        # the first `shift` points' windows start at 0, each later one `shift` back
        return [0] * min(shift, len(times)) + list(range(len(times) - shift))
    starts = []
    first = 0
    for p, when in enumerate(times):
        start = when - span
        if before:  # the first point at or after `start`
            while first < p and times[first] < start:
                first += 1
        else:  # the first point after `start`
            while first < p and times[first] <= start:
                first += 1
        starts.append(first)
    return starts


def exact_scale(values: Iterable[float | None]) -> int:
    """The smallest k for which every value times 2**k is a whole number (0 without values)."""
    return max(
        (v.as_integer_ratio()[1].bit_length() - 1 for v in values if v is not None), default=0
    )


def scaled(value: float, scale: int) -> int:
    """`value * 2**scale` as an exact integer (`scale` from `exact_scale`)."""
    numerator, denominator = value.as_integer_ratio()
    return numerator << (scale - denominator.bit_length() + 1)


def mean_and_sd(count: int, total: int, squares: int, *, scale: int) -> tuple[float, float]:
    """The mean and sample standard deviation of `count` (>= 2) values, from the exact sum
    and sum of squares of `scaled` values.

    Each is rounded once from its exact value, so a window summed on its own (a check) and
    a window taken from running sums (a backtest) give the very same floats.
    """
    mean = total / (count << scale)
    variance = (count * squares - total * total) / ((count * (count - 1)) << (2 * scale))
    return mean, math.sqrt(variance)


def exact_ints(values: Sequence[float | None]) -> tuple[int, list[int]]:
    """(scale, each value times 2**scale as an exact integer; a missing one as 0): what
    `exact_scale` and `scaled` give, from one `as_integer_ratio` per value."""
    ratios = [(0, 1) if v is None else v.as_integer_ratio() for v in values]
    # the denominators are powers of two: the largest gives the scale
    scale = max([d for _, d in ratios], default=1).bit_length() - 1
    return scale, [n << (scale - d.bit_length() + 1) for n, d in ratios]


# (scale, running sums of the values as exact integers, of their squares, running counts
# of present values): entry i covers the first i values
ExactSums = tuple[int, list[int], list[int], list[int]]


def exact_sums(values: Sequence[float | None]) -> ExactSums:
    """The running exact sums of `values` (see `ExactSums`; a missing value counts 0)."""
    scale, ints = exact_ints(values)
    return (
        scale,
        list(itertools.accumulate(ints, initial=0)),
        list(itertools.accumulate([i * i for i in ints], initial=0)),
        list(itertools.accumulate([v is not None for v in values], initial=0)),
    )


def metric_sums(days: Days, metric: str, lo: int, hi: int) -> ExactSums:
    """`exact_sums` of the metric's observations lo to hi, once for all the rules judged
    on these days (a mean over a window, an anomaly rule)."""
    assert days.ctx.series is not None
    column = days.ctx.series.columns[metric]
    return days.memo(("sums", metric, lo, hi), lambda: exact_sums(column[lo:hi]))


def window_aggregates(
    aggregate: str,
    values: Sequence[float | None],
    starts: Sequence[int],
    *,
    sums: ExactSums | None = None,
) -> list[float | None]:
    """Each point's aggregate of the values present in `values[starts[p] : p + 1]` (None
    when there are none), advanced point by point (`starts` never decreases).

    The floats are those of the statistics module on each window alone: a mean is the exact
    sum rounded once, divided by the count (statistics.fmean); a sum adds in order.
    `sums`: `exact_sums(values)`, when already known.
    """
    if aggregate == "mean":
        scale, total, _, present = sums or exact_sums(values)
        unit = 1 << scale
        return [
            (total[p + 1] - total[s]) / unit / (present[p + 1] - present[s])
            if present[p + 1] > present[s]
            else None
            for p, s in enumerate(starts)
        ]
    if aggregate == "sum":
        windows = ([v for v in values[s : p + 1] if v is not None] for p, s in enumerate(starts))
        return [float(sum(w)) if w else None for w in windows]
    if aggregate in ("min", "max"):
        better = (lambda a, b: a <= b) if aggregate == "min" else (lambda a, b: a >= b)
        queue: deque[int] = deque()  # window positions, their values monotonic
        result: list[float | None] = []
        for p, start in enumerate(starts):
            value = values[p]
            if value is not None:
                while queue and better(value, values[queue[-1]]):
                    queue.pop()
                queue.append(p)
            while queue and queue[0] < start:
                queue.popleft()
            result.append(values[queue[0]] if queue else None)
        return result
    if aggregate == "median":
        window: list[float] = []
        result = []
        first = 0
        for p, start in enumerate(starts):
            value = values[p]
            if value is not None:
                bisect.insort(window, value)
            while first < start:
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
    return list(values)  # latest


class Persisted:
    """A rule's condition on its observations, on each asked day: whether it held on M of
    the last N (`for`, `of_last`) values, raw or a window's aggregate; or an error (too few
    observations, a missing value with `missing: error`).

    One pass over the observations the asked days read. `holds[i]` is day i's answer
    (None: an error, `problem(i)` says why); `observed(i)` are the values it judged, oldest
    first, and `matching(i)` those that met the condition.
    """

    def __init__(
        self,
        rule: RuleConfig,
        days: Days,
        condition: Callable[[float], bool],
        *,
        metric: str | None = None,
    ) -> None:
        series = days.ctx.series
        assert series is not None
        self.metric = metric = metric or str(rule.metric)
        self.times = times = series.times
        self.where = series.where
        column = series.columns[metric]
        needed, of_last = persistence(rule)
        aggregate = str(rule.options.get("aggregate", "latest"))
        window = rule.options.get("window")
        span = span_of(window) if window is not None and aggregate != "latest" else None
        self.of_last = of_last
        # a window of N needs N - 1 values before the oldest one judged
        self.required = required = of_last + (span - 1 if isinstance(span, int) else 0)
        self.ignore = ignore = rule.missing == "ignore"
        ends = days.ends
        lo = self._first(column, min(ends, default=0), span)
        hi = max(ends, default=0)
        self.lo = lo
        # the points the rule reads (series indices): all of them, or the present ones
        self.points = points = (
            [i for i in range(lo, hi) if column[i] is not None] if ignore else range(lo, hi)
        )
        raw = [column[i] for i in points] if ignore else list(column[lo:hi])
        point_times = [times[i] for i in points] if ignore else times[lo:hi]
        self.starts = starts = window_starts(point_times, span) if span is not None else None
        # a mean over every observation (missing: error) shares its sums with other rules
        sums = metric_sums(days, metric, lo, hi) if aggregate == "mean" and not ignore else None
        self.values = values = (
            window_aggregates(aggregate, raw, starts, sums=sums) if starts is not None else raw
        )
        # how many of the points each day sees; the points it judges are the last of_last
        self.seen = seen = (
            [bisect.bisect_left(points, end) for end in ends] if ignore else [e - lo for e in ends]
        )
        first = max(0, min(seen, default=0) - of_last)  # the oldest point some day judges
        tail = values[first:]
        if None in tail:
            judged = [v is not None and condition(v) for v in tail]
        else:  # no closure in between: a backtest judges every point
            judged = list(map(condition, tail))  # type: ignore[arg-type]
        self.judged = [False] * first + judged
        held = list(itertools.accumulate(self.judged, initial=0))
        # missing values before each point (none are read with `missing: ignore`)
        gapped = None in raw
        self.gaps = gaps = (
            list(itertools.accumulate([v is None for v in raw], initial=0))
            if gapped
            else [0] * (len(raw) + 1)
        )
        # a day is an error with too few observations, or (missing: error) a missing value
        # in a window it judges; else whether the condition held on `needed` of its points
        counts = seen if ignore else ends
        holds: list[bool | None]
        if gapped:
            firsts = starts if starts is not None else range(len(points))
            holds = [
                None
                if count < required or gaps[visible] > gaps[firsts[visible - of_last]]
                else held[visible] - held[visible - of_last] >= needed
                for visible, count in zip(seen, counts)
            ]
        else:  # the common case, without the test for a gap on every day of a backtest
            holds = [
                None if count < required else held[visible] - held[visible - of_last] >= needed
                for visible, count in zip(seen, counts)
            ]
        self.holds = holds

    def _first(self, column: Sequence[float | None], end: int, span: Span | None) -> int:
        """The first series index the earliest asked day (seeing `end` observations) reads:
        its last `of_last` points and their windows."""
        times = self.times
        if not self.ignore:
            if end < self.required:
                return 0
            oldest = end - self.of_last
            return window_start(times, oldest, span) if span is not None else oldest
        found: list[int] = []  # present points, newest first
        for i in range(end - 1, -1, -1):
            if column[i] is None:
                continue
            if len(found) >= self.required and (
                not isinstance(span, timedelta) or times[i] <= times[found[self.of_last - 1]] - span
            ):
                return i + 1
            found.append(i)
        return 0

    def problem(self, index: int) -> str:
        """Why the rule is an error on day `index`."""
        visible = self.seen[index]
        have = visible if self.ignore else visible + self.lo
        for needs in (self.of_last, self.required):
            if have < needs:
                return (
                    f"only {have} observation{'s' if have != 1 else ''} of {self.metric}; "
                    f"the rule needs {needs}"
                )
        oldest = visible - self.of_last
        start = self.starts[oldest] if self.starts else oldest
        gaps = self.gaps
        missing = self.points[next(p for p in range(start, visible) if gaps[p + 1] > gaps[p])]
        return f"{self.metric} is missing on {day(self.times[missing])} ({self.where[missing]})"

    def latest(self, index: int) -> float:
        """The newest value judged on day `index` (not an error)."""
        value = self.values[self.seen[index] - 1]
        assert value is not None
        return value

    def observed(self, index: int) -> list[Observed]:
        """The values judged on day `index` (not an error), oldest first."""
        visible = self.seen[index]
        return [
            Observed(self.points[p], self.times[self.points[p]], self.values[p])  # type: ignore[arg-type]
            for p in range(visible - self.of_last, visible)
        ]

    def matching(self, index: int) -> list[Observed]:
        """The values judged on day `index` that met the condition, oldest first."""
        first = self.seen[index] - self.of_last
        return [o for p, o in enumerate(self.observed(index), first) if self.judged[p]]


def rule_points(rule: RuleConfig, days: Days, index: int, *, count: int = 30) -> tuple[Point, ...]:
    """The last `count` values a rule judges on day `index`, for charts: the raw
    observations, or with an aggregate over a window the aggregate at each observation (what
    is compared with the threshold). A window with no value in it charts as a gap."""
    metric = str(rule.metric)
    series = days.ctx.series
    if series is None or metric not in series.columns:
        return ()
    column = series.columns[metric]
    times = series.times
    end = days.ends[index]
    start = max(0, end - count)
    aggregate = str(rule.options.get("aggregate", "latest"))
    window = rule.options.get("window")
    if aggregate == "latest" or window is None or start >= end:
        return tuple(Point(times[i], column[i]) for i in range(start, end))
    span = span_of(window)
    lo = window_start(times, start, span)  # the first charted point's window reaches back
    values = window_aggregates(aggregate, column[lo:end], window_starts(times[lo:end], span))
    return tuple(Point(times[i], values[i - lo]) for i in range(start, end))
