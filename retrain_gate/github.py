"""A small GitHub REST client: dispatch the retraining workflow, list its runs, keep one issue.

stdlib only (urllib). Every request carries the token, the JSON media type and the pinned API
version; failures that may pass (5xx, timeouts, refused connections, rate limits) are retried
with exponential backoff, bounded by `max_attempts` and by `max_wait` seconds of sleeping.
Refusals (401, 403, 404, 422) are not retried: they become one `GitHubError` that quotes
GitHub's own message, names the call and says what to fix. The token never appears in a
message or a repr.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import IO, Literal

from retrain_gate import __version__
from retrain_gate.errors import ConfigError, GitHubError

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"

# GitHub's documented limits for workflow_dispatch and repository_dispatch.
MAX_WORKFLOW_INPUTS = 25
MAX_INPUTS_PAYLOAD_CHARS = 65_535
MAX_EVENT_TYPE_CHARS = 100
MAX_CLIENT_PAYLOAD_KEYS = 10

_MAX_BACKOFF = 30.0  # seconds; one backoff step never sleeps longer than this
_ISSUE_PAGE_SIZE = 100
_MAX_ISSUE_PAGES = 10  # find_open_issue looks at the newest 1,000 open issues and pull requests
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class GitHubSettings:
    """Where the API is, which repository to act on, and how patient to be."""

    api_url: str
    repository: str
    token: str = field(repr=False)
    timeout: float = 10.0  # per request, seconds
    max_attempts: int = 4  # total tries for retryable failures
    max_wait: float = 60.0  # upper bound on the total time spent sleeping between retries

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ConfigError(f"GitHub timeout must be positive, got {self.timeout!r}")
        if self.max_attempts < 1:
            raise ConfigError(f"GitHub max_attempts must be at least 1, got {self.max_attempts}")
        if self.max_wait < 0:
            raise ConfigError(f"GitHub max_wait must not be negative, got {self.max_wait!r}")


def settings_from_env(
    env: Mapping[str, str], *, token: str | None = None, repository: str | None = None
) -> GitHubSettings:
    """Settings from the runner's environment (GITHUB_API_URL, GITHUB_REPOSITORY, the token).

    The token is `token` when given, else INPUT_TOKEN (the action's `token` input, the more
    specific choice), else GITHUB_TOKEN. Blank values count as missing.
    """
    api_url = (env.get("GITHUB_API_URL") or "").strip() or DEFAULT_API_URL
    parsed = urllib.parse.urlsplit(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"GITHUB_API_URL {api_url!r} is not an http(s) URL",
            hint="leave it unset for github.com, or use e.g. https://ghe.example/api/v3",
        )
    chosen_repository = (repository or env.get("GITHUB_REPOSITORY") or "").strip()
    if not chosen_repository:
        raise ConfigError(
            "no GitHub repository to act on",
            hint="set GITHUB_REPOSITORY=owner/name (GitHub Actions sets it for you)",
        )
    if not _REPOSITORY.match(chosen_repository):
        raise ConfigError(
            f"GitHub repository {chosen_repository!r} is not of the form owner/name",
            hint="write it as owner/name, e.g. acme/churn-model",
        )
    chosen_token = next(
        (
            t.strip()
            for t in (token, env.get("INPUT_TOKEN"), env.get("GITHUB_TOKEN"))
            if t and t.strip()
        ),
        None,
    )
    if chosen_token is None:
        raise ConfigError(
            "no GitHub token to call the API with",
            hint="pass `token: ${{ secrets.GITHUB_TOKEN }}` to the action, or set GITHUB_TOKEN",
        )
    return GitHubSettings(api_url=api_url, repository=chosen_repository, token=chosen_token)


@dataclass(frozen=True)
class Response:
    """One answer from the API: status, headers (lower-cased names) and the parsed JSON body."""

    status: int
    headers: Mapping[str, str]
    data: object  # parsed JSON, or None when the body is empty or not JSON


class GitHubHTTPError(GitHubError):
    """The API refused a call (a 4xx that retrying will not change, or a 5xx after retries).

    Carries what the operation functions need to explain the refusal in their own words.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        path: str,
        api_message: str,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.method = method
        self.path = path
        self.api_message = api_message


