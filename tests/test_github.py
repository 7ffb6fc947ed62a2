"""The GitHub client against a real HTTP server on 127.0.0.1 (tests/fakegithub.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from retrain_gate import __version__
from retrain_gate.errors import EXIT_GITHUB, ConfigError, GitHubError
from retrain_gate.github.client import GitHubClient, MaybeActedError
from retrain_gate.github.dispatches import DispatchAnswer, dispatch_repository, dispatch_workflow
from retrain_gate.github.issues import close_issue, comment_issue, create_issue, find_open_issue
from retrain_gate.github.runs import WorkflowRun, list_workflow_runs
from retrain_gate.github.settings import GitHubSettings, settings_from_env
from tests.fakegithub import FakeGitHub, Recorded, Reply, closed_port_url

TOKEN = "ghs_TopSecretToken0123456789abcdef"
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z, the injected clock
DISPATCH = "/repos/o/r/actions/workflows/retrain.yml/dispatches"
RUNS = "/repos/o/r/actions/workflows/retrain.yml/runs"
REPO_DISPATCH = "/repos/o/r/dispatches"
INPUTS = {"model": "churn", "reason": "accuracy fell below 0.80"}


@pytest.fixture
def fake(fake_github: FakeGitHub) -> FakeGitHub:
    """The shared fixture from tests/fakegithub.py (imported by conftest.py), by a short name."""
    return fake_github


def test_fake_github_works_as_a_context_manager() -> None:
    with FakeGitHub(repository="acme/churn") as server:
        client = GitHubClient(
            GitHubSettings(api_url=server.url, repository="acme/churn", token=TOKEN)
        )
        assert dispatch_repository(client, event_type="retrain", client_payload={}).status == 204
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", "/repos/acme/churn/dispatches")
    ]


class Sleeps(list[float]):
    """The injected sleep: records how long the client asked to wait, without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(
    url: str, *, timeout: float = 10.0, max_attempts: int = 4, max_wait: float = 60.0
) -> tuple[GitHubClient, Sleeps]:
    settings = GitHubSettings(
        api_url=url,
        repository="o/r",
        token=TOKEN,
        timeout=timeout,
        max_attempts=max_attempts,
        max_wait=max_wait,
    )
    sleeps = Sleeps()
    return GitHubClient(settings, sleep=sleeps, clock=lambda: NOW), sleeps


def assert_api_headers(request: Recorded, *, with_body: bool) -> None:
    headers = request.headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["user-agent"] == f"retrain-gate/{__version__}"
    if with_body:
        assert headers["content-type"] == "application/json"
    else:
        assert "content-type" not in headers


def assert_dispatch_request(request: Recorded, *, inputs: dict[str, str] = INPUTS) -> None:
    assert request.method == "POST"
    assert request.path == DISPATCH
    assert request.query == {}
    assert_api_headers(request, with_body=True)
    assert request.body == {"ref": "main", "inputs": inputs, "return_run_details": True}


def assert_token_hidden(error: BaseException) -> None:
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error)
    assert TOKEN not in (getattr(error, "hint", None) or "")


# -- dispatch: success ---------------------------------------------------------------------------


def test_workflow_dispatch_returns_the_new_runs_details(fake: FakeGitHub) -> None:
    client, sleeps = client_for(fake.url)

    answer = dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert answer == DispatchAnswer(
        status=200,
        run_id=9001,
        run_url=f"{fake.url}/repos/o/r/actions/runs/9001",
        html_url="https://github.com/o/r/actions/runs/9001",
    )
    assert len(fake.requests) == 1
    assert_dispatch_request(fake.requests[0])
    assert sleeps == []


def test_workflow_dispatch_accepts_a_plain_204(fake: FakeGitHub) -> None:
    fake.script("POST", DISPATCH, [Reply(204)])
    client, _ = client_for(fake.url)

    answer = dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert answer == DispatchAnswer(status=204, run_id=None, run_url=None, html_url=None)
    assert len(fake.requests) == 1
    assert_dispatch_request(fake.requests[0])


