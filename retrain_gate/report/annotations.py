"""Annotations: `::warning` / `::error` workflow commands GitHub shows on the run and the diff.

At most 10 of each level per step are shown (the rest are hidden without a word), so the 9
most important are kept and a 10th counts the rest, saying where those are. Files are given
relative to the workspace, so that GitHub can place them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retrain_gate.results import Report

# per step and level; the rest are hidden without a word, so the last slot says how many
ANNOTATIONS_PER_LEVEL = 10

Level = Literal["warning", "error"]


@dataclass(frozen=True)
class Annotation:
    """One `::warning` / `::error` workflow command."""

    level: Level
    message: str
    title: str | None = None
    file: str | None = None
    line: int | None = None
    model: str | None = None  # whose it is (not printed): to count what the summary shows

    def command(self) -> str:
        properties = [
            f"{key}={escape_property(str(value))}"
            for key, value in (("file", self.file), ("line", self.line), ("title", self.title))
            if value is not None
        ]
        head = f"::{self.level}"
        if properties:
            head += " " + ",".join(properties)
        return f"{head}::{escape_data(self.message)}"


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF are escaped (as @actions/core does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which would end it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_path(
    file: str | None, environ: Mapping[str, str], *, base: str | None = None
) -> str | None:
    """A file as GitHub wants it: relative to the workspace (the repository's checkout).

    The config's path is as given on the command line, so relative to the current folder
    (the action's `working-directory`); metric and data files are relative to the config's
    root (`base`), which may be a subfolder of the workspace."""
    if not file:
        return None
    path = Path(file)
    workspace = environ.get("GITHUB_WORKSPACE")
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
        if not workspace:
            return _relative_to_cwd(path)
    if not workspace:
        return path.as_posix()
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:  # outside the checkout: GitHub cannot place it; keep it readable
        return path.as_posix()


def _relative_to_cwd(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def build_annotations(
    report: Report,
    *,
    environ: Mapping[str, str],
    root: str | None = None,
    left_out: Sequence[str] = (),
) -> list[Annotation]:
    """Errors first by how much they say (a file that could not be read, a rule that could not
    be evaluated, a check that vetoed), then warnings (fired triggers, then warn-level checks).
    A rule error that only repeats its model's file problem is not said again. `left_out`:
    models whose details the job summary had no room for (the count of hidden annotations
    says where those are)."""
    problems: list[Annotation] = []
    broken: list[Annotation] = []
    vetoes: list[Annotation] = []
    fired: list[Annotation] = []
    warned: list[Annotation] = []
    for result in report.models:
        said = {p.message for p in result.problems}
        said |= {p.file for p in result.problems if p.file}
        for problem in result.problems:
            problems.append(
                Annotation(
                    "error",
                    problem.message,
                    title=f"retrain-gate: {result.model}: cannot decide",
                    file=annotation_path(problem.file, environ, base=root),
                    line=problem.line,
                    model=result.model,
                )
            )
        for outcome in result.outcomes:
            level: Level
            if outcome.status == "error" and any(text in outcome.reason for text in said):
                continue  # the file problem (or an earlier rule) said it
            if outcome.status == "error":
                said.add(outcome.reason)
                bucket, level, verb = broken, "error", "could not run"
            elif outcome.vetoes:
                bucket, level, verb = vetoes, "error", "failed"
            elif outcome.status == "fired":
                bucket, level, verb = fired, "warning", "fired"
            elif outcome.status == "warned":
                bucket, level, verb = warned, "warning", "warned"
            else:
                continue
            bucket.append(
                Annotation(
                    level,
                    outcome.reason,
                    title=f"retrain-gate: {result.model}/{outcome.name} {verb}",
                    file=annotation_path(outcome.file, environ),
                    line=outcome.line,
                    model=result.model,
                )
            )
    errors = _capped(problems + broken + vetoes, "error", left_out=left_out)
    return errors + _capped(fired + warned, "warning", left_out=left_out)


def _capped(
    items: Sequence[Annotation], level: Level, *, left_out: Sequence[str]
) -> list[Annotation]:
    if len(items) <= ANNOTATIONS_PER_LEVEL:
        return list(items)
    shown = ANNOTATIONS_PER_LEVEL - 1
    rest = items[shown:]
    more = len(rest)
    what = "error" if level == "error" else "warning"
    missing = set(left_out)
    elsewhere = sum(1 for a in rest if a.model in missing)
    are = "is" if more == 1 else "are"
    noun = f"{more} more {what}{'s' if more != 1 else ''}"
    if not elsewhere:
        where = f"{noun} {are} listed in the job summary"
    elif elsewhere == more:
        where = f"{noun} {are} listed in the full report only (the job summary had no room)"
    else:
        where = (
            f"{noun}: {more - elsewhere} listed in the job summary, {elsewhere} in the full "
            "report only (the job summary had no room)"
        )
    return [
        *items[:shown],
        Annotation(
            level,
            f"{where} (GitHub shows at most 10 annotations of each level per step).",
            title=f"retrain-gate: {noun}",
        ),
    ]
