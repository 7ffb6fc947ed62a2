"""A metric file's history from git: each commit that changed the file is one observation.

For teams whose evaluation job rewrites one `metrics.json` per run and commits it
(`metrics: {path: metrics.json, history: git}`). What counts, decided once:

- The commits are the first-parent history of HEAD that changed the file (`git log
  --first-parent -- PATH`): on a branch that merges pull requests, a merge is one
  observation with the file as merged; the commits inside a merged branch are not.
- A revert is a commit like any other: the file as it was, at the revert's time.
- A commit that deletes the file gives no observation (the series has a gap that freshness
  and gaps checks see); a later commit that adds it back goes on.
- Time: the record's own time field (`time:`, default `date`) when it has one, else the
  commit's committer time (when CI committed the run). A commit's records are the file's
  records at that commit (one object, or several rows of a CSV).
- Uncommitted changes in the working tree are not read: commit first.
- A shallow clone is refused (exit 3 for the model), naming the fix (`fetch-depth: 0` in
  actions/checkout, or `git fetch --unshallow`): a cut history would silently look shorter.
- Rewritten history is read as it is now: the gate keeps no state of its own.

Blobs are read by one `git cat-file --batch` process for all the commits.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from retrain_gate.errors import DataError, GitError
from retrain_gate.model import CardTime, Format
from retrain_gate.sources.card import (
    ISO_TRAINED_AT,
    Baseline,
    CardVersion,
    card_from_data,
    load_baseline,
)
from retrain_gate.sources.files import _format_of, decode_text, parse_json, parse_yaml
from retrain_gate.sources.git import GIT_TIMEOUT, git, toplevel
from retrain_gate.sources.metrics import Record, records_from_text

SHALLOW_HINT = (
    "give the checkout the whole history: `fetch-depth: 0` in actions/checkout, or "
    "`git fetch --unshallow` in a clone"
)


def committed_versions(root: Path, path: str) -> list[tuple[str, datetime, bytes]]:
    """(display, commit time, content) of `path` (relative to `root`) at each first-parent
    commit that changed it, oldest first; commits that deleted it are left out. `display`
    names the file at its commit: "metrics.json@1a2b3c4"."""
    # one git call: the repository's root, whether the clone is shallow, and that HEAD exists
    probe = git(
        ["rev-parse", "--show-toplevel", "--is-shallow-repository", "--verify", "HEAD"],
        cwd=root,
        check=False,
    )
    lines = probe.stdout.split("\n")
    if probe.returncode != 0 or len(lines) < 3:
        toplevel(root)  # the precise error when it is not a repository at all
        raise DataError("history: git, but the repository has no commits yet", file=path)
    top, shallow = Path(lines[0]), lines[1].strip()
    inside = (root.resolve() / path).relative_to(top.resolve()).as_posix()
    if shallow == "true":
        raise DataError(
            "history: git needs the file's whole git history, and this clone is shallow",
            file=path,
            hint=SHALLOW_HINT,
        )
    log = git(
        ["log", "--first-parent", "--format=%H %ct", "--end-of-options", "HEAD", "--", inside],
        cwd=top,
    )
    commits = [line.split() for line in log.stdout.splitlines() if line.strip()]
    if not commits:
        raise DataError(
            "history: git, but no commit of HEAD's history changed this file",
            file=path,
            hint="commit the file, or check `path:`",
        )
    commits.reverse()  # oldest first
    blobs = _cat_files(top, [f"{sha}:{inside}" for sha, _ in commits])
    found = [
        (f"{path}@{sha[:7]}", datetime.fromtimestamp(int(stamp), tz=timezone.utc), data)
        for (sha, stamp), data in zip(commits, blobs)
        if data is not None  # None: the commit deleted the file
    ]
    if not found:
        raise DataError("history: git, but the file is deleted in every commit", file=path)
    return found


def history_records(
    root: Path,
    path: str,
    *,
    time_field: str = "date",
    fmt: Format = "auto",
    delimiter: str = ",",
) -> list[Record]:
    """The records of `path` at each commit that changed it (`committed_versions`), oldest
    first; timed by their own `time_field` when they have it, else by the commit."""
    kind = _format_of(Path(path), fmt, display=path)
    records: list[Record] = []
    for display, when, data in committed_versions(root, path):
        text = decode_text(data, display=display)
        for record in records_from_text(text, kind=kind, display=display, delimiter=delimiter):
            own = record.time is not None or time_field in record.fields
            records.append(record if own else Record(record.fields, record.where, when))
    return records


def card_with_history(root: Path, path: str, *, time: CardTime = ISO_TRAINED_AT) -> Baseline:
    """The model card as it is now, with each earlier committed version of it as a version
    it records (a card rewritten at each training: its commits are the model's versions).
    A version is timed by its `trained_at`, else by its commit."""
    card = load_baseline(root, path, time=time)
    kind = _format_of(Path(path), "auto", display=path)
    older: list[CardVersion] = []
    for display, when, data in committed_versions(root, path):
        text = decode_text(data, display=display)
        raw = (
            parse_json(text, display=display)
            if kind == "json"
            else parse_yaml(text, display=display)
        )
        if not isinstance(raw, Mapping):
            raise DataError("is not a mapping of fields", file=display)
        version = card_from_data(raw, source=display, time=time)
        trained = version.trained_at or when
        if card.trained_at is not None and trained >= card.trained_at:
            continue  # the current version (or one not older than it)
        older.append(CardVersion(version.version, trained, version.values))
    known = {v.trained_at for v in card.history}
    merged = [*card.history, *(v for v in older if v.trained_at not in known)]
    # newest first, as `previous` then `history` are
    merged.sort(key=lambda v: v.trained_at or datetime.min.replace(tzinfo=timezone.utc))
    return replace(card, history=tuple(reversed(merged)))


def _cat_files(top: Path, objects: list[str]) -> list[bytes | None]:
    """Each object's content (None: missing), from one `git cat-file --batch`."""
    request = "".join(f"{name}\n" for name in objects).encode("utf-8")
    try:
        done = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=top,
            input=request,
            capture_output=True,
            timeout=GIT_TIMEOUT,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git cat-file --batch` did not finish in {GIT_TIMEOUT}s") from None
    if done.returncode != 0:
        raise GitError(f"`git cat-file --batch` failed: {done.stderr.decode(errors='replace')}")
    out = done.stdout
    found: list[bytes | None] = []
    at = 0
    for _ in objects:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[-1] == b"missing":
            found.append(None)
            continue
        size = int(header[2])
        found.append(out[at : at + size] if header[1] == b"blob" else None)
        at += size + 1  # the content, then a newline
    return found
