"""A workflow's runs, as the dispatch guards read them."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

from retrain_gate.errors import GitHubError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.dispatches import _explain_permission, missing_workflow
from retrain_gate.github.failures import GitHubHTTPError


@dataclass(frozen=True)
class WorkflowRun:
    """One run of a workflow, as the cooldown and in-flight guards need it."""

    id: int
    status: str  # queued, in_progress, waiting, pending, requested, completed...
    conclusion: str | None
    created_at: datetime  # timezone-aware, UTC
    html_url: str
    event: str
    display_title: str
    run_started_at: datetime | None = None  # when this attempt started (absent on old servers)


def list_workflow_runs(
    client: GitHubClient,
    *,
    workflow: str,
    status: str | None = None,
    created: str | None = None,
    per_page: int = 30,
    ref: str | None = None,
) -> list[WorkflowRun]:
    """The newest runs of `workflow` (first page only, newest first, as GitHub orders them).

    `status` and `created` are passed through as GitHub's filters (e.g. "in_progress",
    ">=2026-11-01T00:00:00Z"). `ref`, the ref a dispatch would run on, only words a 404
    (the same message as the dispatch's own).
    """
    if not 1 <= per_page <= 100:
        raise ValueError(f"per_page must be between 1 and 100, got {per_page}")
    params = {"per_page": str(per_page)}
    if status:
        params["status"] = status
    if created:
        params["created"] = created
    path = f"/repos/{client.repository}/actions/workflows/{urllib.parse.quote(workflow, safe='')}"
    path += "/runs"
    try:
        response = client.request("GET", path, params=params)
    except GitHubHTTPError as error:
        if error.status == 404:
            raise missing_workflow(
                error, workflow=workflow, ref=ref, repository=client.repository
            ) from None
        raise _explain_permission(error, permission="actions: read") from None
    data = response.data
    runs = data.get("workflow_runs") if isinstance(data, dict) else None
    if not isinstance(runs, list):
        raise GitHubError(f"GET {path}: the answer has no workflow_runs list")
    return [_workflow_run(item, path=path) for item in runs]


def get_workflow_run(
    client: GitHubClient, *, run_id: int, attempt: int | None = None
) -> WorkflowRun:
    """One run of any workflow (e.g. the gate's own): GET /repos/{repo}/actions/runs/{run_id},
    or with `attempt`, that attempt of it: GET .../runs/{run_id}/attempts/{attempt}."""
    path = f"/repos/{client.repository}/actions/runs/{run_id}"
    if attempt is not None:
        path += f"/attempts/{attempt}"
    try:
        response = client.request("GET", path)
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="actions: read") from None
    return _workflow_run(response.data, path=path)


def _workflow_run(item: object, *, path: str) -> WorkflowRun:
    if not isinstance(item, dict):
        raise GitHubError(f"GET {path}: a workflow run is not an object: {item!r:.80}")
    try:
        run_id = item["id"]
        created_text = item["created_at"]
        if not isinstance(run_id, int) or not isinstance(created_text, str):
            raise TypeError
        created_at = _utc(created_text)
        started_text = item.get("run_started_at")
        conclusion = item.get("conclusion")
        return WorkflowRun(
            id=run_id,
            status=str(item["status"]),
            conclusion=str(conclusion) if conclusion is not None else None,
            created_at=created_at,
            html_url=str(item.get("html_url") or ""),
            event=str(item.get("event") or ""),
            display_title=str(item.get("display_title") or ""),
            run_started_at=_utc(started_text) if isinstance(started_text, str) else None,
        )
    except (KeyError, TypeError, ValueError):
        raise GitHubError(
            f"GET {path}: workflow run {item.get('id')!r} lacks a usable id, status or created_at"
        ) from None


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
