"""`retrain-gate matrix`: the models as JSON for a GitHub Actions `strategy.matrix`.

With `--changed-since REF`, only the models whose metric files, model card, data files or
config entry changed between REF and HEAD (`git diff REF...HEAD`, as a pull request shows
it): one job per changed model, the others are not evaluated again.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrain_gate.commands.common import add_config_options
from retrain_gate.errors import GitError, UsageError
from retrain_gate.kinds import registry

if TYPE_CHECKING:
    from retrain_gate.model import Config, ModelConfig

FETCH_HINT = "is the ref fetched? actions/checkout needs fetch-depth: 0 to see earlier commits"


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "matrix",
        help="print the models as JSON for a GitHub Actions strategy.matrix",
        description='Print {"model": [...]} for `strategy.matrix`: every model in the config, '
        "or with --changed-since only those whose metric files, model card, data files or "
        "config entry changed since REF.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--changed-since",
        metavar="REF",
        help="only models with a change between REF and HEAD (git diff REF...HEAD)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.commands.common import read_config

    config = read_config(args)
    names = list(config.models)
    if args.changed_since:
        names = changed_models(config, args.changed_since)
    sys.stdout.write(json.dumps({"model": names}) + "\n")
    return 0


def git(args: list[str], *, cwd: Path, hint: str | None = None) -> str:
    """`git ARGS` in `cwd` (a list argv, never a shell); any failure is a GitError (exit 5)."""
    from retrain_gate.sources.git import git as run_git

    return run_git(args, cwd=cwd, hint=hint).stdout


def changed_models(config: Config, ref: str) -> list[str]:
    """The models, in config order, with a file or config entry changed in REF...HEAD."""
    if not ref.strip() or ref.startswith("-"):
        raise UsageError(f"--changed-since takes a git ref (a branch, tag or commit), not {ref!r}")
    root = config.root.resolve()
    prefix = git(["rev-parse", "--show-prefix"], cwd=root).strip()  # root within the repo
    listed = git(["diff", "--name-only", "-z", f"{ref}...HEAD", "--"], cwd=root, hint=FETCH_HINT)
    changed = {
        path[len(prefix) :] for path in listed.split("\0") if path and path.startswith(prefix)
    }
    config_file = _inside(root, Path(config.path))
    entries_changed: set[str] = set()
    if config_file is not None and config_file in changed:
        base = git(["merge-base", ref, "HEAD"], cwd=root, hint=FETCH_HINT).strip()
        entries_changed = _changed_entries(config, base, prefix + config_file, cwd=root)
    return [
        name
        for name, model in config.models.items()
        if name in entries_changed or _touches(changed, model_files(model))
    ]


def _inside(root: Path, path: Path) -> str | None:
    """`path` relative to the root (posix), or None when the file is outside it."""
    absolute = path.resolve()
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else None


def _changed_entries(config: Config, base: str, in_repo: str, *, cwd: Path) -> set[str]:
    """Models whose entry in the config differs from the entry at `base` (all, if unreadable)."""
    import yaml

    try:
        before = yaml.safe_load(git(["show", f"{base}:{in_repo}"], cwd=cwd))
    except (GitError, yaml.YAMLError):  # the config is new, or was broken: every entry changed
        return set(config.models)
    now = yaml.safe_load(config.text) if config.text else {}
    old_models = before.get("models") if isinstance(before, dict) else None
    new_models = now.get("models") if isinstance(now, dict) else None
    if not isinstance(old_models, dict) or not isinstance(new_models, dict):
        return set(config.models)
    return {name for name in config.models if old_models.get(name) != new_models.get(name)}


def model_files(model: ModelConfig) -> list[str]:
    """The paths (or globs) a model's decision reads: metrics, model card, data files."""

    paths = [model.metrics.path] if model.metrics is not None else []
    if model.baseline is not None:
        paths.append(model.baseline)
    for rule in model.rules:
        paths.extend(
            relative for relative, _ in registry(rule.role)[rule.kind].inputs(rule.options)
        )
    return [os.path.normpath(p).replace(os.sep, "/") for p in paths]


def _touches(changed: set[str], patterns: list[str]) -> bool:
    """Whether a changed path is one of the files, or matches one of the globs."""
    for pattern in patterns:
        if pattern in changed:
            return True
        if _is_glob(pattern) and any(fnmatch.fnmatchcase(path, pattern) for path in changed):
            return True
    return False


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")
