"""A real HTTP server on 127.0.0.1 that answers like the parts of the GitHub API the gate uses.

It records every request (method, raw path, query, lower-cased headers, parsed JSON body) and
answers by default as GitHub does:

- POST /repos/{o}/{r}/actions/workflows/{wf}/dispatches: starts a run (below), then answers 200
  with the new run's details when the body asks `"return_run_details": true`, else 204;
- POST /repos/{o}/{r}/dispatches: 204, starting a run of `fake.repository_dispatch_workflow`
  when it is set;
- GET  /repos/{o}/{r}/actions/workflows/{wf}/runs: {"total_count", "workflow_runs"} from
  `fake.workflow_runs` (filtered by `status`, cut to `per_page`; `created` is not emulated);
  a run carrying a "workflow" key is listed for that workflow only, one without for any;
- GET  /repos/{o}/{r}/actions/runs/{id} and .../runs/{id}/attempts/{n}: the run with that id
  from `fake.workflow_runs` or `fake.other_runs` (runs of other workflows, e.g. the gate's
  own); an attempt answers `fake.run_attempts[(id, n)]` when set, else the run itself;
- GET/POST /repos/{o}/{r}/issues, GET/POST .../issues/{n}/comments, PATCH .../issues/{n}: backed by
  `fake.issues` and `fake.comments`.

Another repository than `repository`, or any other route, answers 404 like GitHub. Every answer
carries x-ratelimit-* headers with plenty left, as GitHub's do (a client must not mistake their
mere presence for a rate limit).

A started run is queued, created at `fake.now()`, titled `fake.run_name` filled with the
dispatch's `model` and `gate_run_id` inputs (as the example's `run-name:` does), and put first
in `fake.workflow_runs` (newest first) and in `fake.started`, the server's truth. GitHub can take
a few seconds to list a new run: with `fake.list_lag = n` the first n lists of runs after a run
started do not show it.

Faults are scripted per route, consumed in order before the default answer resumes:

    fake.script("POST", "/repos/o/r/actions/workflows/retrain.yml/dispatches",
                [Reply(500), Reply(204)])

A scripted reply does not act (a 500 that started nothing) unless `acts=True`: then the server
does what the default answer would (starts the run, opens the issue) and answers the scripted
reply instead: accepted, then a 502, a hang past the client's timeout, or a dropped connection
(`drop="reset"`: a TCP reset; `drop="close"`: closed without an answer).

Paths are matched as sent (percent-encoded), without the query string.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

import pytest

RATE_LIMIT_HEADERS = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999"}


@dataclass(frozen=True)
class Reply:
    """A scripted answer; `delay` seconds pass before it is sent (to outlast a client timeout).

    `acts`: the server first does what the default answer would (see the module's doc).
    `drop`: "reset" or "close" the connection instead of answering.
    """

    status: int = 200
    json: object = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    acts: bool = False
    drop: str = ""


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str  # as sent, percent-encoded, without the query string
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: object  # parsed JSON, None when empty, the raw text when not JSON


class FakeGitHub:
    """The fake API server. Use as a context manager, or through the `fake_github` fixture."""

    def __init__(self, *, repository: str = "o/r") -> None:
        self.repository = repository
        self.requests: list[Recorded] = []
        self.workflow_runs: list[dict[str, object]] = []
        self.other_runs: list[dict[str, object]] = []
        self.run_attempts: dict[tuple[int, int], dict[str, object]] = {}
        self.issues: dict[int, dict[str, object]] = {}
        self.comments: dict[int, list[str]] = {}
        self._scripts: dict[tuple[str, str], list[Reply]] = {}
        self._next_run_id = 9000
        self.run_name = "Retrain {model} (gate run {gate_run_id})"
        self.repository_dispatch_workflow: str | None = None
        self.started: list[dict[str, object]] = []  # every run a dispatch started, in order
        self.list_lag = 0
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self._hidden: dict[int, int] = {}  # run id -> lists of runs still to come before it shows
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True  # a reply still sleeping must not block shutdown
        # A short poll interval keeps shutdown (once per test) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to use as GITHUB_API_URL."""
        if self._server is None:
            raise RuntimeError("FakeGitHub is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- test controls -----------------------------------------------------------------------

    def script(self, method: str, path: str, replies: Sequence[Reply]) -> None:
        """Answer the next requests to `method path` with `replies`, in order."""
        with self._lock:
            self._scripts.setdefault((method.upper(), path), []).extend(replies)

    def add_issue(
        self,
        *,
        title: str,
        body: str,
        state: str = "open",
        labels: Sequence[str] = (),
        pull_request: bool = False,
    ) -> int:
        """Put an issue (or a pull request, which the issues API also lists) in the repository."""
        with self._lock:
            number = max(self.issues, default=0) + 1
            issue = self._issue(number, title=title, body=body, state=state, labels=labels)
            if pull_request:
                issue["pull_request"] = {
                    "url": f"{self.url}/repos/{self.repository}/pulls/{number}"
                }
            self.issues[number] = issue
            return number

    def received(self, method: str, path: str) -> list[Recorded]:
        """The requests received for one route."""
        return [r for r in self.requests if r.method == method.upper() and r.path == path]

    # -- answering ---------------------------------------------------------------------------

    def answer(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            queued = self._scripts.get((request.method, request.path))
            if queued:
                reply = queued.pop(0)
                if reply.acts:
                    self._default(request)
                return reply
            return self._default(request)

    def _default(self, request: Recorded) -> Reply:
        parts = request.path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "repos" or "/".join(parts[1:3]) != self.repository:
            return _not_found()
        route = parts[3:]
        body = request.body if isinstance(request.body, dict) else {}
        if isinstance(request.body, str):
            return Reply(400, json={"message": "Problems parsing JSON"})
        if request.method == "POST" and route == ["dispatches"]:
            payload = body.get("client_payload")
            if self.repository_dispatch_workflow and isinstance(payload, dict):
                self._start(self.repository_dispatch_workflow, "repository_dispatch", payload)
            return Reply(204)
        if len(route) == 4 and route[:2] == ["actions", "workflows"]:
            if request.method == "POST" and route[3] == "dispatches":
                return self._dispatch(route[2], body)
            if request.method == "GET" and route[3] == "runs":
                return self._runs(route[2], request.query)
        if request.method == "GET" and route[:2] == ["actions", "runs"]:
            return self._run(route[2:])
        if route[:1] == ["issues"]:
            return self._issues(request, route[1:], body)
        return _not_found()

    def _start(self, workflow: str, event: str, inputs: dict[str, object]) -> int:
        """Start a run of `workflow`, as GitHub does on an accepted dispatch."""
        self._next_run_id += 1
        run_id = self._next_run_id
        title = self.run_name.format(
            model=inputs.get("model", ""), gate_run_id=inputs.get("gate_run_id") or "manual"
        )
        run: dict[str, object] = {
            "id": run_id,
            "status": "queued",
            "conclusion": None,
            "created_at": f"{self.now():%Y-%m-%dT%H:%M:%SZ}",
            "run_started_at": f"{self.now():%Y-%m-%dT%H:%M:%SZ}",
            "event": event,
            "display_title": title,
            "html_url": f"https://github.com/{self.repository}/actions/runs/{run_id}",
            "workflow": workflow,
            "inputs": dict(inputs),
        }
        self.workflow_runs.insert(0, run)
        self.started.append(run)
        if self.list_lag:
            self._hidden[run_id] = self.list_lag
        return run_id

    def _dispatch(self, workflow: str, body: dict[str, object]) -> Reply:
        inputs = body.get("inputs")
        run_id = self._start(
            workflow, "workflow_dispatch", inputs if isinstance(inputs, dict) else {}
        )
        if body.get("return_run_details") is not True:
            return Reply(204)
        return Reply(
            200,
            json={
                "workflow_run_id": run_id,
                "run_url": f"{self.url}/repos/{self.repository}/actions/runs/{run_id}",
                "html_url": f"https://github.com/{self.repository}/actions/runs/{run_id}",
            },
        )

    def _runs(self, workflow: str, query: dict[str, str]) -> Reply:
        for run_id in list(self._hidden):  # one more list: a lagging run comes closer to showing
            self._hidden[run_id] -= 1
        runs = [
            r
            for r in self.workflow_runs
            if r.get("workflow", workflow) == workflow and self._hidden.get(_id(r), -1) < 0
        ]
        status = query.get("status")
        if status:  # GitHub's status filter matches a status or a conclusion
            runs = [r for r in runs if status in (r.get("status"), r.get("conclusion"))]
        per_page = int(query.get("per_page", "30"))
        return Reply(200, json={"total_count": len(runs), "workflow_runs": runs[:per_page]})

    def _run(self, rest: list[str]) -> Reply:
        if not rest or not rest[0].isdigit():
            return _not_found()
        run_id = int(rest[0])
        run = next((r for r in self.workflow_runs + self.other_runs if r.get("id") == run_id), None)
        if run is None:
            return _not_found()
        if not rest[1:]:
            return Reply(200, json=run)
        if len(rest) == 3 and rest[1] == "attempts" and rest[2].isdigit():
            attempt = int(rest[2])
            return Reply(200, json=self.run_attempts.get((run_id, attempt), run))
        return _not_found()

    def _issues(self, request: Recorded, rest: list[str], body: dict[str, object]) -> Reply:
        method = request.method
        if not rest:
            if method == "GET":
                return self._list_issues(request.query)
            if method == "POST":
                if not isinstance(body.get("title"), str) or not body["title"]:
                    return Reply(422, json={"message": "Validation Failed"})
                number = max(self.issues, default=0) + 1
                labels = body.get("labels") or []
                issue = self._issue(
                    number,
                    title=str(body["title"]),
                    body=str(body.get("body") or ""),
                    state="open",
                    labels=[str(label) for label in labels] if isinstance(labels, list) else [],
                )
                self.issues[number] = issue
                return Reply(201, json=issue)
            return _not_found()
        if not rest[0].isdigit() or int(rest[0]) not in self.issues:
            return _not_found()
        number = int(rest[0])
        issue = self.issues[number]
        if rest[1:] == ["comments"] and method == "POST":
            text = body.get("body")
            if not isinstance(text, str):
                return Reply(422, json={"message": "Validation Failed"})
            self.comments.setdefault(number, []).append(text)
            comment_id = 100 * number + len(self.comments[number])
            return Reply(201, json={"id": comment_id, "body": text})
        if rest[1:] == ["comments"] and method == "GET":  # oldest first, as GitHub lists them
            per_page = int(request.query.get("per_page", "30"))
            page = int(request.query.get("page", "1"))
            listed = [
                {"id": 100 * number + i, "body": text}
                for i, text in enumerate(self.comments.get(number, []), start=1)
            ]
            return Reply(200, json=listed[(page - 1) * per_page : page * per_page])
        if not rest[1:] and method == "PATCH":
            for key in ("state", "title", "body"):
                if key in body:
                    issue[key] = body[key]
            return Reply(200, json=issue)
        if not rest[1:] and method == "GET":
            return Reply(200, json=issue)
        return _not_found()

    def _list_issues(self, query: dict[str, str]) -> Reply:
        state = query.get("state", "open")
        wanted_labels = {label for label in query.get("labels", "").split(",") if label}
        issues = [
            issue
            for _, issue in sorted(self.issues.items(), reverse=True)  # newest first
            if (state == "all" or issue["state"] == state)
            and wanted_labels <= {str(label["name"]) for label in _labels(issue)}
        ]
        per_page = int(query.get("per_page", "30"))
        page = int(query.get("page", "1"))
        return Reply(200, json=issues[(page - 1) * per_page : page * per_page])

    def _issue(
        self, number: int, *, title: str, body: str, state: str, labels: Sequence[str]
    ) -> dict[str, object]:
        return {
            "number": number,
            "title": title,
            "body": body,
            "state": state,
            "labels": [{"name": label} for label in labels],
            "html_url": f"https://github.com/{self.repository}/issues/{number}",
        }


def _id(run: dict[str, object]) -> int:
    value = run.get("id")
    return value if isinstance(value, int) else -1


def _labels(issue: dict[str, object]) -> list[dict[str, object]]:
    labels = issue.get("labels")
    return (
        [label for label in labels if isinstance(label, dict)] if isinstance(labels, list) else []
    )


def _not_found() -> Reply:
    return Reply(
        404,
        json={"message": "Not Found", "documentation_url": "https://docs.github.com/rest"},
    )


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGitHub

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        body: object
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        request = Recorded(
            method=self.command,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        reply = self.owner.answer(request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            if reply.drop == "reset":  # SO_LINGER 0: close() sends a TCP reset
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.close_connection = True
            self.connection.close()
            return
        headers = {
            **RATE_LIMIT_HEADERS,
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            **{name.lower(): value for name, value in reply.headers.items()},
        }
        payload = b"" if reply.json is None else json.dumps(reply.json).encode("utf-8")
        try:
            self.send_response(reply.status)
            for name, value in headers.items():
                self.send_header(name, value)
            if payload:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (timeout tests)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A started FakeGitHub for repository "o/r", stopped after the test."""
    with FakeGitHub() as fake:
        yield fake
