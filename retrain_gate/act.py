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

import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from retrain_gate.config import Config, DispatchConfig, ModelConfig
from retrain_gate.durations import format_duration
from retrain_gate.errors import ConfigError, GateError, GitHubError, UsageError
from retrain_gate.github import (
    DEFAULT_API_URL,
    MAX_INPUTS_PAYLOAD_CHARS,
    DispatchAnswer,
    GitHubClient,
    WorkflowRun,
    close_issue,
    comment_issue,
    create_issue,
    dispatch_repository,
    dispatch_workflow,
    find_open_issue,
    get_workflow_run,
    list_workflow_runs,
    settings_from_env,
)
from retrain_gate.results import DispatchResult, ModelResult, Problem, Report

IN_FLIGHT_STATUSES = frozenset({"queued", "in_progress", "waiting", "pending", "requested"})
MAX_REASONS_CHARS = 1000  # readable in a run's inputs; far under GitHub's 65,535 for all inputs
RUNS_PER_GUARD = 100  # the newest runs the guards look at (GitHub's largest page)
ISSUE_LABEL = "retrain-gate"
MAX_ISSUE_BODY_CHARS = 60_000  # GitHub refuses issue bodies over 65,536 characters


@dataclass(frozen=True)
class RunContext:
    """What the runner says about the gate's own run (all optional off a runner)."""

    run_id: str | None = None  # GITHUB_RUN_ID
    run_attempt: int = 1  # GITHUB_RUN_ATTEMPT
    server_url: str = "https://github.com"  # GITHUB_SERVER_URL
    repository: str | None = None  # GITHUB_REPOSITORY
    ref_name: str | None = None  # GITHUB_REF_NAME
    api_url: str = DEFAULT_API_URL  # GITHUB_API_URL

    @property
    def gate_run_url(self) -> str:
        """The gate run's page, or "" off a runner."""
        if not self.run_id or not self.repository:
            return ""
        return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"


def run_context_from_env(env: Mapping[str, str]) -> RunContext:
    """The runner's GITHUB_* variables; missing ones keep RunContext's defaults."""

    def value(name: str) -> str | None:
        text = (env.get(name) or "").strip()
        return text or None

    run_id = value("GITHUB_RUN_ID")
    if run_id is not None and not run_id.isdigit():
        raise ConfigError(f"GITHUB_RUN_ID {run_id!r} is not a run id (a whole number)")
    attempt_text = value("GITHUB_RUN_ATTEMPT") or "1"
    if not attempt_text.isdigit() or int(attempt_text) < 1:
        raise ConfigError(f"GITHUB_RUN_ATTEMPT {attempt_text!r} is not a positive whole number")
    return RunContext(
        run_id=run_id,
        run_attempt=int(attempt_text),
        server_url=value("GITHUB_SERVER_URL") or RunContext.server_url,
        repository=value("GITHUB_REPOSITORY"),
        ref_name=value("GITHUB_REF_NAME"),
        api_url=value("GITHUB_API_URL") or DEFAULT_API_URL,
    )


def client_from_env(env: Mapping[str, str], *, token_env: str | None = None) -> GitHubClient:
    """A client from GITHUB_API_URL, GITHUB_REPOSITORY and the token (GITHUB_TOKEN, or the
    variable named by `token_env`)."""
    token = None
    if token_env is not None:
        token = (env.get(token_env) or "").strip()
        if not token:
            raise UsageError(
                f"--token-env {token_env}: the environment variable {token_env} is not set",
                hint=f"export {token_env}=<token>, or leave --token-env out to use GITHUB_TOKEN",
            )
    return GitHubClient(settings_from_env(env, token=token))


# -- what would be sent --------------------------------------------------------------------------


def reasons_line(result: ModelResult, *, limit: int = MAX_REASONS_CHARS) -> str:
    """One line: which triggers fired, then why, cut to `limit` characters with an ellipsis."""
    fired = result.fired
    if not fired:
        text = result.summary
    else:
        names = ", ".join(o.name for o in fired)
        text = f"{names} fired: " + "; ".join(f"{o.name}: {o.reason}" for o in fired)
    text = " ".join(text.split())  # one line, whatever the rules' reasons contain
    return _cut(text, limit)


