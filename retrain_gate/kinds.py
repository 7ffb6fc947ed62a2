"""What a rule kind is: its options (as JSON Schema), its evaluator, and what it reads.

Trigger kinds live in `rules.TRIGGERS`, check kinds in `checks.CHECKS`: plain dicts.
The evaluator's docstring is the user documentation of the kind (`retrain-gate rules`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from retrain_gate.durations import DURATION_PATTERN
from retrain_gate.metrics import Baseline, Series
from retrain_gate.results import Outcome, Problem, Role, Severity, Status, Value

Missing = Literal["error", "ignore"]
FileKind = Literal["distribution", "records", "json"]


@dataclass(frozen=True)
class RuleConfig:
    """One trigger or check as written in the config (validated)."""

    name: str
    kind: str
    role: Role
    options: Mapping[str, Any]
    severity: Severity = "error"
    missing: Missing = "error"
    file: str | None = None
    line: int | None = None

    @property
    def metric(self) -> str | None:
        value = self.options.get("metric")
        return str(value) if value is not None else None


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


Evaluator = Callable[[RuleConfig, Context], Outcome]


@dataclass(frozen=True)
class Kind:
    """A rule or check kind: selected by one of `keys` (or `kind:`), with its options."""

    name: str
    role: Role
    keys: tuple[str, ...]
    options: Mapping[str, Mapping[str, Any]]
    required: tuple[str, ...]
    evaluate: Evaluator
    uses_series: bool = True
    uses_baseline: bool = False
    # option paths whose values are repository files, and how to parse them
    inputs: Callable[[Mapping[str, Any]], tuple[tuple[str, FileKind], ...]] = lambda _o: ()
    # extra semantic checks on the options: return (option, message) pairs
    semantic: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = lambda _o: []

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.evaluate) or ""


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
WINDOW: dict[str, Any] = {
    "description": "Observations to aggregate: the last N (a whole number) or a duration ('7d').",
    "oneOf": [{"type": "integer", "minimum": 1}, DURATION],
}
AGGREGATE: dict[str, Any] = {
    "enum": ["latest", "mean", "median", "min", "max", "sum"],
    "description": "How the window's values are combined (default: latest).",
}
FOR: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "description": "Persistence: the condition must hold on N consecutive observations.",
}
OF_LAST: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "description": "With `for: M`: the condition must hold on M of the last N observations.",
}
SEVERITY: dict[str, Any] = {
    "enum": ["error", "warn"],
    "description": "error: a failure vetoes the retrain; warn: only reported.",
}
MISSING: dict[str, Any] = {
    "enum": ["error", "ignore"],
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
SERIES_OPTIONS: dict[str, dict[str, Any]] = {
    "missing": MISSING,
    "metric": METRIC,
    "aggregate": AGGREGATE,
    "window": WINDOW,
    "for": FOR,
    "of_last": OF_LAST,
}
