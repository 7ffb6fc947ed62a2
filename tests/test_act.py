"""The act stage through the CLI and a real fake GitHub API on 127.0.0.1: dispatch, guards, faults.

Each test asserts what the API received (method, path, headers, body), what the report says
about the dispatch, and the exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from retrain_gate import __version__
from retrain_gate.act.context import RunContext, run_context_from_env
from retrain_gate.act.dispatch import act
from retrain_gate.act.issues import issue_marker
from retrain_gate.act.request import MAX_REASONS_CHARS, dispatch_request, reasons_line
from retrain_gate.cli import main
from retrain_gate.config.parse import load_config
from retrain_gate.engine.gate import check
from retrain_gate.errors import ConfigError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.settings import GitHubSettings
from retrain_gate.results import Outcome, Report
from tests.conftest import daily_csv, write
from tests.fakegithub import FakeGitHub, Recorded, Reply, closed_port_url

TOKEN = "ghs_RecognisableSecret_DoNotPrint_0123456789"
NOW = "2026-11-04"  # the day after the newest observation (2026-11-03)
DISPATCH = "/repos/o/r/actions/workflows/retrain.yml/dispatches"
RUNS = "/repos/o/r/actions/workflows/retrain.yml/runs"
GATE_RUN_URL = "https://github.com/o/r/actions/runs/555"

# accuracy under 0.8 on the newest day fires the trigger; rows under 100 fail the check
RETRAIN = {"accuracy": [0.9, 0.9, 0.7], "rows": [500, 500, 500]}
SKIP = {"accuracy": [0.9, 0.9, 0.9], "rows": [500, 500, 500]}
BLOCKED = {"accuracy": [0.9, 0.9, 0.7], "rows": [500, 500, 50]}
REASON = "accuracy 0.7 < 0.8 on 2026-11-03"


def model_yaml(name: str, dispatch: str) -> str:
    return f"""\
  {name}:
    metrics: {{path: metrics/{name}.csv, time: date}}
    dispatch:
{dispatch}
    triggers:
      - {{name: accuracy-floor, metric: accuracy, below: 0.8}}
    checks:
      - {{name: enough-rows, metric: rows, at_least: 100}}
"""


WORKFLOW_DISPATCH = """\
      workflow: retrain.yml
      ref: main
      inputs: {priority: high}
      cooldown: 7d"""


def repo(
    root: Path,
    values: dict[str, list[object]] = RETRAIN,
    *,
    dispatch: str = WORKFLOW_DISPATCH,
    more: dict[str, tuple[dict[str, list[object]], str]] | None = None,
) -> Path:
    """A repository with model `churn` (and `more` models); returns the config's path."""
    models = {"churn": (values, dispatch), **(more or {})}
    text = "version: 1\nmodels:\n" + "".join(model_yaml(n, d) for n, (_, d) in models.items())
    files = {f"metrics/{n}.csv": daily_csv(v) for n, (v, _) in models.items()}
    write(root, {"retrain-gate.yml": text, **files})
    return root / "retrain-gate.yml"


