"""The backtest's reports: terminal (a strip of day letters and segments), Markdown, JSON.

`--format json` (`schema_version` 1) is documented in `commands/backtest.py`.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from retrain_gate import __version__
from retrain_gate.durations import format_duration
from retrain_gate.engine.backtest import (
    TIMELINE_STATUSES,
    Backtest,
    ModelBacktest,
    ReplayedDay,
)
from retrain_gate.report import Format

SCHEMA_VERSION = 1


REPLAYED_AT = (
    "each day D is replayed as the gate run at 00:00 UTC on D+1, seeing the observations before it"
)


STRIP = {"retrain": "R", "held": "h", "blocked": "B", "skip": ".", "error": "E"}
# the day letters, said under every strip in Markdown (one line per month, one letter a day)
STRIP_LEGEND = (
    "One line per month, one character per day: `R` retrain, `h` held (cooldown), "
    "`B` blocked, `.` skip, `E` error."
)


@dataclass(frozen=True)
class Segment:
    """Consecutive days with the same status and the same rules behind it."""

    first: date
    last: date
    days: int
    status: str
    rules: str
    reason: str = ""  # an error day's: why it could not decide (its first day's)


def segments(timeline: Sequence[ReplayedDay]) -> list[Segment]:
    found: list[Segment] = []
    for entry in timeline:
        rules = entry.rules
        if found and found[-1].status == entry.status and found[-1].rules == rules:
            previous = found[-1]
            found[-1] = Segment(previous.first, entry.day, previous.days + 1, entry.status, rules)
        else:
            reason = entry.summary if entry.status == "error" else ""
            found.append(Segment(entry.day, entry.day, 1, entry.status, rules, reason))
    return found


def strip_lines(timeline: Sequence[ReplayedDay]) -> list[str]:
    """One line per month, one character per day of the month (columns line up)."""
    months: dict[tuple[int, int], list[str]] = {}
    for entry in timeline:
        key = (entry.day.year, entry.day.month)
        if key not in months:
            months[key] = [" "] * calendar.monthrange(*key)[1]
        months[key][entry.day.day - 1] = STRIP[entry.status]
    return [f"{y:04d}-{m:02d} {''.join(cells).rstrip()}" for (y, m), cells in months.items()]


def totals_json(result: ModelBacktest) -> dict[str, Any]:
    first = result.first_retrain
    return {
        **{status: result.count(status) for status in TIMELINE_STATUSES},
        "first_retrain": first.isoformat() if first else None,
    }


def model_json(result: ModelBacktest) -> dict[str, Any]:
    return {
        "model": result.model,
        "start": result.days[0].day.isoformat() if result.days else None,
        "end": result.days[-1].day.isoformat() if result.days else None,
        "cooldown": format_duration(result.cooldown) if result.cooldown else None,
        "card_from": result.card_from.isoformat() if result.card_from else None,
        "not_replayed": list(result.not_replayed),
        "real_retrains": [
            {
                "version": r.version,
                "trained_at": r.trained_at.isoformat(),
                "rules_asked": r.rules_asked.isoformat() if r.rules_asked else None,
                "asked_since": r.asked_since.isoformat() if r.asked_since else None,
            }
            for r in result.real_retrains
        ],
        "problems": [
            {"message": p.message, "file": p.file, "line": p.line, "exit_code": p.exit_code}
            for p in result.problems
        ],
        "totals": totals_json(result),
        "timeline": [
            {
                "day": d.day.isoformat(),
                "status": d.status,
                "fired": list(d.fired),
                "vetoes": list(d.vetoes),
                "errors": list(d.errors),
                "observations": d.observations,
                "summary": d.summary,
            }
            for d in result.days
        ],
    }


def backtest_json(result: Backtest) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": f"retrain-gate {__version__}",
        "kind": "backtest",
        "config": result.config_path,
        "replayed_at": REPLAYED_AT,
        "start": result.start.isoformat() if result.start else None,
        "end": result.end.isoformat() if result.end else None,
        "days": result.day_count,
        "models": [model_json(m) for m in result.models],
    }


def totals_text(result: ModelBacktest) -> str:
    first = result.first_retrain
    from retrain_gate.report.overview import plural

    return (
        f"{plural(result.count('retrain'), 'retrain')}, {result.count('held')} held, "
        f"{result.count('blocked')} blocked, {plural(result.count('error'), 'error')}; "
        + (f"first retrain {first.isoformat()}" if first else "no retrain")
    )


def window_text(result: Backtest) -> str:
    if result.start is None or result.end is None:
        return "no observations to replay"
    from retrain_gate.report.overview import plural

    days = plural(result.day_count, "day")
    return f"{result.start.isoformat()} to {result.end.isoformat()} ({days})"


def notes(result: ModelBacktest) -> list[str]:
    lines = []
    if result.cooldown:
        lines.append(f"cooldown {format_duration(result.cooldown)}: retrains within it are held")
    if result.card_from and result.days and result.card_from.date() > result.days[0].day:
        lines.append(
            f"model card used from {result.card_from.date().isoformat()} "
            "(its triggers are quiet before: the model was not trained yet)"
        )
    if result.not_replayed:
        lines.append(
            f"judged only from the newest observation on (no history): "
            f"{', '.join(result.not_replayed)}"
        )
    lines += [f"problem: {p}" for p in result.problems]
    lines += real_retrain_lines(result)
    return lines


def real_retrain_lines(result: ModelBacktest) -> list[str]:
    """The real retrains (model card versions) beside the days the rules asked for one."""
    lines = []
    for retrain in result.real_retrains:
        version = f"version {retrain.version}" if retrain.version is not None else "a version"
        asked = "the rules had not asked for one before it"
        if retrain.rules_asked and retrain.asked_since:
            asked = f"the rules asked from {retrain.asked_since.isoformat()}"
            if retrain.asked_since != retrain.rules_asked:
                asked += f" to {retrain.rules_asked.isoformat()}"
        lines.append(
            f"real retrain: {version} trained {retrain.trained_at.date().isoformat()}; {asked}"
        )
    return lines


def render_terminal(result: Backtest) -> str:
    out = [f"Backtest of {result.config_path}: {window_text(result)}", f"({REPLAYED_AT})", ""]
    legend = "R retrain, h held (cooldown), B blocked, . skip, E error"
    for model in result.models:
        out.append(f"{model.model}: {totals_text(model)}")
        out += [f"  {line}" for line in notes(model)]
        if model.days:
            out.append(f"  timeline ({legend}):")
            out += [f"    {line}" for line in strip_lines(model.days)]
            out.append(f"  {'from':<10}  {'to':<10}  {'days':>5}  {'decision':<8}  rules")
            for seg in segments(model.days):
                out.append(
                    f"  {seg.first.isoformat()}  {seg.last.isoformat()}  {seg.days:>5}  "
                    f"{seg.status:<8}  {seg.rules}".rstrip()
                )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_markdown(result: Backtest) -> str:
    from retrain_gate.report.markdown import cell

    out = [
        f"## Backtest: {cell(result.config_path)}, {window_text(result)}",
        "",
        f"_{REPLAYED_AT[0].upper()}{REPLAYED_AT[1:]}._",
        "",
        "| Model | Retrains | Held | Blocked | Errors | First retrain |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for model in result.models:
        first = model.first_retrain
        out.append(
            f"| {cell(model.model)} | {model.count('retrain')} | {model.count('held')} | "
            f"{model.count('blocked')} | {model.count('error')} | "
            f"{first.isoformat() if first else 'none'} |"
        )
    for model in result.models:
        out += ["", f"### {cell(model.model)}"]
        if notes(model):
            out += ["", *(f"- {cell(line)}" for line in notes(model))]
        if not model.days:
            continue
        out += ["", "```text", *strip_lines(model.days), "```", "", STRIP_LEGEND, ""]
        out += ["| From | To | Days | Decision | Rules |", "|---|---|---:|---|---|"]
        for seg in segments(model.days):
            why = f": {seg.reason}" if seg.reason and seg.reason != seg.rules else ""
            out.append(
                f"| {seg.first.isoformat()} | {seg.last.isoformat()} | {seg.days} | "
                f"{seg.status} | {cell(seg.rules + why)} |"
            )
    return "\n".join(out) + "\n"


def render_backtest(result: Backtest, *, fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(backtest_json(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(result)
    return render_terminal(result)
