"""The decision: retrain / blocked / skip / error, its one-line summary and the exit code."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from retrain_gate.engine.decide import decide
from retrain_gate.results import ModelResult, Outcome, Problem, Report
from tests.conftest import daily_csv
from tests.test_rules import run_gate

LOW = "{name: floor, metric: accuracy, below: 0.875}"  # fires on the metrics below
HIGH = "{name: ceiling, metric: accuracy, above: 0.95}"  # quiet on them
ROWS_OK = "{name: enough-rows, metric: rows, at_least: 1000}"  # passes
ROWS_BAD = "{name: many-rows, metric: rows, at_least: 5000}"  # fails
CSV = daily_csv({"accuracy": [0.9, 0.85], "rows": [2000, 2000]})


def decided(root: Path, triggers: list[str], checks: list[str], csv: str = CSV) -> ModelResult:
    (model,) = run_gate(root, triggers, checks, files={"metrics.csv": csv}).models
    return model


def test_retrain_when_a_trigger_fired_and_every_check_passed(tmp_path: Path) -> None:
    model = decided(tmp_path, [LOW, HIGH], [ROWS_OK, "{name: fresh, freshness: 10d}"])
    assert model.decision == "retrain"
    assert model.summary == "floor fired; all 2 checks passed"
    assert [o.name for o in model.fired] == ["floor"]
    assert model.vetoes == ()


def test_retrain_with_one_check_and_with_none(tmp_path: Path) -> None:
    assert decided(tmp_path, [LOW], [ROWS_OK]).summary == "floor fired; the check passed"
    assert decided(tmp_path, [LOW], []).summary == "floor fired; no checks configured"


def test_blocked_when_a_trigger_fired_and_an_error_check_failed(tmp_path: Path) -> None:
    model = decided(tmp_path, [LOW], [ROWS_OK, ROWS_BAD])
    assert model.decision == "blocked"
    assert model.summary == "many-rows failed, holding back floor: not retraining on bad data"
    assert [o.name for o in model.vetoes] == ["many-rows"]


def test_skip_when_no_trigger_fired(tmp_path: Path) -> None:
    model = decided(tmp_path, [HIGH], [ROWS_OK])
    assert model.decision == "skip"
    assert model.summary == "no trigger fired, 1 quiet"


def test_a_failed_check_without_a_fired_trigger_is_still_a_skip_and_is_named(
    tmp_path: Path,
) -> None:
    model = decided(tmp_path, [HIGH], [ROWS_BAD])
    assert model.decision == "skip"
    assert model.summary == "no trigger fired, 1 quiet; many-rows failed"


def test_a_warn_check_failure_does_not_veto_and_is_in_the_summary(tmp_path: Path) -> None:
    warn = "{name: many-rows, metric: rows, at_least: 5000, severity: warn}"
    model = decided(tmp_path, [LOW], [ROWS_OK, warn])
    assert model.decision == "retrain"
    assert [o.status for o in model.checks] == ["passed", "warned"]
    assert model.summary == ("floor fired; 1 of 2 checks passed; many-rows warned (severity warn)")
    skipped = decided(tmp_path, [HIGH], [warn])
    assert skipped.summary == "no trigger fired, 1 quiet; many-rows warned (severity warn)"


def test_a_warn_check_that_cannot_run_does_not_block(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.9, 0.85], "rows": [2000, None]})
    warn = "{name: many-rows, metric: rows, at_least: 5000, severity: warn}"
    model = decided(tmp_path, [LOW], [warn], csv)
    assert model.checks[0].status == "error"
    assert model.decision == "retrain"
    assert model.summary == (
        "floor fired; 0 of 1 checks passed; many-rows could not be evaluated (severity warn)"
    )


def test_an_error_check_that_cannot_run_makes_the_decision_error(tmp_path: Path) -> None:
    csv = daily_csv({"accuracy": [0.9, 0.85], "rows": [2000, None]})
    model = decided(tmp_path, [LOW], [ROWS_OK], csv)
    assert model.decision == "error"
    assert model.summary == (
        "enough-rows could not be evaluated: rows is missing on 2026-11-02 (metrics.csv:3)"
    )


def test_a_trigger_that_cannot_run_makes_the_decision_error_even_if_another_fired(
    tmp_path: Path,
) -> None:
    csv = daily_csv({"accuracy": [0.9, 0.85], "rows": [2000, 2000]})
    model = decided(
        tmp_path, [LOW, "{name: floor3, metric: accuracy, below: 0.9, for: 3}"], [], csv
    )
    assert model.decision == "error"
    assert model.summary == (
        "floor3 could not be evaluated: only 2 observations of accuracy; the rule needs 3"
    )


def test_unreadable_metrics_make_every_series_rule_an_error_with_exit_3(tmp_path: Path) -> None:
    report = run_gate(tmp_path, [LOW], [ROWS_OK], files={"metrics.csv": "date,accuracy,rows\n"})
    (model,) = report.models
    assert model.decision == "error"
    # the file's error is said once, in the summary; each rule points at the file
    reason = "not evaluated: the metric file cannot be read (metrics.csv)"
    assert [o.reason for o in model.outcomes] == [reason, reason]
    assert model.summary == "metrics.csv: has a header but no rows; 2 rules not evaluated"
    assert report.exit_code == 3


# --- the report over several models -----------------------------------------------------------


def _model(name: str, decision: str, problems: tuple[Problem, ...] = ()) -> ModelResult:
    return ModelResult(model=name, decision=decision, summary="", problems=problems)  # type: ignore[arg-type]


def test_report_decision_is_the_worst_of_its_models() -> None:
    now = datetime(2026, 11, 11, tzinfo=timezone.utc)

    def report(*models: ModelResult) -> Report:
        return Report(now=now, config_path="retrain-gate.yml", models=models)

    assert report(_model("a", "skip"), _model("b", "retrain")).decision == "retrain"
    # documented order: error > retrain > blocked > skip (one model to retrain is news)
    assert report(_model("a", "blocked"), _model("b", "retrain")).decision == "retrain"
    assert report(_model("a", "blocked"), _model("b", "skip")).decision == "blocked"
    assert report(_model("a", "error"), _model("b", "blocked")).decision == "error"
    assert report(_model("a", "skip")).decision == "skip"
    assert report(_model("a", "retrain"), _model("b", "blocked")).exit_code == 0
    # an error without a file problem (a missing value) is a data error
    assert report(_model("a", "error")).exit_code == 3
    config_problem = Problem("bad", 2, "retrain-gate.yml", 4)
    assert report(_model("a", "error", (config_problem,))).exit_code == 2


def test_decide_on_outcomes_directly() -> None:
    def rule(name: str, role: str, status: str, severity: str = "error") -> Outcome:
        return Outcome(
            name=name,
            kind="k",
            role=role,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            observed=None,
            threshold=None,
            reason=f"{name} reason",
            severity=severity,  # type: ignore[arg-type]
        )

    fired, quiet = rule("t1", "trigger", "fired"), rule("t2", "trigger", "quiet")
    failed = rule("c1", "check", "failed")
    assert decide((fired, quiet), (failed,)) == (
        "blocked",
        "c1 failed, holding back t1: not retraining on bad data",
    )
    assert decide((quiet,), ()) == ("skip", "no trigger fired, 1 quiet")
    errors = (rule("t3", "trigger", "error"), rule("t4", "trigger", "error"))
    assert decide(errors, ()) == ("error", "t3 could not be evaluated: t3 reason; 1 more could not")
    # a file problem with no rule to report it still makes the decision error
    problem = Problem("file not found", 3, "card.json")
    assert decide((), (), (problem,)) == ("error", "card.json: file not found")
