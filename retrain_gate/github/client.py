"""A small GitHub REST client: dispatch the retraining workflow, list its runs, keep one issue.

stdlib only (urllib). Every request carries the token, the JSON media type and the pinned API
version. Failures that may pass are retried: 5xx, timeouts and dropped connections with
exponential backoff (bounded by `max_attempts` and by `max_wait` seconds of sleeping per call),
rate limits as GitHub asks (Retry-After, the reset time, or for a secondary rate limit growing
waits of at least a minute). All of it, every call of a gate run together, stays inside one
time budget (`settings.budget`): each request's timeout is cut to what is left, and a wait
that would pass it is not started.

A call that starts something (`once=True`: a dispatch, a new issue, a comment) is never sent
twice by the client: when GitHub may have acted on it without saying so (a 5xx answer, no
answer in time, a connection dropped after the request went out), `MaybeActedError` is raised
and the caller looks for what it may have caused before deciding to send again.

Refusals (401, 403, 404, 422) are not retried: they become one `GitHubError` that quotes
GitHub's own message (with a 422's `errors[]` details), names the call and says what to fix.
The token never appears in a message or a repr.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import IO

from retrain_gate import __version__
from retrain_gate.durations import is_number
from retrain_gate.github.failures import (
    SECONDARY_WAIT,
    Failure,
    GitHubHTTPError,
    MaybeActedError,
    Messages,
    Response,
    api_message,
)
from retrain_gate.github.settings import API_VERSION, GitHubSettings

__all__ = ["GitHubClient", "GitHubHTTPError", "MaybeActedError", "Response"]

_MAX_BACKOFF = 30.0  # seconds; one backoff step never sleeps longer than this


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
    """Sends requests to `settings.api_url`, retrying what may pass and explaining what won't.

    `sleep`, `clock` (epoch seconds, for rate-limit resets) and `monotonic` (for the budget)
    are injectable so that tests need not wait.
    """

    def __init__(
        self,
        settings: GitHubSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        self._started: float | None = None
        self._opener = urllib.request.build_opener(_NoRedirect())
        self._base_url = settings.api_url.rstrip("/")  # keeps a GHES prefix such as /api/v3
        self._host = urllib.parse.urlsplit(self._base_url).netloc
        self._messages = Messages(host=self._host, settings=settings)

    def __repr__(self) -> str:
        return f"GitHubClient({self.settings!r})"

    @property
    def repository(self) -> str:
        return self.settings.repository

    # -- the budget ---------------------------------------------------------------------------

    def remaining(self) -> float:
        """Seconds left of the API budget; it starts with the client's first use."""
        if self._started is None:
            self._started = self._monotonic()
        return self.settings.budget - (self._monotonic() - self._started)

    def pause(self, seconds: float) -> bool:
        """Sleep `seconds` when the budget has room for it (True), else do not sleep (False)."""
        if seconds > self.remaining():
            return False
        if seconds > 0:
            self._sleep(seconds)
        return True

    # -- requests -----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, object] | None = None,
        params: Mapping[str, str] | None = None,
        once: bool = False,
    ) -> Response:
        """One API call with retries; a 2xx answer is returned, anything else raises GitHubError.

        `path` starts with "/" and is relative to the API root (e.g. "/repos/o/r/dispatches").
        `once=True`: the call starts something, so it is not resent when GitHub may have acted
        (MaybeActedError); a refused connection or a rate limit (GitHub did not act) is retried.
        """
        method = method.upper()
        if not path.startswith("/"):
            raise ValueError(f"API path must start with '/': {path!r}")
        url = self._base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        payload = None if body is None else json.dumps(body).encode("utf-8")
        call = f"{method} {path}"
        waited = 0.0
        attempt = 0
        secondary = 0
        last: Failure | None = None
        while True:
            left = self.remaining()
            if left <= 0:
                raise self._messages.budget_spent(call, last, attempt)
            attempt += 1
            outcome = self._attempt(method, url, path, payload, timeout=min(left, self.timeout))
            if isinstance(outcome, Response):
                return outcome
            failure = last = outcome
            if once and failure.may_have_acted:
                raise self._messages.maybe_acted(call, failure)
            if attempt >= self.settings.max_attempts:
                raise self._messages.gave_up(call, failure, attempt)
            if failure.kind == "secondary":
                # GitHub: wait at least a minute, then longer; bounded by the budget only
                secondary += 1
                wait = SECONDARY_WAIT * 2.0 ** (secondary - 1)
                if not self.pause(wait):
                    raise self._messages.secondary_over_budget(call, failure, wait, attempt)
                continue
            asked = failure.requested_wait
            wait = (
                asked
                if asked is not None and asked > 0
                else min(2.0 ** (attempt - 1), _MAX_BACKOFF)
            )
            if waited + wait > self.settings.max_wait:
                if failure.kind == "rate-limit":
                    raise self._messages.rate_limit_too_long(call, failure, wait, waited)
                raise self._messages.gave_up(call, failure, attempt)
            if not self.pause(wait):
                raise self._messages.over_budget(call, failure, wait, attempt)
            waited += wait

    @property
    def timeout(self) -> float:
        return self.settings.timeout

    # -- one attempt -------------------------------------------------------------------------

    def _attempt(
        self, method: str, url: str, path: str, payload: bytes | None, *, timeout: float
    ) -> Response | Failure:
        """Send once: a 2xx Response, a retryable Failure, or raise for a refusal."""
        request = urllib.request.Request(url, data=payload, method=method)
        request.add_header("Authorization", f"Bearer {self.settings.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", API_VERSION)
        request.add_header("User-Agent", f"retrain-gate/{__version__}")
        if payload is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=timeout) as answer:
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

    def _network_failure(self, reason: object, method: str, path: str, *, sent: bool) -> Failure:
        """`sent`: the failure came while waiting for the answer, after the request went out."""
        if isinstance(reason, ssl.SSLCertVerificationError):
            # A certificate problem does not pass by waiting.
            raise self._messages.certificate(f"{method} {path}", self._scrub(str(reason)))
        if isinstance(reason, TimeoutError):
            # a timeout while connecting or sending may still have delivered the request
            return Failure(kind="timeout", reason="timed out", may_have_acted=True)
        # Only a refused connection or a name that does not resolve surely never reached
        # GitHub; a reset while sending may come after the whole request arrived.
        unsent = isinstance(reason, (ConnectionRefusedError, socket.gaierror))
        return Failure(
            kind="connection",
            reason=self._scrub(str(reason)) or type(reason).__name__,
            may_have_acted=sent or not unsent,
        )

    def _classify(self, method: str, path: str, response: Response, text: str) -> Failure:
        """A non-2xx answer: a retryable failure, or raise the refusal at once."""
        status = response.status
        message = self._scrub(api_message(response, text))
        headers = response.headers
        retry_after = headers.get("retry-after")
        exhausted = headers.get("x-ratelimit-remaining") == "0"
        secondary = "secondary rate limit" in message.lower()
        if status == 429 or (status == 403 and (retry_after is not None or exhausted or secondary)):
            wait: float | None = None
            reset_at: float | None = None
            if retry_after is not None:
                wait = self._parse_retry_after(retry_after)
            elif exhausted and is_number(headers.get("x-ratelimit-reset")):
                reset_at = float(headers["x-ratelimit-reset"])
                wait = max(0.0, reset_at - self._clock())
            elif secondary:
                return Failure(kind="secondary", reason=message, response=response)
            return Failure(
                kind="rate-limit",
                reason=message,
                response=response,
                requested_wait=wait,
                reset_at=reset_at,
            )
        if status >= 500:
            # GitHub documents nothing either way: it may have acted before the error
            return Failure(kind="server", reason=message, response=response, may_have_acted=True)
        raise self._messages.refusal(method, path, status, message)

    def _parse_retry_after(self, value: str) -> float | None:
        """Retry-After is seconds, or (rarely) an HTTP date."""
        from email.utils import parsedate_to_datetime

        value = value.strip()
        if is_number(value):
            return max(0.0, float(value))
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, moment.timestamp() - self._clock())

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
