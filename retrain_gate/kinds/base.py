"""What a rule kind is: its options (as JSON Schema), its judge (the rule's status on the days
it is asked about, and on demand any day's outcome), what it reads; and the pieces every kind
shares.

Each kind lives in a module of its own in this package (`kinds/threshold.py`, ...), holding its
options, its documentation (the judge's docstring, shown by `retrain-gate rules`), its
semantics and how its value is shown. `kinds/__init__.py` lists them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from retrain_gate.durations import DURATION_PATTERN
from retrain_gate.kinds.days import Context, Days
from retrain_gate.kinds.series import day, window_label
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Role, Status, Value

FileKind = Literal["distribution", "records", "json"]


@dataclass(frozen=True)
class Judgement:
    """A rule's status on each day it was asked about, and the outcome of any one of them.

    `statuses` come from one pass over the series; `outcome(i)` writes day i's reason from
    the same per-day quantities, only when asked (a backtest shows few reasons).
    """

    statuses: Sequence[Status]
    explain: Callable[[int], Outcome]

    def outcome(self, index: int) -> Outcome:
        return self.explain(index)


Judge = Callable[[RuleConfig, Days], Judgement]
# a kind judged from its members' judgements (a group)
Combine = Callable[[RuleConfig, Sequence[Judgement], Days], Judgement]


@dataclass(frozen=True)
class Kind:
    """A rule or check kind: selected by one of `keys` (or `kind:`), with its options."""

    name: str
    role: Role
    keys: tuple[str, ...]
    options: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...]
    # exactly one of: judge (from the data), combine (from member rules' judgements)
    judge: Judge | None = None
    combine: Combine | None = None
    uses_series: bool = True
    uses_baseline: bool = False
    # option paths whose values are repository files, and how to parse them
    inputs: Callable[[Mapping[str, Any]], tuple[tuple[str, FileKind], ...]] = lambda _o: ()
    # series fields read besides `metric:` (a name ending in `*`: every field it begins),
    # and fields that need only be present (text is fine)
    fields: Callable[[Mapping[str, Any]], tuple[str, ...]] = lambda _o: ()
    presence: Callable[[Mapping[str, Any]], tuple[str, ...]] = lambda _o: ()
    # extra semantic checks on the options: return (option, message) pairs
    semantic: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = lambda _o: []

    @property
    def doc(self) -> str:
        """The user documentation: the judge's docstring."""
        return inspect.getdoc(self.judge or self.combine) or ""


def outcome(
    rule: RuleConfig,
    *,
    status: Status,
    observed: Value,
    threshold: Value,
    reason: str,
    **extra: Any,
) -> Outcome:
    """An Outcome carrying the rule's identity and config location."""
    if rule.role == "check" and status == "failed" and rule.severity == "warn":
        status = "warned"
    return Outcome(
        name=rule.name,
        kind=rule.kind,
        role=rule.role,
        status=status,
        observed=observed,
        threshold=threshold,
        reason=reason,
        severity=rule.severity,
        metric=rule.metric,
        file=rule.file,
        line=rule.line,
        **extra,
    )


def error_outcome(rule: RuleConfig, reason: str) -> Outcome:
    """The rule could not be evaluated: the gate fails closed."""
    return outcome(rule, status="error", observed=None, threshold=None, reason=reason)


def constant(days: Days, result: Outcome) -> Judgement:
    """The same outcome on every day (an input that is missing, files without history)."""
    return Judgement(statuses=[result.status] * len(days), explain=lambda _i: result)


def same_every_day(evaluate: Callable[[RuleConfig, Context], Outcome]) -> Judge:
    """The judge of a kind that reads committed files, not the series: one outcome, the
    same on every day (its documentation is `evaluate`'s docstring)."""

    @functools.wraps(evaluate)
    def judge(rule: RuleConfig, days: Days) -> Judgement:
        return constant(days, evaluate(rule, days.ctx))

    return judge


