"""`retrain-gate diff`: what a pull request does, from the committed metric history.

Judges each side at its own revision: the base side entirely as committed at `--base REF`
(its config and the metric files, cards and distributions it reads, in a temporary worktree
of that commit), the head side on the working tree. So a change to the data alone (a
metric file, the model card, a NaN landing) shows as the decisions it changes, and a config
that moved between `retrain-gate.yml` and `.github/retrain-gate.yml` is followed. Shows the
rule-by-rule changes, today's decision under each, and both backtests over the same days.

- Default `--base`: in a pull request (GITHUB_BASE_REF set) the merge base with the base
  branch; otherwise `--base` is required (exit 2). A ref missing from a shallow checkout
  is fetched from origin; if that fails: exit 5.
- No config at the base: every model and rule is new. An invalid config at the base is
  reported (`base.error`) and treated the same way. An invalid config in the working tree
  fails: exit 2, `file:line:column: message` on stderr.
- Exit 0 for a valid change; with `--fail-on-change`, 1 when any rule, setting, today's
  decision or replayed day changed.
- `--github` (on by default when GITHUB_ACTIONS=true), for the action's pull-request check:
  the Markdown report is appended to the job summary and the step outputs `changed`,
  `decision` (today's, under the new config), `report` and `summary` (the two files) are
  written; an invalid config is also an `::error` annotation at its line (in `cli.main`).

`--format json` (`schema_version` 1; fields are only added within a version):

- `schema_version`, `tool`, `kind` ("diff"), `now` (today's decisions are taken at it),
  `changed` (bool), `base` {`ref`, `commit`, `how`, `config` ("path@ref"), `exists`,
  `error` (the base config's error, or null)}, `head` {`config`},
  `window` {`start`, `end`, `days`} (the replayed days, null without observations);
- `models`: one per model in either config: `model`, `change` (added | removed | changed |
  unchanged), `settings` [{`option`, `old`, `new`}] (metrics, baseline, dispatch),
  `rules` [{`role`, `name` (a group's member: `group.member`), `change` (added | removed |
  changed), `kind` {`old`, `new`}, `options` [{`option`, `old`, `new`}: a group's `mode`
  (all | any), a member's `member of` (its group)], `file`, `line`}], `today` {`old`, `new`} (a
  decision or null), `backtest` {`old`, `new`: totals as in the backtest JSON or null;
  `changed_days` [{`day`, `old`, `new`, `old_fired`, `new_fired`}] for models in both}.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from retrain_gate.commands.backtest import add_window_options
from retrain_gate.commands.common import (
    add_config_options,
    add_github_options,
    add_report_options,
    deliver,
    exit_code,
    now_or_current,
)
from retrain_gate.config.parse import (
    CONFIG_NAMES,
    find_config,
    load_config,
    parse_config,
    repository_root,
)
from retrain_gate.engine.diff import BaseSide, compare
from retrain_gate.errors import ConfigError, ConfigErrors
from retrain_gate.model import (
    Config,
)
from retrain_gate.report.diff import publish_diff, render_diff

# --- comparing ------------------------------------------------------------------------------


# --- the command ----------------------------------------------------------------------------


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "diff",
        help="compare the config with the one at a git ref: rules, today, backtests",
        description="Compare the config in the working tree with the config at --base REF: "
        "the rule-by-rule changes, today's decision under each, and both backtests over the "
        "committed metric history (days whose decision changes, retrains under old and new).",
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help="the git ref to compare with (default in a pull request: the merge base with "
        "the base branch)",
    )
    add_config_options(parser)
    add_window_options(parser)
    add_report_options(parser)
    parser.add_argument(
        "--fail-on-change",
        action="store_true",
        help="exit 1 when any rule, setting or decision changed (default: exit 0)",
    )
    add_github_options(
        parser,
        writes="step outputs (changed, decision, report, summary), the job summary "
        "and an annotation for an invalid config",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retrain_gate.sources import git as gitfiles

    cwd = Path.cwd()
    path = find_config(args.config, cwd=cwd)
    root = Path(args.root).resolve() if args.root else repository_root(cwd / path)
    # the working tree first: an invalid config at head is the error to report (exit 2)
    new = load_config(path, root=root)
    base_ref = (
        gitfiles.given_base(args.base, cwd=cwd)
        if args.base
        else gitfiles.default_base(cwd=cwd, env=os.environ)
    )
    top = gitfiles.toplevel(cwd)
    relative = gitfiles.relative_to_toplevel(path, cwd=cwd)
    now = now_or_current(args.now)  # one clock for both comparisons
    # the base side entirely at the base commit: its config and the data it reads
    with gitfiles.tree_at(base_ref.commit, cwd=top) as base_top:
        base_root = base_top / root.resolve().relative_to(top.resolve())
        found = _base_config(base_top, relative)
        display = f"{found or relative}@{base_ref.ref}"
        old: Config | None = None
        error = None
        if found is not None:
            try:
                text = (base_top / found).read_bytes().decode("utf-8-sig")
                old = parse_config(text, display=display, root=base_root)
            except UnicodeDecodeError as exc:
                error = f"{display}: is not UTF-8 text (byte {exc.start})"
            except ConfigError as exc:  # one line in the report: the first error, and a count
                more = len(exc.errors) - 1 if isinstance(exc, ConfigErrors) else 0
                error = str(exc).splitlines()[0] + (f" (and {more} more)" if more else "")
        base = BaseSide(
            ref=base_ref.ref,
            commit=base_ref.commit,
            how=base_ref.how,
            config=display,
            exists=found is not None,
            error=error,
        )
        try:
            result = compare(
                base, old, new, now=now, since=args.since, days=args.days, models=args.model
            )
        except ConfigError as exc:
            if old is None or exc.file != display:
                raise
            # the base config names something its data does not have: compare against nothing
            base = BaseSide(base.ref, base.commit, base.how, base.config, True, str(exc))
            result = compare(
                base, None, new, now=now, since=args.since, days=args.days, models=args.model
            )
    from retrain_gate.report.github import github_wanted

    github = github_wanted(args.github, os.environ)
    publish_diff(
        result, github=github, summary_file=args.summary_file, json_report=args.json_report
    )
    # on a runner, a `::command` in quoted config text (a rule name, an input) must not be
    # obeyed: `deliver` pauses commands around the report, as for `check`
    deliver(
        render_diff(result, fmt=args.format), fmt=args.format, output=args.output, github=github
    )
    return exit_code(failed=args.fail_on_change and result.changed)


def _base_config(base_top: Path, relative: str) -> str | None:
    """The config's path at the base (from the repository root): the same path, else the
    other place the gate looks (a config moved between retrain-gate.yml and .github/)."""
    if (base_top / relative).is_file():
        return relative
    for name in sorted(CONFIG_NAMES, key=len, reverse=True):  # .github/... first
        if relative == name or relative.endswith(f"/{name}"):
            prefix = relative[: len(relative) - len(name)]
            for other in CONFIG_NAMES:
                if other != name and (base_top / f"{prefix}{other}").is_file():
                    return f"{prefix}{other}"
            return None
    return None


# --- rendering ------------------------------------------------------------------------------
