"""The config as typed data: models, their metric sources, rules and dispatch settings.

The bottom layer: frozen dataclasses that every stage reads and nothing here imports from
above. `config/` builds them from the YAML; `kinds/` evaluates the rules they hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from retrain_gate.results import Role, Severity

Missing = Literal["error", "ignore"]


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


# the trigger kind that combines other triggers (`rules.evaluate_group`), and its keys
GROUP = "group"


GROUP_KEYS: tuple[Literal["all", "any"], ...] = ("all", "any")


PathPart = str | int


def group_mode(rule: RuleConfig) -> Literal["all", "any"]:
    """A group's mode: `all` (every member must fire) or `any` (one is enough)."""
    return "all" if "all" in rule.options else "any"


def group_members(rule: RuleConfig) -> tuple[RuleConfig, ...]:
    """A group's member rules, in config order; () for any other rule."""
    if rule.kind != GROUP:
        return ()
    members: tuple[RuleConfig, ...] = rule.options[group_mode(rule)]
    return members


def walk(rules: Iterable[RuleConfig]) -> Iterator[RuleConfig]:
    """Each rule followed by its members (a group's), depth first."""
    for rule in rules:
        yield rule
        yield from walk(group_members(rule))


def located(
    rules: Iterable[RuleConfig], path: Sequence[PathPart]
) -> Iterator[tuple[list[PathPart], RuleConfig]]:
    """Each rule (members included, as `walk`) with its path in the config: `[*path, 0]`,
    `[*path, 0, "all", 1]`..."""
    for index, rule in enumerate(rules):
        where = [*path, index]
        yield where, rule
        yield from located(group_members(rule), [*where, group_mode(rule)])


@dataclass(frozen=True)
class ReadOptions:
    """How a metric source's values are written, where they differ from the defaults (ISO
    times with a zone, numbers, one column per metric)."""

    time_unit: Literal["iso", "s", "ms"] = "iso"  # epoch seconds or milliseconds
    timezone: str | None = None  # assumed for times without one (default: refuse them)
    booleans: bool = False  # true/false read as 1/0
    values: tuple[tuple[str, float], ...] = ()  # named strings and their numbers: PASS -> 1
    delimiter: str = ","  # CSV's field separator (a tab for TSV)
    # long (tidy) layout: one row per (time, metric), `key` naming the metric, `value` its
    # value; rows with the same `group_by` value (or time) are one observation
    layout: Literal["wide", "long"] = "wide"
    key: str = "key"
    value: str = "value"
    group_by: str | None = None

    @property
    def plain(self) -> bool:
        """The defaults: the fast column reader applies."""
        return self == ReadOptions()


@dataclass(frozen=True)
class CardTime:
    """Where a model card keeps its training time and how it writes it (a registry's export
    may say `creation_timestamp` in epoch milliseconds)."""

    name: str = "trained_at"  # the field
    read: ReadOptions = ReadOptions()  # its time_unit and timezone (frozen: one is shared)


@dataclass(frozen=True)
class SourceConfig:
    """Where a model's metrics are committed."""

    path: str
    time: str = "date"
    format: Format = "auto"
    line: int | None = None
    # "file": the file holds the series; "git": each commit that changed it is an observation
    history: Literal["file", "git"] = "file"
    read: ReadOptions = field(default_factory=ReadOptions)


@dataclass(frozen=True)
class DispatchConfig:
    """What to start when the gate decides `retrain`, and the guards against doing it twice."""

    event: Literal["workflow_dispatch", "repository_dispatch"]
    workflow: str | None = None
    ref: str | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)
    event_type: str | None = None
    client_payload: Mapping[str, Any] = field(default_factory=dict)
    cooldown: timedelta | None = None
    in_flight: bool = True
    line: int | None = None
    # repository_dispatch: the workflow the event starts, whose runs the guards read
    guard_workflow: str | None = None

    @property
    def guarded_workflow(self) -> str | None:
        """The workflow whose runs the cooldown, in-flight and re-run guards read."""
        return self.workflow if self.event == "workflow_dispatch" else self.guard_workflow


@dataclass(frozen=True)
class PromotionRule:
    """One promotion rule: the candidate must beat the current model's metric by more than
    `amount` (`must_beat`), or be at most `amount` worse (`no_worse_than`)."""

    metric: str
    mode: Literal["must_beat", "no_worse_than"]
    amount: float
    relative: bool  # amount is a fraction of the current value (written `0.5%`)
    better: Literal["higher", "lower"] = "higher"
    text: str = ""  # the amount as written, for reports


@dataclass(frozen=True)
class PromotionConfig:
    """`promotion:` of a model: what a retrained candidate must show to replace the model."""

    rules: tuple[PromotionRule, ...]
    line: int | None = None


@dataclass(frozen=True)
class RetrainLimit:
    """`count` retrains within `per` (`max_retrains:`, `in_vain:`)."""

    count: int
    per: timedelta


# Without `in_vain:` in the config: 3 retrains within 30 days that did not quiet the trigger
# are enough to stop asking for a fourth (only cards written by `record` have a history).
DEFAULT_IN_VAIN = RetrainLimit(count=3, per=timedelta(days=30))


@dataclass(frozen=True)
class ModelConfig:
    name: str
    metrics: SourceConfig | None
    baseline: str | None
    triggers: tuple[RuleConfig, ...]
    checks: tuple[RuleConfig, ...]
    dispatch: DispatchConfig | None = None
    line: int | None = None
    promotion: PromotionConfig | None = None
    max_retrains: RetrainLimit | None = None
    in_vain: RetrainLimit | None = DEFAULT_IN_VAIN
    # `baseline: {path, history: git}`: the card's earlier commits are its earlier versions
    baseline_history: Literal["file", "git"] = "file"
    # `baseline: {trained_at: FIELD, time_unit: ms}`: how the card writes its training time
    card_time: CardTime = field(default_factory=CardTime)
    # more metric sources by name (`sources:`), read by the rules that say `source: NAME`
    sources: Mapping[str, SourceConfig] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[RuleConfig, ...]:
        """Every rule: the triggers, then the checks, each group followed by its members.
        What the load stage reads for; evaluation starts from `triggers` and `checks`."""
        return tuple(walk(self.triggers + self.checks))

    def located(self) -> Iterator[tuple[list[PathPart], RuleConfig]]:
        """Every rule (as `rules`) with its path in the config, for located errors."""
        for key, rules in (("triggers", self.triggers), ("checks", self.checks)):
            yield from located(rules, ["models", self.name, key])


@dataclass(frozen=True)
class Config:
    path: str  # as the user named it, for messages
    root: Path  # the repository root: config paths are relative to it
    models: Mapping[str, ModelConfig]
    text: str = ""


Format = Literal[
    "auto", "csv", "json", "jsonl", "yaml", "mlflow", "evidently", "great_expectations"
]
