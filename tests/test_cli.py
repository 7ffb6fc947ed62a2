"""The one entry point: exit codes and messages of the error handler, --version, --help."""

from __future__ import annotations

import pytest

from retrain_gate import __version__
from retrain_gate.cli import main
from retrain_gate.engine import gate
from retrain_gate.errors import EXIT_INTERNAL, DataError
from tests.conftest import EXAMPLES

CHECK = ["check", "--config", str(EXAMPLES / "retrain-gate.yml"), "--now", "2026-11-28"]


def test_version_prints_the_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"retrain-gate {__version__}\n"


def test_help_lists_every_command_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("check", "validate", "schema", "rules", "backtest", "diff", "matrix"):
        assert f"    {command} " in out
    assert "Exit codes: 0 decided, 1 --fail-on matched, 2 config or usage error" in " ".join(
        out.split()
    )


def test_an_unknown_command_is_one_usage_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["chek"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("retrain-gate: error: argument COMMAND: invalid choice: 'chek'")


def test_a_bug_is_a_short_message_and_exit_70_never_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(gate, "check", broken)
    assert main(CHECK) == EXIT_INTERNAL == 70
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "retrain-gate: internal error: ZeroDivisionError: float division by zero\n"
        "This is a bug in retrain-gate; please report it with the command you ran.\n"
    )


def test_a_gate_error_is_one_located_line_and_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bad_data(*args: object, **kwargs: object) -> None:
        raise DataError("is empty", file="metrics/daily.csv", line=1, hint="commit the rows")

    monkeypatch.setattr(gate, "check", bad_data)
    assert main(CHECK) == 3
    assert capsys.readouterr().err == (
        "retrain-gate: error: metrics/daily.csv:1: is empty (commit the rows)\n"
    )


def test_an_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(gate, "check", interrupted)
    assert main(CHECK) == 130
    assert capsys.readouterr().err == "retrain-gate: interrupted\n"
