"""The docs say what the code does.

- docs/rules.md is generated: exactly what `retrain-gate rules` prints, in a code block.
  Regenerate it with `python -m tests.test_docs`.
- docs/json-report.md names every field the JSON report has and every word of its
  vocabularies (checked against a report that has every optional part filled in).
"""

from __future__ import annotations

import contextlib
import io
import re
import typing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from retrain_gate.cli import main
from retrain_gate.report.json_report import SCHEMA_VERSION, report_json
from retrain_gate.results import (
    CardState,
    Decision,
    DispatchResult,
    ModelResult,
    Outcome,
    Problem,
    Report,
    Role,
    Severity,
    Status,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
RULES_HEADER = """\
# Rule and check reference

<!-- Generated from the rule registries: `python -m tests.test_docs` rewrites this file. -->

Every trigger kind and data-quality check kind, the keys that select it, its options and what
it does: exactly what `retrain-gate rules` prints. A rule's kind is inferred from its
selecting key (`below:` makes a `threshold` rule), or named with `kind:`. Every rule also
takes `name` (required, unique), `description` and `missing` (`error`, the default, or
`ignore`); checks take `severity` (`error`, the default, vetoes a retrain; `warn` only
reports). The config's JSON Schema (`retrain-gate schema`) has each option's type.

"""


def rules_output() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["rules"]) == 0
    return out.getvalue()


def rules_markdown() -> str:
    return RULES_HEADER + "```text\n" + rules_output() + "```\n"


def test_rules_md_is_what_retrain_gate_rules_prints() -> None:
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is out of date: run `python -m tests.test_docs`"
    )


def test_rules_md_names_every_kind_and_option() -> None:
    from retrain_gate.kinds import CHECKS, TRIGGERS

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for kind in [*TRIGGERS.values(), *CHECKS.values()]:
        assert f"  {kind.name} (" in text
        for option in kind.options:
            assert option in text, f"{kind.name}: option {option!r} is not in docs/rules.md"


def full_report() -> dict[str, Any]:
    """A JSON report with every optional part present: a problem, a dispatch, both roles,
    a group with a member, a model card with a last attempt."""
    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    trigger = Outcome("floor", "threshold", "trigger", "fired", 0.85, "< 0.87", "low", "error")
    group = Outcome(
        "floor-and-age",
        "group",
        "trigger",
        "fired",
        "1 of 1 fired",
        "all of 1",
        "1 of 1 fired: floor (low)",
        members=(trigger,),
    )
    check = Outcome("rows", "range", "check", "passed", 5000.0, ">= 1,000", "ok", "warn", "rows")
    model = ModelResult(
        model="churn",
        decision="retrain",
        summary="floor fired",
        triggers=(trigger, group),
        checks=(check,),
        problems=(Problem("is empty", 3, "metrics/daily.csv", 1),),
        dispatch=DispatchResult("dry-run", "would dispatch", "POST", "https://x", {"ref": "m"}),
        card=CardState(
            version=3,
            trained_at=now,
            last_result="kept_old",
            last_at=now,
            last_reason="accuracy did not beat",
            last_gate_run="https://github.com/o/r/actions/runs/1",
        ),
    )
    return report_json(Report(now=now, config_path="retrain-gate.yml", models=(model,)))


def field_names(value: object, *, skip: frozenset[str] = frozenset({"body"})) -> set[str]:
    """Every key in a JSON document, except inside free-form objects (a request body)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            names.add(key)
            if key not in skip:
                names |= field_names(item, skip=skip)
    elif isinstance(value, list):
        for item in value:
            names |= field_names(item, skip=skip)
    return names


def documented_fields() -> set[str]:
    """The field names in the first column of docs/json-report.md's tables."""
    text = (DOCS / "json-report.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))


def test_json_report_md_documents_every_field() -> None:
    produced = field_names(full_report())
    documented = documented_fields()
    assert produced - documented == set(), "fields missing from docs/json-report.md"
    # a table row for a field the report no longer has is a doc bug too
    vocabulary = set(
        typing.get_args(Decision)
        + typing.get_args(Status)
        + typing.get_args(Role)
        + typing.get_args(Severity)
    )
    dispatch_statuses = set(typing.get_args(typing.get_type_hints(DispatchResult)["status"]))
    assert documented - produced - vocabulary - dispatch_statuses == set()


def test_json_report_md_documents_every_vocabulary_word() -> None:
    text = (DOCS / "json-report.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", text, flags=re.MULTILINE))
    dispatch = typing.get_args(typing.get_type_hints(DispatchResult)["status"])
    for word in (*typing.get_args(Decision), *typing.get_args(Status), *dispatch):
        assert word in documented, f"{word!r} has no row in docs/json-report.md"
    assert f'"schema_version": {SCHEMA_VERSION}' in text


if __name__ == "__main__":
    (DOCS / "rules.md").write_text(rules_markdown(), encoding="utf-8")
    print("wrote docs/rules.md")
