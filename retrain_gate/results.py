"""Results are data: what each rule saw, what the gate decided, what was dispatched.

Reporters (terminal, Markdown, JSON, annotations) only render these objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from retrain_gate.errors import EXIT_DATA

Role = Literal["trigger", "check"]
# trigger: fired | quiet ; check: passed | failed | warned ; both: error (could not evaluate)
Status = Literal["fired", "quiet", "passed", "failed", "warned", "error"]
Decision = Literal["retrain", "blocked", "skip", "error"]
Severity = Literal["error", "warn"]
Value = float | str | None

DECISIONS: tuple[Decision, ...] = ("retrain", "blocked", "skip", "error")


@dataclass(frozen=True)
class Point:
    """One observation of a metric, for the small charts in reports."""

    time: datetime
    value: float | None


@dataclass(frozen=True)
class Bin:
    """One bin of a drift rule's two distributions, each as a share of its total."""

    label: str
    reference: float
    current: float


@dataclass(frozen=True)
class Outcome:
    """One trigger rule's or data-quality check's result, with one plain sentence."""

    name: str
    kind: str
    role: Role
    status: Status
    observed: Value
    threshold: Value
    reason: str
    severity: Severity = "error"
    metric: str | None = None
    # where the rule is written in the config, for annotations on the PR diff
    file: str | None = None
    line: int | None = None
    # the recent series the rule looked at, oldest first (empty when not a series rule)
    recent: tuple[Point, ...] = ()
    recent_label: str | None = None  # what `recent` holds: "accuracy (mean over 7d)"
    # for threshold-like rules: the numeric line to draw in a chart
    limit: float | None = None
    # a group's (all/any) members' outcomes, in config order; empty for any other rule
    members: tuple[Outcome, ...] = ()
    # a drift rule's two distributions on common bins (the feature that counted)
    bins: tuple[Bin, ...] = ()
    # an anomaly rule's band for its latest value: (mean - k sigma, mean + k sigma)
    band: tuple[float, float] | None = None

    @property
    def vetoes(self) -> bool:
        """A failed error-level check (or a check that could not run) vetoes a retrain."""
        return (
            self.role == "check" and self.severity == "error" and self.status in ("failed", "error")
        )


def with_members(outcomes: Iterable[Outcome], *, depth: int = 0) -> Iterator[tuple[int, Outcome]]:
    """Each outcome with its depth, followed by its members (depth + 1), depth first: the
    rows of a report table, a group's members indented under it."""
    for outcome in outcomes:
        yield depth, outcome
        yield from with_members(outcome.members, depth=depth + 1)


@dataclass(frozen=True)
class Problem:
    """An error that stopped part of the evaluation (an unreadable file, a bad option)."""

    message: str
    exit_code: int
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class DispatchResult:
    """What the act stage did (or, in dry-run, would have done)."""

    status: Literal[
        "dispatched", "dry-run", "held", "not-needed", "failed", "disabled", "may-have-started"
    ]
    message: str
    method: str | None = None
    url: str | None = None
    body: dict[str, object] | None = None
    run_url: str | None = None
    run_id: int | None = None


AttemptResult = Literal["promoted", "kept_old", "failed"]


@dataclass(frozen=True)
class CardState:
    """The model card as the gate read it: the model's version, when it was trained, and how
    its last retrain went (`last_attempt`, written by `retrain-gate record`)."""

    version: int | None
    trained_at: datetime | None
    last_result: AttemptResult | None = None
    last_at: datetime | None = None
    last_reason: str = ""
    last_gate_run: str | None = None


@dataclass(frozen=True)
class ModelResult:
    """The decision for one model and every outcome behind it."""

    model: str
    decision: Decision
    summary: str
    triggers: tuple[Outcome, ...] = ()
    checks: tuple[Outcome, ...] = ()
    problems: tuple[Problem, ...] = ()
    dispatch: DispatchResult | None = None
    card: CardState | None = None

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return self.triggers + self.checks

    @property
    def fired(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.triggers if o.status == "fired")

    @property
    def vetoes(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.checks if o.vetoes)


@dataclass(frozen=True)
class Report:
    """The gate's whole answer for one run: one result per model."""

    now: datetime
    config_path: str
    models: tuple[ModelResult, ...] = field(default_factory=tuple)

    @property
    def decision(self) -> Decision:
        """The overall decision: error > retrain > blocked > skip."""
        decisions = {m.decision for m in self.models}
        order: tuple[Decision, ...] = ("error", "retrain", "blocked")
        for decision in order:
            if decision in decisions:
                return decision
        return "skip"

    @property
    def exit_code(self) -> int:
        """0 when every model was decided; else the highest problem's exit code.

        A model whose decision is `error` without a file problem (a missing value, too few
        observations) is a data error: 3.
        """
        codes = [p.exit_code for m in self.models for p in m.problems]
        codes += [EXIT_DATA for m in self.models if m.decision == "error" and not m.problems]
        return max(codes, default=0)
