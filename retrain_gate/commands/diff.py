"""`retrain-gate diff`: what a config change does, from the committed metric history.

Reads the config at `--base REF` from git (`git show REF:path`) and the config in the
working tree, validates both, and compares them on the same data (the metric files of the
working tree): the rule-by-rule changes, today's decision under each, and both backtests
over the same days (see `retrain_gate.backtest`).

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
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from retrain_gate import __version__
from retrain_gate.backtest import (
    Backtest,
    ModelBacktest,
    TimelineStatus,
    history_span,
    replay_window,
    run_backtest,
)
from retrain_gate.commands.backtest import (
    STRIP,
    add_window_options,
    rules_text,
    strip_lines,
    totals_json,
)
from retrain_gate.commands.common import (
    add_config_options,
    add_github_options,
    add_report_options,
    emit,
    now_or_current,
)
from retrain_gate.config import (
    GROUP,
    GROUP_KEYS,
    Config,
    ModelConfig,
    find_config,
    group_members,
    group_mode,
    load_config,
    parse_config,
    repository_root,
)
from retrain_gate.durations import format_duration
from retrain_gate.errors import EXIT_FAIL_ON, ConfigError
from retrain_gate.evaluate import evaluate_model
from retrain_gate.kinds import RuleConfig
from retrain_gate.load import ModelData, load_model
from retrain_gate.report import Format
from retrain_gate.report.common import show_time
from retrain_gate.results import Decision

SCHEMA_VERSION = 1
Change = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True)
class OptionChange:
    option: str
    old: object
    new: object


@dataclass(frozen=True)
class RuleChange:
    role: str
    name: str
    change: Literal["added", "removed", "changed"]
    old_kind: str | None
    new_kind: str | None
    options: tuple[OptionChange, ...] = ()
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class DayChange:
    day: date
    old: str
    new: str
    old_fired: tuple[str, ...]
    new_fired: tuple[str, ...]
    new_rules: str  # what decided the new status: fired, vetoing or failing rules


@dataclass(frozen=True)
class ModelDiff:
    model: str
    change: Change
    settings: tuple[OptionChange, ...]
    rules: tuple[RuleChange, ...]
    today_old: Decision | None
    today_new: Decision | None
    old: ModelBacktest | None
    new: ModelBacktest | None
    changed_days: tuple[DayChange, ...]

    @property
    def changed(self) -> bool:
        return (
            self.change != "unchanged"
            or self.today_old != self.today_new
            or bool(self.changed_days)
        )


@dataclass(frozen=True)
class BaseSide:
    ref: str
    commit: str
    how: str
    config: str  # "path@ref"
    exists: bool
    error: str | None = None


@dataclass(frozen=True)
class ConfigDiff:
    base: BaseSide
    head_config: str
    now: datetime
    start: date | None
    end: date | None
    models: tuple[ModelDiff, ...]

    @property
    def changed(self) -> bool:
        return any(m.changed for m in self.models)


# --- comparing ------------------------------------------------------------------------------


def flat(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, Mapping) and item:
            out.update(flat(item, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = item
    return out


def rule_options(rule: RuleConfig, *, group: str | None = None) -> dict[str, Any]:
    """What a rule says, as written: its options plus severity and missing when not default.

    A group says its `mode` (all or any); its members are compared as rules of their own. A
    member says which group it is in (`member of`), so that moving it shows."""
    if rule.kind == GROUP:
        options = flat({k: v for k, v in rule.options.items() if k not in GROUP_KEYS})
        options["mode"] = group_mode(rule)
    else:
        options = flat(rule.options)
    if group is not None:
        options["member of"] = group
    if rule.severity != "error":
        options["severity"] = rule.severity
    if rule.missing != "error":
        options["missing"] = rule.missing
    return options


@dataclass(frozen=True)
class NamedRule:
    rule: RuleConfig
    shown: str  # `group.member` for a group's member
    group: str | None = None  # the group it is a member of, as shown


def named_rules(model: ModelConfig | None) -> dict[tuple[str, str], NamedRule]:
    """Every rule by (role, name), members included (a name is unique among a model's rules
    of one role), in config order."""
    found: dict[tuple[str, str], NamedRule] = {}

    def visit(rules: Sequence[RuleConfig], group: str | None) -> None:
        for rule in rules:
            shown = f"{group}.{rule.name}" if group else rule.name
            found[(rule.role, rule.name)] = NamedRule(rule, shown, group)
            visit(group_members(rule), shown)

    if model is not None:
        visit(model.triggers, None)
        visit(model.checks, None)
    return found


def option_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[OptionChange, ...]:
    keys = list(old) + [k for k in new if k not in old]
    return tuple(OptionChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k))


def model_settings(model: ModelConfig) -> dict[str, Any]:
    settings: dict[str, Any] = {"baseline": model.baseline}
    if model.metrics is not None:
        settings |= {
            "metrics.path": model.metrics.path,
            "metrics.time": model.metrics.time,
            "metrics.format": model.metrics.format,
        }
    dispatch = model.dispatch
    if dispatch is not None:
        settings |= {
            "dispatch.event": dispatch.event,
            "dispatch.workflow": dispatch.workflow,
            "dispatch.event_type": dispatch.event_type,
            "dispatch.ref": dispatch.ref,
            "dispatch.cooldown": format_duration(dispatch.cooldown) if dispatch.cooldown else None,
            "dispatch.in_flight": dispatch.in_flight,
        }
        settings |= flat(dict(dispatch.inputs), "dispatch.inputs.")
        settings |= flat(dict(dispatch.client_payload), "dispatch.client_payload.")
    return {k: v for k, v in settings.items() if v is not None}


def rule_changes(old: ModelConfig | None, new: ModelConfig | None) -> tuple[RuleChange, ...]:
    """Rules matched by role and name, in the new config's order, then the removed ones.
    A group's members are matched as rules of their own and named `group.member`."""
    before = named_rules(old)
    after = named_rules(new)
    changes: list[RuleChange] = []
    for key, now in after.items():
        rule = now.rule
        if key not in before:
            changes.append(
                RuleChange(rule.role, now.shown, "added", None, rule.kind, (), rule.file, rule.line)
            )
            continue
        previous = before[key]
        options = option_changes(
            rule_options(previous.rule, group=previous.group), rule_options(rule, group=now.group)
        )
        if options or previous.rule.kind != rule.kind:
            changes.append(
                RuleChange(
                    rule.role,
                    now.shown,
                    "changed",
                    previous.rule.kind,
                    rule.kind,
                    options,
                    rule.file,
                    rule.line,
                )
            )
    for key, gone in before.items():
        if key not in after:
            rule = gone.rule
            changes.append(
                RuleChange(
                    rule.role, gone.shown, "removed", rule.kind, None, (), rule.file, rule.line
                )
            )
    return tuple(changes)


