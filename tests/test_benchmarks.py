"""The benchmark, and the fast paths it led to.

- `benchmarks/make_repo.py` is deterministic and its repositories are decided by `check`;
- `benchmarks/run.py --quick` prints every ratio line (no timing is asserted: machines vary);
- in a repository of many models, one broken metric file is that model's `error`, the others
  are still decided, and `check` exits 3 after reporting them all;
- each fast path gives exactly what the slow path gives (the same Series, Report, verdict,
  node positions), and falls back to it on anything unusual, so every error reads as before.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from retrain_gate.cli import main
from retrain_gate.config import messages as config_messages
from retrain_gate.config import positions as config_positions
from retrain_gate.config.parse import load_config
from retrain_gate.config.schema import build_schema, rule_schema
from retrain_gate.engine.gate import check
from retrain_gate.engine.load import load_model
from retrain_gate.errors import GateError
from retrain_gate.kinds import registry
from retrain_gate.sources import metrics as metrics_module
from tests.conftest import EXAMPLES, write

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from make_repo import RepoSize, last_day, make_repo  # noqa: E402

BENCHMARK = REPO / "benchmarks" / "run.py"
SMALL = RepoSize(models=5, days=40, metrics=6)
NOW = datetime(2024, 2, 10, tzinfo=timezone.utc)  # the day after SMALL's last day


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def slow_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn every fast path off: the record-by-record CSV reader, PyYAML, jsonschema."""
    monkeypatch.setattr(metrics_module, "clean_csv_series", lambda *a, **k: None)
    monkeypatch.setattr(config_positions, "_compose_fast", lambda *a, **k: None)
    monkeypatch.setattr(config_messages, "_verdict", lambda *a, **k: None)


# --- the generator and the benchmark -----------------------------------------------------------


def test_make_repo_is_deterministic_from_its_seed(tmp_path: Path) -> None:
    make_repo(tmp_path / "a", SMALL, seed=7)
    make_repo(tmp_path / "b", SMALL, seed=7)
    make_repo(tmp_path / "c", SMALL, seed=8)
    a, b, c = (files_of(tmp_path / name) for name in "abc")
    assert a == b
    assert a.keys() == c.keys() and a != c
    assert len([name for name in a if name.endswith("daily.csv")]) == SMALL.models
    header, *rows = a["metrics/model-0000/daily.csv"].decode().splitlines()
    assert len(header.split(",")) == 1 + SMALL.metrics
    assert len(rows) == SMALL.days
    assert last_day(SMALL.days).isoformat() == rows[-1].split(",")[0]


def test_a_generated_repository_is_decided_and_uses_several_rule_kinds(tmp_path: Path) -> None:
    config = load_config(make_repo(tmp_path, SMALL, seed=1))
    used = {rule.kind for model in config.models.values() for rule in model.rules}
    assert {"threshold", "baseline_change", "drift", "anomaly", "range", "gaps"} <= used
    report = check(config, now=NOW)
    assert report.exit_code == 0
    assert [m.model for m in report.models] == [f"model-{i:04d}" for i in range(SMALL.models)]
    assert {m.decision for m in report.models} <= {"retrain", "skip"}


