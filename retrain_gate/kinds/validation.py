"""The validation check: a data-quality tool's own verdict (Great Expectations, Evidently
tests) vetoes a retrain, naming what failed."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from retrain_gate.kinds.base import (
    CHECK_COMMON,
    SOURCE,
    Judgement,
    Kind,
    constant,
    error_outcome,
    outcome,
    unreadable_series,
)
from retrain_gate.kinds.days import Days
from retrain_gate.kinds.series import day
from retrain_gate.model import RuleConfig
from retrain_gate.results import Outcome, Status
from retrain_gate.sources.series import PASSED, RESULT_PREFIXES, WARNED

_SHOWN = 5  # failed results named in a reason; the rest are counted


def judge_validation(rule: RuleConfig, days: Days) -> Judgement:
    """Passes when the latest validation result of the source reports every expectation
    (Great Expectations, `format: great_expectations`) or test (Evidently,
    `format: evidently`) passed. Fails naming each one that failed, with the file it was
    read from, so a failed data-quality run vetoes the retrain. `validation: all` asks
    for every result; a list of names (`*` matches any text) asks for those only, and
    `ignore:` leaves some out. An expectation that failed at severity warning or info, or
    an Evidently test that is not critical, warns without vetoing. A result that reports
    `success: false` with no failed expectation named fails too; a source that holds no
    validation results, or an asked-for name that is in none, is an error."""
    if problem := unreadable_series(rule, days.ctx):
        return constant(days, problem)
    series = days.ctx.series
    assert series is not None
    wanted = rule.options["validation"]
    ignored = [str(p) for p in rule.options.get("ignore", ())]
    names = [
        n
        for n in sorted(series.columns)
        if n.startswith(RESULT_PREFIXES) and not any(_matches(n, p) for p in ignored)
    ]
    if wanted != "all":
        patterns = [str(p) for p in wanted]
        unmatched = [p for p in patterns if not any(_matches(n, p) for n in names)]
        if unmatched:
            return constant(
                days,
                error_outcome(
                    rule, f"no validation result is named {', '.join(map(repr, unmatched))}"
                ),
            )
        names = [n for n in names if any(_matches(n, p) for p in patterns)]
    # the file's own verdict counts when every result is asked for (it may fail on what
    # names no expectation: an exception); names asked for or left out are judged alone
    success = series.columns.get("success") if wanted == "all" and not ignored else None
    if not names and success is None:
        return constant(
            days,
            error_outcome(
                rule,
                f"{series.source} holds no validation results (read it with "
                "`format: great_expectations` or `format: evidently`)",
            ),
        )
    verdicts: dict[int, tuple[list[str], list[str], bool]] = {}

    def verdict(j: int) -> tuple[list[str], list[str], bool]:
        """(failed, warned, reported failure) of observation j."""
        if j not in verdicts:
            failed = [n for n in names if series.columns[n][j] not in (None, PASSED)]
            warned = [n for n in failed if series.columns[n][j] == WARNED]
            failed = [n for n in failed if n not in warned]
            reported = success is not None and success[j] == 0.0
            verdicts[j] = failed, warned, reported
        return verdicts[j]

    def status_of(end: int) -> Status:
        if end == 0:
            return "error"
        failed, warned, reported = verdict(end - 1)
        if failed or (reported and not warned):
            return "warned" if rule.severity == "warn" else "failed"
        return "warned" if warned else "passed"

    def explain(i: int) -> Outcome:
        end = days.ends[i]
        if end == 0:
            return error_outcome(rule, "no validation result at all")
        j = end - 1
        failed, warned, reported = verdict(j)
        where = f"{series.where[j]}, {day(series.times[j])}"
        total = len([n for n in names if series.columns[n][j] is not None])
        status = status_of(end)
        if failed or (reported and not warned):
            listed = _listed(failed) if failed else "the result reports success: false"
            counted = f"{len(failed)} of {total} failed" if failed else "failed"
            return outcome(
                rule,
                status=status,
                observed=f"{len(failed)} failed" if failed else "success: false",
                threshold="all pass",
                reason=f"{counted}: {listed} ({where})",
            )
        if warned:
            return outcome(
                rule,
                status=status,
                observed=f"{len(warned)} warned",
                threshold="all pass",
                reason=f"{len(warned)} of {total} failed at a non-critical severity: "
                f"{_listed(warned)} ({where})",
            )
        return outcome(
            rule,
            status=status,
            observed=f"{total} passed",
            threshold="all pass",
            reason=f"all {total} passed ({where})" if total else f"success ({where})",
        )

    return Judgement(statuses=[status_of(end) for end in days.ends], explain=explain)


def _short(name: str) -> str:
    """`expectations.expect_x(age)` -> `expect_x(age)`: the name the tool gave."""
    return name.split(".", 1)[1]


def _matches(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(_short(name), pattern)


def _listed(names: list[str]) -> str:
    shown = ", ".join(_short(n) for n in names[:_SHOWN])
    more = len(names) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _fields(options: Mapping[str, Any]) -> tuple[str, ...]:
    return ("success", *(f"{p}*" for p in RESULT_PREFIXES))


_NAMES: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "minItems": 1,
}

KIND = Kind(
    name="validation",
    role="check",
    keys=("validation",),
    options={
        **CHECK_COMMON,
        "source": SOURCE,
        "validation": {
            "description": "`all`: every expectation or test of the result must pass; or the "
            "names of those that must (`*` matches any text), as the result names them, "
            "e.g. `expect_column_values_to_not_be_null(age)`.",
            "oneOf": [{"const": "all"}, _NAMES],
        },
        "ignore": {
            **_NAMES,
            "description": "Names of expectations or tests to leave out (`*` matches any text).",
        },
    },
    required=(),
    judge=judge_validation,
    fields=_fields,
)
