"""`retrain-gate validate`: every error of a config in one run, its data read as `check` reads it.

Each test writes a tiny repository in tmp_path and runs the CLI in it, as a user (or the
pre-commit hook) would, and asserts the exit code and the exact lines on stderr.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrain_gate.cli import main
from tests.conftest import EXAMPLES

E = "retrain-gate: error: "
METRICS = "date,accuracy,rows\n2026-11-01,0.9,100\n2026-11-02,0.91,120\n"


def run(
    root: Path,
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, list[str], str]:
    """(exit code, stderr lines, stdout) of the CLI run in `root`."""
    monkeypatch.chdir(root)
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "internal error" not in captured.err
    return code, captured.err.splitlines(), captured.out


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


MIXED = """\
version: 1
models:
  a:
    metrics: {path: m.csv, time: when}
    triggers:
      - {name: floor, metric: accuracy, below: 0.85}
      - {name: floor2, metric: acuracy, below: 0.85}
  b:
    metrics: {path: m.csv}
    triggers:
      - {name: floor, metric: accuracy, below: "x"}
      - {name: floor3, metric: accuracy, blow: 0.3}
"""


def test_every_error_of_the_config_and_its_data_in_one_run_in_line_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"m.csv": METRICS, "retrain-gate.yml": MIXED})

    code, err, out = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert out == ""
    assert err == [
        f"{E}retrain-gate.yml:4:14: models.a.metrics: m.csv:2: has no time field 'when' "
        "(fields are: accuracy, date, rows)",
        f"{E}retrain-gate.yml:7:32: trigger 'floor2' reads metric 'acuracy', which m.csv "
        "does not provide (did you mean 'accuracy'?)",
        f"{E}retrain-gate.yml:11:48: models.b.triggers[0].below: 'x' is not of type 'number' "
        "(A number: fires when the value is below it; equal does not fire.)",
        f"{E}retrain-gate.yml:12:42: unknown key 'blow' in models.b.triggers[1] "
        "(did you mean 'below'?)",
        "4 errors in retrain-gate.yml",
    ]


def test_the_readme_shows_what_validate_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### validate") :]
    config = section[section.index("```yaml\n") + 8 : section.index("```\n\ngives")]
    shown = section[section.index("$ retrain-gate validate\n") + 24 :]
    assert config == MIXED
    write(tmp_path, {"m.csv": METRICS, "retrain-gate.yml": config})

    code, err, _ = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert err == shown[: shown.index("```")].splitlines()


def test_no_data_reports_only_the_configs_own_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"m.csv": METRICS, "retrain-gate.yml": MIXED})

    code, err, _ = run(tmp_path, ["validate", "--no-data"], monkeypatch, capsys)

    assert code == 2
    assert [line.split(": ")[2] for line in err[:-1]] == [
        "retrain-gate.yml:11:48",
        "retrain-gate.yml:12:42",
    ]
    assert err[-1] == "2 errors in retrain-gate.yml"


def test_check_still_stops_at_the_config_and_says_all_its_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"m.csv": METRICS, "retrain-gate.yml": MIXED})

    code, err, out = run(tmp_path, ["check", "--now", "2026-11-03"], monkeypatch, capsys)

    assert code == 2  # a config error: nothing is decided
    assert out == ""
    assert err[-1] == "2 errors in retrain-gate.yml"
    assert err[0].startswith(f"{E}retrain-gate.yml:11:48: models.b.triggers[0].below:")


VALID_BUT_NO_TIME = """\
version: 1
models:
  churn:
    metrics:
      path: m.csv
      time: day
    triggers:
      - {name: floor, metric: accuracy, below: 0.85}
"""


def test_a_valid_config_whose_time_field_is_not_in_the_file_is_refused_at_its_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"m.csv": METRICS, "retrain-gate.yml": VALID_BUT_NO_TIME})

    code, err, _ = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert err == [
        f"{E}retrain-gate.yml:5:7: models.churn.metrics: m.csv:2: has no time field 'day' "
        "(fields are: accuracy, date, rows)",
        "1 error in retrain-gate.yml",
    ]
    # --no-data trusts the file, as before
    code, err, out = run(tmp_path, ["validate", "--no-data"], monkeypatch, capsys)
    assert (code, err, out) == (0, [], "retrain-gate.yml: valid (1 model, 1 rule)\n")
    # and check, as before, decides the model `error` (a data error, exit 3)
    code, _, out = run(tmp_path, ["check", "--now", "2026-11-03"], monkeypatch, capsys)
    assert code == 3
    assert "has no time field 'day'" in out


def test_each_source_that_check_cannot_read_is_one_error_at_its_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "m.csv": METRICS,
            "long.csv": "date,name,val\n2026-11-01,accuracy,0.9\n",
            "empty.csv": "",
            "retrain-gate.yml": """\