FailureKind = Literal["timeout", "connection", "server", "rate-limit"]


@dataclass(frozen=True)
class _Failure:
    """A failed attempt that may pass if tried again."""

    kind: FailureKind
    reason: str
    response: Response | None = None
    requested_wait: float | None = None  # what the server asked for (Retry-After / reset)
    reset_at: float | None = None  # epoch seconds when the rate limit resets, if known
    # The request may have reached GitHub (no answer in time, or the connection dropped while
    # waiting for the answer): sending it again could do the same thing twice.
    maybe_received: bool = False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answered, not followed: urllib would resend the Authorization header to
    wherever the Location points and turn a POST into a GET."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> None:
        return None


class GitHubClient:
    """Sends requests to `settings.api_url`, retrying what may pass and explaining what won't."""

    def __init__(
        self,
        settings: GitHubSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._opener = urllib.request.build_opener(_NoRedirect())
        self._base_url = settings.api_url.rstrip("/")  # keeps a GHES prefix such as /api/v3
        self._host = urllib.parse.urlsplit(self._base_url).netloc

    def __repr__(self) -> str:
        return f"GitHubClient({self.settings!r})"

    @property
    def repository(self) -> str:
        return self.settings.repository

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, object] | None = None,
        params: Mapping[str, str] | None = None,
        resend_unanswered: bool = True,
    ) -> Response:
        """One API call with retries; a 2xx answer is returned, anything else raises GitHubError.

        `path` starts with "/" and is relative to the API root (e.g. "/repos/o/r/dispatches").
        `resend_unanswered=False` is for calls that must not happen twice (a dispatch): when the
        request may have reached GitHub without an answer coming back (a timeout, a connection
        dropped while waiting), it is not sent again; refused connections, 5xx answers and rate
        limits are still retried, since GitHub did not act on those.
        """
        method = method.upper()
        if not path.startswith("/"):
            raise ValueError(f"API path must start with '/': {path!r}")
        url = self._base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        payload = None if body is None else json.dumps(body).encode("utf-8")
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(method, url, path, payload)
            if isinstance(outcome, Response):
                return outcome
            failure = outcome
            if failure.maybe_received and not resend_unanswered:
                raise self._not_resent(method, path, failure)
            if attempt >= self.settings.max_attempts:
                raise self._gave_up(method, path, failure, attempt)
            wait = failure.requested_wait
            if wait is None or wait <= 0:
                wait = min(2.0 ** (attempt - 1), _MAX_BACKOFF)
            if waited + wait > self.settings.max_wait:
                if failure.kind == "rate-limit":
                    raise self._rate_limit_too_long(method, path, failure, wait, waited)
                raise self._gave_up(method, path, failure, attempt)
            self._sleep(wait)
            waited += wait

    # -- one attempt -------------------------------------------------------------------------

    def _attempt(
        self, method: str, url: str, path: str, payload: bytes | None
    ) -> Response | _Failure:
        """Send once: a 2xx Response, a retryable _Failure, or raise for a refusal."""
        request = urllib.request.Request(url, data=payload, method=method)
        request.add_header("Authorization", f"Bearer {self.settings.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", API_VERSION)
        request.add_header("User-Agent", f"retrain-gate/{__version__}")
        if payload is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=self.settings.timeout) as answer:
                status = answer.status
                headers = {k.lower(): v for k, v in answer.headers.items()}
                text = answer.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            status = error.code
            headers = {k.lower(): v for k, v in error.headers.items()} if error.headers else {}
            try:
                text = error.read().decode("utf-8", errors="replace")
            except (OSError, ValueError):
                text = ""
        except urllib.error.URLError as error:
            return self._network_failure(error.reason, method, path, sent=False)
        except (OSError, http.client.HTTPException) as error:
            # a timeout, a reset or a garbled answer while reading: may pass on a retry
            return self._network_failure(error, method, path, sent=True)
        response = Response(status=status, headers=headers, data=_parse_json(text))
        if 200 <= status < 300:
            return response
        return self._classify(method, path, response, text)

    def _network_failure(self, reason: object, method: str, path: str, *, sent: bool) -> _Failure:
        """`sent`: the request went out and the failure came while waiting for the answer."""
        if isinstance(reason, ssl.SSLCertVerificationError):
            # A certificate problem does not pass by waiting.
            raise GitHubError(
                f"{method} {path}: the TLS certificate of {self._host} could not be verified"
                f" ({self._scrub(str(reason))})",
                hint="check GITHUB_API_URL; for GitHub Enterprise Server, trust its CA",
            )
        if isinstance(reason, TimeoutError):
            # a timeout while connecting or sending may still have delivered the request
            return _Failure(kind="timeout", reason="timed out", maybe_received=True)
        return _Failure(
            kind="connection",
            reason=self._scrub(str(reason)) or type(reason).__name__,
            maybe_received=sent,
        )

    def _classify(self, method: str, path: str, response: Response, text: str) -> _Failure:
        """A non-2xx answer: a retryable failure, or raise the refusal at once."""
        status = response.status
        api_message = self._scrub(_api_message(response, text))
        headers = response.headers
        retry_after = headers.get("retry-after")
        exhausted = headers.get("x-ratelimit-remaining") == "0"
        if status == 429 or (status == 403 and (retry_after is not None or exhausted)):
            wait: float | None = None
            reset_at: float | None = None
            if retry_after is not None:
                wait = self._parse_retry_after(retry_after)
            elif exhausted and _is_number(headers.get("x-ratelimit-reset")):
                reset_at = float(headers["x-ratelimit-reset"])
                wait = max(0.0, reset_at - self._clock())
            return _Failure(
                kind="rate-limit",
                reason=api_message,
                response=response,
                requested_wait=wait,
                reset_at=reset_at,
            )
        if status >= 500:
            return _Failure(kind="server", reason=api_message, response=response)
        raise self._refusal(method, path, status, api_message)

    def _parse_retry_after(self, value: str) -> float | None:
        """Retry-After is seconds, or (rarely) an HTTP date."""
        value = value.strip()
        if _is_number(value):
            return max(0.0, float(value))
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, moment.timestamp() - self._clock())

    # -- errors -------------------------------------------------------------------------------

    def _refusal(self, method: str, path: str, status: int, api_message: str) -> GitHubHTTPError:
        call = f"{method} {path}"
        quoted = f"GitHub says: {api_message!r}"
        hint: str | None = None
        if status == 401:
            message = f"{call} was refused (401): the token is invalid or expired; {quoted}"
            hint = "pass a valid token (the action's `token` input, or GITHUB_TOKEN)"
        elif status == 403:
            message = (
                f"{call} was refused (403): the token lacks the permission for this call; {quoted}"
            )
        elif status == 404:
            message = (
                f"{call} answered 404: it does not exist in {self.repository}, "
                f"or the token cannot see it; {quoted}"
            )
        elif status == 422:
            message = f"{call} was rejected (422); {quoted}"
        elif 300 <= status < 400:
            message = f"{call} answered a redirect ({status}); {quoted}"
            hint = "the repository may have been renamed or moved: update GITHUB_REPOSITORY"
        else:
            message = f"{call} was refused ({status}); {quoted}"
        return GitHubHTTPError(
            message,
            status=status,
            method=method,
            path=path,
            api_message=api_message,
            hint=hint,
        )

    def _gave_up(self, method: str, path: str, failure: _Failure, attempts: int) -> GitHubError:
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        call = f"{method} {path}"
        if failure.kind == "timeout":
            return GitHubError(
                f"{call}: no answer from {self._host} within the {self.settings.timeout:g} s "
                f"timeout ({tries})",
                hint="check GITHUB_API_URL and the network, or raise the timeout",
            )
        if failure.kind == "connection":
            return GitHubError(
                f"{call}: could not connect to {self._host} ({failure.reason}; {tries}, "
                f"timeout {self.settings.timeout:g} s)",
                hint="check GITHUB_API_URL and the network",
            )
        status = failure.response.status if failure.response else 0
        if failure.kind == "rate-limit":
            resets = ""
            if failure.reset_at is not None:
                when = datetime.fromtimestamp(failure.reset_at, tz=timezone.utc)
                resets = f"; the limit resets at {when:%Y-%m-%dT%H:%M:%SZ}"
            return GitHubError(
                f"{call}: still rate-limited after {tries} ({status}){resets}; "
                f"GitHub says: {failure.reason!r}",
                hint="the API rate limit is shared by every job using this token; try again later",
            )
        return GitHubHTTPError(
            f"{call}: GitHub answered {status} ({tries}); GitHub says: {failure.reason!r}",
            status=status,
            method=method,
            path=path,
            api_message=failure.reason,
            hint="GitHub may be having an incident: see https://www.githubstatus.com",
        )

    def _not_resent(self, method: str, path: str, failure: _Failure) -> GitHubError:
        if failure.kind == "timeout":
            what = f"no answer from {self._host} within the {self.settings.timeout:g} s timeout"
        else:
            what = f"the connection to {self._host} failed before the answer ({failure.reason})"
        return GitHubError(
            f"{method} {path}: {what}; GitHub may have received it, so it is not sent again",
            hint="look at the workflow's runs before dispatching by hand",
        )

    def _rate_limit_too_long(
        self, method: str, path: str, failure: _Failure, wait: float, waited: float
    ) -> GitHubError:
        left = max(0.0, self.settings.max_wait - waited)
        status = failure.response.status if failure.response else 0
        if failure.reset_at is not None:
            when = datetime.fromtimestamp(failure.reset_at, tz=timezone.utc)
            asked = f"the rate limit resets at {when:%Y-%m-%dT%H:%M:%SZ} (in {wait:.0f} s)"
        else:
            asked = f"GitHub asked to retry after {wait:g} s"
        return GitHubError(
            f"{method} {path}: rate-limited ({status}); {asked}, longer than the {left:g} s "
            f"left to wait (max_wait {self.settings.max_wait:g} s); "
            f"GitHub says: {failure.reason!r}",
            hint="run the gate again after that time",
        )

    def _scrub(self, text: str) -> str:
        """Never let the token reach a message, even if an answer echoes it."""
        token = self.settings.token
        return text.replace(token, "***") if token else text