def dispatch_request(
    model: ModelConfig, result: ModelResult, run: RunContext
) -> tuple[str, str, dict[str, object]]:
    """(method, path, body) that act() sends for `model`; raises ConfigError when it cannot.

    The path uses `run.repository`, or the placeholder "{owner}/{repo}" when it is unknown (a
    dry run off a runner).
    """
    dispatch = model.dispatch
    if dispatch is None:
        raise ConfigError(f"model {model.name!r} has no dispatch: section", line=model.line)
    repository = run.repository or "{owner}/{repo}"
    if dispatch.event == "repository_dispatch":
        payload: dict[str, object] = {
            "model": model.name,
            "decision": result.decision,
            "reasons": reasons_line(result),
            "gate_run_url": run.gate_run_url,
            **dispatch.client_payload,
        }
        body: dict[str, object] = {"event_type": dispatch.event_type, "client_payload": payload}
        return "POST", f"/repos/{repository}/dispatches", body
    workflow = str(dispatch.workflow)
    ref = dispatch.ref or run.ref_name
    if not ref:
        raise ConfigError(
            f"no ref to dispatch {workflow} on for model {model.name!r}",
            line=dispatch.line,
            hint=f"set models.{model.name}.dispatch.ref (e.g. main), "
            "or run where GITHUB_REF_NAME is set",
        )
    inputs: dict[str, str] = {
        "model": model.name,
        "decision": result.decision,
        "reasons": "",
        "gate_run_url": run.gate_run_url,
        "gate_run_id": run.run_id or "",
        **dispatch.inputs,
    }
    if "reasons" not in dispatch.inputs:
        # Whatever room the other inputs leave under GitHub's limit, the reasons may use.
        room = MAX_INPUTS_PAYLOAD_CHARS - len(json.dumps(inputs))
        inputs["reasons"] = _fit_json(reasons_line(result), room)
    body = {"ref": ref, "inputs": inputs, "return_run_details": True}
    path = f"/repos/{repository}/actions/workflows/{urllib.parse.quote(workflow, safe='')}"
    return "POST", f"{path}/dispatches", body


def _fit_json(text: str, room: int) -> str:
    """`text`, shortened until its JSON spelling (escapes included) fits in `room` characters."""
    limit = len(text)
    while limit > 0:
        over = len(json.dumps(_cut(text, limit))) - 2 - room
        if over <= 0:
            return _cut(text, limit)
        limit -= over
    return ""


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…" if limit > 1 else ""


# -- acting --------------------------------------------------------------------------------------


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


def _target(dispatch: DispatchConfig) -> str:
    if dispatch.event == "workflow_dispatch":
        return str(dispatch.workflow)
    return f"repository_dispatch {dispatch.event_type}"


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


# -- guards --------------------------------------------------------------------------------------


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


# -- issues --------------------------------------------------------------------------------------


IssueStatus = Literal["opened", "commented", "closed", "none", "failed"]


@dataclass(frozen=True)
class IssueAction:
    """What sync_issues did for one model."""

    model: str
    status: IssueStatus
    number: int | None
    message: str


def issue_marker(model: str) -> str:
    """The hidden comment that finds a model's issue again."""
    return f"<!-- retrain-gate:{model} -->"


def sync_issues(
    report: Report, *, client: GitHubClient, run: RunContext
) -> tuple[Report, tuple[IssueAction, ...]]:
    """Keep one issue per model open while it is blocked or error, closed once it decides
    normally again. A GitHub failure becomes a Problem of that model (exit 4); its decision
    stays as it was, and the other models are still handled."""
    from retrain_gate.report.markdown import model_section

    results: list[ModelResult] = []
    actions: list[IssueAction] = []
    for result in report.models:
        marker = issue_marker(result.model)
        link = f" ([gate run]({run.gate_run_url}))" if run.gate_run_url else ""
        section = "\n".join(model_section(result))
        try:
            number = find_open_issue(client, marker=marker)
            if result.decision in ("blocked", "error"):
                text = _clip(
                    f"The gate decided **{result.decision}** for `{result.model}` as of "
                    f"{_when(report.now)}{link}.\n\n{section}\n"
                )
                if number is None:
                    number = create_issue(
                        client,
                        title=f"retrain-gate: {result.model} is {result.decision}",
                        body=f"{marker}\n{text}",
                        labels=(ISSUE_LABEL,),
                    )
                    action = IssueAction(result.model, "opened", number, f"opened issue #{number}")
                else:
                    comment_issue(
                        client, number=number, body=f"Still not decided normally.\n\n{text}"
                    )
                    action = IssueAction(
                        result.model, "commented", number, f"commented on issue #{number}"
                    )
            elif number is not None:
                close_issue(
                    client,
                    number=number,
                    comment=_clip(
                        f"The gate decides normally again: **{result.decision}** as of "
                        f"{_when(report.now)}{link}. Closing.\n\n{section}\n"
                    ),
                )
                action = IssueAction(result.model, "closed", number, f"closed issue #{number}")
            else:
                action = IssueAction(result.model, "none", None, "no issue needed")
        except GitHubError as error:
            problem = Problem(
                message=error.message + (f" ({error.hint})" if error.hint else ""),
                exit_code=error.exit_code,
            )
            results.append(replace(result, problems=(*result.problems, problem)))
            actions.append(IssueAction(result.model, "failed", None, f"issue: {error.message}"))
            continue
        results.append(result)
        actions.append(action)
    return replace(report, models=tuple(results)), tuple(actions)


def _clip(text: str) -> str:
    if len(text) <= MAX_ISSUE_BODY_CHARS:
        return text
    note = "\n\n… (cut to fit GitHub's limit; see the gate run's summary for the rest)\n"
    return text[: MAX_ISSUE_BODY_CHARS - len(note)] + note
