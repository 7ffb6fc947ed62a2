"""The terminal report at the terminal's width, colour or not (NO_COLOR too)."""

from __future__ import annotations

import json

import pytest

from retrain_gate.cli import main
from tests.conftest import EXAMPLES

ARGS = ["check", "--config", str(EXAMPLES / "retrain-gate.yml"), "--now", "2026-11-28"]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("now", ["2026-11-28", "2026-12-05"])  # retrain, blocked
def test_at_80_columns_no_line_is_longer_and_no_word_is_split(
    now: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # NO_COLOR=1 is set for every test
    args = ["check", "--config", str(EXAMPLES / "retrain-gate.yml"), "--now", now]
    main(args)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    main([*args, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    # every reason and decision line reads whole once the line breaks are undone: a word
    # split across two lines ("accurac" / "y") would not
    flat = words(out)
    for model in report["models"]:
        assert words(model["summary"]) in flat
        for rule in model["triggers"] + model["checks"]:
            assert words(rule["reason"]) in flat, rule["name"]
    assert lines[-1].startswith("decision: ")
    # a block per rule, not a table squeezed into 80 columns: about 2 lines a rule
    rules = sum(len(m["triggers"]) + len(m["checks"]) for m in report["models"])
    assert len(lines) < 3 * rules + 10


@pytest.mark.parametrize("columns", [100, 140])
def test_wide_terminals_keep_the_table(
    columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    main(ARGS)
    out = capsys.readouterr().out
    assert any(line.split() == ["rule", "kind", "observed", "threshold", "status", "reason"]
               for line in out.splitlines())  # fmt: skip
    assert max(len(line) for line in out.splitlines()) <= columns