def day_changes(old: ModelBacktest | None, new: ModelBacktest | None) -> tuple[DayChange, ...]:
    if old is None or new is None:
        return ()
    before = {d.day: d for d in old.days}
    found = []
    for entry in new.days:
        previous = before.get(entry.day)
        if previous is not None and previous.status != entry.status:
            found.append(
                DayChange(
                    entry.day,
                    previous.status,
                    entry.status,
                    previous.fired,
                    entry.fired,
                    rules_text(entry),
                )
            )
    return tuple(found)


def compare(
    base: BaseSide,
    old: Config | None,
    new: Config,
    *,
    now: datetime,
    since: date | None = None,
    days: int | None = None,
    models: Sequence[str] = (),
) -> ConfigDiff:
    """Load both configs' data, replay both over the same days, and compare."""
    wanted = set(models)
    old_models = {n: m for n, m in (old.models if old else {}).items() if not wanted or n in wanted}
    new_models = {n: m for n, m in new.models.items() if not wanted or n in wanted}
    old_data = {n: load_model(old, m) for n, m in old_models.items()} if old else {}
    new_data = {n: load_model(new, m) for n, m in new_models.items()}
    window = replay_window(
        history_span([*old_data.values(), *new_data.values()]), since=since, days=days
    )
    old_bt = _by_model(run_backtest(_pairs(old_models, old_data), config_path="", window=window))
    new_bt = _by_model(run_backtest(_pairs(new_models, new_data), config_path="", window=window))
    diffs = []
    for name in [*new_models, *(n for n in old_models if n not in new_models)]:
        before, after = old_models.get(name), new_models.get(name)
        rules = rule_changes(before, after)
        settings = option_changes(
            model_settings(before) if before else {}, model_settings(after) if after else {}
        )
        change: Change = (
            "added"
            if before is None
            else "removed"
            if after is None
            else "changed"
            if rules or settings
            else "unchanged"
        )
        diffs.append(
            ModelDiff(
                model=name,
                change=change,
                settings=settings,
                rules=rules,
                today_old=_today(before, old_data.get(name), now),
                today_new=_today(after, new_data.get(name), now),
                old=old_bt.get(name),
                new=new_bt.get(name),
                changed_days=day_changes(old_bt.get(name), new_bt.get(name)),
            )
        )
    return ConfigDiff(
        base=base,
        head_config=new.path,
        now=now,
        start=window[0] if window else None,
        end=window[1] if window else None,
        models=tuple(diffs),
    )