def test_make_repo_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, str(REPO / "benchmarks" / "make_repo.py"), str(tmp_path / "out")),
            *("--models", "3", "--days", "30", "--metrics", "4", "--seed", "2"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "3 models x 30 days x 4 metrics" in done.stdout
    assert len(list((tmp_path / "out" / "metrics").iterdir())) == 3


RATIO_LINES = [
    "check/floor",
    "validate/floor",
    "check growth in models / linear",
    "check growth in days / linear",
    "floor growth in models / linear",
    "check per model-day",
    "check peak/parsed data",
    "--version/python -c pass",
    "small check/python -c pass",
    "ks/sorting both samples",
    "psi/sorting both samples",
    "js/sorting both samples",
    "ks growth x4 / n log n",
]


def test_the_quick_benchmark_prints_every_ratio_with_its_seconds(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--quick", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for label in RATIO_LINES:
        # "  check/floor    1.41x   check 0.6579 s, floor 0.4660 s" (memory: in MB)
        pattern = rf"^  {re.escape(label)}.*?\s\d+\.\d\dx\s+.*\d\.\d+ (s|MB)\b"
        assert re.search(pattern, out, re.M), f"no ratio line for {label!r} in:\n{out}"
    # three sizes: the full one, half the models, half the days
    assert len(re.findall(r"^  check/floor", out, re.M)) == 3
    assert "--version imports: none of jsonschema, rich, retrain_gate.kinds.drift_measures" in out
    assert "install: skipped" in out


# --- one broken model among many --------------------------------------------------------------


def test_one_broken_metric_file_is_that_models_error_and_the_others_are_decided(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config_path = make_repo(tmp_path, SMALL, seed=3)
    monkeypatch.chdir(tmp_path)
    args = ["check", "--config", str(config_path), "--now", NOW.date().isoformat()]
    assert main([*args, "--format", "json"]) == 0
    healthy = {m["model"]: m["decision"] for m in json.loads(capsys.readouterr().out)["models"]}

    broken = tmp_path / "metrics" / "model-0001" / "daily.csv"
    lines = broken.read_text().splitlines()
    lines[20] = lines[20].replace(lines[20].split(",")[1], "n/a", 1)  # accuracy on line 21
    broken.write_text("\n".join(lines) + "\n")

    assert main([*args, "--format", "json"]) == 3
    report = json.loads(capsys.readouterr().out)
    decisions = {m["model"]: m["decision"] for m in report["models"]}
    assert decisions == {**healthy, "model-0001": "error"}
    problems = next(m for m in report["models"] if m["model"] == "model-0001")["problems"]
    assert any(
        "'n/a', not a number" in p["message"] and p["file"] == "metrics/model-0001/daily.csv"
        for p in problems
    ), problems

    # the terminal report names every model, the broken one with its file and line
    assert main(args) == 3
    out = capsys.readouterr().out
    for index in range(SMALL.models):
        assert f"model-{index:04d}" in out
    assert "metrics/model-0001/daily.csv:21" in out


# --- the fast paths agree with the slow ones --------------------------------------------------


def test_a_generated_repository_loads_and_decides_the_same_without_the_fast_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path = make_repo(tmp_path, SMALL, seed=5)
    fast_config = load_config(config_path)
    fast_data = [load_model(fast_config, m) for m in fast_config.models.values()]
    fast_report = check(fast_config, now=NOW)
    slow_paths(monkeypatch)
    slow_config = load_config(config_path)
    assert slow_config == fast_config
    assert [load_model(slow_config, m) for m in slow_config.models.values()] == fast_data
    assert check(slow_config, now=NOW) == fast_report


CSV_VARIANTS = {
    "clean": "date,acc,note\n2026-11-01,0.5,x\n2026-11-02,0.25,y\n",
    "no final newline": "date,acc\n2026-11-01,0.5\n2026-11-02,0.25",
    "missing value": "date,acc\n2026-11-01,\n2026-11-02,0.25\n",
    "blank value with spaces": "date,acc\n2026-11-01,  \n2026-11-02,0.25\n",
    "spaces around a number": "date,acc\n2026-11-01, 0.5 \n2026-11-02,1e-3\n",
    "unsorted": "date,acc\n2026-11-02,0.25\n2026-11-01,0.5\n",
    "duplicate date": "date,acc\n2026-11-01,0.25\n2026-11-01,0.5\n",
    "quoted field": 'date,acc,note\n2026-11-01,0.5,"a, b"\n2026-11-02,0.25,"two\nlines"\n',
    "crlf": "date,acc\r\n2026-11-01,0.5\r\n2026-11-02,0.25\r\n",
    "blank line": "date,acc\n2026-11-01,0.5\n\n2026-11-02,0.25\n",
    "ragged long": "date,acc\n2026-11-01,0.5,9\n2026-11-02,0.25\n",
    "ragged short": "date,acc,rows\n2026-11-01,0.5\n2026-11-02,0.25,3\n",
    "nan": "date,acc\n2026-11-01,nan\n2026-11-02,0.25\n",
    "infinity": "date,acc\n2026-11-01,0.5\n2026-11-02,-inf\n",
    "overflow": "date,acc\n2026-11-01,1e400\n2026-11-02,0.25\n",
    "huge but finite": "date,acc\n2026-11-01,1e308\n2026-11-02,1e308\n",
    "text": "date,acc\n2026-11-01,high\n2026-11-02,0.25\n",
    "bad date": "date,acc\n2026-13-01,0.5\n",
    "timestamps": "date,acc\n2026-11-01T06:00:00Z,0.5\n2026-11-01T18:00:00+02:00,0.25\n",
    "naive timestamp": "date,acc\n2026-11-01T06:00:00,0.5\n",
    "no time column": "day,acc\n2026-11-01,0.5\n",
    "empty time": "date,acc\n,0.5\n",
    "duplicate column": "date,acc,acc\n2026-11-01,0.5,0.6\n",
    "empty column name": "date,acc,\n2026-11-01,0.5,1\n",
    "header only": "date,acc\n",
    "json inside": '[{"date": "2026-11-01", "acc": 0.5}]\n',
    "bom": "\ufeffdate,acc\n2026-11-01,0.5\n",
    "metric absent": "date,rows\n2026-11-01,5\n",
    "underscores": "date,acc\n2026-11-01,1_000\n",
}


def loaded_or_error(root: Path) -> object:
    try:
        return metrics_module.load_series(
            root, "m.csv", metrics=("acc", "rows"), presence=("note",)
        )
    except GateError as exc:
        return (type(exc).__name__, str(exc), exc.file, exc.line)


@pytest.mark.parametrize("name", sorted(CSV_VARIANTS))
def test_the_column_reader_gives_what_the_record_reader_gives(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"m.csv": CSV_VARIANTS[name]})
    fast = loaded_or_error(tmp_path)
    monkeypatch.setattr(metrics_module, "clean_csv_series", lambda *a, **k: None)
    assert fast == loaded_or_error(tmp_path)


def test_the_column_reader_is_the_one_used_on_clean_files(tmp_path: Path) -> None:
    write(tmp_path, {"m.csv": CSV_VARIANTS["clean"]})
    fast = metrics_module.clean_csv_series(
        tmp_path / "m.csv",
        display="m.csv",
        source="m.csv",
        time_field="date",
        metrics=("acc",),
        presence=("note",),
    )
    assert fast is not None
    assert fast.columns == {"acc": (0.5, 0.25), "note": (1.0, 1.0)}
    assert fast.where == ("m.csv:2", "m.csv:3")


def instances(value: Any) -> Iterator[Any]:
    """Values of every JSON type (and a date, as YAML reads one) to try against a schema."""
    yield from (value, None, True, False, 0, 1, -1, 1.0, 0.5, 2.5, 150, math.nan, math.inf)
    yield from ("", "x", "7d", "3%", "7 d", " 3 %", "1.5w", "mean", "latest", [], [1], ["a"])
    yield from ({}, {"reference": "r.json", "current": "c.json"}, datetime(2026, 1, 1).date())


def rule_variants(rule: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield rule
    for key in rule:
        yield {k: v for k, v in rule.items() if k != key}
        for value in instances(rule[key]):
            yield {**rule, key: value}
    yield {**rule, "unknown": 1}


SAMPLE_RULES: list[tuple[str, dict[str, Any]]] = [
    ("threshold", {"name": "a", "metric": "acc", "below": 0.8, "for": 2, "of_last": 3}),
    ("threshold", {"name": "a", "metric": "acc", "above": 1, "aggregate": "mean", "window": "7d"}),
    ("baseline_change", {"name": "b", "metric": "acc", "drop_from_baseline": "3%", "window": 5}),
    ("data_growth", {"name": "g", "metric": "rows", "growth_since_baseline": 0.2}),
    ("model_age", {"name": "m", "max_age": "30d", "description": "old"}),
    (
        "drift",
        {"name": "d", "psi": {"reference": "r.json", "current": "c.json", "bins": 5}, "above": 0},
    ),
    ("anomaly", {"name": "n", "metric": "acc", "outside_sigma": 3, "reference_window": "28d"}),
    ("range", {"name": "r", "metric": "rows", "at_least": 10, "severity": "warn"}),
    ("freshness", {"name": "f", "freshness": "2d", "missing": "ignore"}),
    ("gaps", {"name": "g", "max_gap": "1d", "window": "14d"}),
]


def test_the_hand_written_validator_agrees_with_jsonschema_whenever_it_is_sure() -> None:
    checked = sure = 0
    for kind_name, rule in SAMPLE_RULES:
        role = "trigger" if kind_name in registry("trigger") else "check"
        schema = rule_schema(registry(role)[kind_name])
        validator = jsonschema.Draft202012Validator(schema)
        for variant in rule_variants(rule):
            verdict = config_messages._verdict(schema, variant)
            checked += 1
            if verdict is not None:
                sure += 1
                assert verdict == validator.is_valid(variant), (kind_name, variant)
    assert sure > checked * 0.8  # it must be sure often, or it saves nothing
    example = yaml.safe_load((EXAMPLES / "retrain-gate.yml").read_text())
    assert config_messages._verdict(build_schema(), example) is True


def test_the_top_level_schema_agrees_with_jsonschema() -> None:
    schema = build_schema()
    validator = jsonschema.Draft202012Validator(schema)
    model = {"metrics": {"path": "m.csv"}, "triggers": [{"name": "a", "max_age": "3d"}]}
    for data in [
        {"version": 1, "models": {"churn": model}},
        {"version": 1.0, "models": {"churn": model}},
        {"version": True, "models": {"churn": model}},
        {"version": 2, "models": {"churn": model}},
        {"version": 1, "models": {}},
        {"version": 1, "models": {"-bad": model}},
        {"version": 1, "models": {"churn": {**model, "extra": 1}}},
        {"version": 1, "models": {"churn": {**model, "dispatch": {"workflow": "r.yml"}}}},
        {"version": 1, "models": {"churn": {**model, "dispatch": {"event_type": "go"}}}},
        {"version": 1, "models": {"churn": {**model, "dispatch": {"ref": "main"}}}},
        {"version": 1, "models": {"churn": {**model, "metrics": {"format": "csv"}}}},
        {"version": 1, "models": {"churn": {**model, "metrics": {"path": 3}}}},
        {"version": 1, "models": {"churn": {"metrics": {"path": "m.csv"}}}},
        {"models": {"churn": model}},
        [],
    ]:
        verdict = config_messages._verdict(schema, data)
        assert verdict in (None, validator.is_valid(data)), data


def marks(node: yaml.Node) -> Iterator[tuple[str, int, int, int, int]]:
    yield (
        type(node).__name__,
        node.start_mark.line,
        node.start_mark.column,
        node.end_mark.line,
        node.end_mark.column,
    )
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from marks(key)
            yield from marks(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from marks(item)


def test_libyaml_gives_the_same_data_and_positions_as_pyyaml(tmp_path: Path) -> None:
    if getattr(yaml, "CSafeLoader", None) is None:
        pytest.skip("PyYAML was built without libyaml")
    texts = [
        (EXAMPLES / "retrain-gate.yml").read_text(),
        make_repo(tmp_path, SMALL, seed=1).read_text(),
    ]
    for text in texts:
        fast = config_positions._compose_fast(text, display="c.yml")
        assert fast is not None
        data, node = fast
        loader = config_positions._Loader(text)
        try:
            slow_node = loader.get_single_node()
            slow_data = loader.construct_document(slow_node)
        finally:
            loader.dispose()
        assert data == slow_data
        assert list(marks(node)) == list(marks(slow_node))


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nmodels:\n  a: {x: 1}\n  a: {x: 2}\n",  # duplicate key
        "version: 1\nmodels: [\n",  # syntax error
        "version: 1\nmodels:\n  a:\n\tb: 1\n",  # a tab
        "# nothing\n",  # no document
        "version: 1\nmodels: {caf\u00e9: {}}\n",  # not ASCII: marks may count differently
    ],
)
def test_anything_unusual_goes_to_the_pure_python_loader(text: str) -> None:
    assert config_positions._compose_fast(text, display="c.yml") is None
