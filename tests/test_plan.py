"""The dispatch policy as pure functions over given runs and times: no HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from retrain_gate.act.context import RunContext
from retrain_gate.act.plan import Plan, plan_dispatch, sight
from retrain_gate.config.parse import load_config
from retrain_gate.engine.gate import check
from retrain_gate.github.runs import WorkflowRun
from tests.test_act import WORKFLOW_DISPATCH, repo

NOW = datetime(2026, 11, 4, tzinfo=timezone.utc)
RUN = RunContext(run_id="555", repository="o/r", ref_name="main")


def run_at(
    run_id: int,
    created: datetime,
    *,
    status: str = "completed",
    title: str = "Retrain",
    event: str = "workflow_dispatch",
) -> WorkflowRun:
    return WorkflowRun(
        id=run_id,
        status=status,
        conclusion=None,
        created_at=created,
        html_url=f"https://github.com/o/r/actions/runs/{run_id}",
        event=event,
        display_title=title,
    )


def plan(tmp_path: Path, runs: list[WorkflowRun], **more: object) -> Plan:
    config = load_config(repo(tmp_path, dispatch=WORKFLOW_DISPATCH))
    (result,) = check(config, now=NOW).models
    return plan_dispatch(config.models["churn"], result, run=RUN, now=NOW, runs=runs, **more)  # type: ignore[arg-type]


def test_a_run_exactly_one_cooldown_ago_no_longer_holds(tmp_path: Path) -> None:
    assert plan(tmp_path, [run_at(1, NOW - timedelta(days=7))]).action == "send"


def test_a_run_just_inside_the_cooldown_holds(tmp_path: Path) -> None:
    held = plan(tmp_path, [run_at(1, NOW - timedelta(days=7) + timedelta(seconds=1))])
    assert held.action == "hold"
    assert "within the 7d cooldown" in held.reason


def test_a_run_dated_after_now_clock_skew_holds(tmp_path: Path) -> None:
    assert plan(tmp_path, [run_at(1, NOW + timedelta(minutes=5))]).action == "hold"


def test_a_queued_run_holds_in_flight(tmp_path: Path) -> None:
    held = plan(tmp_path, [run_at(1, NOW - timedelta(days=30), status="queued")])
    assert held.action == "hold" and "still queued" in held.reason


def test_another_models_run_on_a_shared_workflow_does_not_hold(tmp_path: Path) -> None:
    runs = [run_at(1, NOW - timedelta(hours=1), title="Retrain fraud (gate run 9)")]
    assert plan(tmp_path, runs, sharing=("churn", "fraud")).action == "send"
    manual = [run_at(2, NOW - timedelta(hours=1), title="Retrain (manual)")]
    assert plan(tmp_path, manual, sharing=("churn", "fraud")).action == "hold"


def test_sight_finds_the_run_naming_this_gate_run_and_doubts_a_manual_one() -> None:
    old = [run_at(1, NOW)]
    ours = run_at(2, NOW, title="Retrain churn (gate run 555)")
    manual = run_at(3, NOW, title="Retrain churn (gate run manual)")
    kw = {"model": "churn", "event": "workflow_dispatch", "gate_run_id": "555"}
    assert sight(old, [ours, *old], **kw).seen == "found"  # type: ignore[arg-type]
    assert sight(old, [manual, *old], **kw).seen == "unsure"  # type: ignore[arg-type]
    assert sight(old, old, **kw).seen == "absent"  # type: ignore[arg-type]