@pytest.fixture
def fake(fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """The fake API, and the runner's environment pointing at it."""
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_RUN_ID", "555")
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "1")
    monkeypatch.setenv("GITHUB_REF_NAME", "main")
    monkeypatch.delenv("INPUT_TOKEN", raising=False)
    return fake_github


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def gate(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `retrain-gate check` on a config; returns (exit code, stdout, stderr)."""

    def run(config: Path, *flags: str, fmt: str = "terminal") -> tuple[int, str, str]:
        code = main(["check", "--config", str(config), "--now", NOW, "--format", fmt, *flags])
        out, err = capsys.readouterr()
        assert TOKEN not in out + err  # the token is never printed, whatever happened
        return code, out, err

    return run


def flat(text: str) -> str:
    """The terminal report with its wrapping undone: one space between words."""
    return " ".join(text.split())


def json_model(out: str, name: str = "churn") -> dict[str, Any]:
    report = json.loads(out)
    return next(m for m in report["models"] if m["model"] == name)


def posts(fake: FakeGitHub) -> list[Recorded]:
    return [r for r in fake.requests if r.method == "POST"]


def assert_api_headers(request: Recorded) -> None:
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["user-agent"] == f"retrain-gate/{__version__}"


def expected_inputs(**changes: str) -> dict[str, str]:
    inputs = {
        "model": "churn",
        "decision": "retrain",
        "reasons": f"accuracy-floor fired: accuracy-floor: {REASON}",
        "gate_run_url": GATE_RUN_URL,
        "gate_run_id": "555",
        "priority": "high",
    }
    inputs.update(changes)
    return inputs


def workflow_run(
    run_id: int,
    created_at: str,
    *,
    status: str = "completed",
    conclusion: str | None = "success",
    event: str = "workflow_dispatch",
    title: str = "Retrain",
) -> dict[str, object]:
    return {
        "id": run_id,
        "status": status,
        "conclusion": conclusion if status == "completed" else None,
        "created_at": created_at,
        "run_started_at": created_at,
        "event": event,
        "display_title": title,
        "html_url": f"https://github.com/o/r/actions/runs/{run_id}",
    }


# -- dispatching -----------------------------------------------------------------------------------


def test_retrain_sends_one_dispatch_with_string_inputs_and_reports_the_run(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    code, out, _ = gate(repo(tmp_path), "--dispatch", fmt="json")

    assert code == 0
    # the guards read the newest runs, then one POST
    assert [(r.method, r.path) for r in fake.requests] == [("GET", RUNS), ("POST", DISPATCH)]
    assert fake.requests[0].query == {"per_page": "100"}
    post = fake.requests[1]
    assert_api_headers(post)
    assert post.headers["content-type"] == "application/json"
    assert post.body == {"ref": "main", "inputs": expected_inputs(), "return_run_details": True}
    model = json_model(out)
    assert model["decision"] == "retrain"
    assert model["dispatch"] == {
        "status": "dispatched",
        "message": "dispatched retrain.yml on main: run 9001 "
        "https://github.com/o/r/actions/runs/9001",
        "method": "POST",
        "url": fake.url + DISPATCH,
        "body": post.body,
        "run_url": "https://github.com/o/r/actions/runs/9001",
        "run_id": 9001,
    }


def test_a_plain_204_is_dispatched_without_a_run_url(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    fake.script("POST", DISPATCH, [Reply(204)])

    code, out, _ = gate(repo(tmp_path), "--dispatch")

    assert code == 0
    assert len(posts(fake)) == 1
    assert "churn: RETRAIN" in out
    assert (
        "dispatch: dispatched retrain.yml on main (GitHub answered 204 without the run's URL)"
        in flat(out)
    )


def test_the_config_inputs_win_over_the_gates_own(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    dispatch = "      workflow: retrain.yml\n      inputs: {model: churn-eu, reasons: weekly}"

    code, _, _ = gate(repo(tmp_path, dispatch=dispatch), "--dispatch")

    assert code == 0
    # no ref in the config: the branch the gate runs on (GITHUB_REF_NAME)
    inputs = expected_inputs(model="churn-eu", reasons="weekly")
    del inputs["priority"]
    assert posts(fake)[0].body == {"ref": "main", "inputs": inputs, "return_run_details": True}


@pytest.mark.parametrize(
    ("values", "decision", "message"),
    [
        (SKIP, "SKIP", "not dispatched: no trigger fired"),
        (BLOCKED, "BLOCKED", "not dispatched: the retrain is blocked by a failed check"),
    ],
)
def test_skip_and_blocked_send_nothing(
    tmp_path: Path,
    fake: FakeGitHub,
    gate: Run,
    values: dict[str, list[object]],
    decision: str,
    message: str,
) -> None:
    code, out, _ = gate(repo(tmp_path, values), "--dispatch")

    assert code == 0
    assert fake.requests == []
    assert f"churn: {decision}" in out
    assert f"dispatch: {message}" in flat(out)


def test_dry_run_sends_nothing_and_needs_no_token(
    tmp_path: Path, fake: FakeGitHub, gate: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")

    code, out, _ = gate(repo(tmp_path), "--dispatch", "--dry-run", fmt="json")

    assert code == 0
    assert fake.requests == []
    dispatch = json_model(out)["dispatch"]
    body = {"ref": "main", "inputs": expected_inputs(), "return_run_details": True}
    assert dispatch["status"] == "dry-run"
    assert dispatch["method"] == "POST"
    assert dispatch["url"] == fake.url + DISPATCH
    assert dispatch["body"] == body
    assert dispatch["message"] == (
        f"dry-run: would start retrain.yml on main (POST {DISPATCH}); "
        "nothing sent (guards not checked)"
    )


def test_a_model_without_dispatch_section_is_reported_as_disabled(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    config = repo(tmp_path)
    text = config.read_text().replace("    dispatch:\n" + WORKFLOW_DISPATCH + "\n", "")
    config.write_text(text)

    code, out, _ = gate(config, "--dispatch")

    assert code == 0
    assert fake.requests == []
    assert "dispatch: disabled: this model has no `dispatch:` section" in flat(out)


# -- guards --------------------------------------------------------------------------------------


def test_cooldown_holds_the_dispatch(tmp_path: Path, fake: FakeGitHub, gate: Run) -> None:
    fake.workflow_runs = [workflow_run(123, "2026-11-01T00:03:00Z")]

    code, out, _ = gate(repo(tmp_path), "--dispatch")

    assert code == 0
    assert posts(fake) == []
    assert "churn: RETRAIN" in out  # held is not a failure
    assert (
        "dispatch: held: retrain.yml run 123 started 2026-11-01T00:03Z is within the 7d "
        "cooldown (until 2026-11-08T00:03Z)"
    ) in flat(out)


def test_a_run_older_than_the_cooldown_does_not_hold(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    fake.workflow_runs = [workflow_run(120, "2026-10-27T23:59:00Z")]  # 7d and 1 min before

    code, out, _ = gate(repo(tmp_path), "--dispatch")

    assert code == 0
    assert len(posts(fake)) == 1
    assert "dispatch: dispatched retrain.yml on main: run 9001" in flat(out)


@pytest.mark.parametrize("status", ["queued", "in_progress", "waiting", "pending", "requested"])
def test_a_run_in_flight_holds_the_dispatch(
    tmp_path: Path, fake: FakeGitHub, gate: Run, status: str
) -> None:
    # started long before the cooldown: only the in-flight guard can hold it
    fake.workflow_runs = [
        workflow_run(130, "2026-10-01T06:00:00Z", status=status),
        workflow_run(129, "2026-09-30T06:00:00Z"),
    ]

    code, out, _ = gate(repo(tmp_path), "--dispatch")

    assert code == 0
    assert posts(fake) == []
    assert (
        f"dispatch: held: retrain.yml run 130 started 2026-10-01T06:00Z is still {status}: "
        "one retraining at a time (in_flight)"
    ) in flat(out)


def test_in_flight_false_lets_a_running_run_pass(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    fake.workflow_runs = [workflow_run(130, "2026-10-01T06:00:00Z", status="in_progress")]
    dispatch = "      workflow: retrain.yml\n      ref: main\n      in_flight: false"

    code, _, _ = gate(repo(tmp_path, dispatch=dispatch), "--dispatch")

    assert code == 0
    assert len(posts(fake)) == 1


NO_COOLDOWN = "      workflow: retrain.yml\n      ref: main"


def gate_run_attempts(fake: FakeGitHub) -> None:
    """Gate run 555: attempt 1 created 00:00:05 and started 00:00:07; now on attempt 2."""
    gate_run = workflow_run(555, "2026-11-04T00:00:05Z", status="in_progress", event="schedule")
    gate_run["run_started_at"] = "2026-11-04T02:00:00Z"  # attempt 2
    fake.other_runs = [gate_run]
    fake.run_attempts[(555, 1)] = {**gate_run, "run_started_at": "2026-11-04T00:00:07Z"}


def test_a_rerun_of_a_gate_run_that_dispatched_holds(
    tmp_path: Path, fake: FakeGitHub, gate: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    gate_run_attempts(fake)
    # attempt 1 dispatched this run a minute after it started; it failed, so nothing is in flight
    fake.workflow_runs = [
        workflow_run(9001, "2026-11-04T00:01:00Z", conclusion="failure"),
        workflow_run(8000, "2026-10-01T00:00:00Z"),
    ]

    code, out, _ = gate(repo(tmp_path, dispatch=NO_COOLDOWN), "--dispatch")

    assert code == 0
    assert posts(fake) == []
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", RUNS),
        ("GET", "/repos/o/r/actions/runs/555/attempts/1"),
    ]
    assert (
        "dispatch: held: this is attempt 2 of gate run 555 (first started 2026-11-04T00:00Z), "
        "and retrain.yml run 9001 was started by workflow_dispatch at 2026-11-04T00:01Z, after "
        "it: an earlier attempt already dispatched"
    ) in flat(out)


def test_a_rerun_whose_first_attempt_did_not_dispatch_dispatches(
    tmp_path: Path, fake: FakeGitHub, gate: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")
    gate_run_attempts(fake)
    # a run before the gate run, and a later run started by a push: neither is a dispatch of ours
    fake.workflow_runs = [
        workflow_run(9002, "2026-11-04T00:30:00Z", event="push"),
        workflow_run(8000, "2026-11-03T23:59:00Z"),
    ]

    code, out, _ = gate(repo(tmp_path, dispatch=NO_COOLDOWN), "--dispatch")

    assert code == 0
    assert len(posts(fake)) == 1
    assert "dispatch: dispatched retrain.yml on main: run 9001" in flat(out)


def test_a_rerun_that_cannot_read_its_own_run_fails_closed(
    tmp_path: Path, fake: FakeGitHub, gate: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "3")  # and run 555 is unknown to the API: 404

    code, out, _ = gate(repo(tmp_path, dispatch=NO_COOLDOWN), "--dispatch")

    assert code == 4
    assert posts(fake) == []
    assert "churn: ERROR" in out
    assert "GET /repos/o/r/actions/runs/555/attempts/1 answered 404" in flat(out)


# -- faults --------------------------------------------------------------------------------------


def test_a_server_error_is_retried_and_dispatches_once(tmp_path: Path, fake: FakeGitHub) -> None:
    # a 500 that started nothing: the looks find no run, so the same dispatch is sent again
    fake.script("POST", DISPATCH, [Reply(500, json={"message": "Server Error"}), Reply(204)])
    settings = GitHubSettings(api_url=fake.url, repository="o/r", token=TOKEN)
    client = GitHubClient(settings, sleep=lambda _seconds: None)  # the looks' pauses: no wait
    config = load_config(repo(tmp_path))
    now = datetime(2026, 11, 4, tzinfo=timezone.utc)
    run = RunContext(run_id="555", repository="o/r", ref_name="main")

    report = act(config, check(config, now=now), client=client, run=run, now=now, dry_run=False)

    (model,) = report.models
    assert len(posts(fake)) == 2  # the 500, then the dispatch GitHub accepted
    assert posts(fake)[0].body == posts(fake)[1].body
    assert model.dispatch is not None and model.dispatch.status == "dispatched"
    assert model.dispatch.message.startswith("dispatched retrain.yml on main")
    assert report.exit_code == 0


@pytest.mark.parametrize(
    ("status", "api_message", "expected"),
    [
        (401, "Bad credentials", "was refused (401): the token is invalid or expired"),
        (
            403,
            "Resource not accessible by integration",
            "was refused (403): the token lacks actions: write",
        ),
        (
            404,
            "Not Found",
            "answered 404: the workflow file retrain.yml does not exist on ref main in o/r",
        ),
        (
            422,
            'Unexpected inputs provided: ["priority"]',
            "was rejected (422): the retraining "
            "workflow retrain.yml must declare every input it is sent",
        ),
    ],
)
def test_a_refusal_is_one_clear_error_and_no_second_dispatch(
    tmp_path: Path, fake: FakeGitHub, gate: Run, status: int, api_message: str, expected: str
) -> None:
    fake.script("POST", DISPATCH, [Reply(status, json={"message": api_message})])

    code, out, err = gate(repo(tmp_path), "--dispatch")

    assert code == 4
    assert len(posts(fake)) == 1  # not retried, and no fallback dispatch with other inputs
    assert "churn: ERROR" in out
    assert flat(out).count(f"POST {DISPATCH} {expected}") == 1
    assert "dispatch: failed: nothing was dispatched to retrain.yml (see the error)" in flat(out)
    assert err == ""


def test_an_echoed_token_is_scrubbed_from_the_report(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    fake.script("POST", DISPATCH, [Reply(401, json={"message": f"Bad credentials {TOKEN}"})])
    output = tmp_path / "report.json"

    code, _, _ = gate(repo(tmp_path), "--dispatch", "--output", str(output), fmt="json")

    assert code == 4
    text = output.read_text()
    assert TOKEN not in text
    assert "Bad credentials ***" in text


def test_reading_the_runs_fails_closed(tmp_path: Path, fake: FakeGitHub, gate: Run) -> None:
    fake.script("GET", RUNS, [Reply(403, json={"message": "Resource not accessible"})])

    code, out, _ = gate(repo(tmp_path), "--dispatch")

    assert code == 4
    assert posts(fake) == []
    assert f"GET {RUNS} was refused (403): the token lacks actions: read" in flat(out)


def client_for(url: str, *, timeout: float = 10.0) -> tuple[GitHubClient, list[float]]:
    sleeps: list[float] = []
    settings = GitHubSettings(api_url=url, repository="o/r", token=TOKEN, timeout=timeout)
    return GitHubClient(settings, sleep=sleeps.append), sleeps


def act_directly(root: Path, client: GitHubClient, *, dispatch: str = NO_COOLDOWN) -> Report:
    config = load_config(repo(root, dispatch=dispatch))
    now = datetime(2026, 11, 4, tzinfo=timezone.utc)
    run = RunContext(run_id="555", repository="o/r", ref_name="main")
    return act(config, check(config, now=now), client=client, run=run, now=now, dry_run=False)


def test_a_dispatch_unanswered_past_the_timeout_that_started_a_run_is_not_sent_again(
    tmp_path: Path, fake: FakeGitHub
) -> None:
    # GitHub started the run, but its answer came too late: the gate finds the run by its id
    fake.script("POST", DISPATCH, [Reply(204, delay=1.0, acts=True)])
    client, sleeps = client_for(fake.url, timeout=0.3)

    report = act_directly(tmp_path, client)

    assert len(posts(fake)) == 1
    assert len(fake.started) == 1
    (model,) = report.models
    assert model.decision == "retrain"
    assert report.exit_code == 0
    assert model.dispatch is not None and model.dispatch.status == "dispatched"
    assert model.dispatch.run_id == fake.started[0]["id"]
    assert sleeps == [2.0]  # one look was enough


def test_a_dispatch_unanswered_that_started_nothing_is_sent_again_once(
    tmp_path: Path, fake: FakeGitHub
) -> None:
    fake.script("POST", DISPATCH, [Reply(204, delay=1.0)])
    client, sleeps = client_for(fake.url, timeout=0.3)

    report = act_directly(tmp_path, client)

    assert len(posts(fake)) == 2
    assert len(fake.started) == 1
    (model,) = report.models
    assert model.dispatch is not None and model.dispatch.status == "dispatched"
    assert sleeps == [2.0, 3.0, 5.0, 5.0]  # looked for about 15 s before sending again


def test_a_refused_connection_is_retried_then_fails_closed(tmp_path: Path) -> None:
    url = closed_port_url()
    client, sleeps = client_for(url, timeout=2.0)

    report = act_directly(tmp_path, client)

    (model,) = report.models
    assert model.decision == "error"
    assert report.exit_code == 4
    assert sleeps == [1.0, 2.0, 4.0]  # the guards' GET, tried 4 times
    (problem,) = model.problems
    assert problem.message.startswith(
        f"GET {RUNS}: could not connect to {url.removeprefix('http://')} ("
    )
    assert model.dispatch is not None
    assert model.dispatch.message == "failed: nothing was dispatched to retrain.yml (see the error)"


def test_one_model_failing_does_not_stop_the_other(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    fraud = "      workflow: retrain-fraud.yml\n      ref: main"
    config = repo(tmp_path, more={"fraud": (RETRAIN, fraud)})
    fake.script("POST", DISPATCH, [Reply(404, json={"message": "Not Found"})])

    code, out, _ = gate(config, "--dispatch", fmt="json")

    assert code == 4  # after reporting both
    assert [r.path for r in posts(fake)] == [
        DISPATCH,
        "/repos/o/r/actions/workflows/retrain-fraud.yml/dispatches",
    ]
    assert json_model(out, "churn")["decision"] == "error"
    assert json_model(out, "churn")["dispatch"]["status"] == "failed"
    assert json_model(out, "fraud")["decision"] == "retrain"
    assert json_model(out, "fraud")["dispatch"]["status"] == "dispatched"


def test_the_markdown_report_shows_the_held_dispatch(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    fake.workflow_runs = [workflow_run(123, "2026-11-01T00:03:00Z")]

    code, out, _ = gate(repo(tmp_path), "--dispatch", fmt="markdown")

    assert code == 0
    assert posts(fake) == []
    assert (
        "held: retrain.yml run 123 started 2026-11-01T00:03Z is within the 7d cooldown "
        "(until 2026-11-08T00:03Z)"
    ) in out


# -- repository_dispatch ---------------------------------------------------------------------------


def test_repository_dispatch_sends_event_and_payload_and_guards_its_workflow(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    dispatch = (
        "      event_type: retrain\n      client_payload: {team: ml}\n"
        "      guard_workflow: retrain-on-event.yml\n      cooldown: 1d"
    )

    code, out, _ = gate(repo(tmp_path, dispatch=dispatch), "--dispatch")

    assert code == 0
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/repos/o/r/actions/workflows/retrain-on-event.yml/runs"),
        ("POST", "/repos/o/r/dispatches"),
    ]
    assert posts(fake)[0].body == {
        "event_type": "retrain",
        "client_payload": {
            "model": "churn",
            "decision": "retrain",
            "reasons": f"accuracy-floor fired: accuracy-floor: {REASON}",
            "gate_run_url": GATE_RUN_URL,
            "team": "ml",
        },
    }
    assert "dispatch: dispatched repository_dispatch retrain (GitHub answered 204" in flat(out)


def test_repository_dispatch_without_guard_workflow_holds_a_rerun(
    tmp_path: Path, fake: FakeGitHub, gate: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_RUN_ATTEMPT", "2")

    code, out, _ = gate(repo(tmp_path, dispatch="      event_type: retrain"), "--dispatch")

    assert code == 0
    assert fake.requests == []
    assert "dispatch: held: this is attempt 2 of gate run 555, and without guard_workflow" in flat(
        out
    )


def test_repository_dispatch_cooldown_needs_guard_workflow(tmp_path: Path, gate: Run) -> None:
    dispatch = "      event_type: retrain\n      cooldown: 7d"

    code, _, err = gate(repo(tmp_path, dispatch=dispatch), "--dry-run")

    assert code == 2
    assert "cooldown needs guard_workflow with repository_dispatch" in err
    assert "add e.g. `guard_workflow: retrain.yml`" in err


def test_guard_workflow_with_workflow_dispatch_is_a_config_error(tmp_path: Path, gate: Run) -> None:
    dispatch = "      workflow: retrain.yml\n      guard_workflow: other.yml"

    code, out, err = gate(repo(tmp_path, dispatch=dispatch), "--dry-run")

    assert code == 2
    assert out == ""
    assert "models.churn.dispatch.guard_workflow is for repository_dispatch only" in err


# -- a workflow shared by several models -------------------------------------------------------


def test_a_shared_workflow_is_guarded_per_model_by_run_title(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    config = repo(tmp_path, more={"fraud": (RETRAIN, WORKFLOW_DISPATCH)})
    # fraud retrained yesterday (its title names it); churn did not
    fake.workflow_runs = [workflow_run(140, "2026-11-03T00:00:00Z", title="Retrain fraud")]

    code, out, _ = gate(config, "--dispatch", fmt="json")

    assert code == 0
    assert [r.body["inputs"]["model"] for r in posts(fake)] == ["churn"]  # type: ignore[index]
    assert json_model(out, "fraud")["dispatch"]["message"].startswith(
        "held: retrain.yml run 140 started 2026-11-03T00:00Z is within the 7d cooldown"
    )


def test_a_shared_workflow_run_naming_no_model_holds_every_model(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    config = repo(tmp_path, more={"fraud": (RETRAIN, WORKFLOW_DISPATCH)})
    fake.workflow_runs = [workflow_run(141, "2026-11-03T00:00:00Z", title="Retrain")]

    code, out, _ = gate(config, "--dispatch", fmt="json")

    assert code == 0
    assert posts(fake) == []
    for name in ("churn", "fraud"):
        assert json_model(out, name)["dispatch"]["status"] == "held"


# -- the token -----------------------------------------------------------------------------------


def test_token_env_names_the_variable_holding_the_token(
    tmp_path: Path, fake: FakeGitHub, gate: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("RETRAIN_TOKEN", TOKEN)

    code, _, _ = gate(repo(tmp_path), "--dispatch", "--token-env", "RETRAIN_TOKEN")

    assert code == 0
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fake.requests)
    assert len(posts(fake)) == 1


def test_token_env_naming_an_unset_variable_is_a_usage_error(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    code, out, err = gate(repo(tmp_path), "--dispatch", "--token-env", "NOT_SET_ANYWHERE")

    assert code == 2
    assert out == ""
    assert (
        "--token-env NOT_SET_ANYWHERE: the environment variable NOT_SET_ANYWHERE is not set" in err
    )
    assert fake.requests == []


# -- the issue opener ----------------------------------------------------------------------------


def test_issue_opened_once_commented_then_closed(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    marker = issue_marker("churn")
    assert marker == "<!-- retrain-gate:churn -->"
    config = repo(tmp_path, BLOCKED)

    code, _, err = gate(config, "--open-issue")

    assert code == 0
    assert posts(fake)[0].path == "/repos/o/r/issues"
    (issue,) = fake.issues.values()
    assert issue["title"] == "retrain-gate: churn is blocked"
    assert issue["labels"] == [{"name": "retrain-gate"}]
    body = str(issue["body"])
    assert body.startswith(marker + "\n")
    assert GATE_RUN_URL in body
    assert "| enough-rows | check · range |" in body  # the reasons table
    assert "retrain-gate: churn: opened issue #1" in err

    # blocked again the next day: a comment on the same issue, no second issue
    code, _, err = gate(config, "--open-issue")
    assert code == 0
    assert list(fake.issues) == [1]
    assert len(fake.comments[1]) == 1
    # under this gate run's own marker, which finds the comment again after an unclear answer
    assert fake.comments[1][0].startswith(
        "<!-- retrain-gate:churn:gate-run:555.1 -->\nStill not decided normally."
    )
    assert "retrain-gate: churn: commented on issue #1" in err

    # the data is fixed: the gate skips, the issue is closed with a comment
    repo(tmp_path, SKIP)
    code, _, err = gate(config, "--open-issue")
    assert code == 0
    assert fake.issues[1]["state"] == "closed"
    assert fake.comments[1][1].startswith(
        "<!-- retrain-gate:churn:gate-run:555.1 -->\nThe gate decides normally again: **skip**"
    )
    assert "retrain-gate: churn: closed issue #1" in err
    assert [r.method for r in fake.requests if r.path.startswith("/repos/o/r/issues/1")] == [
        "POST",
        "POST",
        "PATCH",
    ]


def test_no_issue_when_the_gate_decides_normally(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    code, _, err = gate(repo(tmp_path, SKIP), "--open-issue")

    assert code == 0
    assert [(r.method, r.path) for r in fake.requests] == [("GET", "/repos/o/r/issues")]
    assert fake.issues == {}
    assert err == ""


def test_an_issue_that_cannot_be_opened_is_exit_4(
    tmp_path: Path, fake: FakeGitHub, gate: Run
) -> None:
    fake.script("POST", "/repos/o/r/issues", [Reply(403, json={"message": "Forbidden"})])

    code, out, _ = gate(repo(tmp_path, BLOCKED), "--open-issue")

    assert code == 4
    assert "churn: BLOCKED" in out  # the decision stands
    assert "POST /repos/o/r/issues was refused (403): the token lacks issues: write" in flat(out)


# -- pieces --------------------------------------------------------------------------------------


def test_run_context_from_env() -> None:
    run = run_context_from_env(
        {
            "GITHUB_RUN_ID": "555",
            "GITHUB_RUN_ATTEMPT": "2",
            "GITHUB_SERVER_URL": "https://ghe.example",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_REF_NAME": "main",
            "GITHUB_API_URL": "https://ghe.example/api/v3",
        }
    )
    assert run == RunContext(
        "555", 2, "https://ghe.example", "o/r", "main", "https://ghe.example/api/v3"
    )
    assert run.gate_run_url == "https://ghe.example/o/r/actions/runs/555"
    assert run_context_from_env({}).gate_run_url == ""
    with pytest.raises(ConfigError, match="GITHUB_RUN_ATTEMPT '0' is not a positive"):
        run_context_from_env({"GITHUB_RUN_ATTEMPT": "0"})


def test_reasons_are_one_line_and_cut_to_fit(tmp_path: Path) -> None:
    config = load_config(repo(tmp_path))
    now = datetime(2026, 11, 4, tzinfo=timezone.utc)
    (result,) = check(config, now=now).models
    long_reason = "line one\nline two " + "x" * 2000
    fired = Outcome("big", "threshold", "trigger", "fired", 1.0, 0.5, long_reason)
    result = type(result)(model=result.model, decision="retrain", summary="s", triggers=(fired,))

    line = reasons_line(result)

    assert len(line) == MAX_REASONS_CHARS
    assert line.startswith("big fired: big: line one line two xxx")
    assert line.endswith("x…")
    _, _, body = dispatch_request(config.models["churn"], result, RunContext(ref_name="dev"))
    inputs = body["inputs"]
    assert isinstance(inputs, dict)
    assert inputs["reasons"] == line
    assert body["ref"] == "main"  # the config's ref wins over the runner's branch
    assert all(isinstance(v, str) for v in inputs.values())


def test_dry_run_in_the_terminal_shows_the_request_body(
    tmp_path: Path, fake: FakeGitHub, gate: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    code, out, _ = gate(repo(tmp_path), "--dispatch", "--dry-run")
    assert code == 0
    assert fake.requests == []
    body = {"ref": "main", "inputs": expected_inputs(), "return_run_details": True}
    assert f"  request body: {json.dumps(body, ensure_ascii=False)}\n" in out
