"""A model's dispatch, promotion and retrain-limit settings, built from the checked config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from retrain_gate.config.messages import _Errors
from retrain_gate.config.positions import dotted, position
from retrain_gate.durations import parse_amount, parse_duration
from retrain_gate.model import (
    DispatchConfig,
    PathPart,
    PromotionConfig,
    PromotionRule,
    RetrainLimit,
)


def _dispatch(data: Any, path: list[PathPart], errors: _Errors) -> DispatchConfig | None:
    if data is None:
        return None
    cooldown = None
    if "cooldown" in data:
        try:
            cooldown = parse_duration(data["cooldown"])
        except ValueError as exc:
            raise errors.fail(str(exc), [*path, "cooldown"]) from None
    line, _ = position(errors.node, path)
    if "workflow" in data and "guard_workflow" in data:
        raise errors.fail(
            f"{dotted([*path, 'guard_workflow'])} is for repository_dispatch only",
            [*path, "guard_workflow"],
            key=True,
            hint="a workflow_dispatch is guarded by the runs of its own workflow: remove it",
        )
    if "event_type" in data and "guard_workflow" not in data:
        for key in ("cooldown", "in_flight"):
            if key in data and data[key] is not False:
                raise errors.fail(
                    f"{dotted([*path, key])} needs guard_workflow with repository_dispatch: "
                    "the gate must know which workflow the event starts to read its runs",
                    [*path, key],
                    key=True,
                    hint="add e.g. `guard_workflow: retrain.yml`",
                )
    if "workflow" in data:
        return DispatchConfig(
            event="workflow_dispatch",
            workflow=str(data["workflow"]),
            ref=data.get("ref"),
            inputs={str(k): _input_text(v) for k, v in data.get("inputs", {}).items()},
            cooldown=cooldown,
            in_flight=bool(data.get("in_flight", True)),
            line=line,
        )
    return DispatchConfig(
        event="repository_dispatch",
        event_type=str(data["event_type"]),
        client_payload=dict(data.get("client_payload", {})),
        cooldown=cooldown,
        in_flight=bool(data.get("in_flight", True)),
        line=line,
        guard_workflow=str(data["guard_workflow"]) if "guard_workflow" in data else None,
    )


def _promotion(data: Any, path: list[PathPart], errors: _Errors) -> PromotionConfig | None:
    """`promotion: {must_beat: {accuracy: 0.5%}, no_worse_than: {recall: {by: 1%}}}`."""
    if data is None:
        return None
    rules: list[PromotionRule] = []
    modes: tuple[Literal["must_beat", "no_worse_than"], ...] = ("must_beat", "no_worse_than")
    for mode in modes:
        for metric, spec in (data.get(mode) or {}).items():
            written = spec["by"] if isinstance(spec, Mapping) else spec
            lower = isinstance(spec, Mapping) and spec.get("better") == "lower"
            amount, relative = parse_amount(written)  # the schema accepted it
            rules.append(
                PromotionRule(
                    metric=str(metric),
                    mode=mode,
                    amount=amount,
                    relative=relative,
                    better="lower" if lower else "higher",
                    text=str(written),
                )
            )
    line, _ = position(errors.node, path)
    return PromotionConfig(rules=tuple(rules), line=line)


def _limit(data: Any, path: list[PathPart], errors: _Errors) -> RetrainLimit | None:
    """`{count: 3, per: 30d}` (validated by the schema); None for `false`."""
    if data is None or data is False:
        return None
    try:
        per = parse_duration(data["per"])
    except ValueError as exc:
        raise errors.fail(str(exc), [*path, "per"]) from None
    return RetrainLimit(count=int(data["count"]), per=per)


def _input_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