def _parse_json(text: str) -> object:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _api_message(response: Response, text: str) -> str:
    """GitHub's own "message" field, else the start of the body, else the bare status."""
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    snippet = " ".join(text.split())[:200]
    return snippet or f"HTTP {response.status}"


def _is_number(value: str | None) -> bool:
    if value is None:
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


# -- dispatch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchAnswer:
    """What GitHub said to a dispatch: 200 with the new run's details, or a plain 204."""

    status: int
    run_id: int | None
    run_url: str | None  # API URL of the run
    html_url: str | None  # the run's page, for people


def dispatch_workflow(
    client: GitHubClient,
    *,
    workflow: str,
    ref: str,
    inputs: Mapping[str, str],
    resend_unanswered: bool = True,
) -> DispatchAnswer:
    """Start `workflow` (a file name such as "retrain.yml", or its numeric id) on `ref`.

    Inputs are checked against GitHub's limits before anything is sent: a payload GitHub would
    refuse or cut is a ConfigError, never a dispatch with defaults. `resend_unanswered=False`:
    see `GitHubClient.request` (the act stage uses it so that a timeout never dispatches twice).
    """
    if not workflow.strip():
        raise ConfigError("no workflow to dispatch", hint="name the file, e.g. retrain.yml")
    if not ref.strip():
        raise ConfigError(f"no ref to dispatch workflow {workflow!r} on", hint="e.g. main")
    _check_inputs(inputs)
    path = f"/repos/{client.repository}/actions/workflows/{urllib.parse.quote(workflow, safe='')}"
    path += "/dispatches"
    body: dict[str, object] = {
        "ref": ref,
        "inputs": dict(inputs),
        "return_run_details": True,
    }
    try:
        response = client.request("POST", path, body=body, resend_unanswered=resend_unanswered)
    except GitHubHTTPError as error:
        raise _explain_workflow_dispatch(
            error,
            workflow=workflow,
            ref=ref,
            repository=client.repository,
            inputs=inputs,
        ) from None
    return _dispatch_answer(response)


