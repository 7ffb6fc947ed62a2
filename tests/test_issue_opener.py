"""The issue opener opens one issue and writes one comment per gate run, whatever the API
answers: after a non-definitive answer it looks before it sends again, and says so when it
cannot tell (exit 7)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from retrain_gate.act.context import RunContext
from retrain_gate.act.issues import IssueAction, issue_marker, sync_issues
from retrain_gate.config.parse import load_config
from retrain_gate.engine.gate import check
from retrain_gate.errors import EXIT_UNCERTAIN
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.settings import GitHubSettings
from retrain_gate.results import Report
from tests.fakegithub import FakeGitHub, Reply
from tests.test_act import BLOCKED, SKIP, TOKEN, repo

ISSUES = "/repos/o/r/issues"
NOW = datetime(2026, 11, 4, tzinfo=timezone.utc)
RUN = RunContext(run_id="555", repository="o/r", ref_name="main")
GATEWAY = Reply(502, json={"message": "Bad Gateway"})
ACCEPTED_THEN_502 = Reply(502, json={"message": "Bad Gateway"}, acts=True)
LOOKS = (0.0, 0.0, 0.0, 0.0)


def opener(
    root: Path, fake: FakeGitHub, values: dict[str, list[object]] = BLOCKED
) -> tuple[Report, IssueAction]:
    settings = GitHubSettings(api_url=fake.url, repository="o/r", token=TOKEN, timeout=2.0)
    client = GitHubClient(settings, sleep=lambda _seconds: None)
    config = load_config(repo(root, values))
    report, (action,) = sync_issues(check(config, now=NOW), client=client, run=RUN, looks=LOOKS)
    return report, action


def test_an_issue_opened_then_answered_502_is_found_not_opened_twice(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    fake_github.script("POST", ISSUES, [ACCEPTED_THEN_502])

    report, action = opener(tmp_path, fake_github)

    assert list(fake_github.issues) == [1]  # one issue on the server
    assert len(fake_github.received("POST", ISSUES)) == 1  # sent once
    assert (action.status, action.number) == ("opened", 1)
    assert report.models[0].problems == ()


def test_an_issue_certainly_not_opened_is_sent_again(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    fake_github.script("POST", ISSUES, [GATEWAY])  # a 502 that opened nothing

    _, action = opener(tmp_path, fake_github)

    assert len(fake_github.received("POST", ISSUES)) == 2  # looked, absent, sent again
    assert list(fake_github.issues) == [1]
    assert action.status == "opened"


def test_an_issue_that_may_have_been_opened_is_exit_7_naming_the_page_to_check(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    # opened, then 502; every look fails, so the opener cannot tell
    fake_github.script("POST", ISSUES, [ACCEPTED_THEN_502])
    not_found = Reply(404, json={"message": "Not Found"})
    fake_github.script("GET", ISSUES, [Reply(200, json=[]), *[not_found] * len(LOOKS)])

    report, action = opener(tmp_path, fake_github)

    assert len(fake_github.received("POST", ISSUES)) == 1  # never sent twice
    assert action.status == "maybe"
    (problem,) = report.models[0].problems
    assert problem.exit_code == EXIT_UNCERTAIN == 7
    assert "the issue for churn may have been opened or commented on: GitHub answered 502" in (
        problem.message
    )
    assert "check https://github.com/o/r/issues before acting by hand" in problem.message
    assert report.models[0].decision == "blocked"  # the decision stands


def test_a_comment_accepted_then_answered_502_is_written_once(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    number = fake_github.add_issue(title="t", body=f"{issue_marker('churn')}\nold")
    comments = f"{ISSUES}/{number}/comments"
    fake_github.script("POST", comments, [ACCEPTED_THEN_502])

    _, action = opener(tmp_path, fake_github)

    assert len(fake_github.comments[number]) == 1
    assert len(fake_github.received("POST", comments)) == 1
    assert (action.status, action.number) == ("commented", number)


def test_a_closing_comment_lost_by_a_reset_is_sent_again_then_the_issue_closed(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    number = fake_github.add_issue(title="t", body=f"{issue_marker('churn')}\nold")
    comments = f"{ISSUES}/{number}/comments"
    fake_github.script("POST", comments, [Reply(drop="reset")])  # nothing written

    _, action = opener(tmp_path, fake_github, SKIP)

    assert len(fake_github.received("POST", comments)) == 2
    assert len(fake_github.comments[number]) == 1
    assert fake_github.comments[number][0].startswith(
        "<!-- retrain-gate:churn:gate-run:555.1 -->\nThe gate decides normally again"
    )
    assert fake_github.issues[number]["state"] == "closed"
    assert action.status == "closed"
