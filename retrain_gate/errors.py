"""The project's one error type, and the exit codes it maps to.

Every error a user can cause (a bad config, a bad metric file, an API that says no) is a
`GateError` naming what is wrong and where. `cli.main` turns it into one message and the
documented exit code; nothing else in the package prints.
"""

from __future__ import annotations

from typing import ClassVar

# Documented in the README ("Exit codes"); keep the two in step.
EXIT_OK = 0  # the gate decided, whatever the decision
EXIT_FAIL_ON = 1  # --fail-on matched the decision (or --fail-on-change saw a change)
EXIT_CONFIG = 2  # config or usage error
EXIT_DATA = 3  # a metric, model card or data file is missing or bad
EXIT_GITHUB = 4  # the GitHub API refused or could not be reached
EXIT_GIT = 5  # git could not give what was asked (diff against a ref)
EXIT_KEPT_OLD = 6  # promote: the candidate is not better than the current model; keep it
EXIT_UNCERTAIN = 7  # a dispatch (or issue) may have started: GitHub's answer did not say
EXIT_INTERNAL = 70  # a bug in retrain-gate: please report it


class GateError(Exception):
    """An error with a location: `file:line:column: message` plus an optional hint."""

    exit_code: ClassVar[int] = EXIT_CONFIG

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint

    @property
    def location(self) -> str:
        """`file:line:column`, with whatever parts are known."""
        parts = [self.file or ""]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts) if self.file or self.line is not None else ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConfigError(GateError):
    """The config (or the command line) is wrong: exit 2."""

    exit_code = EXIT_CONFIG


class UsageError(ConfigError):
    """The command line is wrong: exit 2."""


class DataError(GateError):
    """A committed metric, model card or data file is missing or bad: exit 3."""

    exit_code = EXIT_DATA


class GitHubError(GateError):
    """The GitHub API refused, failed or timed out: exit 4."""

    exit_code = EXIT_GITHUB


class GitError(GateError):
    """git could not read what was asked: exit 5."""

    exit_code = EXIT_GIT
