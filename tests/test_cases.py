"""The corpus: every folder under tests/cases/{bad,good} is a tiny repository and one test.

Adding a folder adds a test. Each folder holds the repository's files (retrain-gate.yml,
metric files, model card...) and `expected.json`, which says what a user must see:

- `args`: the command line (default `check --now 2026-11-28`), run with the folder as the
  current directory, as a user would run it in their repository;
- `exit_code`: the exact exit code;
- `stderr_contains`: for config and usage errors (exit 2), substrings of the one error line;
- `message_location`: the `file:line(:column)` the message names;
- `usage_error`: true for command-line errors, which have no file line to name;
- `decision`: `{model: decision}` read from the JSON report (data errors use `--format json`);
- `problem_contains`: substrings of the model's problems and error reasons (data errors);
- `stdout_contains`: substrings of stdout.

Whatever the case, nothing prints a traceback.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main

CASES = Path(__file__).resolve().parent / "cases"
DEFAULT_ARGS = ["check", "--now", "2026-11-28"]
ERROR_PREFIX = "retrain-gate: error: "
KNOWN_KEYS = {
    "args",
    "exit_code",
    "stderr_contains",
    "message_location",
    "usage_error",
    "decision",
    "problem_contains",
    "stdout_contains",
}
# Data errors whose message cannot name a file line: the rule's own config line is the place.
WITHOUT_FILE_LOCATION = {"too-few-observations"}


def case_folders(group: str) -> list[Path]:
    return sorted(p for p in (CASES / group).iterdir() if (p / "expected.json").is_file())


def expected_of(folder: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    unknown = set(expected) - KNOWN_KEYS
    assert not unknown, f"{folder.name}/expected.json: unknown keys {sorted(unknown)}"
    return expected


def run_case(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], int, str, str]:
    expected = expected_of(folder)
    monkeypatch.chdir(folder)
    code = main(expected.get("args", DEFAULT_ARGS))
    captured = capsys.readouterr()
    return expected, code, captured.out, captured.err


def error_texts(report: dict[str, Any], model: dict[str, Any]) -> list[str]:
    """What the report says went wrong for a model: its problems, and rules that errored."""
    texts = []
    for found in model["problems"]:
        where = ":".join(str(p) for p in (found["file"], found["line"]) if p is not None)
        texts.append(f"{where}: {found['message']}")
    texts += [o["reason"] for o in model["triggers"] + model["checks"] if o["status"] == "error"]
    return texts


def check_case(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected, code, out, err = run_case(folder, monkeypatch, capsys)
    assert code == expected["exit_code"], f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in out + err
    assert "internal error" not in err
    for text in expected.get("stdout_contains", []):
        assert text in out
    for text in expected.get("stderr_contains", []):
        assert text in err
    location = expected.get("message_location")

    if code == 2:  # a config or usage error: one line on stderr, nothing on stdout
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith(ERROR_PREFIX), lines[0]
        assert out == ""
        if not expected.get("usage_error"):
            assert re.match(re.escape(ERROR_PREFIX) + r"[^\s:]+:\d+(:\d+)?: \S", lines[0]), (
                f"the message does not name file:line: {lines[0]}"
            )
        if location:
            assert lines[0].startswith(f"{ERROR_PREFIX}{location}: "), lines[0]
        return

    args = expected.get("args", DEFAULT_ARGS)
    if "json" not in args:
        assert err == ""
        return
    report = json.loads(out)
    assert report["exit_code"] == code
    decisions = {m["model"]: m["decision"] for m in report["models"]}
    for model, decision in expected.get("decision", {}).items():
        assert decisions[model] == decision, decisions
    if code == 3:  # a data error: the model is `error`, and the report says where and why
        broken = [m for m in report["models"] if m["decision"] == "error"]
        assert broken, decisions
        said = "\n".join(text for m in broken for text in error_texts(report, m))
        for text in expected.get("problem_contains", []):
            assert text in said
        if location:
            assert location in said


@pytest.mark.parametrize("folder", case_folders("bad"), ids=lambda p: p.name)
def test_bad_input_gets_one_clear_message(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    check_case(folder, monkeypatch, capsys)


@pytest.mark.parametrize("folder", case_folders("good"), ids=lambda p: p.name)
def test_good_input_is_decided(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    check_case(folder, monkeypatch, capsys)


def test_the_bad_corpus_is_large_and_every_case_says_where() -> None:
    bad = case_folders("bad")
    assert len(bad) >= 30
    for folder in bad:
        expected = expected_of(folder)
        assert expected["exit_code"] in (2, 3), folder.name
        said = expected.get("stderr_contains") or expected.get("problem_contains")
        assert said, f"{folder.name}: expected.json names no message"
        if folder.name not in WITHOUT_FILE_LOCATION and not expected.get("usage_error"):
            assert expected.get("message_location"), f"{folder.name}: no message_location"


def test_a_rule_without_enough_observations_names_its_config_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, code, out, _ = run_case(CASES / "bad" / "too-few-observations", monkeypatch, capsys)
    assert code == 3
    floor = json.loads(out)["models"][0]["triggers"][0]
    assert (floor["name"], floor["status"], floor["config_line"]) == ("accuracy-floor", "error", 9)
