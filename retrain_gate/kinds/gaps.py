"""The gaps check: no gap between observations longer than allowed."""

from __future__ import annotations

import bisect
import itertools

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds.base import (
    CHECK_COMMON,
    DURATION,
    Context,
    Kind,
    outcome,
    unreadable_series,
)
from retrain_gate.kinds.series import (
    day,
)
from retrain_gate.kinds.windows import Days, _as_check, _same
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status


def evaluate_gaps(rule: RuleConfig, ctx: Context) -> Outcome:
    """Passes when no two consecutive observations in the last `window` (default 14d) are
    more than `max_gap` apart (e.g. `max_gap: 1d` for daily metrics; a gap equal to
    max_gap passes). The gap into the window from the observation before it counts too.
    Missing data is what it looks for: no observation in the window at all fails.
    """
    if problem := unreadable_series(rule, ctx):
        return problem
    assert ctx.series is not None
    limit = parse_duration(str(rule.options["max_gap"]))
    window = parse_duration(str(rule.options.get("window", "14d")))
    start = ctx.now - window
    times = ctx.series.times
    inside = range(bisect.bisect_right(times, start, 0, ctx.end), ctx.end)
    if not inside:
        return outcome(
            rule,
            status="failed",
            observed="no data",
            threshold=f"gap <= {format_duration(limit)}",
            reason=f"no observations in the last {format_duration(window)}",
        )
    first = inside[0]
    pairs = [(first - 1, first)] if first > 0 else []
    pairs += [(i, i + 1) for i in inside[:-1]]
    gaps = [(times[b] - times[a], a, b) for a, b in pairs if times[b] - times[a] > limit]
    if not gaps:
        return outcome(
            rule,
            status="passed",
            observed="none",
            threshold=f"gap <= {format_duration(limit)}",
            reason=f"{len(inside)} observations in the last {format_duration(window)}, "
            f"none more than {format_duration(limit)} apart",
        )
    widest = max(gap for gap, _, _ in gaps)
    listed = "; ".join(f"{day(times[x])} -> {day(times[y])}" for _, x, y in gaps[:3])
    more = f" and {len(gaps) - 3} more" if len(gaps) > 3 else ""
    return outcome(
        rule,
        status="failed",
        observed=format_duration(widest),
        threshold=f"gap <= {format_duration(limit)}",
        reason=f"{len(gaps)} gap{'s' if len(gaps) > 1 else ''} over {format_duration(limit)} "
        f"in the last {format_duration(window)}: {listed}{more}",
    )


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


KIND = Kind(
    name="gaps",
    role="check",
    keys=("max_gap",),
    options={**CHECK_COMMON, "max_gap": DURATION, "window": DURATION},
    required=(),
    evaluate=evaluate_gaps,
    statuses=_gaps,
)
