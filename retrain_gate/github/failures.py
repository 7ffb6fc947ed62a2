"""What the client says when a call fails: the answer types and every failure's message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from retrain_gate.errors import GitHubError
from retrain_gate.github.settings import GitHubSettings

SECONDARY_WAIT = 60.0  # GitHub: after a secondary rate limit, wait at least a minute


_MAX_DETAILS_CHARS = 500  # of a 422's errors[], in one message


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


class MaybeActedError(GitHubError):
    """A call that starts something got no definitive answer: GitHub may have acted on it.

    `what` says what happened ("GitHub answered 502", "no answer within 10 s"); the caller
    looks for what the call may have caused before it sends it again.
    """

    def __init__(self, message: str, *, what: str, status: int | None) -> None:
        super().__init__(message)
        self.what = what
        self.status = status


FailureKind = Literal["timeout", "connection", "server", "rate-limit", "secondary"]


@dataclass(frozen=True)
class Failure:
    """A failed attempt that may pass if tried again."""

    kind: FailureKind
    reason: str
    response: Response | None = None
    requested_wait: float | None = None  # what the server asked for (Retry-After / reset)
    reset_at: float | None = None  # epoch seconds when the rate limit resets, if known
    # GitHub may have acted on the request (a 5xx, no answer in time, a dropped connection):
    # a call that starts something must not simply be sent again.
    may_have_acted: bool = False

    @property
    def status(self) -> int:
        return self.response.status if self.response else 0


def api_message(response: Response, text: str) -> str:
    """GitHub's own "message" field (with a 422's errors[] details), else the start of the
    body, else the bare status."""
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        message = str(data["message"])
        details = _error_details(data.get("errors"))
        if details:
            message += f" ({details})"
        return message
    snippet = " ".join(text.split())[:200]
    return snippet or f"HTTP {response.status}"


def _error_details(errors: object) -> str:
    """errors[] as one line: each item's field and message (or code), as GitHub gives them."""
    if not isinstance(errors, list):
        return ""
    parts = []
    for item in errors:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict):
            field = item.get("field")
            said = item.get("message") or item.get("code")
            text = " ".join(str(p) for p in (f"{field}:" if field else None, said) if p)
            if text:
                parts.append(text)
    line = " ".join("; ".join(parts).split())
    return line if len(line) <= _MAX_DETAILS_CHARS else line[: _MAX_DETAILS_CHARS - 1] + "…"


def _utc(epoch: float) -> str:
    return f"{datetime.fromtimestamp(epoch, tz=timezone.utc):%Y-%m-%dT%H:%M:%SZ}"


_SECONDARY_HINT = (
    "a secondary rate limit is about how fast this token sends requests, not a missing "
    "permission; run the gate again later, with fewer parallel jobs, or a larger api-timeout"
)