def dispatch_repository(
    client: GitHubClient,
    *,
    event_type: str,
    client_payload: Mapping[str, object],
    resend_unanswered: bool = True,
) -> DispatchAnswer:
    """Send a repository_dispatch event (`on: repository_dispatch: types: [event_type]`)."""
    if not event_type.strip():
        raise ConfigError("repository_dispatch needs a non-empty event_type")
    if len(event_type) > MAX_EVENT_TYPE_CHARS:
        raise ConfigError(
            f"repository_dispatch event_type is {len(event_type)} characters long; "
            f"GitHub allows at most {MAX_EVENT_TYPE_CHARS}",
            hint="use a shorter event type, e.g. retrain",
        )
    if len(client_payload) > MAX_CLIENT_PAYLOAD_KEYS:
        raise ConfigError(
            f"repository_dispatch client_payload has {len(client_payload)} top-level keys; "
            f"GitHub allows at most {MAX_CLIENT_PAYLOAD_KEYS}",
            hint="group related values under one key (nested objects are allowed)",
        )
    try:
        json.dumps(client_payload)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"repository_dispatch client_payload is not JSON: {error}") from None
    path = f"/repos/{client.repository}/dispatches"
    body: dict[str, object] = {
        "event_type": event_type,
        "client_payload": dict(client_payload),
    }
    try:
        response = client.request("POST", path, body=body, resend_unanswered=resend_unanswered)
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="contents: write") from None
    return _dispatch_answer(response)