def test_workflow_dispatch_by_numeric_id_and_quoted_file_name(fake: FakeGitHub) -> None:
    fake.script("POST", "/repos/o/r/actions/workflows/161335/dispatches", [Reply(204)])
    fake.script("POST", "/repos/o/r/actions/workflows/re%2Ftrain%20me.yml/dispatches", [Reply(204)])
    client, _ = client_for(fake.url)

    assert dispatch_workflow(client, workflow="161335", ref="main", inputs={}).status == 204
    assert (
        dispatch_workflow(client, workflow="re/train me.yml", ref="main", inputs={}).status == 204
    )

    assert [r.path for r in fake.requests] == [
        "/repos/o/r/actions/workflows/161335/dispatches",
        "/repos/o/r/actions/workflows/re%2Ftrain%20me.yml/dispatches",
    ]


def test_repository_dispatch(fake: FakeGitHub) -> None:
    client, _ = client_for(fake.url)
    payload = {"model": "churn", "fired": ["accuracy_drop"], "run": {"sha": "abc123"}}

    answer = dispatch_repository(client, event_type="retrain", client_payload=payload)

    assert answer == DispatchAnswer(status=204, run_id=None, run_url=None, html_url=None)
    [request] = fake.requests
    assert request.method == "POST"
    assert request.path == REPO_DISPATCH
    assert_api_headers(request, with_body=True)
    assert request.body == {"event_type": "retrain", "client_payload": payload}


def test_enterprise_server_keeps_the_api_path_prefix(fake: FakeGitHub) -> None:
    fake.script("POST", "/api/v3" + REPO_DISPATCH, [Reply(204)])
    settings = settings_from_env(
        {"GITHUB_API_URL": fake.url + "/api/v3/", "GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": TOKEN}
    )
    client = GitHubClient(settings, sleep=Sleeps(), clock=lambda: NOW)

    answer = dispatch_repository(client, event_type="retrain", client_payload={})

    assert answer.status == 204
    assert [r.path for r in fake.requests] == ["/api/v3" + REPO_DISPATCH]


# -- retries -------------------------------------------------------------------------------------


def test_a_dispatch_answered_500_is_not_resent_by_the_client(fake: FakeGitHub) -> None:
    # GitHub may have started the run before the 500: the caller looks before any resend
    fake.script("POST", DISPATCH, [Reply(500, json={"message": "Server Error"}), Reply(204)])
    client, sleeps = client_for(fake.url)

    with pytest.raises(MaybeActedError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert caught.value.what == "GitHub answered 500 (Server Error)"
    assert sleeps == []
    assert len(fake.requests) == 1
    assert_dispatch_request(fake.requests[0])


def test_server_errors_back_off_exponentially_then_give_up(fake: FakeGitHub) -> None:
    fake.script(
        "GET",
        "/repos/o/r/actions/workflows/retrain.yml/runs",
        [Reply(502, json={"message": "Bad Gateway"})] * 4,
    )
    client, sleeps = client_for(fake.url)

    with pytest.raises(GitHubError) as caught:
        list_workflow_runs(client, workflow="retrain.yml")

    assert sleeps == [1.0, 2.0, 4.0]
    assert len(fake.requests) == 4
    message = str(caught.value)
    assert f"GET {RUNS}: GitHub answered 502 (4 attempts)" in message
    assert "'Bad Gateway'" in message
    assert caught.value.exit_code == EXIT_GITHUB
    assert_token_hidden(caught.value)


def test_max_wait_bounds_the_total_sleep(fake: FakeGitHub) -> None:
    fake.script(
        "GET",
        "/repos/o/r/actions/workflows/retrain.yml/runs",
        [Reply(503, json={"message": "Unavailable"})] * 4,
    )
    client, sleeps = client_for(fake.url, max_wait=2.5)

    with pytest.raises(GitHubError, match=r"GitHub answered 503 \(2 attempts\)"):
        list_workflow_runs(client, workflow="retrain.yml")

    # 1 s, then 2 s more would exceed 2.5 s of waiting: stop after the second attempt.
    assert sleeps == [1.0]
    assert len(fake.requests) == 2


def test_429_with_retry_after_sleeps_that_long(fake: FakeGitHub) -> None:
    limited = Reply(
        429,
        json={"message": "You have exceeded a secondary rate limit"},
        headers={"Retry-After": "2"},
    )
    fake.script("POST", DISPATCH, [limited])
    client, sleeps = client_for(fake.url)

    answer = dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert answer.status == 200
    assert sleeps == [2.0]
    assert len(fake.requests) == 2
    for request in fake.requests:
        assert_dispatch_request(request)


def test_403_with_exhausted_rate_limit_waits_for_the_reset(fake: FakeGitHub) -> None:
    exhausted = Reply(
        403,
        json={"message": "API rate limit exceeded for installation ID 1."},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 5)},
    )
    fake.script("POST", DISPATCH, [exhausted])
    client, sleeps = client_for(fake.url)

    answer = dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert answer.status == 200
    assert sleeps == [5.0]
    assert len(fake.requests) == 2


