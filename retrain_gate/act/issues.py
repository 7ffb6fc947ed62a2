"""The issue opener: one issue per model while it is blocked or in error, closed when it
recovers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from retrain_gate.act.context import RunContext
from retrain_gate.act.plan import when as _when
from retrain_gate.errors import GitHubError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.issues import close_issue, comment_issue, create_issue, find_open_issue
from retrain_gate.results import ModelResult, Problem, Report

ISSUE_LABEL = "retrain-gate"


MAX_ISSUE_BODY_CHARS = 60_000  # GitHub refuses issue bodies over 65,536 characters


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
