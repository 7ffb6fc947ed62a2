"""Starting a workflow: workflow_dispatch and repository_dispatch, and what their errors mean."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from retrain_gate.errors import ConfigError, GitHubError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.failures import GitHubHTTPError, Response

# GitHub's documented limits for workflow_dispatch and repository_dispatch.
MAX_WORKFLOW_INPUTS = 25


MAX_INPUTS_PAYLOAD_CHARS = 65_535


MAX_EVENT_TYPE_CHARS = 100


MAX_CLIENT_PAYLOAD_KEYS = 10


@dataclass(frozen=True)
class DispatchAnswer:
    """What GitHub said to a dispatch: 200 with the new run's details, or a plain 204."""

    status: int
    run_id: int | None
    run_url: str | None  # API URL of the run
    html_url: str | None  # the run's page, for people


def dispatch_workflow(
    client: GitHubClient,
    *,
    workflow: str,
    ref: str,
    inputs: Mapping[str, str],
) -> DispatchAnswer:
    """Start `workflow` (a file name such as "retrain.yml", or its numeric id) on `ref`.

    Inputs are checked against GitHub's limits before anything is sent: a payload GitHub would
    refuse or cut is a ConfigError, never a dispatch with defaults. The request is sent once:
    when GitHub may have acted without saying so, MaybeActedError (the caller looks for the
    run before sending again). `return_run_details` is asked for where the API has it (not on
    GitHub Enterprise Server); a plain 204 is an accepted dispatch without the run's details.
    """
    if not workflow.strip():
        raise ConfigError("no workflow to dispatch", hint="name the file, e.g. retrain.yml")
    if not ref.strip():
        raise ConfigError(f"no ref to dispatch workflow {workflow!r} on", hint="e.g. main")
    _check_inputs(inputs)
    path = f"/repos/{client.repository}/actions/workflows/{urllib.parse.quote(workflow, safe='')}"
    path += "/dispatches"
    body: dict[str, object] = {"ref": ref, "inputs": dict(inputs)}
    if client.settings.run_details_supported:
        body["return_run_details"] = True
    try:
        response = client.request("POST", path, body=body, once=True)
    except GitHubHTTPError as error:
        raise _explain_workflow_dispatch(
            error,
            workflow=workflow,
            ref=ref,
            repository=client.repository,
            inputs=inputs,
        ) from None
    return _dispatch_answer(response)


def dispatch_repository(
    client: GitHubClient,
    *,
    event_type: str,
    client_payload: Mapping[str, object],
) -> DispatchAnswer:
    """Send a repository_dispatch event (`on: repository_dispatch: types: [event_type]`), once
    (see dispatch_workflow)."""
    if not event_type.strip():
        raise ConfigError("repository_dispatch needs a non-empty event_type")
    if len(event_type) > MAX_EVENT_TYPE_CHARS:
        raise ConfigError(
            f"repository_dispatch event_type is {len(event_type)} characters long; "
            f"GitHub allows at most {MAX_EVENT_TYPE_CHARS}",
            hint="use a shorter event type, e.g. retrain",
        )
    if len(client_payload) > MAX_CLIENT_PAYLOAD_KEYS:
        raise ConfigError(
            f"repository_dispatch client_payload has {len(client_payload)} top-level keys; "
            f"GitHub allows at most {MAX_CLIENT_PAYLOAD_KEYS}",
            hint="group related values under one key (nested objects are allowed)",
        )
    try:
        json.dumps(client_payload)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"repository_dispatch client_payload is not JSON: {error}") from None
    path = f"/repos/{client.repository}/dispatches"
    body: dict[str, object] = {
        "event_type": event_type,
        "client_payload": dict(client_payload),
    }
    try:
        response = client.request("POST", path, body=body, once=True)
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="contents: write") from None
    return _dispatch_answer(response)


