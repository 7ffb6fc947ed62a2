"""What a config change does: the rule-by-rule changes, today's decision under each config and
both backtests over the same days.

Pure but for loading the models' data; `commands/diff.py` reads the two configs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from retrain_gate.durations import format_duration
from retrain_gate.engine.backtest import (
    Backtest,
    ModelBacktest,
    history_span,
    replay_window,
    run_backtest,
)
from retrain_gate.engine.evaluate import evaluate_model
from retrain_gate.engine.gate import check_model_names
from retrain_gate.engine.load import ModelData, load_model
from retrain_gate.model import (
    GROUP,
    GROUP_KEYS,
    Config,
    ModelConfig,
    RuleConfig,
    group_members,
    group_mode,
)
from retrain_gate.results import Decision

Change = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class OptionChange:
    option: str
    old: object
    new: object


@dataclass(frozen=True)
class RuleChange:
    role: str
    name: str
    change: Literal["added", "removed", "changed"]
    old_kind: str | None
    new_kind: str | None
    options: tuple[OptionChange, ...] = ()
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class DayChange:
    day: date
    old: str
    new: str
    old_fired: tuple[str, ...]
    new_fired: tuple[str, ...]
    new_rules: str  # what decided the new status: fired, vetoing or failing rules


@dataclass(frozen=True)
class ModelDiff:
    model: str
    change: Change
    settings: tuple[OptionChange, ...]
    rules: tuple[RuleChange, ...]
    today_old: Decision | None
    today_new: Decision | None
    old: ModelBacktest | None
    new: ModelBacktest | None
    changed_days: tuple[DayChange, ...]

    @property
    def changed(self) -> bool:
        return (
            self.change != "unchanged"
            or self.today_old != self.today_new
            or bool(self.changed_days)
        )


@dataclass(frozen=True)
class BaseSide:
    ref: str
    commit: str
    how: str
    config: str  # "path@ref"
    exists: bool
    error: str | None = None


@dataclass(frozen=True)
class ConfigDiff:
    base: BaseSide
    head_config: str
    now: datetime
    start: date | None
    end: date | None
    models: tuple[ModelDiff, ...]

    @property
    def changed(self) -> bool:
        return any(m.changed for m in self.models)


def flat(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, Mapping) and item:
            out.update(flat(item, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = item
    return out


def rule_options(rule: RuleConfig, *, group: str | None = None) -> dict[str, Any]:
    """What a rule says, as written: its options plus severity and missing when not default.

    A group says its `mode` (all or any); its members are compared as rules of their own. A
    member says which group it is in (`member of`), so that moving it shows."""
    if rule.kind == GROUP:
        options = flat({k: v for k, v in rule.options.items() if k not in GROUP_KEYS})
        options["mode"] = group_mode(rule)
    else:
        options = flat(rule.options)
    if group is not None:
        options["member of"] = group
    if rule.severity != "error":
        options["severity"] = rule.severity
    if rule.missing != "error":
        options["missing"] = rule.missing
    return options


@dataclass(frozen=True)
class NamedRule:
    rule: RuleConfig
    shown: str  # `group.member` for a group's member
    group: str | None = None  # the group it is a member of, as shown


def named_rules(model: ModelConfig | None) -> dict[tuple[str, str], NamedRule]:
    """Every rule by (role, name), members included (a name is unique among a model's rules
    of one role), in config order."""
    found: dict[tuple[str, str], NamedRule] = {}

    def visit(rules: Sequence[RuleConfig], group: str | None) -> None:
        for rule in rules:
            shown = f"{group}.{rule.name}" if group else rule.name
            found[(rule.role, rule.name)] = NamedRule(rule, shown, group)
            visit(group_members(rule), shown)

    if model is not None:
        visit(model.triggers, None)
        visit(model.checks, None)
    return found


def option_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[OptionChange, ...]:
    keys = list(old) + [k for k in new if k not in old]
    return tuple(OptionChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k))


def model_settings(model: ModelConfig) -> dict[str, Any]:
    settings: dict[str, Any] = {"baseline": model.baseline}
    if model.metrics is not None:
        settings |= {
            "metrics.path": model.metrics.path,
            "metrics.time": model.metrics.time,
            "metrics.format": model.metrics.format,
        }
    dispatch = model.dispatch
    if dispatch is not None:
        settings |= {
            "dispatch.event": dispatch.event,
            "dispatch.workflow": dispatch.workflow,
            "dispatch.event_type": dispatch.event_type,
            "dispatch.ref": dispatch.ref,
            "dispatch.cooldown": format_duration(dispatch.cooldown) if dispatch.cooldown else None,
            "dispatch.in_flight": dispatch.in_flight,
        }
        settings |= flat(dict(dispatch.inputs), "dispatch.inputs.")
        settings |= flat(dict(dispatch.client_payload), "dispatch.client_payload.")
    return {k: v for k, v in settings.items() if v is not None}


def rule_changes(old: ModelConfig | None, new: ModelConfig | None) -> tuple[RuleChange, ...]:
    """Rules matched by role and name, in the new config's order, then the removed ones.
    A group's members are matched as rules of their own and named `group.member`."""
    before = named_rules(old)
    after = named_rules(new)
    changes: list[RuleChange] = []
    for key, now in after.items():
        rule = now.rule
        if key not in before:
            changes.append(
                RuleChange(rule.role, now.shown, "added", None, rule.kind, (), rule.file, rule.line)
            )
            continue
        previous = before[key]
        options = option_changes(
            rule_options(previous.rule, group=previous.group), rule_options(rule, group=now.group)
        )
        if options or previous.rule.kind != rule.kind:
            changes.append(
                RuleChange(
                    rule.role,
                    now.shown,
                    "changed",
                    previous.rule.kind,
                    rule.kind,
                    options,
                    rule.file,
                    rule.line,
                )
            )
    for key, gone in before.items():
        if key not in after:
            rule = gone.rule
            changes.append(
                RuleChange(
                    rule.role, gone.shown, "removed", rule.kind, None, (), rule.file, rule.line
                )
            )
    return tuple(changes)


