"""The issue opener: one issue per model while it is blocked or in error, closed when it
recovers.

Opening an issue and commenting start something, so each is sent at most once whatever the
API answers (`act.once`): after a non-definitive answer (a 5xx, no answer in time, a dropped
connection) the opener looks for the issue by its marker, or for the comment by this gate
run's own marker, and sends again only when it is certainly absent. When it cannot tell,
the model's state is `maybe`: a problem with exit code 7, naming the issues page to check.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, TypeVar

from retrain_gate.act.context import RunContext
from retrain_gate.act.once import LOOKS, Look, Sent, at_most_once
from retrain_gate.act.plan import when as _when
from retrain_gate.errors import EXIT_UNCERTAIN, GitHubError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.failures import MaybeActedError
from retrain_gate.github.issues import (
    close_issue,
    comment_issue,
    create_issue,
    find_open_issue,
    has_comment,
)
from retrain_gate.results import ModelResult, Problem, Report

ISSUE_LABEL = "retrain-gate"


MAX_ISSUE_BODY_CHARS = 60_000  # GitHub refuses issue bodies over 65,536 characters


IssueStatus = Literal["opened", "commented", "closed", "none", "failed", "maybe"]


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


class _Unsure(Exception):
    """A create or comment that may have been done: GitHub's answer did not say."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def sync_issues(
    report: Report,
    *,
    client: GitHubClient,
    run: RunContext,
    looks: Sequence[float] = LOOKS,
) -> tuple[Report, tuple[IssueAction, ...]]:
    """Keep one issue per model open while it is blocked or error, closed once it decides
    normally again. A GitHub failure becomes a Problem of that model (exit 4; exit 7 when an
    issue or comment may have been made without GitHub saying so); its decision stays as it
    was, and the other models are still handled. `looks`: the pauses before each look for
    what a non-definitive answer may have made."""
    # this gate run's mark on its comments: a look finds its own comment, not an older one
    stamp = f"{run.run_id}.{run.run_attempt}" if run.run_id else uuid.uuid4().hex[:12]
    repository = run.repository or "{owner}/{repo}"
    issues_page = f"{run.server_url.rstrip('/')}/{repository}/issues"
    results: list[ModelResult] = []
    actions: list[IssueAction] = []
    for result in report.models:
        opener = _Opener(client=client, run=run, looks=looks, stamp=stamp, model=result.model)
        try:
            action = opener.sync(result, now=report.now)
        except _Unsure as unsure:
            issues_page = (
                f"{run.server_url.rstrip('/')}/{run.repository or '{owner}/{repo}'}/issues"
            )
            message = (
                f"the issue for {result.model} may have been opened or commented on: "
                f"{unsure.what}; check {issues_page} before acting by hand"
            )
            problem = Problem(message=message, exit_code=EXIT_UNCERTAIN)
            results.append(replace(result, problems=(*result.problems, problem)))
            actions.append(IssueAction(result.model, "maybe", None, f"issue: {message}"))
            continue
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


_A = TypeVar("_A")


@dataclass(frozen=True)
class _Opener:
    """One model's issue: found by its marker, its comments by this gate run's marker."""

    client: GitHubClient
    run: RunContext
    looks: Sequence[float]
    stamp: str
    model: str

    def sync(self, result: ModelResult, *, now: datetime) -> IssueAction:
        from retrain_gate.report.markdown import model_section

        client, model = self.client, self.model
        marker = issue_marker(model)
        link = f" ([gate run]({self.run.gate_run_url}))" if self.run.gate_run_url else ""
        section = "\n".join(model_section(result))
        number = find_open_issue(client, marker=marker)
        if result.decision in ("blocked", "error"):
            text = _clip(
                f"The gate decided **{result.decision}** for `{model}` as of "
                f"{_when(now)}{link}.\n\n{section}\n"
            )
            if number is not None:
                self.comment(number, f"Still not decided normally.\n\n{text}")
                return IssueAction(model, "commented", number, f"commented on issue #{number}")
            title = f"retrain-gate: {model} is {result.decision}"
            number = self.once(
                lambda: create_issue(
                    client, title=title, body=f"{marker}\n{text}", labels=(ISSUE_LABEL,)
                ),
                lambda: find_open_issue(client, marker=marker),
            )
            return IssueAction(model, "opened", number, f"opened issue #{number}")
        if number is None:
            return IssueAction(model, "none", None, "no issue needed")
        self.comment(
            number,
            _clip(
                f"The gate decides normally again: **{result.decision}** as of "
                f"{_when(now)}{link}. Closing.\n\n{section}\n"
            ),
        )
        close_issue(client, number=number)  # closing twice is harmless: sent without a look
        return IssueAction(model, "closed", number, f"closed issue #{number}")

    def comment(self, number: int, text: str) -> None:
        client = self.client
        mark = f"<!-- retrain-gate:{self.model}:gate-run:{self.stamp} -->"
        self.once(
            lambda: comment_issue(client, number=number, body=f"{mark}\n{text}"),
            lambda: number if has_comment(client, number=number, marker=mark) else None,
        )

    def once(self, send: Callable[[], _A], find: Callable[[], int | None]) -> int:
        """What `send` made, sent at most once: after a non-definitive answer, `find()` looks
        for it (None: absent). GitHubError when certainly not done; _Unsure when it may have
        been."""

        def look() -> Look[int]:
            found = find()
            return Look("absent") if found is None else Look("found", found)

        sent: Sent[_A, int] = at_most_once(send, look, pause=self.client.pause, looks=self.looks)
        error = sent.error
        what = error.what if isinstance(error, MaybeActedError) else "no definitive answer"
        if sent.state == "sent":
            return sent.answer if isinstance(sent.answer, int) else 0
        if sent.state == "found":
            assert sent.found is not None
            return sent.found
        if sent.state == "failed":
            assert error is not None
            if isinstance(error, MaybeActedError):
                raise GitHubError(
                    f"{error.message}: {what} to each of {sent.sends} sends, and none of them "
                    "appeared when looked for",
                    hint="GitHub may be having an incident: see https://www.githubstatus.com",
                )
            raise error
        raise _Unsure(f"{what}, and {sent.why or 'looking for it could not tell'}")


def _clip(text: str) -> str:
    if len(text) <= MAX_ISSUE_BODY_CHARS:
        return text
    note = "\n\n… (cut to fit GitHub's limit; see the gate run's summary for the rest)\n"
    return text[: MAX_ISSUE_BODY_CHARS - len(note)] + note