def _pairs(
    models: Mapping[str, ModelConfig], data: Mapping[str, ModelData]
) -> list[tuple[ModelConfig, ModelData]]:
    return [(m, data[n]) for n, m in models.items()]


def _by_model(result: Backtest) -> dict[str, ModelBacktest]:
    return {m.model: m for m in result.models}


def _today(model: ModelConfig | None, data: ModelData | None, now: datetime) -> Decision | None:
    if model is None or data is None:
        return None
    return evaluate_model(model, data, now=now).decision


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
    from retrain_gate import gitfiles

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
    relative = gitfiles.relative_to_toplevel(path, cwd=cwd)
    display = f"{path}@{base_ref.ref}"
    text = gitfiles.show(base_ref.commit, relative, cwd=gitfiles.toplevel(cwd))
    old: Config | None = None
    error = None
    if text is not None:
        try:
            old = parse_config(text, display=display, root=root)
        except ConfigError as exc:
            error = str(exc)
    base = BaseSide(
        ref=base_ref.ref,
        commit=base_ref.commit,
        how=base_ref.how,
        config=display,
        exists=text is not None,
        error=error,
    )
    now = now_or_current(args.now)  # one clock for both comparisons
    try:
        result = compare(
            base, old, new, now=now, since=args.since, days=args.days, models=args.model
        )
    except ConfigError as exc:
        if old is None or exc.file != display:
            raise
        # the base config names something the data no longer has: compare against nothing
        base = BaseSide(base.ref, base.commit, base.how, base.config, True, str(exc))
        result = compare(
            base, None, new, now=now, since=args.since, days=args.days, models=args.model
        )
    from retrain_gate.report.github import github_wanted, shield

    github = github_wanted(args.github, os.environ)
    publish_diff(
        result, github=github, summary_file=args.summary_file, json_report=args.json_report
    )
    text = render_diff(result, fmt=args.format)
    # on a runner, a `::command` in quoted config text (a rule name, an input) must not be
    # obeyed: pause commands around the report, as `check` does (JSON needs no guard)
    guard = github and not args.output and args.format != "json"
    emit(shield(text) if guard else text, output=args.output)
    return EXIT_FAIL_ON if args.fail_on_change and result.changed else 0


def today_decision(result: ConfigDiff) -> Decision | None:
    """Today's overall decision under the new config (error > retrain > blocked > skip), as
    `check` would give it; None when the new config has no model to decide."""
    decisions = {d.today_new for d in result.models if d.today_new is not None}
    order: tuple[Decision, ...] = ("error", "retrain", "blocked", "skip")
    return next((d for d in order if d in decisions), None)