def test_rate_limit_reset_beyond_max_wait_stops_and_says_when(fake: FakeGitHub) -> None:
    exhausted = Reply(
        403,
        json={"message": "API rate limit exceeded for installation ID 1."},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3600)},
    )
    fake.script("POST", DISPATCH, [exhausted])
    client, sleeps = client_for(fake.url)

    with pytest.raises(GitHubError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    message = str(caught.value)
    assert "the rate limit resets at 2027-01-15T09:00:00Z (in 3600 s)" in message
    assert "longer than the 60 s left to wait" in message
    assert "API rate limit exceeded" in message
    assert sleeps == []
    assert len(fake.requests) == 1
    assert_token_hidden(caught.value)


def test_rate_limit_that_persists_gives_up_after_max_attempts(fake: FakeGitHub) -> None:
    exhausted = Reply(
        403,
        json={"message": "API rate limit exceeded"},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3)},
    )
    fake.script("GET", "/repos/o/r/issues", [exhausted] * 2)
    client, sleeps = client_for(fake.url, max_attempts=2)

    with pytest.raises(GitHubError) as caught:
        find_open_issue(client, marker="<!-- retrain-gate -->")

    assert caught.value.message == (
        "GET /repos/o/r/issues: still rate-limited after 2 attempts (403); the limit resets at "
        "2027-01-15T08:00:03Z; GitHub says: 'API rate limit exceeded'"
    )
    assert sleeps == [3.0]
    assert len(fake.requests) == 2


def test_retry_after_beyond_max_wait_stops(fake: FakeGitHub) -> None:
    fake.script("GET", "/repos/o/r/issues", [Reply(429, headers={"retry-after": "120"})])
    client, sleeps = client_for(fake.url)

    with pytest.raises(GitHubError, match="GitHub asked to retry after 120 s"):
        find_open_issue(client, marker="<!-- retrain-gate -->")

    assert sleeps == []
    assert len(fake.requests) == 1


def test_hang_past_the_timeout_is_retried_then_fails(fake: FakeGitHub) -> None:
    fake.script("GET", "/repos/o/r/actions/workflows/retrain.yml/runs", [Reply(200, delay=1.5)] * 4)
    client, sleeps = client_for(fake.url, timeout=0.3)

    with pytest.raises(GitHubError) as caught:
        list_workflow_runs(client, workflow="retrain.yml")

    host = fake.url.removeprefix("http://")
    assert str(caught.value).startswith(
        f"GET {RUNS}: no answer from {host} within the 0.3 s timeout (4 attempts)"
    )
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(fake.requests) == 4
    assert_token_hidden(caught.value)