def _check_inputs(inputs: Mapping[str, str]) -> None:
    if len(inputs) > MAX_WORKFLOW_INPUTS:
        raise ConfigError(
            f"{len(inputs)} workflow inputs; GitHub accepts at most {MAX_WORKFLOW_INPUTS}",
            hint="send fewer inputs, or pack several into one JSON string input",
        )
    for name, value in inputs.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f"workflow input name {name!r} is not a non-empty string")
        if not isinstance(value, str):
            raise ConfigError(
                f"workflow input {name!r} is a {type(value).__name__} ({value!r}); "
                "workflow_dispatch inputs must be strings",
                hint=f"quote it: {name}: {json.dumps(str(value))}",
            )
    # How GitHub counts the 65,535 characters is not documented; JSON with the default
    # separators and \u escapes is the longer spelling, so this check errs on the safe side.
    size = len(json.dumps(dict(inputs)))
    if size > MAX_INPUTS_PAYLOAD_CHARS:
        raise ConfigError(
            f"workflow inputs are {size:,} characters as JSON; "
            f"GitHub accepts at most {MAX_INPUTS_PAYLOAD_CHARS:,}",
            hint="send a path or an id instead of the data itself",
        )


def _dispatch_answer(response: Response) -> DispatchAnswer:
    data = response.data if isinstance(response.data, dict) else {}
    run_id = data.get("workflow_run_id")
    run_url = data.get("run_url")
    html_url = data.get("html_url")
    return DispatchAnswer(
        status=response.status,
        run_id=run_id if isinstance(run_id, int) and not isinstance(run_id, bool) else None,
        run_url=run_url if isinstance(run_url, str) else None,
        html_url=html_url if isinstance(html_url, str) else None,
    )


def _explain_workflow_dispatch(
    error: GitHubHTTPError,
    *,
    workflow: str,
    ref: str,
    repository: str,
    inputs: Mapping[str, str],
) -> GitHubError:
    call = f"{error.method} {error.path}"
    quoted = f"GitHub says: {error.api_message!r}"
    lowered = error.api_message.lower()
    if error.status == 404:
        return missing_workflow(error, workflow=workflow, ref=ref, repository=repository)
    if error.status == 422:
        if "unexpected inputs" in lowered:
            message = (
                f"{call} was rejected (422): the retraining workflow {workflow} must declare "
                f"every input it is sent under on.workflow_dispatch.inputs; {quoted}"
            )
            hint = f"inputs sent: {', '.join(sorted(inputs)) or '(none)'}"
        elif "workflow_dispatch" in lowered and "trigger" in lowered:
            message = (
                f"{call} was rejected (422): the workflow {workflow} must have "
                f"`on: workflow_dispatch` on the default branch of {repository}; {quoted}"
            )
            hint = "merge the workflow with its workflow_dispatch trigger to the default branch"
        elif "no ref found" in lowered:
            message = (
                f"{call} was rejected (422): the ref {ref} does not exist in {repository}; {quoted}"
            )
            hint = "dispatch on an existing branch or tag, e.g. main"
        else:
            return error
        return GitHubHTTPError(
            message,
            status=error.status,
            method=error.method,
            path=error.path,
            api_message=error.api_message,
            hint=hint,
        )
    return _explain_permission(error, permission="actions: write")


def missing_workflow(
    error: GitHubHTTPError, *, workflow: str, ref: str | None, repository: str
) -> GitHubHTTPError:
    """A 404 on a workflow's URL, whichever call (the dispatch, or the guards' list of its
    runs) meets it first: the same precise message and hint."""
    on_ref = f" on ref {ref}" if ref else ""
    return GitHubHTTPError(
        f"{error.method} {error.path} answered 404: the workflow file {workflow} does not exist"
        f"{on_ref} in {repository}, or the token cannot see it / lacks actions: write; "
        f"GitHub says: {error.api_message!r}",
        status=error.status,
        method=error.method,
        path=error.path,
        api_message=error.api_message,
        hint=f"check the file name (.github/workflows/{workflow}) and that it is on the default "
        "branch and on the ref; a token from another repository needs a PAT or an App token "
        "with Actions write",
    )


def _explain_permission(error: GitHubHTTPError, *, permission: str) -> GitHubError:
    """A 403 names the permission the call needs; other refusals pass through unchanged."""
    if error.status != 403:
        return error
    return GitHubHTTPError(
        f"{error.method} {error.path} was refused (403): the token lacks {permission}; "
        f"GitHub says: {error.api_message!r}",
        status=error.status,
        method=error.method,
        path=error.path,
        api_message=error.api_message,
        hint=f"grant the job `permissions:` {permission}, or use a PAT / App token with it",
    )
