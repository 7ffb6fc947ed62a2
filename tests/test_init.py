"""`retrain-gate init` writes a starting config that `validate` and `check` accept."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from retrain_gate.cli import main
from tests.conftest import EXAMPLES, git
from tests.test_history import START, midnight
from tests.test_history import git as git_at


def test_init_in_the_example_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES, root)
    (root / "retrain-gate.yml").unlink()

    assert main(["init", "--root", str(root)]) == 0
    config = yaml.safe_load((root / "retrain-gate.yml").read_text(encoding="utf-8"))
    assert set(config["models"]) == {"churn", "fraud"}
    assert config["models"]["churn"]["baseline"] == "models/churn/model_card.json"
    assert "wrote retrain-gate.yml with 2 model(s): churn, fraud" in capsys.readouterr().err

    path = str(root / "retrain-gate.yml")
    assert main(["validate", "--config", path]) == 0
    assert main(["check", "--config", path, "--now", "2026-11-28"]) == 0


def test_init_in_a_dvc_style_repository_reads_the_rewritten_file_from_git(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "dvc.yaml").write_text(
        "stages:\n  train:\n    cmd: python train.py\n    metrics:\n"
        "      - metrics.json:\n          cache: false\n",
        encoding="utf-8",
    )
    for day in range(5):
        metrics = {"accuracy": 0.9 + day / 1000, "f1": 0.88, "rows": 12000}
        (tmp_path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
        git_at(tmp_path, "add", ".")
        git_at(tmp_path, "commit", "-qm", f"run {day}", when=midnight(START + timedelta(days=day)))

    assert main(["init", "--root", str(tmp_path)]) == 0
    config = yaml.safe_load((tmp_path / "retrain-gate.yml").read_text(encoding="utf-8"))
    (model,) = config["models"].values()
    assert model["metrics"] == {"path": "metrics.json", "history": "git"}

    path = str(tmp_path / "retrain-gate.yml")
    assert main(["validate", "--config", path]) == 0
    capsys.readouterr()
    assert main(["check", "--config", path, "--now", "2026-09-06"]) == 0
    assert "SKIP" in capsys.readouterr().out


def test_init_does_not_overwrite_a_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "retrain-gate.yml").write_text("version: 1\n", encoding="utf-8")

    assert main(["init", "--root", str(tmp_path)]) == 2
    assert "retrain-gate.yml exists already" in capsys.readouterr().err
    assert (tmp_path / "retrain-gate.yml").read_text(encoding="utf-8") == "version: 1\n"


def test_init_without_metric_files_says_what_it_looks_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--root", str(tmp_path)]) == 2
    assert "found no metric files here" in capsys.readouterr().err
    assert not (tmp_path / "retrain-gate.yml").exists()


PEERS = Path(__file__).parent / "fixtures" / "peers"


def test_init_reads_great_expectations_and_evidently_results_as_their_tools_wrote_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(PEERS / "great_expectations" / "validations", tmp_path / "gx")
    shutil.copy(PEERS / "great_expectations" / "wide.csv", tmp_path / "metrics.csv")
    shutil.copytree(PEERS / "evidently" / "legacy", tmp_path / "drift")

    assert main(["init", "--root", str(tmp_path)]) == 0
    config = yaml.safe_load((tmp_path / "retrain-gate.yml").read_text(encoding="utf-8"))
    assert set(config["models"]) == {"metrics", "drift"}
    assert "wrote retrain-gate.yml with 2 model(s): metrics, drift" in capsys.readouterr().err
    drift = config["models"]["drift"]
    assert drift["metrics"] == {"path": "drift/*.json", "format": "evidently", "timezone": "UTC"}
    assert drift["triggers"] == [{"name": "dataset-drift", "metric": "dataset_drift", "above": 0.5}]
    for model in config["models"].values():  # every model's checks read the GX results
        assert model["sources"] == {
            "quality": {"path": "gx/*.json", "format": "great_expectations"}
        }
        assert {"name": "great-expectations", "source": "quality", "validation": "all"} in (
            model["checks"]
        )

    path = str(tmp_path / "retrain-gate.yml")
    assert main(["validate", "--config", path]) == 0
    capsys.readouterr()
    assert main(["check", "--config", path, "--now", "2026-11-11", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for model in report["models"]:
        check = next(c for c in model["checks"] if c["name"] == "great-expectations")
        assert check["status"] == "failed"
        assert "expect_column_values_to_not_be_null(age)" in check["reason"]


def test_init_with_only_data_quality_results_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(PEERS / "great_expectations" / "validations", tmp_path / "gx")

    assert main(["init", "--root", str(tmp_path)]) == 2
    assert "found only data-quality results here" in capsys.readouterr().err
    assert not (tmp_path / "retrain-gate.yml").exists()
