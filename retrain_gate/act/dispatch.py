"""The act stage: start the retraining workflow when the gate says `retrain`, but never twice.

`act(config, report, client=, run=, now=, dry_run=)` returns a new Report in which every model
carries a `DispatchResult`:

- dispatched: the request was sent and GitHub accepted it (with the run's URL when GitHub
  returned it: the request asks for `return_run_details`, a plain 204 is accepted too);
- dry-run: what would be sent (method, path, body); nothing is sent, not even the guards' reads;
- held: a guard kept it back (see below). Not a failure: the decision stays `retrain`;
- failed: the request could not be built or GitHub refused, failed or timed out. The model's
  decision becomes `error` with a Problem (exit code 4 for GitHub, 2 for a config mistake) and
  nothing is dispatched for it (fail closed, never a dispatch with defaults); other models are
  still acted on. A dispatch that got no answer in time is not sent again (GitHub may have
  received it): it fails, and the guards of the next run see the run it may have started;
- not-needed (skip, blocked, error) and disabled (retrain, but no `dispatch:` section).

What is sent. workflow_dispatch: `{"ref", "inputs", "return_run_details": true}` where inputs
(all strings) are `model`, `decision`, `reasons` (one line: the fired triggers' names, then
each one's reason, cut to MAX_REASONS_CHARS), `gate_run_url` and `gate_run_id` (empty when not
on a runner), then the config's `inputs:`. The config's values win over the gate's on the same
name: they are the user's explicit choice (e.g. a model's name as the retraining workflow knows
it). The retraining workflow must declare every input it is sent (GitHub answers 422 otherwise).
The ref is the config's `ref:`, else GITHUB_REF_NAME (a scheduled run's branch: the default
branch). repository_dispatch: `{"event_type", "client_payload"}` with `model`, `decision`,
`reasons`, `gate_run_url`, then the config's `client_payload:` (at most 6 keys, so at most 10).

The guards read the newest 100 runs of the retraining workflow (one GET per model): for
workflow_dispatch it is the dispatched workflow; for repository_dispatch it is the config's
`guard_workflow:` (the workflow the event starts). Without it, the cooldown and in-flight guards
cannot work (the config refuses `cooldown:` / `in_flight: true` then) and a re-run holds (below).

- re-run: GitHub keeps the run id when a run is re-run and counts GITHUB_RUN_ATTEMPT up. When
  the attempt is above 1, the gate reads attempt 1 of its own run (GET
  /repos/{repo}/actions/runs/{GITHUB_RUN_ID}/attempts/1, a documented endpoint) and takes the
  earlier of its `created_at` and `run_started_at`: no attempt of this gate run can have
  dispatched before that moment. It holds when the retraining workflow has a run started by the
  same event (workflow_dispatch or repository_dispatch) created at or after that moment. This
  uses only documented fields, works whichever of the two timestamps GitHub moves on a re-run,
  and errs towards holding (a manual dispatch in between also holds the re-run). The inputs also
  carry `gate_run_id`, so the retraining workflow's `run-name:` can show which gate run started
  it.
- in-flight (`in_flight:`, default true): hold while a run is queued, in_progress, waiting,
  pending or requested.
- cooldown (`cooldown:`): hold while the newest run (of any event) was created less than the
  cooldown before `now`.

A retraining workflow shared by several models in the config is guarded per model: a run counts
for a model when its title (`run-name:`, e.g. "Retrain ${{ inputs.model }}") names that model as
a word, or names none of the models sharing the workflow (a manual run: it counts for all).
With the default title (the workflow's name), a run of a shared workflow holds every model.

`sync_issues` (opt-in): when a model ends `blocked` or `error`, open an issue saying why, or
comment on the one opened before (found again by a hidden marker in its body, never a
duplicate); when a later run decides normally (retrain or skip), close it with a comment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from retrain_gate.act.context import RunContext
from retrain_gate.act.guards import _GateRunStart, _hold_reason
from retrain_gate.act.request import _target, dispatch_request
from retrain_gate.errors import ConfigError, GateError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.dispatches import (
    DispatchAnswer,
    dispatch_repository,
    dispatch_workflow,
)
from retrain_gate.model import Config, DispatchConfig, ModelConfig
from retrain_gate.results import DispatchResult, ModelResult, Problem, Report


def act(
    config: Config,
    report: Report,
    *,
    client: GitHubClient | None,
    run: RunContext,
    now: datetime,
    dry_run: bool,
) -> Report:
    """Dispatch (or, dry_run, describe) the retraining of each model decided `retrain`.

    `client` may be None only with dry_run. Returns a new Report; every model gets a
    DispatchResult. One model's failure does not stop the others.
    """
    if client is None and not dry_run:
        raise ValueError("act() needs a GitHub client unless dry_run")
    if client is not None:
        # the request goes where the client sends it: report that
        run = replace(run, repository=client.repository, api_url=client.settings.api_url)
    gate_start = _GateRunStart(client, run)
    results = []
    for result in report.models:
        model = config.models.get(result.model)
        results.append(
            _act_on(
                config,
                model,
                result,
                client=client,
                run=run,
                now=now,
                dry_run=dry_run,
                gate_start=gate_start,
            )
        )
    return replace(report, models=tuple(results))


def _act_on(
    config: Config,
    model: ModelConfig | None,
    result: ModelResult,
    *,
    client: GitHubClient | None,
    run: RunContext,
    now: datetime,
    dry_run: bool,
    gate_start: _GateRunStart,
) -> ModelResult:
    if result.decision != "retrain":
        return replace(result, dispatch=_not_needed(result))
    if model is None or model.dispatch is None:
        return replace(
            result,
            dispatch=DispatchResult(
                status="disabled",
                message="disabled: this model has no `dispatch:` section, so nothing is started",
            ),
        )
    dispatch = model.dispatch
    try:
        method, path, body = dispatch_request(model, result, run)
    except GateError as error:
        return _failed(config, model, result, error)
    url = run.api_url.rstrip("/") + path
    target = _target(dispatch)
    if dry_run:
        return replace(
            result,
            dispatch=DispatchResult(
                status="dry-run",
                # the body itself is in `body` (the JSON report, the summary's details)
                message=f"dry-run: would start {target}{_on(body)} ({method} {path}); "
                "nothing sent (guards not checked)",
                method=method,
                url=url,
                body=body,
            ),
        )
    assert client is not None  # act() checked
    try:
        held = _hold_reason(
            config, model, dispatch, client=client, run=run, now=now, gate_start=gate_start
        )
        if held is not None:
            return replace(
                result,
                dispatch=DispatchResult(
                    status="held", message=held, method=method, url=url, body=body
                ),
            )
        answer = _send(client, dispatch, body)
    except GateError as error:
        return _failed(config, model, result, error)
    where = _on(body)
    run_link = answer.html_url or answer.run_url
    if answer.run_id is not None or run_link:
        shown = f"run {answer.run_id}" if answer.run_id is not None else "a run"
        done = f"dispatched {target}{where}: {shown}" + (f" {run_link}" if run_link else "")
    else:
        done = f"dispatched {target}{where} (GitHub answered {answer.status} without the run's URL)"
    return replace(
        result,
        dispatch=DispatchResult(
            status="dispatched",
            message=done,
            method=method,
            url=url,
            body=body,
            run_url=run_link,
            run_id=answer.run_id,
        ),
    )


def _not_needed(result: ModelResult) -> DispatchResult:
    why = {
        "skip": "no trigger fired",
        "blocked": "the retrain is blocked by a failed check",
        "error": "the gate could not decide, so it does not act (fail closed)",
    }
    return DispatchResult(
        status="not-needed", message=f"not dispatched: {why.get(result.decision, result.decision)}"
    )


def _on(body: Mapping[str, object]) -> str:
    return f" on {body['ref']}" if "ref" in body else ""


def _failed(
    config: Config, model: ModelConfig, result: ModelResult, error: GateError
) -> ModelResult:
    """Fail closed: the decision becomes error, the problem says why, nothing was dispatched."""
    problem = Problem(
        message=error.message + (f" ({error.hint})" if error.hint else ""),
        exit_code=error.exit_code,
        file=error.file or (config.path if isinstance(error, ConfigError) else None),
        line=error.line,
    )
    target = _target(model.dispatch) if model.dispatch else "the retraining workflow"
    fired = ", ".join(o.name for o in result.fired) or "a trigger"
    return replace(
        result,
        decision="error",
        summary=f"{fired} asked for a retrain, but acting on it failed: nothing was dispatched",
        problems=(*result.problems, problem),
        dispatch=DispatchResult(
            status="failed", message=f"failed: nothing was dispatched to {target} (see the error)"
        ),
    )


def _send(
    client: GitHubClient, dispatch: DispatchConfig, body: dict[str, object]
) -> DispatchAnswer:
    """Send the request that dispatch_request described; an unanswered POST is not resent."""
    if dispatch.event == "repository_dispatch":
        payload = body["client_payload"]
        assert isinstance(payload, dict)
        return dispatch_repository(
            client,
            event_type=str(body["event_type"]),
            client_payload=payload,
            resend_unanswered=False,
        )
    inputs = body["inputs"]
    assert isinstance(inputs, dict)
    return dispatch_workflow(
        client,
        workflow=str(dispatch.workflow),
        ref=str(body["ref"]),
        inputs=inputs,
        resend_unanswered=False,
    )
