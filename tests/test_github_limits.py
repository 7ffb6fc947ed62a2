"""API answers that must not send users the wrong way: a secondary rate limit waits as
GitHub asks (and says so when it gives up), one time budget bounds the whole run, a 422
shows GitHub's errors[], and a missing workflow file gets its precise message whichever
call meets it first."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from retrain_gate.act.context import RunContext
from retrain_gate.act.dispatch import act
from retrain_gate.config.parse import load_config
from retrain_gate.engine.gate import check
from retrain_gate.errors import GitHubError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.issues import create_issue
from retrain_gate.github.runs import list_workflow_runs
from retrain_gate.github.settings import GitHubSettings
from tests.fakegithub import FakeGitHub, Reply
from tests.test_act import DISPATCH, RUNS, TOKEN, repo

SECONDARY = Reply(
    403,
    json={"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
    headers={"x-ratelimit-remaining": "4000"},  # not the primary limit, and no Retry-After
)


class Clock:
    """A monotonic clock that only the client's sleeps move."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def client_for(fake: FakeGitHub, *, budget: float, clock: Clock) -> GitHubClient:
    settings = GitHubSettings(
        api_url=fake.url, repository="o/r", token=TOKEN, timeout=2.0, budget=budget
    )
    return GitHubClient(settings, sleep=clock.sleep, monotonic=clock.monotonic)


def test_a_secondary_rate_limit_waits_a_minute_then_retries(fake_github: FakeGitHub) -> None:
    fake_github.script("GET", RUNS, [SECONDARY])
    clock = Clock()

    runs = list_workflow_runs(
        client_for(fake_github, budget=300, clock=clock), workflow="retrain.yml"
    )

    assert runs == []
    assert clock.sleeps == [60.0]  # GitHub: wait at least a minute
    assert len(fake_github.received("GET", RUNS)) == 2


def test_a_secondary_rate_limit_past_the_budget_gives_up_and_says_why(
    fake_github: FakeGitHub,
) -> None:
    fake_github.script("GET", RUNS, [SECONDARY] * 3)
    clock = Clock()

    with pytest.raises(GitHubError) as caught:
        list_workflow_runs(client_for(fake_github, budget=100, clock=clock), workflow="retrain.yml")

    message = str(caught.value)
    assert clock.sleeps == [60.0]  # the next wait, 120 s, would pass the 100 s budget
    assert "held by GitHub's secondary rate limit (403, 2 attempts)" in message
    assert "the next wait of 120 s would pass the 100 s API time budget" in message
    assert "actions: write" not in message  # not blamed on the token's permissions
    assert "secondary rate limit" in str(caught.value.hint)


def test_the_api_budget_spent_stops_before_sending(fake_github: FakeGitHub) -> None:
    clock = Clock()
    client = client_for(fake_github, budget=10, clock=clock)
    list_workflow_runs(client, workflow="retrain.yml")  # the budget starts with the first call
    clock.now += 11

    with pytest.raises(GitHubError) as caught:
        list_workflow_runs(client, workflow="retrain.yml")

    assert f"GET {RUNS}: the 10 s API time budget is spent; not sent" in str(caught.value)
    assert "api-timeout" in str(caught.value.hint)
    assert len(fake_github.received("GET", RUNS)) == 1


def test_server_errors_stop_retrying_at_the_budget(fake_github: FakeGitHub) -> None:
    fake_github.script("GET", RUNS, [Reply(503, json={"message": "Unavailable"})] * 4)
    clock = Clock()

    with pytest.raises(GitHubError) as caught:
        list_workflow_runs(client_for(fake_github, budget=2.5, clock=clock), workflow="retrain.yml")

    assert clock.sleeps == [1.0]  # then 2 s more would pass the 2.5 s budget
    assert "waiting 2 s more would pass the 2.5 s API time budget" in str(caught.value)
    assert len(fake_github.received("GET", RUNS)) == 2


def test_a_422_shows_githubs_error_details(fake_github: FakeGitHub) -> None:
    details = [
        {"resource": "Issue", "field": "title", "code": "missing_field"},
        {"resource": "Label", "code": "invalid", "message": "label name is too long"},
    ]
    fake_github.script(
        "POST",
        "/repos/o/r/issues",
        [Reply(422, json={"message": "Validation Failed", "errors": details})],
    )

    with pytest.raises(GitHubError) as caught:
        create_issue(client_for(fake_github, budget=60, clock=Clock()), title="t", body="b")

    assert "Validation Failed (title: missing_field; label name is too long)" in str(caught.value)


def test_a_missing_workflow_met_first_by_the_guards_list_gets_the_precise_message(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    fake_github.script("GET", RUNS, [Reply(404, json={"message": "Not Found"})])
    config = load_config(repo(tmp_path))  # cooldown and the default in-flight guard
    now = datetime(2026, 11, 4, tzinfo=timezone.utc)
    run = RunContext(run_id="555", repository="o/r", ref_name="main")

    report = act(
        config,
        check(config, now=now),
        client=client_for(fake_github, budget=60, clock=Clock()),
        run=run,
        now=now,
        dry_run=False,
    )

    (model,) = report.models
    messages = " ".join(p.message for p in model.problems)
    assert "the workflow file retrain.yml does not exist on ref main in o/r" in messages
    assert ".github/workflows/retrain.yml" in messages  # the hint: where the file must be
    assert fake_github.received("POST", DISPATCH) == []  # nothing dispatched
    assert model.dispatch is not None and model.dispatch.status == "failed"
