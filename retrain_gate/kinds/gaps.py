"""The gaps check: no gap between observations longer than allowed."""

from __future__ import annotations

import bisect
import itertools

from retrain_gate.durations import format_duration, parse_duration
from retrain_gate.kinds.base import (
    CHECK_COMMON,
    DURATION,
    SOURCE,
    Judgement,
    Kind,
    as_check,
    constant,
    outcome,
    unreadable_series,
)
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.series import day
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome


def judge_gaps(rule: RuleConfig, days: Days) -> Judgement:
    """Passes when no two consecutive observations in the last `window` (default 14d) are
    more than `max_gap` apart (e.g. `max_gap: 1d` for daily metrics; a gap equal to
    max_gap passes). The gap into the window from the observation before it counts too.
    Missing data is what it looks for: no observation in the window at all fails.
    """
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    limit = parse_duration(str(rule.options["max_gap"]))
    window = parse_duration(str(rule.options.get("window", "14d")))
    times = days.times
    # each day's first observation in the window; the gaps into the window's observations
    # are into `first` (when one comes before it) and between the ones inside
    firsts = [
        bisect.bisect_right(times, now - window, 0, end) for end, now in zip(days.ends, days.nows)
    ]
    lo = max(0, min(firsts, default=0) - 1)
    # wide[j - lo]: observation j is more than max_gap after the one before it
    wide = [j > 0 and times[j] - times[j - 1] > limit for j in range(lo, max(days.ends, default=0))]
    wide_before = list(itertools.accumulate(wide, initial=0))
    threshold = f"gap <= {format_duration(limit)}"

    def explain(i: int) -> Outcome:
        first, end = firsts[i], days.ends[i]
        if first >= end:
            return outcome(
                rule,
                status="failed",
                observed="no data",
                threshold=threshold,
                reason=f"no observations in the last {format_duration(window)}",
            )
        gaps = [
            (times[j] - times[j - 1], j - 1, j) for j in range(max(first, 1), end) if wide[j - lo]
        ]
        if not gaps:
            return outcome(
                rule,
                status="passed",
                observed="none",
                threshold=threshold,
                reason=f"{end - first} observations in the last {format_duration(window)}, "
                f"none more than {format_duration(limit)} apart",
            )
        widest = max(gap for gap, _, _ in gaps)
        listed = "; ".join(f"{day(times[x])} -> {day(times[y])}" for _, x, y in gaps[:3])
        more = f" and {len(gaps) - 3} more" if len(gaps) > 3 else ""
        return outcome(
            rule,
            status="failed",
            observed=format_duration(widest),
            threshold=threshold,
            reason=f"{len(gaps)} gap{'s' if len(gaps) > 1 else ''} over {format_duration(limit)} "
            f"in the last {format_duration(window)}: {listed}{more}",
        )

    failed = [
        first >= end or wide_before[end - lo] > wide_before[max(first, 1) - lo]
        for first, end in zip(firsts, days.ends)
    ]
    return Judgement(statuses=as_check(rule, failed), explain=explain)


KIND = Kind(
    name="gaps",
    role="check",
    keys=("max_gap",),
    options={**CHECK_COMMON, "source": SOURCE, "max_gap": DURATION, "window": DURATION},
    required=(),
    judge=judge_gaps,
)
