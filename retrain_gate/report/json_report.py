"""`--format json`: documented, versioned, stable (docs/json-report.md).

Fields are only ever added within one `schema_version`; renaming or removing one bumps it.
"""

from __future__ import annotations

import json
from typing import Any

from retrain_gate import __version__
from retrain_gate.results import CardState, ModelResult, Outcome, Report

SCHEMA_VERSION = 1


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "name": outcome.name,
        "kind": outcome.kind,
        "role": outcome.role,
        "status": outcome.status,
        "severity": outcome.severity,
        "metric": outcome.metric,
        "observed": outcome.observed,
        "threshold": outcome.threshold,
        "reason": outcome.reason,
        "config_line": outcome.line,
        "members": [outcome_json(m) for m in outcome.members],
    }


def card_json(card: CardState | None) -> dict[str, Any] | None:
    if card is None:
        return None
    return {
        "version": card.version,
        "trained_at": card.trained_at.isoformat() if card.trained_at else None,
        "last_attempt": None
        if card.last_result is None
        else {
            "result": card.last_result,
            "at": card.last_at.isoformat() if card.last_at else None,
            "reason": card.last_reason,
            "gate_run": card.last_gate_run,
        },
    }


def model_json(result: ModelResult) -> dict[str, Any]:
    dispatch = result.dispatch
    return {
        "model": result.model,
        "decision": result.decision,
        "summary": result.summary,
        "triggers": [outcome_json(o) for o in result.triggers],
        "checks": [outcome_json(o) for o in result.checks],
        "problems": [
            {"message": p.message, "file": p.file, "line": p.line, "exit_code": p.exit_code}
            for p in result.problems
        ],
        "dispatch": None
        if dispatch is None
        else {
            "status": dispatch.status,
            "message": dispatch.message,
            "method": dispatch.method,
            "url": dispatch.url,
            "body": dispatch.body,
            "run_url": dispatch.run_url,
            "run_id": dispatch.run_id,
        },
        "card": card_json(result.card),
    }


def report_json(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": f"retrain-gate {__version__}",
        "now": report.now.isoformat(),
        "config": report.config_path,
        "decision": report.decision,
        "exit_code": report.exit_code,
        "models": [model_json(m) for m in report.models],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