def publish_diff(
    result: ConfigDiff,
    *,
    github: bool,
    summary_file: str | None,
    json_report: str | None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Write the Markdown and JSON reports to files (when asked, and always on GitHub), then
    on GitHub the step outputs and the job summary (appended, trimmed to GitHub's limit)."""
    from retrain_gate.report.github import write_reports

    write_reports(
        render_markdown(result),
        render_diff(result, fmt="json"),
        github=github,
        summary_file=summary_file,
        json_report=json_report,
        outputs=lambda summary, report: {
            "changed": "true" if result.changed else "false",
            "decision": today_decision(result) or "",
            "report": str(report),
            "summary": str(summary),
        },
        environ=os.environ if environ is None else environ,
    )


# --- rendering ------------------------------------------------------------------------------


def show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def option_text(change: OptionChange, *, arrow: str = "->") -> str:
    if change.old is None:
        return f"{change.option}: {show(change.new)} (added)"
    if change.new is None:
        return f"{change.option}: {show(change.old)} (removed)"
    return f"{change.option}: {show(change.old)} {arrow} {show(change.new)}"


def rule_text(change: RuleChange, *, arrow: str = "->") -> str:
    if change.change == "added":
        return f"added ({change.new_kind})"
    if change.change == "removed":
        return f"removed ({change.old_kind})"
    parts = [option_text(o, arrow=arrow) for o in change.options]
    if change.old_kind != change.new_kind:
        parts.insert(0, f"kind: {change.old_kind} {arrow} {change.new_kind}")
    return "changed: " + "; ".join(parts)


def maybe(value: object) -> str:
    return "-" if value is None else str(value)


def totals_pair(diff: ModelDiff, status: TimelineStatus) -> str:
    old = diff.old.count(status) if diff.old else None
    new = diff.new.count(status) if diff.new else None
    return f"{maybe(old)} -> {maybe(new)}"


def first_pair(diff: ModelDiff) -> str:
    old = diff.old.first_retrain if diff.old else None
    new = diff.new.first_retrain if diff.new else None
    return f"{old.isoformat() if old else 'never'} -> {new.isoformat() if new else 'never'}"


def window_text(result: ConfigDiff) -> str:
    if result.start is None or result.end is None:
        return "no observations to replay"
    days = (result.end - result.start).days + 1
    from retrain_gate.report.overview import plural

    return f"{result.start.isoformat()} to {result.end.isoformat()} ({plural(days, 'day')})"


def base_text(base: BaseSide) -> str:
    state = "" if base.exists else ", no config there: everything is new"
    if base.error:
        state = f", invalid there: {base.error}"
    return f"{base.config} ({base.commit[:12]}, {base.how}{state})"


def render_terminal(result: ConfigDiff) -> str:
    out = [
        f"Config diff: {base_text(result.base)} -> {result.head_config} (working tree)",
        f"Backtests over {window_text(result)}; today's decisions as of {show_time(result.now)}",
        "",
    ]
    for diff in result.models:
        out.append(f"{diff.model}: {diff.change}")
        out += [f"  setting {option_text(o)}" for o in diff.settings]
        out += [f"  {c.role} {c.name}: {rule_text(c)}" for c in diff.rules]
        out.append(f"  today: {maybe(diff.today_old)} -> {maybe(diff.today_new)}")
        out.append(
            f"  backtest: retrains {totals_pair(diff, 'retrain')}, held "
            f"{totals_pair(diff, 'held')}, blocked {totals_pair(diff, 'blocked')}, errors "
            f"{totals_pair(diff, 'error')}; first retrain {first_pair(diff)}"
        )
        if diff.changed_days:
            out.append(f"  days whose decision changes ({len(diff.changed_days)}):")
            for d in diff.changed_days:
                out.append(f"    {d.day.isoformat()}  {d.old} -> {d.new}  {d.new_rules}".rstrip())
        out.append("")
    out.append("changed" if result.changed else "no change in rules or decisions")
    return "\n".join(out) + "\n"


# the changed days are listed open up to this many, folded beyond
OPEN_DAYS = 10
STRIP_LEGEND = "One character per day: " + ", ".join(
    f"`{mark}` {status}" for status, mark in STRIP.items()
)


VERDICT_MODELS = 5


def verdict(result: ConfigDiff) -> str:
    """The answer a reviewer wants first: does the change move any decision, and where."""
    if not result.changed:
        return "**No change** in rules or decisions."
    from retrain_gate.report.markdown import cell

    days = (result.end - result.start).days + 1 if result.start and result.end else 0
    moved = False
    parts = []
    for diff in result.models:
        if diff.change == "added":
            moved = True
            parts.append(f"{diff.model} is new (today: {maybe(diff.today_new)})")
        elif diff.change == "removed":
            moved = True
            parts.append(f"{diff.model} is removed (today it was: {maybe(diff.today_old)})")
        elif diff.changed_days or diff.today_old != diff.today_new:
            moved = True
            parts.append(
                f"{diff.model}: {len(diff.changed_days)} of {days} replayed days decide "
                f"differently; today {maybe(diff.today_old)} → {maybe(diff.today_new)}"
            )
        elif diff.change == "changed":
            parts.append(f"{diff.model}: rules change, no decision does")
    head = "**Decisions change**" if moved else "**Rules change, decisions do not**"
    # a reviewer reads a few, those whose decisions move first; the table has every model
    parts.sort(key=lambda part: part.endswith(": rules change, no decision does"))
    more = len(parts) - VERDICT_MODELS
    tail = f"; and {more} more model{'s' if more != 1 else ''}: see the table" if more > 0 else ""
    return f"{head} — " + "; ".join(cell(p) for p in parts[:VERDICT_MODELS]) + tail + "."


def render_markdown(result: ConfigDiff) -> str:
    from retrain_gate.report import budget
    from retrain_gate.report.markdown import cell

    out = [
        f"## retrain-gate diff: `{cell(result.base.config)}` → `{cell(result.head_config)}`",
        "",
        verdict(result),
        "",
        f"Base: {cell(base_text(result.base))}. Backtests over {window_text(result)}; "
        f"today's decisions as of {show_time(result.now)}.",
        "",
        "| Model | Change | Today (old → new) | Retrains (old → new) | Held (old → new) "
        "| First retrain (old → new) | Changed days |",
        "|---|---|---|---|---|---|---:|",
    ]
    for diff in result.models:
        out.append(
            f"| {cell(diff.model)} | {diff.change} | {maybe(diff.today_old)} → "
            f"{maybe(diff.today_new)} | {totals_pair(diff, 'retrain').replace('->', '→')} | "
            f"{totals_pair(diff, 'held').replace('->', '→')} | "
            f"{first_pair(diff).replace('->', '→')} | {len(diff.changed_days)} |"
        )
    out += ["", budget.NOTE]
    for diff in result.models:
        if not diff.changed:
            continue
        # marked: a summary near GitHub's limit leaves out whole models' details, by name
        out += ["", budget.section_start(diff.model, folded=False), f"### {cell(diff.model)}", ""]
        if diff.rules or diff.settings:
            out += ["| Rule | Change |", "|---|---|"]
            out += [f"| setting | {cell(option_text(o, arrow='→'))} |" for o in diff.settings]
            out += [
                f"| {c.role} `{cell(c.name)}` | {cell(rule_text(c, arrow='→'))} |"
                for c in diff.rules
            ]
            out.append("")
        if diff.old or diff.new:
            out.append("```text")
            for label, side in (("old", diff.old), ("new", diff.new)):
                out += [f"{label} {line}" for line in strip_lines(side.days if side else ())]
            out += ["```", "", STRIP_LEGEND, ""]
        if diff.changed_days:
            # a few days are read at a glance; a long list would push the rest out of view
            details = "<details open>" if len(diff.changed_days) <= OPEN_DAYS else "<details>"
            out += [
                f"{details}<summary>Days whose decision changes ({len(diff.changed_days)})"
                "</summary>",
                "",
                "| Day | Old | New | Rules (new) |",
                "|---|---|---|---|",
            ]
            out += [
                f"| {d.day.isoformat()} | {d.old} | {d.new} | {cell(d.new_rules)} |"
                for d in diff.changed_days
            ]
            out += ["", "</details>"]
        out += ["", budget.SECTION_END]
    return "\n".join(out) + "\n"


def diff_json(result: ConfigDiff) -> dict[str, Any]:
    base = result.base
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": f"retrain-gate {__version__}",
        "kind": "diff",
        "now": result.now.isoformat(),
        "changed": result.changed,
        "base": {
            "ref": base.ref,
            "commit": base.commit,
            "how": base.how,
            "config": base.config,
            "exists": base.exists,
            "error": base.error,
        },
        "head": {"config": result.head_config},
        "window": {
            "start": result.start.isoformat() if result.start else None,
            "end": result.end.isoformat() if result.end else None,
            "days": (result.end - result.start).days + 1 if result.start and result.end else 0,
        },
        "models": [
            {
                "model": d.model,
                "change": d.change,
                "settings": [{"option": o.option, "old": o.old, "new": o.new} for o in d.settings],
                "rules": [
                    {
                        "role": c.role,
                        "name": c.name,
                        "change": c.change,
                        "kind": {"old": c.old_kind, "new": c.new_kind},
                        "options": [
                            {"option": o.option, "old": o.old, "new": o.new} for o in c.options
                        ],
                        "file": c.file,
                        "line": c.line,
                    }
                    for c in d.rules
                ],
                "today": {"old": d.today_old, "new": d.today_new},
                "backtest": {
                    "old": totals_json(d.old) if d.old else None,
                    "new": totals_json(d.new) if d.new else None,
                    "changed_days": [
                        {
                            "day": c.day.isoformat(),
                            "old": c.old,
                            "new": c.new,
                            "old_fired": list(c.old_fired),
                            "new_fired": list(c.new_fired),
                        }
                        for c in d.changed_days
                    ],
                },
            }
            for d in result.models
        ],
    }


def render_diff(result: ConfigDiff, *, fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(diff_json(result), indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt == "markdown":
        return render_markdown(result)
    return render_terminal(result)