version: 1
models:
  epoch:
    metrics: {path: m.csv, time_unit: ms}
    triggers:
      - {name: floor, metric: accuracy, below: 0.85}
  tidy:
    metrics: {path: long.csv, layout: long, key: metric}
    sources:
      runs: {path: 'runs/*.json'}
      grouped: {path: long.csv, layout: long, key: name, value: val, group_by: run}
      blank: {path: empty.csv}
      gone: {path: gone.csv}
    triggers:
      - {name: floor, metric: accuracy, below: 0.85}
      - {name: floor2, source: runs, metric: accuracy, below: 0.85}
      - {name: floor3, source: grouped, metric: acc, below: 0.85}
      - {name: floor4, source: blank, metric: accuracy, below: 0.85}
      - {name: floor5, source: gone, metric: accuracy, below: 0.85}
""",
        },
    )

    code, err, _ = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert err == [
        f"{E}retrain-gate.yml:4:14: models.epoch.metrics: m.csv:2: the time '2026-11-01' is "
        "not a number of epoch milliseconds",
        f"{E}retrain-gate.yml:8:14: models.tidy.metrics: long.csv:2: has no column 'metric' "
        "for the long layout (fields are: date, name, val)",
        f"{E}retrain-gate.yml:10:13: models.tidy.sources.runs: runs/*.json: no file matches "
        "the glob 'runs/*.json'",
        f"{E}retrain-gate.yml:11:16: models.tidy.sources.grouped: long.csv:2: has no 'run' "
        "to group by",
        f"{E}retrain-gate.yml:12:14: models.tidy.sources.blank: empty.csv: is empty",
        f"{E}retrain-gate.yml:13:13: models.tidy.sources.gone: gone.csv: file not found",
        # the names are judged wherever the newest file lists them, its times read or not
        f"{E}retrain-gate.yml:17:49: trigger 'floor3' reads metric 'acc', which long.csv "
        "does not provide (it has: accuracy, date)",
        "7 errors in retrain-gate.yml",
    ]


def test_every_unknown_metric_of_every_model_and_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "m.csv": METRICS,
            "runs/2026-11-01.json": '{"f1": 0.8, "loss": 0.3}\n',
            "retrain-gate.yml": """\
version: 1
models:
  a:
    metrics: {path: m.csv}
    sources:
      runs: {path: 'runs/*.json', time: filename}
    triggers:
      - {name: t1, metric: acuracy, below: 0.85}
      - {name: t2, metric: rowz, below: 10}
      - {name: t3, source: runs, metric: f2, below: 0.5}
  b:
    metrics: {path: m.csv}
    triggers:
      - name: g
        any:
          - {name: m1, metric: accuracy, below: 0.5}
          - {name: m2, metric: precision, below: 0.5}
""",
        },
    )

    code, err, _ = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert err == [
        f"{E}retrain-gate.yml:8:28: trigger 't1' reads metric 'acuracy', which m.csv does "
        "not provide (did you mean 'accuracy'?)",
        f"{E}retrain-gate.yml:9:28: trigger 't2' reads metric 'rowz', which m.csv does "
        "not provide (did you mean 'rows'?)",
        f"{E}retrain-gate.yml:10:42: trigger 't3' reads metric 'f2', which runs/*.json does "
        "not provide (it has: f1, loss)",
        f"{E}retrain-gate.yml:17:32: trigger 'm2' reads metric 'precision', which m.csv does "
        "not provide (it has: accuracy, date, rows)",
        "4 errors in retrain-gate.yml",
    ]


def test_every_rule_option_error_of_every_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "m.csv": METRICS,
            "retrain-gate.yml": """\
version: 1
models:
  churn:
    metrics: {path: m.csv}
    triggers:
      - {name: rate, metric: accuracy, below: 87}
      - {name: flat, metric: rows, below: .nan}
      - {name: mean, metric: accuracy, below: 0.5, window: 0d}
      - {name: rate, metric: accuracy, below: 0.8}
    checks:
      - {name: fresh, freshness: 2 days}
""",
        },
    )

    code, err, _ = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert err == [
        f"{E}retrain-gate.yml:6:47: models.churn.triggers[0].below: 87 is outside [0, 1], "
        "but accuracy is a rate (write a fraction: 0.87 for 87%)",
        f"{E}retrain-gate.yml:7:43: models.churn.triggers[1].below: nan is not a usable "
        "number here (a threshold must be a finite number)",
        # both errors of the one option
        f"{E}retrain-gate.yml:8:60: models.churn.triggers[2].window: a window needs an "
        "aggregate (mean, median, min, max or sum)",
        f"{E}retrain-gate.yml:8:60: models.churn.triggers[2].window: a window of 0d holds "
        "no observations (give a positive duration such as 7d, or a count such as 7)",
        f"{E}retrain-gate.yml:9:16: two triggers are named 'rate' (models.churn.triggers[0] "
        "and models.churn.triggers[3]) (names must be unique)",
        f"{E}retrain-gate.yml:11:34: models.churn.checks[0].freshness: '2 days' is not valid "
        "here (A duration: a number and a unit s, m, h, d or w (e.g. '7d').)",
        "6 errors in retrain-gate.yml",
    ]


def test_a_misspelled_key_is_one_error_not_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "m.csv": METRICS,
            "card.json": '{"trained_at": "2026-11-01"}\n',
            "retrain-gate.yml": """\
