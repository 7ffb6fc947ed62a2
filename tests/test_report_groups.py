"""Trigger groups (all / any) in every report: members under their group, as a user reads them.

One tiny repository: accuracy under 0.87 on the last two days, rows +30% on the card's 10,000,
the model 22 days old. `both` needs the low accuracy and 20% more rows (fires); `either`
is old (quiet) or a nested group of the low accuracy and 50% more rows (quiet).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from retrain_gate.config.parse import load_config
from retrain_gate.engine.gate import check
from retrain_gate.report.github import build_annotations
from retrain_gate.results import Report
from tests.conftest import daily_csv, write

NOW = "2026-11-11"
CONFIG = """\
version: 1
models:
  m:
    metrics: {path: metrics.csv, time: date}
    baseline: card.json
    triggers:
      - name: both
        all:
          - {name: low-accuracy, metric: accuracy, below: 0.87, for: 2}
          - {name: more-data, metric: rows, growth_since_baseline: 20%}
      - name: either
        any:
          - {name: stale, max_age: 30d}
          - name: nested
            all:
              - {name: low-again, metric: accuracy, below: 0.87}
              - {name: much-more-data, metric: rows, growth_since_baseline: 50%}
"""
FILES = {
    "metrics.csv": daily_csv({"accuracy": [0.9, 0.86, 0.85], "rows": [10000, 11000, 13000]}),
    "card.json": json.dumps({"trained_at": "2026-10-20T00:00:00Z", "rows": 10000}),
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, {"retrain-gate.yml": CONFIG, **FILES})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["check", "--now", NOW, *args]) == 0
    return capsys.readouterr().out


def test_markdown_table_shows_members_indented_under_their_group(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = run(capsys, "--format", "markdown").splitlines()
    start = lines.index("| rule | kind | observed | threshold | status | reason |")
    rows = lines[start + 2 : start + 10]
    assert [row.split(" | ")[:5] for row in rows] == [
        ["| both", "trigger · group", "2 of 2 fired", "all of 2", "🔥 fired"],
        ["| &nbsp;&nbsp;└ low-accuracy", "trigger · threshold", "0.85", "&lt; 0.87", "🔥 fired"],
        [
            "| &nbsp;&nbsp;└ more-data",
            "trigger · data_growth",
            "+30.0%",
            "growth &gt; 20%",
            "🔥 fired",
        ],
        ["| either", "trigger · group", "0 of 2 fired", "any of 2", "· quiet"],
        ["| &nbsp;&nbsp;└ stale", "trigger · model_age", "22.0d", "&gt; 30d", "· quiet"],
        ["| &nbsp;&nbsp;└ nested", "trigger · group", "1 of 2 fired", "all of 2", "· quiet"],
        [
            "| &nbsp;&nbsp;&nbsp;&nbsp;└ low-again",
            "trigger · threshold",
            "0.85",
            "&lt; 0.87",
            "🔥 fired",
        ],
        [
            "| &nbsp;&nbsp;&nbsp;&nbsp;└ much-more-data",
            "trigger · data_growth",
            "+30.0%",
            "growth &gt; 50%",
            "· quiet",
        ],
    ]
    assert rows[3].endswith(
        " | none of 2 fired: stale (model trained 2026-10-20, 22.0 days ago: not older than "
        "30d); nested (1 of 2 fired, all needed: low-again fired; much-more-data quiet (rows "
        "13,000 on 2026-11-03 vs 10,000 at training: +30.0%, not more than 50%)) |"
    )
    assert lines[start + 10] == ""  # and nothing else in the table
    # the overview names the group that asked for the retrain (its row has the members')
    assert "| m | 🔁 retrain | both fired | not requested |" in lines


def test_members_with_a_series_get_charts_like_top_level_rules(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = run(capsys, "--format", "markdown")
    # members that fired, and one quiet but near its limit (13,000 rows, limit 15,000)
    assert text.count("```mermaid") == 4
    charted = [line for line in text.splitlines() if line.startswith("**")]
    assert [line.split("**")[1] for line in charted] == [
        "low-accuracy",
        "more-data",
        "low-again",
        "much-more-data",
    ]
    assert '    title "low-accuracy - blue: accuracy, red: the limit 0.87"' in text


def test_terminal_table_shows_members_indented_under_their_group(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the first line of each table row: the rule column, then the kind column
    row = re.compile(r"^( *(?:└ )?[a-z-]+) +(group|threshold|data_growth|model_age) ")
    found = [m.groups() for m in map(row.match, run(capsys).splitlines()) if m]
    assert found == [
        ("both", "group"),
        ("  └ low-accuracy", "threshold"),
        ("  └ more-data", "data_growth"),
        ("either", "group"),
        ("  └ stale", "model_age"),
        ("  └ nested", "group"),
        ("    └ low-again", "threshold"),
        ("    └ much-more-data", "data_growth"),
    ]


def outcome_fields(outcome: dict[str, Any]) -> tuple[Any, ...]:
    members = tuple(outcome_fields(m) for m in outcome["members"])
    return outcome["name"], outcome["status"], outcome["config_line"], members


def test_json_outcomes_carry_their_members(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(run(capsys, "--format", "json"))
    (model,) = report["models"]
    assert [outcome_fields(o) for o in model["triggers"]] == [
        (
            "both",
            "fired",
            7,
            (("low-accuracy", "fired", 9, ()), ("more-data", "fired", 10, ())),
        ),
        (
            "either",
            "quiet",
            11,
            (
                ("stale", "quiet", 13, ()),
                (
                    "nested",
                    "quiet",
                    14,
                    (("low-again", "fired", 16, ()), ("much-more-data", "quiet", 17, ())),
                ),
            ),
        ),
    ]
    low = model["triggers"][0]["members"][0]
    assert (low["kind"], low["metric"], low["observed"], low["threshold"]) == (
        "threshold",
        "accuracy",
        0.85,
        "< 0.87",
    )
    assert model["triggers"][0]["observed"] == "2 of 2 fired"


def report_of(root: Path, config: str, now: str = NOW) -> Report:
    write(root, {"retrain-gate.yml": config, **FILES})
    when = datetime.fromisoformat(now).replace(tzinfo=timezone.utc)
    return check(load_config(root / "retrain-gate.yml"), now=when)


def test_a_fired_group_is_annotated_at_its_line_and_its_members_are_not(repo: Path) -> None:
    annotations = build_annotations(report_of(repo, CONFIG), environ={})
    assert [(a.level, a.title, a.line) for a in annotations] == [
        ("warning", "retrain-gate: m/both fired", 7)
    ]
    assert annotations[0].message.startswith("all 2 fired: low-accuracy (accuracy 0.86, 0.85")


def test_a_group_with_a_member_error_is_annotated_as_an_error_naming_the_member(
    repo: Path,
) -> None:
    broken = CONFIG.replace("below: 0.87, for: 2}", "below: 0.87, for: 9}")
    report = report_of(repo, broken)
    assert report.models[0].decision == "error"
    annotations = build_annotations(report, environ={})
    assert [(a.level, a.title, a.line, a.message) for a in annotations] == [
        (
            "error",
            "retrain-gate: m/both could not run",
            7,
            "member low-accuracy could not be evaluated (only 3 observations of accuracy; the "
            "rule needs 9)",
        )
    ]