def test_connection_refused_is_retried_then_names_the_host() -> None:
    url = closed_port_url()
    client, sleeps = client_for(url, timeout=2.0)

    with pytest.raises(GitHubError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    host = url.removeprefix("http://")
    message = str(caught.value)
    assert message.startswith(f"POST {DISPATCH}: could not connect to {host} (")
    assert "refused" in message.lower()
    assert "4 attempts, timeout 2 s" in message
    assert sleeps == [1.0, 2.0, 4.0]
    assert_token_hidden(caught.value)


# -- refusals: never retried ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "api_message", "ref", "expected"),
    [
        (
            401,
            "Bad credentials",
            "main",
            (
                f"POST {DISPATCH} was refused (401): the token is invalid or expired; "
                "GitHub says: 'Bad credentials'"
            ),
        ),
        (
            403,
            "Resource not accessible by integration",
            "main",
            (
                f"POST {DISPATCH} was refused (403): the token lacks actions: write; "
                "GitHub says: 'Resource not accessible by integration'"
            ),
        ),
        (
            404,
            "Not Found",
            "main",
            (
                f"POST {DISPATCH} answered 404: the workflow file retrain.yml does not exist "
                "on ref main in o/r, or the token cannot see it / lacks actions: write; "
                "GitHub says: 'Not Found'"
            ),
        ),
        (
            422,
            'Unexpected inputs provided: ["reason"]',
            "main",
            (
                f"POST {DISPATCH} was rejected (422): the retraining workflow retrain.yml "
                "must declare every input it is sent under on.workflow_dispatch.inputs; "
                "GitHub says: 'Unexpected inputs provided: [\"reason\"]'"
            ),
        ),
        (
            422,
            "Workflow does not have 'workflow_dispatch' trigger",
            "main",
            (
                f"POST {DISPATCH} was rejected (422): the workflow retrain.yml must have "
                "`on: workflow_dispatch` on the default branch of o/r; "
                "GitHub says: \"Workflow does not have 'workflow_dispatch' trigger\""
            ),
        ),
        (
            422,
            "No ref found for: nope",
            "nope",
            (
                f"POST {DISPATCH} was rejected (422): the ref nope does not exist in o/r; "
                "GitHub says: 'No ref found for: nope'"
            ),
        ),
    ],
)
def test_refusals_are_not_retried_and_explained(
    fake: FakeGitHub, status: int, api_message: str, ref: str, expected: str
) -> None:
    fake.script("POST", DISPATCH, [Reply(status, json={"message": api_message})])
    client, sleeps = client_for(fake.url)

    with pytest.raises(GitHubError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref=ref, inputs=INPUTS)

    assert caught.value.message == expected
    assert caught.value.exit_code == EXIT_GITHUB
    assert len(fake.requests) == 1
    assert fake.requests[0].body == {"ref": ref, "inputs": INPUTS, "return_run_details": True}
    assert sleeps == []
    assert_token_hidden(caught.value)


