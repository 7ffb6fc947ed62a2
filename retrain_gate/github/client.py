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
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import IO, Literal

from retrain_gate import __version__
from retrain_gate.errors import GitHubError
from retrain_gate.github.settings import API_VERSION, GitHubSettings

_MAX_BACKOFF = 30.0  # seconds; one backoff step never sleeps longer than this


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