def _check_inputs(inputs: Mapping[str, str]) -> None:
    if len(inputs) > MAX_WORKFLOW_INPUTS:
        raise ConfigError(
            f"{len(inputs)} workflow inputs; GitHub accepts at most {MAX_WORKFLOW_INPUTS}",
            hint="send fewer inputs, or pack several into one JSON string input",
        )
    for name, value in inputs.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(f"workflow input name {name!r} is not a non-empty string")
        if not isinstance(value, str):
            raise ConfigError(
                f"workflow input {name!r} is a {type(value).__name__} ({value!r}); "
                "workflow_dispatch inputs must be strings",
                hint=f"quote it: {name}: {json.dumps(str(value))}",
            )
    # How GitHub counts the 65,535 characters is not documented; JSON with the default
    # separators and \u escapes is the longer spelling, so this check errs on the safe side.
    size = len(json.dumps(dict(inputs)))
    if size > MAX_INPUTS_PAYLOAD_CHARS:
        raise ConfigError(
            f"workflow inputs are {size:,} characters as JSON; "
            f"GitHub accepts at most {MAX_INPUTS_PAYLOAD_CHARS:,}",
            hint="send a path or an id instead of the data itself",
        )


def _dispatch_answer(response: Response) -> DispatchAnswer:
    data = response.data if isinstance(response.data, dict) else {}
    run_id = data.get("workflow_run_id")
    run_url = data.get("run_url")
    html_url = data.get("html_url")
    return DispatchAnswer(
        status=response.status,
        run_id=run_id if isinstance(run_id, int) and not isinstance(run_id, bool) else None,
        run_url=run_url if isinstance(run_url, str) else None,
        html_url=html_url if isinstance(html_url, str) else None,
    )


def _explain_workflow_dispatch(
    error: GitHubHTTPError,
    *,
    workflow: str,
    ref: str,
    repository: str,
    inputs: Mapping[str, str],
) -> GitHubError:
    call = f"{error.method} {error.path}"
    quoted = f"GitHub says: {error.api_message!r}"
    lowered = error.api_message.lower()
    if error.status == 404:
        return GitHubHTTPError(
            f"{call} answered 404: the workflow file {workflow} does not exist on ref {ref} "
            f"in {repository}, or the token cannot see it / lacks actions: write; {quoted}",
            status=error.status,
            method=error.method,
            path=error.path,
            api_message=error.api_message,
            hint="check the workflow file name and the repository; a token from another "
            "repository needs a PAT or an App token with Actions write",
        )
    if error.status == 422:
        if "unexpected inputs" in lowered:
            message = (
                f"{call} was rejected (422): the retraining workflow {workflow} must declare "
                f"every input it is sent under on.workflow_dispatch.inputs; {quoted}"
            )
            hint = f"inputs sent: {', '.join(sorted(inputs)) or '(none)'}"
        elif "workflow_dispatch" in lowered and "trigger" in lowered:
            message = (
                f"{call} was rejected (422): the workflow {workflow} must have "
                f"`on: workflow_dispatch` on the default branch of {repository}; {quoted}"
            )
            hint = "merge the workflow with its workflow_dispatch trigger to the default branch"
        elif "no ref found" in lowered:
            message = (
                f"{call} was rejected (422): the ref {ref} does not exist in {repository}; {quoted}"
            )
            hint = "dispatch on an existing branch or tag, e.g. main"
        else:
            return error
        return GitHubHTTPError(
            message,
            status=error.status,
            method=error.method,
            path=error.path,
            api_message=error.api_message,
            hint=hint,
        )
    return _explain_permission(error, permission="actions: write")


