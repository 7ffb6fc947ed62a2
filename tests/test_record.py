"""`record`, `promote` and the retrain history through the CLI, on real files: the card each
writes, what it prints, its exit code; and the gate's decision once retrains did not help."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrain_gate.cli import main
from retrain_gate.engine.retrains import IN_VAIN
from retrain_gate.errors import EXIT_CONFIG, EXIT_DATA, EXIT_KEPT_OLD
from tests.conftest import write

CARD = "models/churn/model_card.json"


def config(extra: str = "", *, card: str = CARD) -> str:
    return f"""\
version: 1
models:
  churn:
    metrics: {{path: metrics/churn.csv, time: date}}
    baseline: {card}
    promotion:
      must_beat: {{accuracy: 0.5%}}
      no_worse_than: {{log_loss: {{by: 0.01, better: lower}}}}
{extra}    triggers:
      - {{name: accuracy-floor, metric: accuracy, below: 0.87, for: 2}}
"""


def daily(values: list[float], *, start: str = "2026-10-25") -> str:
    first = date.fromisoformat(start)
    rows = [f"{first + timedelta(days=i)},{v},5000" for i, v in enumerate(values)]
    return "date,accuracy,rows\n" + "\n".join(rows) + "\n"


FIRST_CARD = {
    "model": "churn",
    "trained_at": "2026-10-20T06:00:00Z",
    "rows": 12500,
    "metrics": {"accuracy": 0.9, "log_loss": 0.3},
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write(
        tmp_path,
        {
            "retrain-gate.yml": config(),
            "metrics/churn.csv": daily([0.8] * 37),
            CARD: json.dumps(FIRST_CARD),
        },
    )
    return tmp_path


def cli(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([args[0], "--config", str(repo / "retrain-gate.yml"), *args[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def evaluation(repo: Path, name: str, **values: Any) -> str:
    path = repo / name
    path.write_text(json.dumps(values), encoding="utf-8")
    return str(path)


def read_card(repo: Path, relative: str = CARD) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((repo / relative).read_text(encoding="utf-8"))
    return data


def decide(repo: Path, capsys: pytest.CaptureFixture[str], now: str) -> dict[str, Any]:
    code, out, err = cli(repo, capsys, "check", "--format", "json", "--now", now)
    assert code == 0, err
    model: dict[str, Any] = json.loads(out)["models"][0]
    return model


def retrain(repo: Path, capsys: pytest.CaptureFixture[str], when: str, accuracy: float) -> int:
    """What the retraining workflow does: promote, and record when promoted."""
    candidate = evaluation(repo, f"eval-{when}.json", rows=5000, accuracy=accuracy, log_loss=0.3)
    code, _, _ = cli(repo, capsys, "promote", "--model", "churn", "--candidate", candidate)
    result = "promoted" if code == 0 else "kept_old"
    recorded, _, err = cli(
        repo,
        capsys,
        "record",
        "--model",
        "churn",
        "--metrics",
        candidate,
        "--result",
        result,
        "--now",
        when,
    )
    assert recorded == 0, err
    return code


# -- record ----------------------------------------------------------------------------------


def test_record_writes_the_next_version_and_prints_what_changed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    candidate = evaluation(
        repo, "eval.json", rows=13400, metrics={"accuracy": 0.925, "log_loss": 0.28}, model="x"
    )
    code, out, _ = cli(
        repo,
        capsys,
        "record",
        "--model",
        "churn",
        "--metrics",
        candidate,
        "--now",
        "2026-11-28T10:00:00Z",
        "--gate-run",
        "https://github.com/o/r/actions/runs/5",
    )

    assert code == 0
    assert out.splitlines() == [
        f"recorded churn version 2 in {CARD}",
        "  version: 1 -> 2 (+1)",
        "  trained_at: 2026-10-20T06:00:00Z -> 2026-11-28T10:00:00Z",
        "  rows: 12500 -> 13400 (+900)",
        "  metrics.accuracy: 0.9 -> 0.925 (+0.025)",
        "  metrics.log_loss: 0.3 -> 0.28 (-0.02)",
        "  last_attempt: promoted at 2026-11-28T10:00:00Z",
    ]
    assert read_card(repo) == {
        "version": 2,
        "model": "churn",
        "trained_at": "2026-11-28T10:00:00Z",
        "rows": 13400,
        "metrics": {"accuracy": 0.925, "log_loss": 0.28},
        "previous": {"version": 1, **{k: v for k, v in FIRST_CARD.items() if k != "model"}},
        "last_attempt": {
            "result": "promoted",
            "at": "2026-11-28T10:00:00Z",
            "version": 2,
            "gate_run": "https://github.com/o/r/actions/runs/5",
        },
    }


def test_versions_from_zero_from_none_and_the_history_kept(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {CARD: json.dumps({**FIRST_CARD, "version": 0})})
    for day, accuracy in (("2026-11-01", 0.91), ("2026-11-02", 0.92), ("2026-11-03", 0.93)):
        candidate = evaluation(repo, "eval.json", rows=1, accuracy=accuracy)
        code, _, err = cli(
            repo, capsys, "record", "--model", "churn", "--metrics", candidate, "--now", day
        )
        assert code == 0, err
    card = read_card(repo)
    assert card["version"] == 3
    assert card["previous"]["version"] == 2
    assert [v["version"] for v in card["history"]] == [1, 0]
    assert card["history"][1]["trained_at"] == "2026-10-20T06:00:00Z"


def test_no_card_yet_is_version_1_and_a_yaml_card_stays_yaml(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"retrain-gate.yml": config(card="models/churn/card.yaml")})
    candidate = evaluation(repo, "eval.json", rows=100, accuracy=0.9)
    code, out, _ = cli(
        repo, capsys, "record", "--model", "churn", "--metrics", candidate, "--now", "2026-11-02"
    )
    assert code == 0
    assert out.startswith("recorded churn version 1 in models/churn/card.yaml")
    card = yaml.safe_load((repo / "models/churn/card.yaml").read_text(encoding="utf-8"))
    assert card["version"] == 1 and "previous" not in card
    assert card["trained_at"] == "2026-11-02T00:00:00Z"


def test_a_csv_evaluation_gives_its_last_row(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "eval.csv").write_text("run,rows,accuracy\nold,10,0.5\nnew,20,0.95\n", encoding="utf-8")
    code, _, err = cli(
        repo,
        capsys,
        "record",
        "--model",
        "churn",
        "--metrics",
        str(repo / "eval.csv"),
        "--now",
        "2026-11-02",
    )
    assert code == 0, err
    card = read_card(repo)
    assert card["rows"] == 20 and card["metrics"] == {"accuracy": 0.95}


@pytest.mark.parametrize(
    ("evaluation_text", "flags", "message"),
    [
        ('{"rows": 5, "accuracy": NaN}', (), "contains NaN; NaN and infinity are not metric"),
        ('{"model": "churn"}', (), "holds no metric values (numbers) to record"),
        (
            '{"accuracy": 0.9}',
            ("--trained-at", "2026-10-01"),
            "the new model's trained_at 2026-10-01T00:00:00Z is before the current model's",
        ),
        (
            '{"accuracy": 0.9}',
            ("--trained-at", "2026-12-01"),
            "the new model's trained_at 2026-12-01T00:00:00Z is after now",
        ),
    ],
)
def test_bad_evaluations_are_one_message_exit_3_and_the_card_is_untouched(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    evaluation_text: str,
    flags: tuple[str, ...],
    message: str,
) -> None:
    (repo / "eval.json").write_text(evaluation_text, encoding="utf-8")
    before = (repo / CARD).read_text(encoding="utf-8")
    code, out, err = cli(
        repo,
        capsys,
        "record",
        "--model",
        "churn",
        "--metrics",
        str(repo / "eval.json"),
        "--now",
        "2026-11-28",
        *flags,
    )
    assert code == EXIT_DATA
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert out == ""
    assert (repo / CARD).read_text(encoding="utf-8") == before


def test_kept_old_needs_the_evaluation(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(repo, capsys, "record", "--model", "churn", "--result", "kept_old")
    assert code == EXIT_CONFIG
    assert "--result kept_old needs --metrics" in err


# -- promote ---------------------------------------------------------------------------------


def test_promote_keeps_the_old_model_with_exit_6_and_a_table(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    candidate = evaluation(repo, "eval.json", accuracy=0.95, log_loss=0.32)
    summary = repo / "summary.md"
    code, out, _ = cli(
        repo,
        capsys,
        "promote",
        "--model",
        "churn",
        "--candidate",
        candidate,
        "--summary-file",
        str(summary),
    )
    assert code == EXIT_KEPT_OLD
    assert out.splitlines()[0] == (
        "churn: keep the current model: log_loss 0.32 vs 0.3: -0.02 (worse); "
        "fails no worse than 0.01 (lower is better)"
    )
    table = summary.read_text(encoding="utf-8")
    assert "| accuracy | 0.9 | 0.95 | +5.56% | must beat by more than 0.5% | ✅ pass |" in table
    assert (
        "| log_loss | 0.3 | 0.32 | -0.02 | no worse than 0.01 (lower is better) | ❌ fail |"
        in table
    )


def test_promote_a_better_candidate_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    candidate = evaluation(repo, "eval.json", accuracy=0.95, log_loss=0.305)
    code, out, _ = cli(repo, capsys, "promote", "--model", "churn", "--candidate", candidate)
    assert code == 0
    assert out.splitlines()[0] == "churn: promote: 2 of 2 rules passed"


def test_a_value_missing_from_the_candidate_is_exit_3(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    candidate = evaluation(repo, "eval.json", accuracy=0.99)
    code, out, _ = cli(repo, capsys, "promote", "--model", "churn", "--candidate", candidate)
    assert code == EXIT_DATA
    assert f"log_loss is missing in {candidate}" in out


def test_equal_to_the_amount_does_not_beat(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    candidate = evaluation(repo, "eval.json", accuracy=0.9045, log_loss=0.3)  # exactly +0.5%
    code, _, _ = cli(repo, capsys, "promote", "--model", "churn", "--candidate", candidate)
    assert code == EXIT_KEPT_OLD


# -- never retrain in vain -------------------------------------------------------------------


def test_three_promoted_retrains_that_left_accuracy_low_block_the_fourth(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert decide(repo, capsys, "2026-11-05")["decision"] == "retrain"
    assert retrain(repo, capsys, "2026-11-05", 0.91) == 0
    assert decide(repo, capsys, "2026-11-12")["decision"] == "retrain"
    assert retrain(repo, capsys, "2026-11-12", 0.92) == 0
    assert decide(repo, capsys, "2026-11-19")["decision"] == "retrain"
    assert retrain(repo, capsys, "2026-11-19", 0.93) == 0
    assert read_card(repo)["version"] == 4

    fourth = decide(repo, capsys, "2026-11-26")

    assert fourth["decision"] == "blocked"
    assert IN_VAIN == "retraining has not helped: the data, not the model, needs a look"
    assert fourth["summary"] == (
        "accuracy-floor fired; no checks configured; but retraining has not helped: the data, "
        "not the model, needs a look: accuracy-floor still fired after each of the last 3 "
        "retrains (since 2026-11-05, within 30d)"
    )
    assert fourth["card"]["version"] == 4


def test_a_retrain_that_brought_accuracy_back_is_not_in_vain(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # accuracy back above the floor after the second retrain, low again after the third
    write(repo, {"metrics/churn.csv": daily([0.8] * 18 + [0.9] * 7 + [0.8] * 12)})
    for when, accuracy in (("2026-11-05", 0.91), ("2026-11-12", 0.92), ("2026-11-19", 0.93)):
        assert retrain(repo, capsys, when, accuracy) == 0
    assert decide(repo, capsys, "2026-11-26")["decision"] == "retrain"


def test_in_vain_false_keeps_asking(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {"retrain-gate.yml": config("    in_vain: false\n")})
    for when, accuracy in (("2026-11-05", 0.91), ("2026-11-12", 0.92), ("2026-11-19", 0.93)):
        assert retrain(repo, capsys, when, accuracy) == 0
    assert decide(repo, capsys, "2026-11-26")["decision"] == "retrain"


def test_max_retrains_counts_a_kept_old_attempt_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        repo,
        {
            "retrain-gate.yml": config(
                "    in_vain: false\n    max_retrains: {count: 2, per: 30d}\n"
            )
        },
    )
    assert retrain(repo, capsys, "2026-11-05", 0.91) == 0
    assert decide(repo, capsys, "2026-11-10")["decision"] == "retrain"
    assert retrain(repo, capsys, "2026-11-12", 0.905) == EXIT_KEPT_OLD  # not better: kept

    result = decide(repo, capsys, "2026-11-14")

    assert result["decision"] == "blocked"
    assert result["summary"].endswith(
        "but max_retrains: 2 retrains within 30d (since 2026-11-05), the limit is 2: not asking "
        "for another; the last retrain (2026-11-12) kept the old model"
    )
    # once the first retrain is older than 30 days, one more may run
    assert decide(repo, capsys, "2026-12-06")["decision"] == "retrain"


def test_the_backtest_shows_the_real_retrains_beside_the_replayed_ones(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for when, accuracy in (("2026-11-05", 0.91), ("2026-11-12", 0.92)):
        assert retrain(repo, capsys, when, accuracy) == 0

    code, out, err = cli(repo, capsys, "backtest", "--format", "json")
    assert code == 0, err
    model = json.loads(out)["models"][0]
    assert model["real_retrains"] == [
        {
            "version": 2,
            "trained_at": "2026-11-05T00:00:00+00:00",
            "rules_asked": "2026-11-04",
            "asked_since": "2026-10-26",
        },
        {
            "version": 3,
            "trained_at": "2026-11-12T00:00:00+00:00",
            "rules_asked": "2026-11-11",
            "asked_since": "2026-10-26",
        },
    ]
    # accuracy is under the floor from the second day on: the replay retrains then
    assert model["totals"]["first_retrain"] == "2026-10-26"
    code, out, _ = cli(repo, capsys, "backtest")
    assert (
        "  real retrain: version 2 trained 2026-11-05; the rules asked from 2026-10-26 to "
        "2026-11-04" in out
    )


def test_the_reports_show_version_age_and_last_retrain(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(repo, capsys, "check", "--now", "2026-11-01")
    assert code == 0
    assert "  model: version 1 (no version field), trained 2026-10-20 (11.8 days ago); " in out
    assert "no retrain recorded" in out
    assert retrain(repo, capsys, "2026-11-05", 0.91) == 0
    assert retrain(repo, capsys, "2026-11-06", 0.911) == EXIT_KEPT_OLD

    code, out, _ = cli(repo, capsys, "check", "--format", "markdown", "--now", "2026-11-07")

    assert code == 0
    assert (
        "🏷️ Model: version 2, trained 2026-11-05 (2.0 days ago); last retrain 2026-11-06: kept "
        "old (accuracy 0.911 vs 0.91: +0.11% (better); fails must beat by more than 0.5%)"
    ) in out


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ({**FIRST_CARD, "version": "two"}, "field version is 'two', not a whole number from 0"),
        ({**FIRST_CARD, "history": {"version": 1}}, "field history is not a list of versions"),
        (
            {**FIRST_CARD, "last_attempt": {"result": "maybe", "at": "2026-11-01"}},
            "result is 'maybe', not one of promoted, kept_old, failed",
        ),
    ],
)
def test_a_bad_history_in_the_card_is_that_models_error(
    repo: Path, capsys: pytest.CaptureFixture[str], card: dict[str, Any], message: str
) -> None:
    write(repo, {CARD: json.dumps(card)})
    code, out, _ = cli(repo, capsys, "check", "--format", "json", "--now", "2026-11-01")
    assert code == EXIT_DATA
    model = json.loads(out)["models"][0]
    # no rule of this model reads the card: it is still decided, and the problem reported
    assert model["problems"][0]["exit_code"] == EXIT_DATA
    assert message in model["problems"][0]["message"]
    assert model["problems"][0]["file"].startswith(CARD)
    # record refuses to build on it, naming the same thing
    candidate = evaluation(repo, "eval.json", accuracy=0.95, log_loss=0.3)
    code, _, err = cli(repo, capsys, "record", "--model", "churn", "--metrics", candidate)
    assert code == EXIT_DATA and message in err
