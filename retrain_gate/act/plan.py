"""The dispatch policy, pure: given a model's decision, the runs seen and the clock, what to send
or why to hold. No I/O and no clock of its own: `act/dispatch.py` reads the runs and the time,
calls `plan_dispatch`, and carries the plan out.

The guards (see act/dispatch.py for the user's view):

- re-run: on attempt N > 1 of a gate run, hold when the guarded workflow has a run started by
  the same event at or after attempt 1 began (`gate_start`); hold too when that cannot be
  checked (no guarded workflow, no GITHUB_RUN_ID);
- in-flight: hold while a run is queued, in_progress, waiting, pending or requested;
- cooldown: hold while the newest run was created less than the cooldown before `now` (a run
  created exactly one cooldown before `now` no longer holds; a run GitHub dates after `now`,
  clock skew, holds).

A workflow shared by several models counts a run for a model when its title names that model
as a word, or names none of the sharing models (a manual run: it counts for all).

`sight` is the other half of "never twice": after a dispatch got no definitive answer, it tells
from the runs listed before and after whether this gate run's own run is there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from retrain_gate.act.context import RunContext
from retrain_gate.act.request import _target, dispatch_request
from retrain_gate.durations import format_duration
from retrain_gate.github.runs import WorkflowRun
from retrain_gate.model import Config, ModelConfig
from retrain_gate.results import ModelResult

IN_FLIGHT_STATUSES = frozenset({"queued", "in_progress", "waiting", "pending", "requested"})


PlanAction = Literal["send", "hold", "not-needed", "disabled"]


@dataclass(frozen=True)
class Plan:
    """What to do for one model: send the request, or not and why."""

    action: PlanAction
    reason: str  # for send: what is started ("retrain.yml on main"); else why not
    method: str | None = None
    path: str | None = None
    body: dict[str, object] | None = None


_NOT_NEEDED = {
    "skip": "no trigger fired",
    "blocked": "the retrain is blocked by a failed check",
    "error": "the gate could not decide, so it does not act (fail closed)",
}


def reads_runs(model: ModelConfig) -> str | None:
    """The workflow whose runs act() lists before sending for `model` (None: none). They are
    read even without a guard: they are the "before" that `sight` compares with."""
    return model.dispatch.guarded_workflow if model.dispatch is not None else None


def plan_dispatch(
    model: ModelConfig | None,
    result: ModelResult,
    *,
    run: RunContext,
    now: datetime,
    runs: Sequence[WorkflowRun] | None,
    sharing: tuple[str, ...] = (),
    gate_start: datetime | None = None,
    guards: bool = True,
) -> Plan:
    """The plan for one model.

    `runs`: the guarded workflow's newest runs (None when it has none). `sharing`: the models
    whose dispatch is guarded by the same workflow. `gate_start`: when attempt 1 of this gate
    run began (needed on a re-run). `guards=False` (a dry run): the guards are not checked.
    Raises ConfigError when the request cannot be built.
    """
    if result.decision != "retrain":
        why = _NOT_NEEDED.get(result.decision, result.decision)
        return Plan("not-needed", f"not dispatched: {why}")
    if model is None or model.dispatch is None:
        return Plan(
            "disabled", "disabled: this model has no `dispatch:` section, so nothing is started"
        )
    method, path, body = dispatch_request(model, result, run)
    what = _target(model.dispatch) + (f" on {body['ref']}" if "ref" in body else "")
    if not guards:
        return Plan("send", what, method, path, body)
    held = _hold_reason(model, run=run, now=now, runs=runs, sharing=sharing, gate_start=gate_start)
    if held is not None:
        return Plan("hold", held, method, path, body)
    return Plan("send", what, method, path, body)


def _hold_reason(
    model: ModelConfig,
    *,
    run: RunContext,
    now: datetime,
    runs: Sequence[WorkflowRun] | None,
    sharing: tuple[str, ...],
    gate_start: datetime | None,
) -> str | None:
    dispatch = model.dispatch
    assert dispatch is not None
    rerun = run.run_attempt > 1
    workflow = dispatch.guarded_workflow
    if workflow is None:
        if rerun:
            return (
                f"held: this is attempt {run.run_attempt} of gate run {run.run_id or '?'}, and "
                f"without guard_workflow the gate cannot see whether an earlier attempt already "
                f"sent {_target(dispatch)}, so it does not send it again"
            )
        return None
    if not (rerun or dispatch.in_flight or dispatch.cooldown):
        return None
    if runs is None:
        raise ValueError(f"the guards of {model.name!r} need the runs of {workflow}")
    mine = [r for r in runs if concerns(r, model.name, sharing)]
    if rerun:
        if run.run_id is None:
            return (
                f"held: this is attempt {run.run_attempt} of a gate run, but GITHUB_RUN_ID is not "
                "set, so the gate cannot check that an earlier attempt did not dispatch"
            )
        if gate_start is None:
            raise ValueError("a re-run's guard needs the start of the gate run's attempt 1")
        earlier = [r for r in mine if r.event == dispatch.event and r.created_at >= gate_start]
        if earlier:
            first = min(earlier, key=lambda r: r.created_at)
            return (
                f"held: this is attempt {run.run_attempt} of gate run {run.run_id} (first started "
                f"{when(gate_start)}), and {workflow} run {first.id} was started by {first.event} "
                f"at {when(first.created_at)}, after it: an earlier attempt already dispatched"
            )
    if dispatch.in_flight:
        busy = [r for r in mine if r.status in IN_FLIGHT_STATUSES]
        if busy:
            newest = max(busy, key=lambda r: r.created_at)
            return (
                f"held: {workflow} run {newest.id} started {when(newest.created_at)} is still "
                f"{newest.status}: one retraining at a time (in_flight)"
            )
    if dispatch.cooldown:
        recent = [r for r in mine if r.created_at > now - dispatch.cooldown]
        if recent:
            newest = max(recent, key=lambda r: r.created_at)
            until = newest.created_at + dispatch.cooldown
            return (
                f"held: {workflow} run {newest.id} started {when(newest.created_at)} is within "
                f"the {format_duration(dispatch.cooldown)} cooldown (until {when(until)})"
            )
    return None


def sharing_models(config: Config, workflow: str | None) -> tuple[str, ...]:
    """The models whose dispatch is guarded by `workflow`."""
    if workflow is None:
        return ()
    return tuple(
        name
        for name, m in config.models.items()
        if m.dispatch is not None and m.dispatch.guarded_workflow == workflow
    )


def names(title: str, word: str) -> bool:
    """Does `title` name `word` as a whole word (a model name, a run id)?"""
    return re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w.-])", title) is not None


def concerns(run: WorkflowRun, model: str, sharing: tuple[str, ...]) -> bool:
    """Does `run` count for `model`? Yes unless the workflow is shared and its title names
    another model only (a title naming no model, e.g. a manual run, counts for every model)."""
    if len(sharing) <= 1:
        return True
    named = [name for name in sharing if names(run.display_title, name)]
    return not named or model in named


# -- after a dispatch that got no definitive answer ------------------------------------------


@dataclass(frozen=True)
class Sighting:
    """What the runs list says about a dispatch that may have started a run.

    found: a new run whose title names this gate run's id (and the model, on a shared
    workflow): it is ours. unsure: a new run that may be ours (its title does not say). absent:
    no new run that could be ours.
    """

    seen: Literal["found", "unsure", "absent"]
    run: WorkflowRun | None = None


def sight(
    before: Sequence[WorkflowRun],
    after: Sequence[WorkflowRun],
    *,
    model: str,
    event: str,
    gate_run_id: str | None,
    sharing: tuple[str, ...] = (),
    full_page: bool = False,
    claimed: frozenset[int] = frozenset(),
) -> Sighting:
    """Compare the runs listed before the dispatch with those listed after it.

    A run is new when it was not listed before (and, when `before` was a full page, is not
    older than its oldest run: an old run can move into a page when newer ones are deleted).
    Only new runs of the dispatch's `event` that concern `model` count, and not the runs
    `claimed` by other models' dispatches of this gate run (on a shared workflow whose titles
    name the gate run but not the model, another model's run would look like ours).
    """
    seen = {r.id for r in before}
    oldest = min((r.created_at for r in before), default=None)
    new = [
        r
        for r in after
        if r.id not in seen
        and r.id not in claimed
        and r.event == event
        and concerns(r, model, sharing)
        and not (full_page and oldest is not None and r.created_at < oldest)
    ]
    if gate_run_id:
        ours = [r for r in new if names(r.display_title, gate_run_id)]
        if ours:
            return Sighting("found", min(ours, key=lambda r: r.created_at))
    if new:
        return Sighting("unsure", max(new, key=lambda r: r.created_at))
    return Sighting("absent")


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%MZ}"
