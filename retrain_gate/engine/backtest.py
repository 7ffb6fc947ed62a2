"""Replay the gate over the committed history: what it would have decided on each day.

Pure, like `evaluate`: it works from already-loaded `ModelData` (every file read and parsed
once). Each rule is judged once on all the replayed days (`kinds.judge`: the same code
`check` runs for one day, in one pass over the series); a day is decided from those
statuses, and only the reason an `error` summary quotes is written. So a backtest's day D
is what `check --now` at the end of D decides, by construction.

What "as if it had run that day" means here:

- The gate run of day D is replayed at `now` = D+1 00:00 UTC (the end of day D) and sees
  only the observations timed strictly before that moment: everything dated D or earlier,
  nothing later (`evaluate_model(..., end=index)` hides the rest; no rule looks past it).
- Each day is judged with the model card of the model in use that day: the newest of the
  versions the card records (`previous`, `history`, as `record` writes them) trained by
  then. On a replayed day before the oldest version's `trained_at` no model existed yet, so
  the triggers that compare with the card (baseline_change, data_growth, model_age) are
  reported quiet ("not trained yet") and the day is decided by the other rules. A card
  without `trained_at` is used on every day.
- Rules that read single committed files with no history (drift, sample_schema) can only
  be judged on the files as they are now: they are evaluated from the day of the newest
  observation on; before it a trigger of that kind is quiet and a check passes, and the
  model's `not_replayed` names them.
- A group (`all:`/`any:`) is judged from its members, each replayed as the rules above (a
  member comparing with the card is quiet before `trained_at`, a file member is judged from
  the newest observation's day on). A day's `fired` names the group, not its members.
- Cooldown: a day decided `retrain` within the model's `dispatch.cooldown` of the last
  retrain the replay itself dispatched is `held` (counted apart from retrains; it does not
  restart the cooldown). `in_flight` cannot be replayed (there are no runs) and is ignored.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from operator import add
from typing import Literal, TypeVar

from retrain_gate.engine.context import context_for
from retrain_gate.engine.decide import blocking_errors, decide
from retrain_gate.engine.load import ModelData
from retrain_gate.engine.replayed import judged_by_version, replay_adjust
from retrain_gate.errors import UsageError
from retrain_gate.kinds import judge, registry
from retrain_gate.kinds.base import Judgement, outcome
from retrain_gate.kinds.days import Days
from retrain_gate.model import ModelConfig, RuleConfig
from retrain_gate.results import Outcome, Problem, Status
from retrain_gate.sources.card import card_versions

TimelineStatus = Literal["retrain", "held", "blocked", "skip", "error"]
TIMELINE_STATUSES: tuple[TimelineStatus, ...] = ("retrain", "held", "blocked", "skip", "error")


@dataclass(frozen=True)
class Verdict:
    """What the rules decided on a replayed day; one object for all the days decided alike."""

    status: TimelineStatus
    summary: str
    fired: tuple[str, ...] = ()  # triggers that fired
    vetoes: tuple[str, ...] = ()  # error-level checks that failed
    errors: tuple[str, ...] = ()  # rules that could not be evaluated


@dataclass(frozen=True)
class ReplayedDay:
    """The gate's decision on one replayed day, and the rules behind it."""

    day: date
    verdict: Verdict
    observations: int = 0  # observations visible that day

    @property
    def status(self) -> TimelineStatus:
        return self.verdict.status

    @property
    def summary(self) -> str:
        return self.verdict.summary

    @property
    def fired(self) -> tuple[str, ...]:
        return self.verdict.fired

    @property
    def vetoes(self) -> tuple[str, ...]:
        return self.verdict.vetoes

    @property
    def errors(self) -> tuple[str, ...]:
        return self.verdict.errors

    @property
    def rules(self) -> str:
        """The rules that made the day's decision, as the timeline names them."""
        if self.status == "error":
            return ", ".join(self.errors) or self.summary
        if self.status == "blocked":
            return f"{', '.join(self.fired)}; vetoed by {', '.join(self.vetoes)}"
        return ", ".join(self.fired)


@dataclass(frozen=True)
class RealRetrain:
    """A retrain that really happened: a model card version that replaced an earlier one
    (`previous`/`history`, written by `retrain-gate record`), beside the replay."""

    version: int | None
    trained_at: datetime
    # the last replayed gate run before it that decided `retrain` (None: none), and the first
    # day of the unbroken run of retrain/held days that ends there
    rules_asked: date | None = None
    asked_since: date | None = None