def test_unexpected_inputs_hint_lists_what_was_sent(fake: FakeGitHub) -> None:
    fake.script("POST", DISPATCH, [Reply(422, json={"message": "Unexpected inputs provided: []"})])
    client, _ = client_for(fake.url)

    with pytest.raises(GitHubError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert caught.value.hint == "inputs sent: model, reason"


def test_repository_dispatch_403_names_contents_write(fake: FakeGitHub) -> None:
    fake.script(
        "POST",
        REPO_DISPATCH,
        [Reply(403, json={"message": "Resource not accessible by integration"})],
    )
    client, sleeps = client_for(fake.url)

    with pytest.raises(GitHubError) as caught:
        dispatch_repository(client, event_type="retrain", client_payload={})

    assert caught.value.message == (
        f"POST {REPO_DISPATCH} was refused (403): the token lacks contents: write; "
        "GitHub says: 'Resource not accessible by integration'"
    )
    assert len(fake.requests) == 1
    assert sleeps == []


def test_a_token_echoed_by_the_server_is_scrubbed(fake: FakeGitHub) -> None:
    fake.script("POST", DISPATCH, [Reply(401, json={"message": f"Bad credentials {TOKEN}"})])
    client, _ = client_for(fake.url)

    with pytest.raises(GitHubError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert "Bad credentials ***" in str(caught.value)
    assert_token_hidden(caught.value)


def test_redirects_are_not_followed(fake: FakeGitHub) -> None:
    moved = Reply(301, json={"message": "Moved Permanently"}, headers={"Location": fake.url + "/x"})
    fake.script("POST", REPO_DISPATCH, [moved])
    client, _ = client_for(fake.url)

    with pytest.raises(GitHubError, match=r"answered a redirect \(301\)"):
        dispatch_repository(client, event_type="retrain", client_payload={})

    assert [r.path for r in fake.requests] == [REPO_DISPATCH]


# -- validation before sending -------------------------------------------------------------------


def test_twenty_five_inputs_are_sent(fake: FakeGitHub) -> None:
    inputs = {f"input_{i}": str(i) for i in range(25)}
    client, _ = client_for(fake.url)

    dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=inputs)

    assert_dispatch_request(fake.requests[0], inputs=inputs)


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (
            {f"input_{i}": str(i) for i in range(26)},
            "26 workflow inputs; GitHub accepts at most 25",
        ),
        (
            {"model": "churn", "threshold": 0.8},
            "workflow input 'threshold' is a float (0.8); workflow_dispatch inputs must be strings",
        ),
        (
            {"model": "churn", "rows": "x" * 65_600},
            "workflow inputs are 65,630 characters as JSON; GitHub accepts at most 65,535",
        ),
    ],
    ids=["26-inputs", "non-string", "oversize"],
)
def test_bad_inputs_raise_config_error_and_send_nothing(
    fake: FakeGitHub, inputs: dict[str, Any], expected: str
) -> None:
    client, _ = client_for(fake.url)

    with pytest.raises(ConfigError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=inputs)

    assert caught.value.message == expected
    assert fake.requests == []


def test_non_string_input_hint_shows_the_quoted_value(fake: FakeGitHub) -> None:
    client, _ = client_for(fake.url)
    inputs: dict[str, Any] = {"threshold": 0.8}

    with pytest.raises(ConfigError) as caught:
        dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=inputs)

    assert caught.value.hint == 'quote it: threshold: "0.8"'


@pytest.mark.parametrize(
    ("event_type", "payload", "expected"),
    [
        (
            "r" * 101,
            {},
            "repository_dispatch event_type is 101 characters long; GitHub allows at most 100",
        ),
        (
            "retrain",
            {f"k{i}": i for i in range(11)},
            "repository_dispatch client_payload has 11 top-level keys; GitHub allows at most 10",
        ),
    ],
    ids=["long-event-type", "eleven-keys"],
)
def test_bad_repository_dispatch_sends_nothing(
    fake: FakeGitHub, event_type: str, payload: dict[str, object], expected: str
) -> None:
    client, _ = client_for(fake.url)

    with pytest.raises(ConfigError) as caught:
        dispatch_repository(client, event_type=event_type, client_payload=payload)

    assert caught.value.message == expected
    assert fake.requests == []


# -- settings ------------------------------------------------------------------------------------


def test_settings_from_env_defaults_and_hides_the_token() -> None:
    settings = settings_from_env({"GITHUB_REPOSITORY": "acme/churn", "GITHUB_TOKEN": TOKEN})

    assert settings.api_url == "https://api.github.com"
    assert settings.repository == "acme/churn"
    assert settings.token == TOKEN
    assert TOKEN not in repr(settings)
    client = GitHubClient(settings)
    assert TOKEN not in repr(client)


