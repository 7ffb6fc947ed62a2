"""The project's one error type, and the exit codes it maps to.

Every error a user can cause (a bad config, a bad metric file, an API that says no) is a
`GateError` naming what is wrong and where. `cli.main` turns it into one message and the
documented exit code; nothing else in the package prints. `ConfigErrors` carries every
config error one run found (`validate` reports them all), each printed as its own line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


class ConfigErrors(ConfigError):
    """Every error found in one run (`validate` reports them all, not the first): each is
    one line, sorted by file and line. Located where the first is, so that code reading one
    error (the annotation, a test) still reads a real one."""

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        ordered = sorted(_flat(errors), key=_place)
        if not ordered:
            raise ValueError("ConfigErrors needs at least one error")
        first = ordered[0]
        super().__init__(
            first.message, file=first.file, line=first.line, column=first.column, hint=first.hint
        )
        self.errors: tuple[ConfigError, ...] = tuple(ordered)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def by_file(self) -> list[tuple[str, tuple[ConfigError, ...]]]:
        """The errors of each file named, in order (errors naming no file under "")."""
        files: dict[str, list[ConfigError]] = {}
        for error in self.errors:
            files.setdefault(error.file or "", []).append(error)
        return [(file, tuple(errors)) for file, errors in files.items()]


def collected(errors: Sequence[ConfigError]) -> ConfigError | None:
    """The error to raise for what a run found: None, the one error as it is, or all."""
    flat = list(_flat(errors))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else ConfigErrors(flat)


def _flat(errors: Sequence[ConfigError]) -> Iterator[ConfigError]:
    seen: set[str] = set()
    for error in errors:
        for one in error.errors if isinstance(error, ConfigErrors) else (error,):
            if str(one) not in seen:  # one mistake found by two checks is one error
                seen.add(str(one))
                yield one


def _place(error: GateError) -> tuple[str, int, int]:
    return (error.file or "", error.line or 0, error.column or 0)


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
