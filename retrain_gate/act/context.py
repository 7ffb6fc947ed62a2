"""The gate run this is (from the runner's environment) and the client it acts with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from retrain_gate.errors import ConfigError, UsageError
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.settings import DEFAULT_API_URL, settings_from_env


@dataclass(frozen=True)
class RunContext:
    """What the runner says about the gate's own run (all optional off a runner)."""

    run_id: str | None = None  # GITHUB_RUN_ID
    run_attempt: int = 1  # GITHUB_RUN_ATTEMPT
    server_url: str = "https://github.com"  # GITHUB_SERVER_URL
    repository: str | None = None  # GITHUB_REPOSITORY
    ref_name: str | None = None  # GITHUB_REF_NAME
    api_url: str = DEFAULT_API_URL  # GITHUB_API_URL

    @property
    def gate_run_url(self) -> str:
        """The gate run's page, or "" off a runner."""
        if not self.run_id or not self.repository:
            return ""
        return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"


def run_context_from_env(env: Mapping[str, str]) -> RunContext:
    """The runner's GITHUB_* variables; missing ones keep RunContext's defaults."""

    def value(name: str) -> str | None:
        text = (env.get(name) or "").strip()
        return text or None

    run_id = value("GITHUB_RUN_ID")
    if run_id is not None and not run_id.isdigit():
        raise ConfigError(f"GITHUB_RUN_ID {run_id!r} is not a run id (a whole number)")
    attempt_text = value("GITHUB_RUN_ATTEMPT") or "1"
    if not attempt_text.isdigit() or int(attempt_text) < 1:
        raise ConfigError(f"GITHUB_RUN_ATTEMPT {attempt_text!r} is not a positive whole number")
    return RunContext(
        run_id=run_id,
        run_attempt=int(attempt_text),
        server_url=value("GITHUB_SERVER_URL") or RunContext.server_url,
        repository=value("GITHUB_REPOSITORY"),
        ref_name=value("GITHUB_REF_NAME"),
        api_url=value("GITHUB_API_URL") or DEFAULT_API_URL,
    )


def client_from_env(
    env: Mapping[str, str], *, token_env: str | None = None, budget: float | None = None
) -> GitHubClient:
    """A client from GITHUB_API_URL, GITHUB_REPOSITORY and the token (GITHUB_TOKEN, or the
    variable named by `token_env`)."""
    token = None
    if token_env is not None:
        token = (env.get(token_env) or "").strip()
        if not token:
            raise UsageError(
                f"--token-env {token_env}: the environment variable {token_env} is not set",
                hint=f"export {token_env}=<token>, or leave --token-env out to use GITHUB_TOKEN",
            )
    if budget is None:
        return GitHubClient(settings_from_env(env, token=token))
    return GitHubClient(settings_from_env(env, token=token, budget=budget))