def error_on_every_day(rule: RuleConfig, days: Days, reason: str) -> Judgement:
    return constant(days, error_outcome(rule, reason))


def on_days(
    judgement: Judgement,
    days: Sequence[int],
    explain: Callable[[int], Outcome],
    *,
    status: Status | None = None,
) -> Judgement:
    """`judgement` with `explain`'s outcome instead on the given days (`status`: what their
    outcomes' status is, when known without writing them)."""
    if not days:
        return judgement
    chosen = days if isinstance(days, range) else frozenset(days)
    statuses = list(judgement.statuses)
    if status is not None and isinstance(chosen, range) and chosen.step == 1:
        statuses[chosen.start : chosen.stop] = [status] * len(chosen)
    elif status is not None:
        for i in chosen:
            statuses[i] = status
    else:
        for i in chosen:
            statuses[i] = explain(i).status

    def either(i: int) -> Outcome:
        return explain(i) if i in chosen else judgement.outcome(i)

    return Judgement(statuses=statuses, explain=either)


def as_trigger(holds: Sequence[bool | None]) -> list[Status]:
    """fired / quiet; None: an error."""
    return ["error" if h is None else "fired" if h else "quiet" for h in holds]


def as_check(rule: RuleConfig, failed: Sequence[bool | None]) -> list[Status]:
    """failed (warned at severity warn) / passed; None: an error."""
    bad: Status = "warned" if rule.severity == "warn" else "failed"
    return ["error" if f is None else bad if f else "passed" for f in failed]


# JSON Schema pieces shared by the kinds' options.
NAME: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "description": "A short unique name for the rule.",
}


METRIC: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "description": "The metric: a column of the metric file, or a dotted path in JSON records.",
}


NUMBER: dict[str, Any] = {"type": "number"}


DURATION: dict[str, Any] = {
    "type": "string",
    "pattern": DURATION_PATTERN,  # what `parse_duration` reads
    "description": "A duration: a number and a unit s, m, h, d or w (e.g. '7d').",
}


AMOUNT: dict[str, Any] = {
    "description": "A number (absolute) or a percentage such as '3%' (relative).",
    "oneOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"},
    ],
}


# Upper bounds keep one rule from costing minutes or gigabytes: far above any real series
# (a daily metric for a century is 36,525 observations), far below what hurts.
MAX_OBSERVATIONS = 100_000
MAX_PERSISTENCE = 10_000

WINDOW: dict[str, Any] = {
    "description": "Observations to aggregate: the last N (a whole number, at most 100000) "
    "or a duration ('7d', at most 100 years).",
    "oneOf": [{"type": "integer", "minimum": 1, "maximum": MAX_OBSERVATIONS}, DURATION],
}


AGGREGATE: dict[str, Any] = {
    "enum": ["latest", "mean", "median", "min", "max", "sum"],
    "default": "latest",
    "description": "How the window's values are combined (default: latest).",
}


FOR: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_PERSISTENCE,
    "default": 1,
    "description": "Persistence: the condition must hold on N consecutive observations "
    "(at most 10000).",
}


OF_LAST: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_PERSISTENCE,
    "description": "With `for: M`: the condition must hold on M of the last N observations "
    "(at most 10000).",
}


SEVERITY: dict[str, Any] = {
    "enum": ["error", "warn"],
    "default": "error",
    "description": "error: a failure vetoes the retrain; warn: only reported.",
}


MISSING: dict[str, Any] = {
    "enum": ["error", "ignore"],
    "default": "error",
    "description": "A missing (empty or null) value: error (default, the gate fails closed) "
    "or ignore (drop it and evaluate the rest).",
}


COMMON: dict[str, dict[str, Any]] = {
    "name": NAME,
    "kind": {"type": "string", "description": "The rule kind; usually inferred from its keys."},
    "description": {"type": "string", "description": "Free text shown in reports."},
}


