"""The rule kinds: one module each, listed here.

A trigger asks for a retrain; a check vetoes it. Each module defines `KIND`, a `base.Kind`
holding the kind's options (JSON Schema), its documentation (its judge's docstring), its
judge (the rule's status on each day asked about, and any day's outcome) and what it reads.
Adding a kind is adding a module and one line below.

`judge` is how the engine asks: `check` about one day (`Days.of(ctx)`), a backtest about
every replayed day; a group is judged from its members, each judged as a rule of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from retrain_gate.kinds import (
    anomaly,
    baseline_change,
    data_growth,
    dataset_drift,
    drift,
    freshness,
    gaps,
    group,
    model_age,
    range,
    required_fields,
    sample_schema,
    threshold,
    validation,
)
from retrain_gate.kinds.base import Judgement, Kind
from retrain_gate.kinds.days import Days
from retrain_gate.model import RuleConfig, group_members

TRIGGERS: dict[str, Kind] = {
    k.name: k
    for k in (
        threshold.KIND,
        baseline_change.KIND,
        data_growth.KIND,
        model_age.KIND,
        drift.KIND,
        dataset_drift.KIND,
        anomaly.KIND,
        group.KIND,
    )
}
CHECKS: dict[str, Kind] = {
    k.name: k
    for k in (
        range.KIND,
        freshness.KIND,
        gaps.KIND,
        required_fields.KIND,
        sample_schema.KIND,
        validation.KIND,
    )
}


def registry(role: str) -> Mapping[str, Kind]:
    """The kinds of one role: `trigger` or `check`."""
    return TRIGGERS if role == "trigger" else CHECKS


# what a caller may do with each judged rule that is not a group (a backtest's replay rules)
Adjust = Callable[[RuleConfig, Kind, Judgement], Judgement]


def judge(rule: RuleConfig, days: Days, *, adjust: Adjust | None = None) -> Judgement:
    """The rule's judgement on `days`; a group's from its members' (each `adjust`ed). A rule
    with `source: NAME` is judged on that source of the model."""
    kind = registry(rule.role)[rule.kind]
    if rule.options.get("source") is not None:
        days = days.on_source(str(rule.options["source"]))
    if kind.combine is not None:
        members = [judge(m, days, adjust=adjust) for m in group_members(rule)]
        return kind.combine(rule, members, days)
    assert kind.judge is not None
    judgement = kind.judge(rule, days)
    return adjust(rule, kind, judgement) if adjust is not None else judgement