class Messages:
    """The client's failure messages, for one API host."""

    def __init__(self, *, host: str, settings: GitHubSettings) -> None:
        self.host = host
        self.settings = settings

    def _tries(self, attempts: int) -> str:
        return f"{attempts} attempt{'s' if attempts != 1 else ''}"

    def refusal(self, method: str, path: str, status: int, api_message: str) -> GitHubHTTPError:
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
                f"{call} answered 404: it does not exist in {self.settings.repository}, "
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
            message, status=status, method=method, path=path, api_message=api_message, hint=hint
        )

    def certificate(self, call: str, reason: str) -> GitHubError:
        return GitHubError(
            f"{call}: the TLS certificate of {self.host} could not be verified ({reason})",
            hint="check GITHUB_API_URL; for GitHub Enterprise Server, trust its CA",
        )

    def gave_up(self, call: str, failure: Failure, attempts: int) -> GitHubError:
        tries = self._tries(attempts)
        timeout = self.settings.timeout
        if failure.kind == "timeout":
            return GitHubError(
                f"{call}: no answer from {self.host} within the {timeout:g} s timeout ({tries})",
                hint="check GITHUB_API_URL and the network, or raise the timeout",
            )
        if failure.kind == "connection":
            return GitHubError(
                f"{call}: could not connect to {self.host} ({failure.reason}; {tries}, "
                f"timeout {timeout:g} s)",
                hint="check GITHUB_API_URL and the network",
            )
        if failure.kind == "secondary":
            return GitHubError(
                f"{call}: still held by GitHub's secondary rate limit after {tries} "
                f"({failure.status}); GitHub says: {failure.reason!r}",
                hint=_SECONDARY_HINT,
            )
        if failure.kind == "rate-limit":
            resets = f"; the limit resets at {_utc(failure.reset_at)}" if failure.reset_at else ""
            return GitHubError(
                f"{call}: still rate-limited after {tries} ({failure.status}){resets}; "
                f"GitHub says: {failure.reason!r}",
                hint="the API rate limit is shared by every job using this token; try again later",
            )
        method, _, path = call.partition(" ")
        return GitHubHTTPError(
            f"{call}: GitHub answered {failure.status} ({tries}); GitHub says: {failure.reason!r}",
            status=failure.status,
            method=method,
            path=path,
            api_message=failure.reason,
            hint="GitHub may be having an incident: see https://www.githubstatus.com",
        )

    def maybe_acted(self, call: str, failure: Failure) -> MaybeActedError:
        if failure.kind == "timeout":
            what = f"no answer from {self.host} within the {self.settings.timeout:g} s timeout"
        elif failure.kind == "server":
            what = f"GitHub answered {failure.status} ({failure.reason})"
        else:
            what = f"the connection to {self.host} failed before the answer ({failure.reason})"
        return MaybeActedError(
            f"{call}: {what}; GitHub may have acted on it",
            what=what,
            status=failure.status or None,
        )

    def rate_limit_too_long(
        self, call: str, failure: Failure, wait: float, waited: float
    ) -> GitHubError:
        left = max(0.0, self.settings.max_wait - waited)
        if failure.reset_at is not None:
            asked = f"the rate limit resets at {_utc(failure.reset_at)} (in {wait:.0f} s)"
        else:
            asked = f"GitHub asked to retry after {wait:g} s"
        return GitHubError(
            f"{call}: rate-limited ({failure.status}); {asked}, longer than the {left:g} s "
            f"left to wait (max_wait {self.settings.max_wait:g} s); "
            f"GitHub says: {failure.reason!r}",
            hint="run the gate again after that time",
        )

    def secondary_over_budget(
        self, call: str, failure: Failure, wait: float, attempts: int
    ) -> GitHubError:
        return GitHubError(
            f"{call}: held by GitHub's secondary rate limit ({failure.status}, "
            f"{self._tries(attempts)}); the next wait of {wait:g} s would pass the "
            f"{self.settings.budget:g} s API time budget, so the gate gave up; "
            f"GitHub says: {failure.reason!r}",
            hint=_SECONDARY_HINT,
        )

    def over_budget(self, call: str, failure: Failure, wait: float, attempts: int) -> GitHubError:
        return GitHubError(
            f"{call}: failed ({self._describe(failure)}, {self._tries(attempts)}); waiting "
            f"{wait:g} s more would pass the {self.settings.budget:g} s API time budget",
            hint="raise api-timeout (--api-timeout), or run the gate again later",
        )

    def budget_spent(self, call: str, failure: Failure | None, attempts: int) -> GitHubError:
        after = f" after {self._describe(failure)}" if failure is not None else ""
        return GitHubError(
            f"{call}: the {self.settings.budget:g} s API time budget is spent{after}; not sent",
            hint="raise api-timeout (--api-timeout), or run the gate again later",
        )

    def _describe(self, failure: Failure) -> str:
        if failure.kind == "timeout":
            return "no answer in time"
        if failure.kind == "connection":
            return f"could not connect: {failure.reason}"
        return f"GitHub answered {failure.status}: {failure.reason!r}"
