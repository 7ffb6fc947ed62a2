"""The dispatch request for a model's decision: its inputs, fitted within GitHub's limits."""

from __future__ import annotations

import json
import urllib.parse

from retrain_gate.act.context import RunContext
from retrain_gate.errors import ConfigError
from retrain_gate.github.dispatches import (
    MAX_INPUTS_PAYLOAD_CHARS,
)
from retrain_gate.github.settings import run_details_supported
from retrain_gate.model import DispatchConfig, ModelConfig
from retrain_gate.results import ModelResult

MAX_REASONS_CHARS = 1000  # readable in a run's inputs; far under GitHub's 65,535 for all inputs


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
    body = {"ref": ref, "inputs": inputs}
    if run_details_supported(run.api_url):  # not on GitHub Enterprise Server (204 only)
        body["return_run_details"] = True
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


def _target(dispatch: DispatchConfig) -> str:
    if dispatch.event == "workflow_dispatch":
        return str(dispatch.workflow)
    return f"repository_dispatch {dispatch.event_type}"
