"""Where the GitHub API is and which repository: from the runner's environment."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

from retrain_gate.errors import ConfigError

DEFAULT_API_URL = "https://api.github.com"


API_VERSION = "2022-11-28"


DEFAULT_API_BUDGET = 300.0  # seconds for all of a run's API work, unless the user says otherwise


_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class GitHubSettings:
    """Where the API is, which repository to act on, and how patient to be."""

    api_url: str
    repository: str
    token: str = field(repr=False)
    timeout: float = 10.0  # per request, seconds
    max_attempts: int = 4  # total tries for retryable failures
    max_wait: float = 60.0  # upper bound on the time one call spends sleeping between retries
    # One budget for all the API work of a gate run (every call, retry and wait), seconds:
    # the action's `api-timeout` input, the CLI's --api-timeout.
    budget: float = DEFAULT_API_BUDGET

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ConfigError(f"GitHub timeout must be positive, got {self.timeout!r}")
        if self.max_attempts < 1:
            raise ConfigError(f"GitHub max_attempts must be at least 1, got {self.max_attempts}")
        if self.max_wait < 0:
            raise ConfigError(f"GitHub max_wait must not be negative, got {self.max_wait!r}")
        if not self.budget > 0:
            raise ConfigError(f"the API time budget must be positive, got {self.budget!r} s")

    @property
    def run_details_supported(self) -> bool:
        """Does the dispatch endpoint take `return_run_details`? api.github.com does; GitHub
        Enterprise Server's published descriptions (3.17, 3.19) do not have it (a GHES API is
        served under /api/v3), so it is sent only where the base is not a GHES one."""
        return run_details_supported(self.api_url)


def run_details_supported(api_url: str) -> bool:
    """See GitHubSettings.run_details_supported."""
    parts = urllib.parse.urlsplit(api_url)
    if parts.netloc.lower() == "api.github.com":
        return True
    return not parts.path.rstrip("/").endswith("/api/v3")


def settings_from_env(
    env: Mapping[str, str],
    *,
    token: str | None = None,
    repository: str | None = None,
    budget: float = DEFAULT_API_BUDGET,
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
    return GitHubSettings(
        api_url=api_url, repository=chosen_repository, token=chosen_token, budget=budget
    )