@dataclass(frozen=True)
class ModelBacktest:
    """One model's replayed timeline, oldest day first."""

    model: str
    days: tuple[ReplayedDay, ...]
    cooldown: timedelta | None = None
    card_from: datetime | None = None  # the model card's trained_at: used from then on
    not_replayed: tuple[str, ...] = ()  # file rules judged only from the newest observation on
    problems: tuple[Problem, ...] = ()
    real_retrains: tuple[RealRetrain, ...] = ()  # from the card's versions, oldest first

    def count(self, status: TimelineStatus) -> int:
        return sum(1 for d in self.days if d.status == status)

    @property
    def first_retrain(self) -> date | None:
        return next((d.day for d in self.days if d.status == "retrain"), None)


@dataclass(frozen=True)
class Backtest:
    """Every selected model replayed over the same days, `start` to `end` inclusive."""

    config_path: str
    start: date | None
    end: date | None
    models: tuple[ModelBacktest, ...]

    @property
    def day_count(self) -> int:
        if self.start is None or self.end is None:
            return 0
        return (self.end - self.start).days + 1


def replay_time(day: date) -> datetime:
    """When the gate run of `day` is replayed: 00:00 UTC the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc)


def history_span(data: Iterable[ModelData]) -> tuple[date, date] | None:
    """(first, last) day with an observation in any of the series; None when there are none."""
    series = [d.series for d in data if d.series is not None and len(d.series)]
    if not series:
        return None
    return min(s.times[0] for s in series).date(), max(s.times[-1] for s in series).date()


def replay_window(
    span: tuple[date, date] | None, *, since: date | None = None, days: int | None = None
) -> tuple[date, date] | None:
    """The days to replay: the whole history, or from `since`, or its last `days` days."""
    if span is None:
        return None
    first, last = span
    if since is not None and days is not None:
        raise UsageError("give --since or --days, not both")
    if days is not None:
        if days < 1:
            raise UsageError(f"--days must be at least 1, not {days}")
        first = last - timedelta(days=days - 1)
    elif since is not None:
        if since > last:
            raise UsageError(
                f"--since {since.isoformat()} is after the newest observation "
                f"({last.isoformat()}): there is nothing to replay"
            )
        first = since
    return first, last


def backtest_model(model: ModelConfig, data: ModelData, *, start: date, end: date) -> ModelBacktest:
    """Replay one model's gate on each day from `start` (or its first observation, when
    later) to `end`, inclusive.

    Each rule's status on every day comes from one judgement over all the days; a day is
    decided from those statuses, and only a day decided `error` (whose summary quotes a
    rule's reason) asks that rule for its outcome.
    """
    times = data.series.times if data.series is not None else ()
    card_from = data.baseline.trained_at if data.baseline is not None else None
    file_rules = tuple(r.name for r in model.rules if registry(r.role)[r.kind].inputs(r.options))
    files_from = times[-1].date() if times else None
    cooldown = model.dispatch.cooldown if model.dispatch is not None else None
    # a model's history starts with its first observation: no gate ran on it before that
    first = max(start, times[0].date()) if times else start
    count = max(0, (end - first).days + 1)
    dates = _daily(first, count)
    nows = _daily(replay_time(first), count)
    days = Days(
        ctx=context_for(model, data, now=replay_time(end)),
        nows=nows,
        ends=[bisect.bisect_left(times, now) for now in nows],  # observations before `now`
        as_of=True,
    )
    before_files = bisect.bisect_left(dates, files_from) if files_from is not None else 0
    rules = (*model.triggers, *model.checks)
    versions = card_versions(data.baseline)
    if len(versions) > 1:  # each day judged with the model card of the model then in use
        card_from = versions[0].trained_at
        judgements = judged_by_version(rules, days, versions, before_files=before_files)
    else:
        # the days before the card's trained_at, and before the newest observation's day
        before_card = bisect.bisect_left(nows, card_from) if card_from is not None else 0
        adjust = replay_adjust(days, before_card=before_card, before_files=before_files)
        judgements = [judge(rule, days, adjust=adjust) for rule in rules]
    columns = [j.statuses for j in judgements]
    triggers = len(model.triggers)
    rows = zip(*columns) if columns else iter([()] * count)
    # the days decided alike share a verdict: a backtest has few distinct ones
    verdicts: dict[tuple[Status, ...], Verdict] = {}
    held: dict[tuple[Verdict, date], Verdict] = {}
    # the last retrain the replay dispatched: its day, and when its run was replayed
    last_retrain: tuple[date, datetime] | None = None
    replayed: list[ReplayedDay] = []
    append = replayed.append
    ends = days.ends
    for index, row in enumerate(rows):
        verdict = verdicts.get(row)
        if verdict is None:
            outcomes = _placeholders(rules, row)
            verdict = _verdict(outcomes, data.problems, triggers=triggers)
            if verdict.status != "error":
                verdicts[row] = verdict
            else:  # the summary quotes a reason: that rule's, that day
                outcomes = _with_reason(outcomes, judgements, index)
                verdict = _verdict(outcomes, data.problems, triggers=triggers)
        if verdict.status == "retrain":
            if (
                cooldown is not None
                and last_retrain is not None
                and nows[index] - last_retrain[1] < cooldown
            ):
                key = (verdict, last_retrain[0])
                if key not in held:
                    held[key] = replace(
                        verdict,
                        status="held",
                        summary=f"{verdict.summary}; held: within the cooldown of the "
                        f"retrain on {last_retrain[0]}",
                    )
                verdict = held[key]
            else:
                last_retrain = (dates[index], nows[index])
        append(ReplayedDay(dates[index], verdict, ends[index]))
    return ModelBacktest(
        model=model.name,
        days=tuple(replayed),
        cooldown=cooldown,
        card_from=card_from,
        not_replayed=file_rules,
        problems=data.problems,
        real_retrains=real_retrains(data, replayed),
    )


def real_retrains(data: ModelData, replayed: Sequence[ReplayedDay]) -> tuple[RealRetrain, ...]:
    """The card's real retrains, each with the last day before it the replay asked for one."""
    if data.baseline is None:
        return ()
    from retrain_gate.engine.retrains import retrains

    found = []
    for retrain in retrains(data.baseline):
        # the gate runs before the training: day D runs at replay_time(D)
        before = [d for d in replayed if replay_time(d.day) <= retrain.trained_at]
        asked = next(
            (i for i in reversed(range(len(before))) if before[i].status == "retrain"), None
        )
        if asked is None:
            found.append(RealRetrain(retrain.version, retrain.trained_at))
            continue
        start = asked
        while start > 0 and before[start - 1].status in ("retrain", "held"):
            start -= 1
        found.append(
            RealRetrain(retrain.version, retrain.trained_at, before[asked].day, before[start].day)
        )
    return tuple(found)


def _verdict(
    outcomes: tuple[Outcome, ...], problems: tuple[Problem, ...], *, triggers: int
) -> Verdict:
    decision, summary = decide(outcomes[:triggers], outcomes[triggers:], problems)
    return Verdict(
        decision,
        summary,
        tuple(o.name for o in outcomes[:triggers] if o.status == "fired"),
        tuple(o.name for o in outcomes[triggers:] if o.vetoes),
        tuple(o.name for o in outcomes if o.status == "error"),
    )


def _placeholders(rules: Sequence[RuleConfig], row: tuple[Status, ...]) -> tuple[Outcome, ...]:
    """The day's outcomes from their statuses alone, without reasons: `decide` quotes one
    only for an `error` decision."""
    return tuple(
        outcome(rule, status=status, observed=None, threshold=None, reason="")
        for rule, status in zip(rules, row)
    )


def _with_reason(
    outcomes: tuple[Outcome, ...], judgements: Sequence[Judgement], day: int
) -> tuple[Outcome, ...]:
    """The outcomes with the rule's own for the error `decide` quotes (the first that
    blocks the gate)."""
    errors = blocking_errors(outcomes)
    if not errors:
        return outcomes
    index = next(i for i, o in enumerate(outcomes) if o is errors[0])
    return (*outcomes[:index], judgements[index].outcome(day), *outcomes[index + 1 :])


_Day = TypeVar("_Day", date, datetime)
_ONE_DAY = timedelta(days=1)


def _daily(first: _Day, count: int) -> list[_Day]:
    """`first` and the `count - 1` days after it."""
    if not count:
        return []
    return list(itertools.accumulate(itertools.repeat(_ONE_DAY, count - 1), add, initial=first))


def run_backtest(
    models: Sequence[tuple[ModelConfig, ModelData]],
    *,
    config_path: str,
    window: tuple[date, date] | None,
) -> Backtest:
    """Replay every model over the same window (None: no observations, nothing to replay)."""
    if window is None:
        return Backtest(
            config_path=config_path,
            start=None,
            end=None,
            models=tuple(
                ModelBacktest(model=m.name, days=(), problems=d.problems) for m, d in models
            ),
        )
    start, end = window
    return Backtest(
        config_path=config_path,
        start=start,
        end=end,
        models=tuple(backtest_model(m, d, start=start, end=end) for m, d in models),
    )