def test_settings_token_precedence() -> None:
    env = {"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "from-env", "INPUT_TOKEN": "from-input"}

    assert settings_from_env(env, token="explicit").token == "explicit"
    assert settings_from_env(env).token == "from-input"
    assert settings_from_env({**env, "INPUT_TOKEN": " "}).token == "from-env"
    assert settings_from_env(env, repository="x/y").repository == "x/y"


@pytest.mark.parametrize(
    ("env", "expected", "hint"),
    [
        ({"GITHUB_REPOSITORY": "o/r"}, "no GitHub token to call the API with", "GITHUB_TOKEN"),
        ({"GITHUB_TOKEN": TOKEN}, "no GitHub repository to act on", "GITHUB_REPOSITORY=owner/name"),
        (
            {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "just-a-name"},
            "GitHub repository 'just-a-name' is not of the form owner/name",
            "owner/name",
        ),
        (
            {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": "api.github.com"},
            "GITHUB_API_URL 'api.github.com' is not an http(s) URL",
            "/api/v3",
        ),
    ],
)
def test_settings_from_env_errors(env: dict[str, str], expected: str, hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_env(env)

    assert caught.value.message == expected
    assert hint in (caught.value.hint or "")
    assert_token_hidden(caught.value)


# -- workflow runs -------------------------------------------------------------------------------


def test_list_workflow_runs_sends_filters_and_parses_runs(fake: FakeGitHub) -> None:
    fake.workflow_runs = [
        {
            "id": 11,
            "status": "in_progress",
            "conclusion": None,
            "created_at": "2026-11-27T09:30:00Z",
            "html_url": "https://github.com/o/r/actions/runs/11",
            "event": "workflow_dispatch",
            "display_title": "Retrain churn",
            "name": "retrain",
        },
        {
            "id": 10,
            "status": "completed",
            "conclusion": "success",
            "created_at": "2026-11-20T09:30:00Z",
            "html_url": "https://github.com/o/r/actions/runs/10",
            "event": "schedule",
            "display_title": "Retrain",
        },
    ]
    client, _ = client_for(fake.url)

    runs = list_workflow_runs(
        client, workflow="retrain.yml", status="in_progress", created=">=2026-11-01", per_page=10
    )

    assert runs == [
        WorkflowRun(
            id=11,
            status="in_progress",
            conclusion=None,
            created_at=datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc),
            html_url="https://github.com/o/r/actions/runs/11",
            event="workflow_dispatch",
            display_title="Retrain churn",
        )
    ]
    [request] = fake.requests
    assert request.method == "GET"
    assert request.path == "/repos/o/r/actions/workflows/retrain.yml/runs"
    assert request.query == {"per_page": "10", "status": "in_progress", "created": ">=2026-11-01"}
    assert_api_headers(request, with_body=False)
    assert request.body is None


def test_list_workflow_runs_all_statuses(fake: FakeGitHub) -> None:
    fake.workflow_runs = [
        {
            "id": 3,
            "status": "completed",
            "conclusion": "failure",
            "created_at": "2026-11-01T00:00:00Z",
        }
    ]
    client, _ = client_for(fake.url)

    [run] = list_workflow_runs(client, workflow="retrain.yml")

    assert (run.id, run.status, run.conclusion) == (3, "completed", "failure")
    assert fake.requests[0].query == {"per_page": "30"}


def test_list_workflow_runs_rejects_a_malformed_run(fake: FakeGitHub) -> None:
    fake.workflow_runs = [{"id": 3, "status": "queued", "created_at": "yesterday"}]
    client, _ = client_for(fake.url)

    with pytest.raises(GitHubError, match="workflow run 3 lacks a usable id, status or created_at"):
        list_workflow_runs(client, workflow="retrain.yml")


# -- issues --------------------------------------------------------------------------------------

MARKER = "<!-- retrain-gate:scheduled -->"


def test_find_open_issue_by_hidden_marker(fake: FakeGitHub) -> None:
    fake.add_issue(title="old", body=f"{MARKER}\nblocked", state="closed")
    wanted = fake.add_issue(title="Gate blocked", body=f"{MARKER}\nThe gate is blocked.")
    fake.add_issue(title="unrelated", body="nothing to see")
    fake.add_issue(title="a PR quoting it", body=MARKER, pull_request=True)
    client, _ = client_for(fake.url)

    assert find_open_issue(client, marker=MARKER) == wanted

    [request] = fake.requests
    assert request.method == "GET"
    assert request.path == "/repos/o/r/issues"
    assert request.query == {"state": "open", "per_page": "100", "page": "1"}
    assert_api_headers(request, with_body=False)


def test_find_open_issue_none(fake: FakeGitHub) -> None:
    fake.add_issue(title="unrelated", body=None or "")
    client, _ = client_for(fake.url)

    assert find_open_issue(client, marker=MARKER) is None


def test_find_open_issue_reads_further_pages(fake: FakeGitHub) -> None:
    wanted = fake.add_issue(title="Gate blocked", body=MARKER)
    for i in range(100):
        fake.add_issue(title=f"noise {i}", body="")
    client, _ = client_for(fake.url)

    assert find_open_issue(client, marker=MARKER) == wanted
    assert [r.query["page"] for r in fake.requests] == ["1", "2"]


def test_create_comment_and_close_issue(fake: FakeGitHub) -> None:
    client, _ = client_for(fake.url)

    number = create_issue(
        client, title="Retrain gate blocked", body=f"{MARKER}\nwhy", labels=["retrain-gate"]
    )
    comment_issue(client, number=number, body="still blocked")
    close_issue(client, number=number, comment="unblocked: the gate decided skip")

    assert number == 1
    assert fake.issues[1]["state"] == "closed"
    assert fake.comments[1] == ["still blocked", "unblocked: the gate decided skip"]
    assert [(r.method, r.path, r.body) for r in fake.requests] == [
        (
            "POST",
            "/repos/o/r/issues",
            {"title": "Retrain gate blocked", "body": f"{MARKER}\nwhy", "labels": ["retrain-gate"]},
        ),
        ("POST", "/repos/o/r/issues/1/comments", {"body": "still blocked"}),
        ("POST", "/repos/o/r/issues/1/comments", {"body": "unblocked: the gate decided skip"}),
        ("PATCH", "/repos/o/r/issues/1", {"state": "closed"}),
    ]
    for request in fake.requests:
        assert_api_headers(request, with_body=True)


def test_create_issue_without_labels_sends_none(fake: FakeGitHub) -> None:
    client, _ = client_for(fake.url)

    create_issue(client, title="t", body="b")

    assert fake.requests[0].body == {"title": "t", "body": "b"}


def test_close_issue_without_comment(fake: FakeGitHub) -> None:
    number = fake.add_issue(title="t", body=MARKER)
    client, _ = client_for(fake.url)

    close_issue(client, number=number)

    assert [(r.method, r.path) for r in fake.requests] == [("PATCH", f"/repos/o/r/issues/{number}")]
    assert fake.issues[number]["state"] == "closed"


def test_issue_403_names_issues_write(fake: FakeGitHub) -> None:
    fake.script(
        "POST",
        "/repos/o/r/issues",
        [Reply(403, json={"message": "Resource not accessible by integration"})],
    )
    client, _ = client_for(fake.url)

    with pytest.raises(GitHubError, match="the token lacks issues: write"):
        create_issue(client, title="t", body="b")

    assert len(fake.requests) == 1


def test_comment_on_a_missing_issue_is_a_404(fake: FakeGitHub) -> None:
    client, sleeps = client_for(fake.url)

    with pytest.raises(GitHubError) as caught:
        comment_issue(client, number=42, body="hello")

    assert caught.value.message == (
        "POST /repos/o/r/issues/42/comments answered 404: it does not exist in o/r, "
        "or the token cannot see it; GitHub says: 'Not Found'"
    )
    assert len(fake.requests) == 1
    assert sleeps == []


def test_enterprise_server_dispatch_asks_no_run_details_and_takes_a_204(fake: FakeGitHub) -> None:
    fake.script("POST", "/api/v3" + DISPATCH, [Reply(204)])
    settings = settings_from_env(
        {"GITHUB_API_URL": fake.url + "/api/v3", "GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": TOKEN}
    )
    client = GitHubClient(settings, sleep=Sleeps(), clock=lambda: NOW)

    answer = dispatch_workflow(client, workflow="retrain.yml", ref="main", inputs=INPUTS)

    assert answer == DispatchAnswer(status=204, run_id=None, run_url=None, html_url=None)
    (request,) = fake.requests
    assert request.body == {"ref": "main", "inputs": INPUTS}  # no return_run_details on GHES
