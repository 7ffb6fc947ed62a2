"""The group trigger: fires when all (or any) of its member triggers fire."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from retrain_gate.kinds.base import (
    COMMON,
    Judgement,
    Kind,
    constant,
    outcome,
)
from retrain_gate.kinds.days import Days
from retrain_gate.model import GROUP, GROUP_KEYS, RuleConfig, group_mode
from retrain_gate.results import Outcome, Status


def judge_group(rule: RuleConfig, members: Sequence[Judgement], days: Days) -> Judgement:
    """Fires on a combination of other triggers: `all:` (every member fired) or `any:` (at
    least one member fired).

    Write `all:` or `any:` (not both) with a list of trigger rules of any kind, groups
    included. Each member is written, validated and evaluated exactly as a trigger of its
    own (same data, same `now`); its name must be unique among all the model's triggers,
    members included. Only the group asks for a retrain: a member firing alone does not.
    Reports show each member's outcome under the group; `observed` is how many fired
    (`1 of 2 fired`), `threshold` what the group needs (`all of 2`, `any of 2`).

    The reason quotes the members that decided, with their reasons: `all 2 fired: a (...);
    b (...)`, `1 of 2 fired, all needed: a fired; b quiet (...)`, `1 of 2 fired, one is
    enough: a fired (...); b quiet`, `none of 2 fired: a (...); b (...)`. A member's reason
    is shortened past 160 characters there (a nested group's is not: its members' are);
    the member's own row has it whole.

    Missing data fails closed: when any member is an error, the group is an error (never
    acted on a partial picture), even if another member of an `any` group fired; the reason
    names the member and its reason. Checks cannot be grouped: every error-level check
    vetoes on its own.
    """
    if not members:
        return constant(days, group_outcome(rule, ()))
    needs_all = group_mode(rule) == "all"
    statuses: list[Status] = []
    for row in zip(*(m.statuses for m in members)):
        if "error" in row:
            statuses.append("error")
        elif needs_all:
            statuses.append("fired" if all(s == "fired" for s in row) else "quiet")
        else:
            statuses.append("fired" if "fired" in row else "quiet")
    return Judgement(
        statuses=statuses, explain=lambda i: group_outcome(rule, [m.outcome(i) for m in members])
    )


# a member's reason inside its group's reason: long enough for a threshold's or a drift's
# sentence, short enough that a group of several reads as one sentence
MEMBER_REASON = 160


def _quoted(member: Outcome, limit: int = MEMBER_REASON) -> str:
    """A member's reason, shortened to `limit` characters at a space; a nested group's is
    kept whole, its own members' reasons being shortened already."""
    reason = member.reason
    if len(reason) <= limit or member.kind == GROUP:
        return reason
    cut = reason[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:(") + " …"


def group_outcome(rule: RuleConfig, members: Sequence[Outcome]) -> Outcome:
    """The group's outcome on one day from its members' outcomes that day."""
    members = tuple(members)
    total = len(members)
    mode = group_mode(rule)
    errors = [m for m in members if m.status == "error"]
    if errors or not members:
        if not members:
            reason = "the group has no members"
        elif len(errors) == 1:
            reason = f"member {errors[0].name} could not be evaluated ({_quoted(errors[0])})"
        else:
            names = ", ".join(m.name for m in errors)
            quoted = "; ".join(f"{m.name} ({_quoted(m)})" for m in errors)
            reason = f"members {names} could not be evaluated: {quoted}"
        return outcome(
            rule, status="error", observed=None, threshold=None, reason=reason, members=members
        )
    fired = [m for m in members if m.status == "fired"]
    holds = len(fired) == total if mode == "all" else bool(fired)
    if not fired:
        count = f"none of {total} fired"
    elif len(fired) == total and total > 1:
        count = f"all {total} fired"
    else:
        count = f"{len(fired)} of {total} fired"
    if mode == "all" and not holds:
        count += ", all needed"
    elif mode == "any" and holds and len(fired) < total:
        count += ", one is enough"
    # the members that decided are quoted with their reasons; when the members differ, each
    # says its status
    deciding = "fired" if holds else "quiet"
    mixed = 0 < len(fired) < total
    parts = []
    for member in members:
        status = f" {member.status}" if mixed else ""
        reason = f" ({_quoted(member)})" if member.status == deciding else ""
        parts.append(f"{member.name}{status}{reason}")
    return outcome(
        rule,
        status="fired" if holds else "quiet",
        observed=f"{len(fired)} of {total} fired",
        threshold=f"{mode} of {total}",
        reason=f"{count}: {'; '.join(parts)}",
        members=members,
    )


def _group_semantic(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    if not any(key in options for key in GROUP_KEYS):  # `kind: group` alone
        return [("kind", "a group lists its member rules under `all:` or `any:`")]
    if all(key in options for key in GROUP_KEYS):
        return [
            (
                "any",
                "a group is `all:` (every member must fire) or `any:` (one is enough), not both",
            )
        ]
    return []


MEMBERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
}


KIND = Kind(
    name=GROUP,
    role="trigger",
    keys=GROUP_KEYS,
    options={
        **COMMON,
        "all": {
            **MEMBERS_SCHEMA,
            "description": "Trigger rules that must all fire for the group to fire.",
        },
        "any": {
            **MEMBERS_SCHEMA,
            "description": "Trigger rules of which one firing is enough.",
        },
    },
    required=(),
    combine=judge_group,
    uses_series=False,
    semantic=_group_semantic,
)
