"""Shared fixtures: no real network, a fake GitHub API on 127.0.0.1, repo builders."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakegithub import fake_github  # noqa: F401 - a fixture, used by name

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests talk to 127.0.0.1 only: any other address is a test bug, so it raises."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)
    yield


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner's variables on the developer's machine must not leak into tests."""
    for name in (
        "GITHUB_TOKEN",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_ACTIONS",
        "GITHUB_API_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_RUN_ID",
        "GITHUB_EVENT_NAME",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")


def write(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under root; return root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def daily_csv(values: dict[str, list[object]], *, start: str = "2026-11-01") -> str:
    """A daily CSV: one row per value, dates from `start`."""
    from datetime import date, timedelta

    first = date.fromisoformat(start)
    names = list(values)
    count = len(values[names[0]])
    rows = [",".join(["date", *names])]
    for i in range(count):
        cells = ["" if values[n][i] is None else str(values[n][i]) for n in names]
        rows.append(",".join([(first + timedelta(days=i)).isoformat(), *cells]))
    return "\n".join(rows) + "\n"


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    # the developer's own git config (hooks, signing, default branch) stays out of tests
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    """`git ARGS` in root with a fixed identity and no user config; stdout, stripped."""
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit(root: Path, files: dict[str, str], message: str) -> str:
    """Write files, commit everything; return the new commit's id."""
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def check_decides_as_the_backtest(config: Any, *, days: slice = slice(None)) -> list[Any]:
    """`check --now` the morning after each replayed day (of the one model's `days`)
    decides as the backtest did that day, with the same summary; the days compared."""
    from datetime import datetime, timedelta, timezone

    from retrain_gate.engine.backtest_run import backtest_config
    from retrain_gate.engine.gate import check

    (model,) = backtest_config(config).models
    compared = list(model.days[days])
    for replayed in compared:
        morning = datetime.combine(replayed.day + timedelta(days=1), datetime.min.time())
        (result,) = check(config, now=morning.replace(tzinfo=timezone.utc), as_of=True).models
        assert (replayed.day, result.decision, result.summary) == (
            replayed.day,
            replayed.status,
            replayed.summary,
        )
    return compared
