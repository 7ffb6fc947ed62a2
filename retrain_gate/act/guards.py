"""The guards against starting a retrain twice: cooldown, in-flight and re-run."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from retrain_gate.act.context import RunContext
from retrain_gate.act.request import _target
from retrain_gate.durations import format_duration
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.runs import WorkflowRun, get_workflow_run, list_workflow_runs
from retrain_gate.model import Config, DispatchConfig, ModelConfig

IN_FLIGHT_STATUSES = frozenset({"queued", "in_progress", "waiting", "pending", "requested"})


RUNS_PER_GUARD = 100  # the newest runs the guards look at (GitHub's largest page)


class _GateRunStart:
    """When attempt 1 of the gate's own run started; read once per act(), only when needed."""

    def __init__(self, client: GitHubClient | None, run: RunContext) -> None:
        self._client = client
        self._run = run
        self._value: datetime | None = None

    def __call__(self) -> datetime:
        if self._value is None:
            assert self._client is not None and self._run.run_id is not None
            first = get_workflow_run(self._client, run_id=int(self._run.run_id), attempt=1)
            started = first.run_started_at or first.created_at
            self._value = min(first.created_at, started)
        return self._value


def _hold_reason(
    config: Config,
    model: ModelConfig,
    dispatch: DispatchConfig,
    *,
    client: GitHubClient,
    run: RunContext,
    now: datetime,
    gate_start: Callable[[], datetime],
) -> str | None:
    """Why the dispatch must wait (the message the summary shows), or None to dispatch."""
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
    runs = list_workflow_runs(client, workflow=workflow, per_page=RUNS_PER_GUARD)
    runs = [r for r in runs if _concerns(r, model.name, _sharing(config, workflow))]
    if rerun:
        if run.run_id is None:
            return (
                f"held: this is attempt {run.run_attempt} of a gate run, but GITHUB_RUN_ID is not "
                "set, so the gate cannot check that an earlier attempt did not dispatch"
            )
        since = gate_start()
        earlier = [r for r in runs if r.event == dispatch.event and r.created_at >= since]
        if earlier:
            first = min(earlier, key=lambda r: r.created_at)
            return (
                f"held: this is attempt {run.run_attempt} of gate run {run.run_id} (first started "
                f"{_when(since)}), and {workflow} run {first.id} was started by {first.event} at "
                f"{_when(first.created_at)}, after it: an earlier attempt already dispatched"
            )
    if dispatch.in_flight:
        busy = [r for r in runs if r.status in IN_FLIGHT_STATUSES]
        if busy:
            newest = max(busy, key=lambda r: r.created_at)
            return (
                f"held: {workflow} run {newest.id} started {_when(newest.created_at)} is still "
                f"{newest.status}: one retraining at a time (in_flight)"
            )
    if dispatch.cooldown:
        recent = [r for r in runs if r.created_at > now - dispatch.cooldown]
        if recent:
            newest = max(recent, key=lambda r: r.created_at)
            until = newest.created_at + dispatch.cooldown
            return (
                f"held: {workflow} run {newest.id} started {_when(newest.created_at)} is within "
                f"the {format_duration(dispatch.cooldown)} cooldown (until {_when(until)})"
            )
    return None


def _sharing(config: Config, workflow: str) -> tuple[str, ...]:
    """The models whose dispatch is guarded by `workflow`."""
    return tuple(
        name
        for name, m in config.models.items()
        if m.dispatch is not None and m.dispatch.guarded_workflow == workflow
    )


def _names(title: str, model: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(model)}(?![\w.-])", title) is not None


def _concerns(run: WorkflowRun, model: str, sharing: tuple[str, ...]) -> bool:
    """Does `run` count for `model`? Yes unless the workflow is shared and its title names
    another model only (a title naming no model, e.g. a manual run, counts for every model)."""
    if len(sharing) <= 1:
        return True
    named = [name for name in sharing if _names(run.display_title, name)]
    return not named or model in named


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%MZ}"
