"""The act stage: start the retraining workflow when the gate says `retrain`, but never twice.

`act(config, report, client=, run=, now=, dry_run=)` returns a new Report in which every model
carries a `DispatchResult`:

- dispatched: GitHub started the run (with the run's URL when known: the request asks for
  `return_run_details` where the API has it, a plain 204 is accepted too);
- dry-run: what would be sent (method, path, body); nothing is sent, not even the guards' reads;
- held: a guard kept it back (see below). Not a failure: the decision stays `retrain`;
- failed: nothing was dispatched: the request could not be built, or GitHub refused it, or it
  failed and the run is certainly absent. The model's decision becomes `error` with a Problem
  (exit code 4 for GitHub, 2 for a config mistake); never a dispatch with defaults;
- may-have-started: GitHub's answers did not say whether it started a run, and the runs list
  could not tell either. The decision stays `retrain`, a Problem with exit code 7 fails the
  step, and the message names the runs page to check;
- not-needed (skip, blocked, error) and disabled (retrain, but no `dispatch:` section).
One model's failure does not stop the others.

At most one run per model per gate run, whatever the API answers. A dispatch is sent once; a
5xx, a timeout or a dropped connection after it went out means GitHub may have started the run
(it documents nothing either way). Then, before any resend, the gate lists the workflow's runs
again for a few seconds (a new run takes a while to appear) and compares them with the list
read before sending: a new run whose title names this gate run's id (`gate_run_id`, which the
example's `run-name:` shows) is the one it started: dispatched. A new run whose title does not
say (a manual run, or a `run-name:` without the id) may be it: may-have-started. Only when no
new run appears is the dispatch sent again (at most 3 sends). Without a workflow to list
(repository_dispatch without `guard_workflow:`) such an answer is may-have-started at once.

What is sent: see act/request.py. The guards (act/plan.py) read the newest 100 runs of the
guarded workflow, one GET per model (read even without a guard: they are the list to compare
with): for workflow_dispatch it is the dispatched workflow; for repository_dispatch the config's
`guard_workflow:` (the workflow the event starts). Without it, the cooldown and in-flight guards
cannot work (the config refuses `cooldown:` / `in_flight: true` then) and a re-run holds.

- re-run: GitHub keeps the run id when a run is re-run and counts GITHUB_RUN_ATTEMPT up. When
  the attempt is above 1, the gate reads attempt 1 of its own run (GET
  /repos/{repo}/actions/runs/{GITHUB_RUN_ID}/attempts/1) and takes the earlier of its
  `created_at` and `run_started_at`: no attempt of this gate run can have dispatched before
  that moment. It holds when the guarded workflow has a run started by the same event created
  at or after it (errs towards holding: a manual dispatch in between holds the re-run too).
- in-flight (`in_flight:`, default true): hold while a run is queued, in_progress, waiting,
  pending or requested.
- cooldown (`cooldown:`): hold while the newest run (of any event) was created less than the
  cooldown before `now`.

A retraining workflow shared by several models is guarded per model: a run counts for a model
when its title (`run-name:`, e.g. "Retrain ${{ inputs.model }}") names that model as a word, or
names none of the models sharing the workflow (a manual run: it counts for all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from retrain_gate.act.context import RunContext
from retrain_gate.act.once import LOOKS, Look, at_most_once
from retrain_gate.act.plan import Plan, plan_dispatch, reads_runs, sharing_models, sight
from retrain_gate.act.request import _target
from retrain_gate.errors import EXIT_UNCERTAIN, ConfigError, GateError, GitHubError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.dispatches import (
    DispatchAnswer,
    dispatch_repository,
    dispatch_workflow,
)
from retrain_gate.github.failures import MaybeActedError
from retrain_gate.github.runs import WorkflowRun, get_workflow_run, list_workflow_runs
from retrain_gate.model import Config, DispatchConfig, ModelConfig
from retrain_gate.results import DispatchResult, ModelResult, Problem, Report

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


def act(
    config: Config,
    report: Report,
    *,
    client: GitHubClient | None,
    run: RunContext,
    now: datetime,
    dry_run: bool,
    looks: Sequence[float] = LOOKS,
) -> Report:
    """Dispatch (or, dry_run, describe) the retraining of each model decided `retrain`.

    `client` may be None only with dry_run. `looks`: the pauses before each look for a run
    after a non-definitive answer. Returns a new Report; every model gets a DispatchResult.
    """
    if client is None and not dry_run:
        raise ValueError("act() needs a GitHub client unless dry_run")
    if client is not None:
        # the request goes where the client sends it: report that
        run = replace(run, repository=client.repository, api_url=client.settings.api_url)
    actor = _Actor(config, client=client, run=run, now=now, looks=looks)
    models = tuple(actor.act_on(result) for result in report.models)
    return replace(report, models=models)


class _Actor:
    """act() for one report: what the models' dispatches share (the gate run's start, the
    runs already dispatched in it)."""

    def __init__(
        self,
        config: Config,
        *,
        client: GitHubClient | None,
        run: RunContext,
        now: datetime,
        looks: Sequence[float],
    ) -> None:
        self.config = config
        self.client = client
        self.run = run
        self.now = now
        self.looks = looks
        self.gate_start = _GateRunStart(client, run)
        self.claimed: set[int] = set()  # runs this act() dispatched, by id

    def act_on(self, result: ModelResult) -> ModelResult:
        model = self.config.models.get(result.model)
        try:
            # pure and cheap: the request (or why none), before anything is read
            plan = plan_dispatch(model, result, run=self.run, now=self.now, runs=None, guards=False)
        except GateError as error:
            assert model is not None
            return _failed(self.config, model, result, error)
        if plan.action in ("not-needed", "disabled"):
            return replace(result, dispatch=DispatchResult(status=plan.action, message=plan.reason))
        assert model is not None and model.dispatch is not None and plan.path is not None
        url = self.run.api_url.rstrip("/") + plan.path
        if self.client is None:  # dry run
            return replace(
                result,
                dispatch=DispatchResult(
                    status="dry-run",
                    # the body itself is in `body` (the JSON report, the summary's details)
                    message=f"dry-run: would start {plan.reason} ({plan.method} {plan.path}); "
                    "nothing sent (guards not checked)",
                    method=plan.method,
                    url=url,
                    body=plan.body,
                ),
            )
        workflow = reads_runs(model)
        sharing = sharing_models(self.config, workflow)
        ref = plan.body.get("ref") if plan.body else None
        try:
            runs = None
            if workflow is not None:
                runs = list_workflow_runs(
                    self.client, workflow=workflow, per_page=RUNS_PER_GUARD, ref=_text(ref)
                )
            start = None
            if self.run.run_attempt > 1 and self.run.run_id and workflow is not None:
                start = self.gate_start()
            plan = plan_dispatch(
                model,
                result,
                run=self.run,
                now=self.now,
                runs=runs,
                sharing=sharing,
                gate_start=start,
            )
        except GateError as error:
            return _failed(self.config, model, result, error)
        if plan.action == "hold":
            return replace(
                result,
                dispatch=DispatchResult(
                    status="held", message=plan.reason, method=plan.method, url=url, body=plan.body
                ),
            )
        return self._send(model, result, plan, url=url, runs=runs, sharing=sharing)

    def _send(
        self,
        model: ModelConfig,
        result: ModelResult,
        plan: Plan,
        *,
        url: str,
        runs: list[WorkflowRun] | None,
        sharing: tuple[str, ...],
    ) -> ModelResult:
        client = self.client
        dispatch = model.dispatch
        assert client is not None and dispatch is not None and plan.body is not None
        body = plan.body
        workflow = dispatch.guarded_workflow

        def look() -> Look[WorkflowRun]:
            if workflow is None or runs is None:
                return Look("unsure", why=_unseen(dispatch))
            after = list_workflow_runs(
                client, workflow=workflow, per_page=RUNS_PER_GUARD, ref=_text(body.get("ref"))
            )
            seen = sight(
                runs,
                after,
                model=model.name,
                event=dispatch.event,
                gate_run_id=self.run.run_id,
                sharing=sharing,
                full_page=len(runs) >= RUNS_PER_GUARD,
                claimed=frozenset(self.claimed),
            )
            why = ""
            if seen.run is not None and seen.seen == "unsure":
                why = (
                    f"{workflow} run {seen.run.id} ({seen.run.display_title!r}) appeared since, "
                    f"and its title does not say whether gate run {self.run.run_id or '?'} "
                    "started it"
                )
            return Look(seen.seen, seen.run, why=why)

        looks = self.looks if workflow is not None else (0.0,)
        sent = at_most_once(
            lambda: _dispatch(client, dispatch, body), look, pause=client.pause, looks=looks
        )
        request = DispatchResult(
            status="failed", message="", method=plan.method, url=url, body=body
        )  # the request's fields, for the results below
        if sent.state == "sent":
            answer = sent.answer
            assert answer is not None
            link = answer.html_url or answer.run_url
            if answer.run_id is not None:
                self.claimed.add(answer.run_id)
                done = f"dispatched {plan.reason}: run {answer.run_id}"
            elif link:
                done = f"dispatched {plan.reason}: a run"
            else:
                done = (
                    f"dispatched {plan.reason} (GitHub answered {answer.status} without the "
                    "run's URL)"
                )
            dispatched = replace(
                request,
                status="dispatched",
                message=done + (f" {link}" if link else ""),
                run_url=link,
                run_id=answer.run_id,
            )
            return replace(result, dispatch=dispatched)
        if sent.state == "found":
            found = sent.found
            assert found is not None and isinstance(sent.error, MaybeActedError)
            self.claimed.add(found.id)
            what = sent.error.what
            dispatched = replace(
                request,
                status="dispatched",
                message=f"dispatched {plan.reason}: run {found.id} {found.html_url} (GitHub's "
                f"answer did not say so: {what}; the run is listed with this gate run's id)",
                run_url=found.html_url or None,
                run_id=found.id,
            )
            return replace(result, dispatch=dispatched)
        if sent.state == "failed":
            error = sent.error
            assert error is not None
            if isinstance(
                error, MaybeActedError
            ):  # non-definitive answers, and no run appeared after any
                error = GitHubError(
                    f"{plan.method} {plan.path}: {error.what} to each of {sent.sends} sends, and "
                    f"no run of it appeared in the runs of {workflow} after any of them",
                    hint="GitHub may be having an incident: see https://www.githubstatus.com",
                )
            return _failed(self.config, model, result, error)
        return self._maybe(model, result, plan, sent.error, sent.why, request)

    def _maybe(
        self,
        model: ModelConfig,
        result: ModelResult,
        plan: Plan,
        error: GitHubError | None,
        why: str,
        request: DispatchResult,
    ) -> ModelResult:
        dispatch = model.dispatch
        assert dispatch is not None
        page = self.runs_page(dispatch)
        what = error.what if isinstance(error, MaybeActedError) else "no definitive answer"
        message = (
            f"may have started: {plan.reason}: {what}, and {why or 'the runs do not say'}; "
            f"check {page}"
        )
        fired = ", ".join(o.name for o in result.fired) or "a trigger"
        problem = Problem(
            message=f"the dispatch of {_target(dispatch)} may have started a run: {what}; "
            f"check {page} before dispatching by hand",
            exit_code=EXIT_UNCERTAIN,
        )
        return replace(
            result,
            summary=f"{fired} asked for a retrain; the dispatch may have started a run: "
            f"check {page}",
            problems=(*result.problems, problem),
            dispatch=replace(request, status="may-have-started", message=message),
        )

    def runs_page(self, dispatch: DispatchConfig) -> str:
        """The page a person checks: the guarded workflow's runs, else the Actions tab."""
        base = f"{self.run.server_url.rstrip('/')}/{self.run.repository or '{owner}/{repo}'}"
        workflow = dispatch.guarded_workflow
        return f"{base}/actions/workflows/{workflow}" if workflow else f"{base}/actions"


def _unseen(dispatch: DispatchConfig) -> str:
    return (
        f"without guard_workflow the gate cannot see the runs that {_target(dispatch)} starts"
        if dispatch.event == "repository_dispatch"
        else "the runs could not be read before sending"
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


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


def _dispatch(
    client: GitHubClient, dispatch: DispatchConfig, body: Mapping[str, object]
) -> DispatchAnswer:
    """Send the request that dispatch_request described, once (MaybeActedError otherwise)."""
    if dispatch.event == "repository_dispatch":
        payload = body["client_payload"]
        assert isinstance(payload, dict)
        return dispatch_repository(
            client, event_type=str(body["event_type"]), client_payload=payload
        )
    inputs = body["inputs"]
    assert isinstance(inputs, dict)
    return dispatch_workflow(
        client, workflow=str(dispatch.workflow), ref=str(body["ref"]), inputs=inputs
    )
