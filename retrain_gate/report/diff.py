"""The diff's reports (the pull-request check): terminal, Markdown (the job summary), JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from retrain_gate import __version__
from retrain_gate.engine.backtest import (
    TimelineStatus,
)
from retrain_gate.engine.diff import (
    BaseSide,
    ConfigDiff,
    ModelDiff,
    OptionChange,
    RuleChange,
    today_decision,
)
from retrain_gate.report import Format
from retrain_gate.report.backtest import STRIP, strip_lines, totals_json
from retrain_gate.report.common import show_time

SCHEMA_VERSION = 1


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