# Only kinds that read metric values take `missing:`; the others say in their docstring
# what a missing input does (always: the rule is an error, the gate fails closed).
# the named metric source a rule reads (under the model's `sources:`)
SOURCE: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "description": "The named metric source (under the model's `sources:`) this rule reads; "
    "without it, the model's `metrics:`.",
}
SERIES_OPTIONS: dict[str, dict[str, Any]] = {
    "source": SOURCE,
    "missing": MISSING,
    "metric": METRIC,
    "aggregate": AGGREGATE,
    "window": WINDOW,
    "for": FOR,
    "of_last": OF_LAST,
}


def unreadable_series(rule: RuleConfig, ctx: Context) -> Outcome | None:
    """The error outcome of a rule whose metric file could not be read; None when it was."""
    if ctx.series is None:
        # The file's own error is the model's problem, reported once; the rule points at it.
        problem = ctx.series_problem
        if problem is None or problem.file is None:
            return error_outcome(rule, f"not evaluated: {problem or 'no metric series'}")
        where = f"{problem.file}, line {problem.line}" if problem.line else problem.file
        return error_outcome(rule, f"not evaluated: the metric file cannot be read ({where})")
    return None


def subject_of(rule: RuleConfig) -> str:
    label = window_label(rule)
    return f"{rule.metric} ({label})" if label else str(rule.metric)


def card_known(rule: RuleConfig, days: Days, judgement: Judgement) -> Judgement:
    """A model card trained after `now` is bad data (a clock or time-zone error, or --now
    before the training): on such a day the rules that read it are errors, never a
    comparison."""
    card = days.ctx.baseline
    if card is None or card.trained_at is None:
        return judgement
    trained = card.trained_at
    future: Sequence[int] = [i for i, now in enumerate(days.nows) if trained > now]
    if future and future[-1] - future[0] + 1 == len(future):  # increasing: a backtest's first days
        future = range(future[0], future[-1] + 1)

    def from_the_future(i: int) -> Outcome:
        return error_outcome(
            rule,
            f"the model card {card.source} says the model was trained {day(trained)}, after "
            f"now ({day(days.nows[i])}): a clock or time-zone error, or --now before the training",
        )

    return on_days(judgement, future, from_the_future, status="error")


def baseline_value(rule: RuleConfig, days: Days) -> float | Judgement:
    """The model card's value of the rule's metric, or the rule's errors: no card, no value
    (a day whose `now` is before the card's `trained_at` is an error too: `card_known`)."""
    ctx = days.ctx
    if ctx.baseline is None:
        why = str(ctx.baseline_problem) if ctx.baseline_problem else "no `baseline:` in the config"
        return error_on_every_day(
            rule, days, f"needs the model card's values, but there is none: {why}"
        )
    value = ctx.baseline.value(str(rule.metric))
    if value is None:
        return card_known(
            rule,
            days,
            error_on_every_day(
                rule,
                days,
                f"the model card {ctx.baseline.source} has no value for {rule.metric} "
                f"(looked for `{rule.metric}` and `metrics.{rule.metric}`)",
            ),
        )
    return value


def _one_of(options: Mapping[str, Any], keys: tuple[str, ...]) -> list[tuple[str, str]]:
    given = [k for k in keys if k in options]
    if len(given) > 1:
        return [(given[1], f"write only one of {', '.join(keys)}")]
    return []


def persistence_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if "of_last" in options and int(options["of_last"]) < int(options.get("for", 1)):
        return [("of_last", "of_last must be at least `for` (M of the last N needs N >= M)")]
    if "window" in options and options.get("aggregate", "latest") == "latest":
        return [("window", "a window needs an aggregate (mean, median, min, max or sum)")]
    if options.get("aggregate", "latest") != "latest" and "window" not in options:
        return [("aggregate", "an aggregate needs a window (the last N, or a duration such as 7d)")]
    return []


CHECK_COMMON: dict[str, dict[str, Any]] = {**COMMON, "severity": SEVERITY}
