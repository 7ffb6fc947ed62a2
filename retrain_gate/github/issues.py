"""Issues and comments, for the issue opener."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from retrain_gate.errors import GitHubError
from retrain_gate.github.client import GitHubClient, GitHubHTTPError
from retrain_gate.github.dispatches import _explain_permission

_ISSUE_PAGE_SIZE = 100


_MAX_ISSUE_PAGES = 10  # find_open_issue looks at the newest 1,000 open issues and pull requests


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
    for item in _listed(client, path, {"state": "open"}, what="issues"):
        if not isinstance(item, dict) or "pull_request" in item:
            continue
        body = item.get("body")
        number = item.get("number")
        if isinstance(body, str) and marker in body and isinstance(number, int):
            return number
    return None


def _listed(
    client: GitHubClient, path: str, params: dict[str, str], *, what: str
) -> Iterator[object]:
    """Every item of a paged list, page after page, at most `_MAX_ISSUE_PAGES` pages."""
    for page in range(1, _MAX_ISSUE_PAGES + 1):
        query = {**params, "per_page": str(_ISSUE_PAGE_SIZE), "page": str(page)}
        try:
            response = client.request("GET", path, params=query)
        except GitHubHTTPError as error:
            raise _explain_permission(error, permission="issues: read") from None
        items = response.data
        if not isinstance(items, list):
            raise GitHubError(f"GET {path}: the answer is not a list of {what}")
        yield from items
        if len(items) < _ISSUE_PAGE_SIZE:
            return


def create_issue(client: GitHubClient, *, title: str, body: str, labels: Sequence[str] = ()) -> int:
    """Open an issue; returns its number. Sent once: MaybeActedError when GitHub may have
    opened it without saying so (find it by its marker before sending again)."""
    payload: dict[str, object] = {"title": title, "body": body}
    if labels:
        payload["labels"] = list(labels)
    path = f"/repos/{client.repository}/issues"
    try:
        response = client.request("POST", path, body=payload, once=True)
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="issues: write") from None
    data = response.data
    number = data.get("number") if isinstance(data, dict) else None
    if not isinstance(number, int):
        raise GitHubError(f"POST {path}: the answer does not say the new issue's number")
    return number


def comment_issue(client: GitHubClient, *, number: int, body: str) -> None:
    """Add a comment to issue `number`, once (see create_issue)."""
    path = f"/repos/{client.repository}/issues/{number}/comments"
    try:
        client.request("POST", path, body={"body": body}, once=True)
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="issues: write") from None


def has_comment(client: GitHubClient, *, number: int, marker: str) -> bool:
    """Does a comment of issue `number` contain `marker`? Reads the oldest 1,000 comments
    first, as GitHub lists them, up to the newest 1,000."""
    if not marker.strip():
        raise ValueError("the comment marker must not be empty")
    path = f"/repos/{client.repository}/issues/{number}/comments"
    return any(
        isinstance(i, dict) and marker in str(i.get("body") or "")
        for i in _listed(client, path, {}, what="comments")
    )


def close_issue(client: GitHubClient, *, number: int, comment: str | None = None) -> None:
    """Close issue `number`, first commenting why when `comment` is given."""
    if comment:
        comment_issue(client, number=number, body=comment)
    path = f"/repos/{client.repository}/issues/{number}"
    try:
        client.request("PATCH", path, body={"state": "closed"})
    except GitHubHTTPError as error:
        raise _explain_permission(error, permission="issues: write") from None