def day_changes(old: ModelBacktest | None, new: ModelBacktest | None) -> tuple[DayChange, ...]:
    if old is None or new is None:
        return ()
    before = {d.day: d for d in old.days}
    found = []
    for entry in new.days:
        previous = before.get(entry.day)
        if previous is not None and previous.status != entry.status:
            found.append(
                DayChange(
                    entry.day,
                    previous.status,
                    entry.status,
                    previous.fired,
                    entry.fired,
                    entry.rules,
                )
            )
    return tuple(found)


def compare(
    base: BaseSide,
    old: Config | None,
    new: Config,
    *,
    now: datetime,
    since: date | None = None,
    days: int | None = None,
    models: Sequence[str] = (),
) -> ConfigDiff:
    """Load both configs' data, replay both over the same days, and compare."""
    known = [*new.models, *(n for n in (old.models if old else {}) if n not in new.models)]
    check_model_names(models, known, config_path=new.path)
    wanted = set(models)
    old_models = {n: m for n, m in (old.models if old else {}).items() if not wanted or n in wanted}
    new_models = {n: m for n, m in new.models.items() if not wanted or n in wanted}
    old_data = {n: load_model(old, m) for n, m in old_models.items()} if old else {}
    new_data = {n: load_model(new, m) for n, m in new_models.items()}
    window = replay_window(
        history_span([*old_data.values(), *new_data.values()]), since=since, days=days
    )
    old_bt = _by_model(run_backtest(_pairs(old_models, old_data), config_path="", window=window))
    new_bt = _by_model(run_backtest(_pairs(new_models, new_data), config_path="", window=window))
    diffs = []
    for name in [*new_models, *(n for n in old_models if n not in new_models)]:
        before, after = old_models.get(name), new_models.get(name)
        rules = rule_changes(before, after)
        settings = option_changes(
            model_settings(before) if before else {}, model_settings(after) if after else {}
        )
        change: Change = (
            "added"
            if before is None
            else "removed"
            if after is None
            else "changed"
            if rules or settings
            else "unchanged"
        )
        diffs.append(
            ModelDiff(
                model=name,
                change=change,
                settings=settings,
                rules=rules,
                today_old=_today(before, old_data.get(name), now),
                today_new=_today(after, new_data.get(name), now),
                old=old_bt.get(name),
                new=new_bt.get(name),
                changed_days=day_changes(old_bt.get(name), new_bt.get(name)),
            )
        )
    return ConfigDiff(
        base=base,
        head_config=new.path,
        now=now,
        start=window[0] if window else None,
        end=window[1] if window else None,
        models=tuple(diffs),
    )


def _pairs(
    models: Mapping[str, ModelConfig], data: Mapping[str, ModelData]
) -> list[tuple[ModelConfig, ModelData]]:
    return [(m, data[n]) for n, m in models.items()]


def _by_model(result: Backtest) -> dict[str, ModelBacktest]:
    return {m.model: m for m in result.models}


def _today(model: ModelConfig | None, data: ModelData | None, now: datetime) -> Decision | None:
    if model is None or data is None:
        return None
    return evaluate_model(model, data, now=now).decision


def today_decision(result: ConfigDiff) -> Decision | None:
    """Today's overall decision under the new config (error > retrain > blocked > skip), as
    `check` would give it; None when the new config has no model to decide."""
    decisions = {d.today_new for d in result.models if d.today_new is not None}
    order: tuple[Decision, ...] = ("error", "retrain", "blocked", "skip")
    return next((d for d in order if d in decisions), None)