def _explain_permission(error: GitHubHTTPError, *, permission: str) -> GitHubError:
    """A 403 names the permission the call needs; other refusals pass through unchanged."""
    if error.status != 403:
        return error
    return GitHubHTTPError(
        f"{error.method} {error.path} was refused (403): the token lacks {permission}; "
        f"GitHub says: {error.api_message!r}",
        status=error.status,
        method=error.method,
        path=error.path,
        api_message=error.api_message,
        hint=f"grant the job `permissions:` {permission}, or use a PAT / App token with it",
    )


# -- workflow runs ---------------------------------------------------------------------------


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
) -> list[WorkflowRun]:
    """The newest runs of `workflow` (first page only, newest first, as GitHub orders them).

    `status` and `created` are passed through as GitHub's filters (e.g. "in_progress",
    ">=2026-11-01T00:00:00Z").
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


# -- issues ----------------------------------------------------------------------------------
# The gate keeps at most one open issue per subject. It finds it again by a hidden HTML comment
# (the marker) in the issue body rather than by label: labels can be renamed or removed by
# people, and need not exist in the repository, while the body marker travels with the issue.


def find_open_issue(client: GitHubClient, *, marker: str) -> int | None:
    """The number of the newest open issue whose body contains `marker`, or None.

    `marker` is matched verbatim; make it a hidden HTML comment such as
    "<!-- retrain-gate:scheduled -->" and put it in the body given to `create_issue`.
    Lists GET /repos/{repo}/issues?state=open (pull requests skipped), newest first, at most
    the newest 1,000.
    """
    if not marker.strip():
        raise ValueError("the issue marker must not be empty")
    path = f"/repos/{client.repository}/issues"
    for page in range(1, _MAX_ISSUE_PAGES + 1):
        params = {"state": "open", "per_page": str(_ISSUE_PAGE_SIZE), "page": str(page)}
        try:
            response = client.request("GET", path, params=params)
        except GitHubHTTPError as error:
            raise _explain_permission(error, permission="issues: read") from None
        items = response.data
        if not isinstance(items, list):
            raise GitHubError(f"GET {path}: the answer is not a list of issues")
        for item in items:
            if not isinstance(item, dict) or "pull_request" in item:
                continue
            body = item.get("body")
            number = item.get("number")
            if isinstance(body, str) and marker in body and isinstance(number, int):
                return number
        if len(items) < _ISSUE_PAGE_SIZE:
            break
    return None


def create_issue(client: GitHubClient, *, title: str, body: str, labels: Sequence[str] = ()) -> int:
    """Open an issue; returns its number."""
    payload: dict[str, object] = {"title": title, "body": body}
    if labels:
        payload["labels"] = list(labels)
    path = f"/repos/{client.repository}/issues"
    try:
        response = client.request("POST", path, body=payload)
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="issues: write") from None
    data = response.data
    number = data.get("number") if isinstance(data, dict) else None
    if not isinstance(number, int):
        raise GitHubError(f"POST {path}: the answer does not say the new issue's number")
    return number


def comment_issue(client: GitHubClient, *, number: int, body: str) -> None:
    """Add a comment to issue `number`."""
    path = f"/repos/{client.repository}/issues/{number}/comments"
    try:
        client.request("POST", path, body={"body": body})
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="issues: write") from None


def close_issue(client: GitHubClient, *, number: int, comment: str | None = None) -> None:
    """Close issue `number`, first commenting why when `comment` is given."""
    if comment:
        comment_issue(client, number=number, body=comment)
    path = f"/repos/{client.repository}/issues/{number}"
    try:
        client.request("PATCH", path, body={"state": "closed"})
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="issues: write") from None