version: 1
models:
  churn:
    metrics: {path: m.csv}
    baselin: card.json
    trigers:
      - {name: stale, max_age: 30d}
""",
        },
    )

    code, err, _ = run(tmp_path, ["validate"], monkeypatch, capsys)

    # not also "'triggers' is a required property", nor "'stale' ... has no `baseline:`"
    assert code == 2
    assert err == [
        f"{E}retrain-gate.yml:5:5: unknown key 'baselin' in models.churn "
        "(did you mean 'baseline'?)",
        f"{E}retrain-gate.yml:6:5: unknown key 'trigers' in models.churn "
        "(did you mean 'triggers'?)",
        "2 errors in retrain-gate.yml",
    ]


def test_several_config_files_are_each_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = "version: 1\nmodels:\n  c:\n    metrics: {path: m.csv}\n    triggers:\n"
    write(
        tmp_path,
        {
            "m.csv": METRICS,
            "a.yml": good + "      - {name: f, metric: rowz, below: 3}\n",
            "b.yml": good + "      - {name: f, metric: rows, below: 3}\n",
            "c.yml": "version: 1\nmodels: [\n",
        },
    )

    code, err, out = run(
        tmp_path, ["validate", "a.yml", "b.yml", "c.yml", "d.yml"], monkeypatch, capsys
    )

    assert code == 2
    assert out == "b.yml: valid (1 model, 1 rule)\n"
    assert err == [
        f"{E}a.yml:6:27: trigger 'f' reads metric 'rowz', which m.csv does not provide "
        "(did you mean 'rows'?)",
        "1 error in a.yml",
        f"{E}c.yml:3:1: invalid YAML: expected the node content, but found '<stream end>'",
        "1 error in c.yml",
        f"{E}d.yml: config file not found",
        "1 error in d.yml",
    ]


def test_on_github_each_error_is_an_annotation_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"m.csv": METRICS, "retrain-gate.yml": MIXED})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    code, _, out = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    annotations = [line.split("::")[1] for line in out.splitlines()]
    assert annotations == [
        "error file=retrain-gate.yml,line=4,col=14,title=retrain-gate config",
        "error file=retrain-gate.yml,line=7,col=32,title=retrain-gate config",
        "error file=retrain-gate.yml,line=11,col=48,title=retrain-gate config",
        "error file=retrain-gate.yml,line=12,col=42,title=retrain-gate config",
    ]


def test_the_example_repository_validates_with_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES, root)

    code, err, out = run(root, ["validate"], monkeypatch, capsys)

    assert (code, err) == (0, [])
    assert out.startswith("retrain-gate.yml: valid (")


def test_many_errors_are_located_in_one_reading_of_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    models = "".join(
        f"  m{i}:\n    metrics: {{path: m.csv}}\n    triggers:\n"
        f"      - {{name: t, metric: rowz, below: 3}}\n"
        for i in range(60)
    )
    write(tmp_path, {"m.csv": METRICS, "retrain-gate.yml": f"version: 1\nmodels:\n{models}"})
    composed = []
    real = yaml.compose

    def counting(*args: object, **kwargs: object) -> object:
        composed.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml, "compose", counting)

    code, err, _ = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert err[-1] == "60 errors in retrain-gate.yml"
    assert err[59] == (
        f"{E}retrain-gate.yml:{2 + 4 * 60}:27: trigger 't' reads metric 'rowz', which m.csv "
        "does not provide (did you mean 'rows'?)"
    )
    # each error's line and column from one composed document, not one reading per error
    assert len(composed) <= 1


def test_the_model_card_is_read_with_its_time_field_and_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "version: 1\nmodels:\n"
        "  iso:\n    metrics: {path: m.csv}\n"
        "    baseline: {path: card.json, trained_at: creation_timestamp}\n"
        "    triggers:\n      - {name: old, max_age: 30d}\n"
        "  epoch:\n    metrics: {path: m.csv}\n"
        "    baseline: {path: card.json, trained_at: creation_timestamp, time_unit: ms}\n"
        "    triggers:\n      - {name: old, max_age: 30d}\n"
        "  gone:\n    metrics: {path: m.csv}\n    baseline: missing.json\n"
        "    triggers:\n      - {name: old, max_age: 30d}\n"
    )
    card = '{"version": 3, "creation_timestamp": 1793426400000, "metrics": {"accuracy": 0.9}}'
    write(tmp_path, {"retrain-gate.yml": config, "m.csv": METRICS, "card.json": card})

    code, err, out = run(tmp_path, ["validate"], monkeypatch, capsys)

    assert code == 2
    assert out == ""
    assert err == [
        E + "retrain-gate.yml:5:15: models.iso.baseline: card.json field creation_timestamp: "
        "the time 1793426400000 is a number, not a date or an ISO 8601 timestamp "
        "(an epoch time? say its unit with `time_unit: s` or `ms`)",
        E + "retrain-gate.yml:15:15: models.gone.baseline: missing.json: file not found",
        "2 errors in retrain-gate.yml",
    ]
