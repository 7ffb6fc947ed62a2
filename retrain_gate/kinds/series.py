"""Pick a rule's observations from a series: window, aggregate, persistence, missing values.

Pure functions over `(series, end)`; they never look past `end`, so backtests cannot peek.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.model import RuleConfig
from retrain_gate.results import Point

if TYPE_CHECKING:  # a type only: base imports this module
    from retrain_gate.kinds.base import Context


@dataclass(frozen=True)
class Observed:
    """A rule's value at one observation: the raw value or the window's aggregate."""

    index: int
    time: datetime
    value: float


class NoData(Exception):
    """The rule cannot be evaluated on the data it was given; the message says why."""


# Metric values and thresholds are decimals written in files; their binary floats differ in
# the last bits (11000 / 10000 - 1 == 0.10000000000000009). Differences that small are "equal",
# so a value equal to its threshold never fires (or fails) by rounding noise.
REL_TOL = 1e-9
ABS_TOL = 1e-12


def exceeds(value: float, limit: float) -> bool:
    """value > limit, strictly: equal up to floating-point rounding does not count."""
    return value > limit and not math.isclose(value, limit, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def anomalous(value: float, mean: float, sd: float, *, k: float, direction: str) -> bool:
    """More than k standard deviations from the mean, on the side(s) `direction` names:
    `below`, `above` or `both`."""
    if direction == "below":
        return exceeds(mean - value, k * sd)
    if direction == "above":
        return exceeds(value - mean, k * sd)
    return exceeds(abs(value - mean), k * sd)


def fmt(value: float, *, apart_from: float | None = None) -> str:
    """Numbers as people write them: 0.87, 12,500, 0.0312.

    With `apart_from` (the threshold it is compared with), a value that differs from it is
    given enough digits not to print equal to it ("0.87496 < 0.875", not "0.875 < 0.875").
    """
    text = _short(value)
    if apart_from is None or not (exceeds(value, apart_from) or exceeds(apart_from, value)):
        return text
    limit_text = _short(apart_from)
    digits = 5
    while _number(text) == _number(limit_text) and digits <= 17:
        text = f"{value:,.{digits}g}"
        digits += 1
    return text


def _short(value: float) -> str:
    if value == int(value) and abs(value) >= 1000:
        return f"{int(value):,}"
    if value == int(value):
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.1f}"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def percent(fraction: float) -> str:
    """A configured percentage as written: 0.03 -> '3%', 0.025 -> '2.5%'."""
    return f"{fraction * 100:.4g}%"


def day(time: datetime) -> str:
    """A timestamp as short as it can be: the date alone at midnight."""
    if (time.hour, time.minute, time.second) == (0, 0, 0):
        return time.date().isoformat()
    return time.strftime("%Y-%m-%dT%H:%MZ")


def _positions(
    rule: RuleConfig, ctx: Context, metric: str, *, needed: int
) -> tuple[Sequence[int], tuple[float | None, ...]]:
    """The indices the rule may read, oldest first: enough for its last `needed` values.

    Never the whole history when less will do (a backtest evaluates every day): with
    `missing: error` a `range`; with `ignore` a scan back from `end` that stops once the
    last `needed` values and their windows are covered.
    """
    assert ctx.series is not None
    column = ctx.series.columns[metric]
    if rule.missing != "ignore":
        return range(ctx.end), column
    window = rule.options.get("window")
    aggregated = window is not None and rule.options.get("aggregate", "latest") != "latest"
    count = needed + (window - 1 if aggregated and isinstance(window, int) else 0)
    span = parse_duration(str(window)) if aggregated and not isinstance(window, int) else None
    times = ctx.series.times
    found: list[int] = []  # newest first
    for i in range(ctx.end - 1, -1, -1):
        if column[i] is None:
            continue
        if len(found) >= count and (span is None or times[i] <= times[found[needed - 1]] - span):
            break
        found.append(i)
    found.reverse()
    return found, column


def window_label(rule: RuleConfig) -> str:
    """'mean over 7d' / 'mean of the last 5' / '' for the latest value."""
    aggregate = rule.options.get("aggregate", "latest")
    window = rule.options.get("window")
    if window is None or aggregate == "latest":
        return ""
    if isinstance(window, int):
        return f"{aggregate} of the last {window}"
    return f"{aggregate} over {format_duration(parse_duration(window))}"


def observe(
    rule: RuleConfig, ctx: Context, *, needed: int, metric: str | None = None
) -> list[Observed]:
    """The rule's value at each of the last `needed` observations (oldest first).

    Raises NoData when there are too few observations or a needed value is missing
    (with `missing: error`, the default).
    """
    metric = metric or rule.metric
    assert metric is not None and ctx.series is not None
    positions, column = _positions(rule, ctx, metric, needed=needed)
    if len(positions) < needed:
        have = len(positions)
        raise NoData(
            f"only {have} observation{'s' if have != 1 else ''} of {metric}; "
            f"the rule needs {needed}"
        )
    aggregate = rule.options.get("aggregate", "latest")
    window = rule.options.get("window")
    # "mean of the last 5" at each of `needed` observations: 5 values behind the oldest one
    span = window - 1 if isinstance(window, int) and aggregate != "latest" else 0
    if span and len(positions) < needed + span:
        have = len(positions)
        raise NoData(
            f"only {have} observation{'s' if have != 1 else ''} of {metric}; "
            f"the rule needs {needed + span}"
        )
    times = ctx.series.times
    duration = parse_duration(window) if isinstance(window, str) else None
    result = []
    for slot in range(len(positions) - needed, len(positions)):
        index = positions[slot]
        members: Sequence[int]
        if aggregate == "latest" or window is None:
            members = [index]
        elif duration is None:
            members = positions[max(0, slot - window + 1) : slot + 1]
        else:
            start = times[index] - duration
            inside: list[int] = []
            for j in range(slot, -1, -1):
                if times[positions[j]] <= start:
                    break
                inside.append(positions[j])
            members = inside[::-1]
        values = []
        for member in members:
            value = column[member]
            if value is None:
                raise NoData(
                    f"{metric} is missing on {day(times[member])} ({ctx.series.where[member]})"
                )
            values.append(value)
        result.append(Observed(index, times[index], combine(aggregate, values)))
    return result


def combine(aggregate: str, values: list[float]) -> float:
    if aggregate == "mean":
        return statistics.fmean(values)
    if aggregate == "median":
        return float(statistics.median(values))
    if aggregate == "min":
        return min(values)
    if aggregate == "max":
        return max(values)
    if aggregate == "sum":
        return float(sum(values))
    return values[-1]


def persistence(rule: RuleConfig) -> tuple[int, int]:
    """(M, N): the condition must hold on M of the last N observations (M == N: consecutive)."""
    needed = int(rule.options.get("for", 1))
    of_last = int(rule.options.get("of_last", needed))
    return needed, max(of_last, needed)


def persisted(
    rule: RuleConfig, ctx: Context, condition: Callable[[float], bool]
) -> tuple[bool, list[Observed], list[Observed]]:
    """(holds, observed, matching): whether `condition` held on M of the last N observations."""
    needed, of_last = persistence(rule)
    observed = observe(rule, ctx, needed=of_last)
    matching = [o for o in observed if condition(o.value)]
    return len(matching) >= needed, observed, matching


def persistence_phrase(rule: RuleConfig, matching: list[Observed]) -> str:
    """' on 2 consecutive observations (2026-11-20, 2026-11-21)' or ''."""
    needed, of_last = persistence(rule)
    if of_last == 1:
        return ""
    dates = ", ".join(day(o.time) for o in matching[-6:])
    if needed == of_last:
        return f" on {len(matching)} consecutive observations ({dates})"
    return f" on {len(matching)} of the last {of_last} observations ({dates})"


# column (by identity) -> (the column, running sums, running counts of missing values);
# a backtest sums the same column once per replayed day, so the sums are built once.
_RUNNING: dict[int, tuple[tuple[float | None, ...], list[float], list[int]]] = {}


def column_sum(column: tuple[float | None, ...], start: int, end: int) -> tuple[float, int]:
    """(sum of the values, number of missing values) in `column[start:end]`, in O(1).

    The sums run from index 0, so a column and any prefix of it give the same result.
    """
    cached = _RUNNING.get(id(column))
    if cached is None or cached[0] is not column:
        if len(_RUNNING) > 256:
            _RUNNING.clear()
        sums, missing = [0.0], [0]
        for value in column:
            sums.append(sums[-1] + (value or 0.0))
            missing.append(missing[-1] + (value is None))
        cached = _RUNNING[id(column)] = (column, sums, missing)
    _, sums, missing = cached
    return sums[end] - sums[start], missing[end] - missing[start]


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


def rule_points(rule: RuleConfig, ctx: Context, *, count: int = 30) -> tuple[Point, ...]:
    """The last `count` values a rule judges, for charts: the raw observations, or with an
    aggregate over a window the aggregate at each observation (what is compared with the
    threshold). A window with no value in it charts as a gap."""
    metric = str(rule.metric)
    if ctx.series is None or metric not in ctx.series.columns:
        return ()
    column = ctx.series.columns[metric]
    times = ctx.series.times
    start = max(0, ctx.end - count)
    aggregate = rule.options.get("aggregate", "latest")
    window = rule.options.get("window")
    if aggregate == "latest" or window is None:
        return tuple(Point(times[i], column[i]) for i in range(start, ctx.end))
    duration = parse_duration(window) if isinstance(window, str) else None
    points = []
    for i in range(start, ctx.end):
        if duration is None:
            first = max(0, i - window + 1)
        else:  # observations after (time - window), as `observe` takes them
            first = bisect.bisect_right(times, times[i] - duration, 0, i)
        values = [v for v in column[first : i + 1] if v is not None]
        points.append(Point(times[i], combine(aggregate, values) if values else None))
    return tuple(points)
