"""Read files as they were at a git ref: a pull request's base, for `diff` (its config and
its data, in a temporary worktree of the base commit).

git runs as a subprocess with a list argv (never a shell). A ref that is not in the
checkout (a shallow clone with only the head commit) is fetched with `--depth=1` from
`origin` before giving up; every failure is a `GitError` (exit 5) saying what was asked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from retrain_gate.errors import GitError, UsageError

GIT_TIMEOUT = 120  # seconds; a fetch on a slow runner


@dataclass(frozen=True)
class BaseRef:
    """The ref to compare with, the commit it names, and how it was chosen."""

    ref: str
    commit: str
    how: str  # "given" | "merge base with origin/<branch>" | ...


def git(
    args: list[str], *, cwd: Path, check: bool = True, hint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `git ARGS` in `cwd`; a missing git or (with check) a failure is a GitError."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {' '.join(args)}` did not finish in {GIT_TIMEOUT}s") from None
    if check and done.returncode != 0:
        raise GitError(f"`git {' '.join(args)}` failed: {last_line(done.stderr)}", hint=hint)
    return done


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def toplevel(cwd: Path) -> Path:
    """The root of the git working tree holding `cwd`."""
    done = git(["rev-parse", "--show-toplevel"], cwd=cwd, check=False)
    if done.returncode != 0:
        raise GitError(
            f"{cwd} is not inside a git repository",
            hint="run diff from a clone of the repository",
        )
    return Path(done.stdout.strip())


def commit_of(ref: str, *, cwd: Path) -> str | None:
    """The commit a ref names, or None when it is not known locally."""
    done = git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        cwd=cwd,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def fetch(ref: str, *, cwd: Path) -> tuple[bool, str]:
    """`git fetch --depth=1 origin REF`; (worked, git's last message)."""
    branch = ref.removeprefix("origin/")
    target = f"+refs/heads/{branch}:refs/remotes/origin/{branch}"
    spec = target if ref.startswith("origin/") else ref
    done = git(["fetch", "--no-tags", "--depth=1", "origin", spec], cwd=cwd, check=False)
    return done.returncode == 0, last_line(done.stderr)


def resolve(ref: str, *, cwd: Path) -> str:
    """The commit of `ref`, fetching it from origin when the checkout does not have it."""
    if ref.startswith("-"):
        raise UsageError(f"--base {ref!r} is not a git ref")
    found = commit_of(ref, cwd=cwd)
    if found:
        return found
    worked, message = fetch(ref, cwd=cwd)
    found = commit_of(ref, cwd=cwd) or (commit_of("FETCH_HEAD", cwd=cwd) if worked else None)
    if found:
        return found
    raise GitError(
        f"the ref {ref!r} is not in this checkout, and fetching it from origin failed: {message}",
        hint="check the name, or check out more history (actions/checkout with fetch-depth: 0)",
    )


def default_base(*, cwd: Path, env: Mapping[str, str]) -> BaseRef:
    """In a pull request (GITHUB_BASE_REF set): the merge base of HEAD and the base branch.

    With a shallow checkout the base branch is fetched first. When the histories still do
    not meet (depth 1): for the merge commit actions/checkout checks out on pull requests,
    its first parent (the base commit it merges into); otherwise the history is fetched
    (`--unshallow`), and if they still do not meet, a GitError (exit 5) with the fix.
    """
    branch = env.get("GITHUB_BASE_REF", "").strip()
    if not branch:
        raise UsageError(
            "diff needs --base REF (the ref to compare the config with)",
            hint="e.g. --base origin/main; in a pull request it defaults to the merge base "
            "with the base branch",
        )
    remote = f"origin/{branch}"
    tip = commit_of(remote, cwd=cwd)
    if tip is None:
        _, message = fetch(remote, cwd=cwd)
        tip = commit_of(remote, cwd=cwd)
        if tip is None:
            raise GitError(
                f"cannot fetch the pull request's base branch {branch!r} from origin: {message}",
                hint="give actions/checkout `fetch-depth: 0`, or pass --base",
            )
    found = _merge_base(tip, cwd=cwd)
    if found:
        return BaseRef(remote, found, f"merge base with {remote}")
    # no common history in this checkout: never guess the base (a base tip that moved on
    # would show its later changes as the pull request's own, reversed)
    parents = _parents("HEAD", cwd=cwd)
    if len(parents) >= 2:  # the merge commit actions/checkout makes for a pull request
        first = parents[0]
        if commit_of(first, cwd=cwd) is None:
            fetch(first, cwd=cwd)
        if commit_of(first, cwd=cwd):
            return BaseRef(remote, first, f"the {remote} commit the pull request merges into")
    shallow = git(["rev-parse", "--is-shallow-repository"], cwd=cwd, check=False)
    if shallow.stdout.strip() == "true":
        git(["fetch", "--no-tags", "--unshallow", "origin"], cwd=cwd, check=False)
        found = _merge_base(tip, cwd=cwd)
        if found:
            return BaseRef(remote, found, f"merge base with {remote} (after fetching history)")
    raise GitError(
        f"HEAD and {remote} have no common history in this checkout, so the pull request's "
        "base cannot be told",
        hint="give actions/checkout `fetch-depth: 0`, or pass --base",
    )


def _merge_base(tip: str, *, cwd: Path) -> str | None:
    done = git(["merge-base", "HEAD", tip], cwd=cwd, check=False)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def _parents(commit: str, *, cwd: Path) -> list[str]:
    """A commit's parents as its object names them (present in the checkout or not)."""
    done = git(["cat-file", "-p", commit], cwd=cwd, check=False)
    if done.returncode != 0:
        return []
    header = done.stdout.split("\n\n", 1)[0]
    return [line.split()[1] for line in header.splitlines() if line.startswith("parent ")]


def given_base(ref: str, *, cwd: Path) -> BaseRef:
    return BaseRef(ref, resolve(ref, cwd=cwd), "given")


def show(commit: str, relative: str, *, cwd: Path) -> str | None:
    """The text of `relative` (a path from the repository root) at `commit`; None when the
    file does not exist there."""
    spec = f"{commit}:{relative}"
    exists = git(["cat-file", "-e", spec], cwd=cwd, check=False)
    if exists.returncode != 0:
        return None
    done = git(["show", spec], cwd=cwd)
    return done.stdout


def relative_to_toplevel(path: Path, *, cwd: Path) -> str:
    """`path` (absolute or relative to cwd) as a POSIX path from the repository root."""
    top = toplevel(cwd)
    absolute = (cwd / path).resolve()
    try:
        return absolute.relative_to(top.resolve()).as_posix()
    except ValueError:
        raise GitError(f"{path} is outside the git repository {top}") from None


@contextlib.contextmanager
def tree_at(commit: str, *, cwd: Path) -> Iterator[Path]:
    """A temporary, detached worktree of `commit` (its root), removed afterwards: every file
    as committed there, and the history up to it (for `history: git` sources)."""
    folder = Path(tempfile.mkdtemp(prefix="retrain-gate-base-"))
    tree = folder / "tree"
    git(
        ["worktree", "add", "--detach", "--quiet", str(tree), commit],
        cwd=cwd,
        hint="diff reads the base side as committed at its commit",
    )
    try:
        yield tree
    finally:
        git(["worktree", "remove", "--force", str(tree)], cwd=cwd, check=False)
        shutil.rmtree(folder, ignore_errors=True)
        git(["worktree", "prune"], cwd=cwd, check=False)
