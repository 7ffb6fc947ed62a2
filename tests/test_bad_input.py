"""Bad input that used to be decided anyway, or crashed the run: each class gets one located
message naming its file, the documented exit code, no traceback, and never `retrain`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from retrain_gate.cli import main
from tests.conftest import daily_csv

NOW = "2026-11-28"
GOOD_ACCURACY = [0.95] * 27
LOW_ACCURACY = [0.95] * 25 + [0.80, 0.80]  # fires accuracy-floor: a retrain


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.out)

    def decisions(self) -> dict[str, str]:
        return {m["model"]: m["decision"] for m in self.report["models"]}

    def said(self, model: str) -> str:
        """Everything the JSON report says went wrong for a model, `file:line: message`."""
        found = next(m for m in self.report["models"] if m["model"] == model)
        texts = [
            ":".join(str(p) for p in (x["file"], x["line"]) if p is not None) + ": " + x["message"]
            for x in found["problems"]
        ]
        texts += [
            o["reason"] for o in found["triggers"] + found["checks"] if o["status"] == "error"
        ]
        return "\n".join(texts)


def config(metrics: str = "metrics/daily.csv", extra: str = "", time: str = "date") -> str:
    return f"""version: 1
models:
  churn:
    metrics: {{path: "{metrics}", time: {time}}}
    triggers:
      - {{name: accuracy-floor, metric: accuracy, below: 0.87, for: 2}}
{extra}"""


def gate(
    root: Path,
    files: dict[str, str | bytes],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    now: str = NOW,
) -> Run:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    monkeypatch.chdir(root)
    code = main(["check", "--now", now, "--format", "json", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "internal error" not in captured.err
    return Run(code, captured.out, captured.err)


def data_error(run: Run, *, model: str = "churn", names: str, says: str) -> None:
    """Exit 3, the model is `error` (never retrain), and its message names file and problem."""
    assert run.code == 3, (run.out, run.err)
    assert run.decisions()[model] == "error"
    said = run.said(model)
    assert names in said, said
    assert says in said, said


def config_error(run: Run, *, names: str, says: str) -> None:
    """Exit 2, one line on stderr naming file:line, nothing on stdout."""
    assert run.code == 2, (run.out, run.err)
    assert run.out == ""
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith(f"retrain-gate: error: {names}"), lines[0]
    assert says in lines[0], lines[0]


# -- a field that appears twice --------------------------------------------------------------


def test_a_csv_header_naming_a_column_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = daily_csv({"accuracy": LOW_ACCURACY, "rows": [5] * 27})
    csv = csv.replace("date,accuracy,rows", "date,accuracy,accuracy", 1)
    run = gate(
        tmp_path, {"retrain-gate.yml": config(), "metrics/daily.csv": csv}, monkeypatch, capsys
    )
    data_error(
        run, names="metrics/daily.csv:1", says="names the column 'accuracy' twice (columns 2 and 3)"
    )


def test_a_json_record_with_a_key_written_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    record = '{\n  "date": "2026-11-27",\n  "accuracy": 0.95,\n  "accuracy": 0.80\n}\n'
    files: dict[str, str | bytes] = {
        "retrain-gate.yml": config("runs/*.json"),
        "runs/2026-11-26.json": '{"date": "2026-11-26", "accuracy": 0.80}',
        "runs/2026-11-27.json": record,
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="runs/2026-11-27.json:4", says="names the key 'accuracy' twice")


def test_a_jsonl_line_with_a_key_written_twice_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        '{"date": "2026-11-26", "accuracy": 0.80}',
        '{"date": "2026-11-27", "accuracy": 0.95, "accuracy": 0.80}',
    ]
    files: dict[str, str | bytes] = {
        "retrain-gate.yml": config("metrics.jsonl"),
        "metrics.jsonl": "\n".join(lines) + "\n",
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="metrics.jsonl:2", says="names the key 'accuracy' twice")


def test_a_yaml_metric_file_with_a_key_written_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "- date: 2026-11-26\n  accuracy: 0.80\n"
        "- date: 2026-11-27\n  accuracy: 0.95\n  accuracy: 0.80\n"
    )
    files: dict[str, str | bytes] = {"retrain-gate.yml": config("m.yaml"), "m.yaml": text}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(
        run,
        names="m.yaml:5",
        says="names the key 'accuracy' twice in one mapping (first on line 4)",
    )


def test_a_model_card_with_a_key_written_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    card = '{"trained_at": "2026-01-01",\n "trained_at": "2026-11-20"}'
    extra = "    baseline: card.json\n"
    text = (
        config().replace("    triggers:\n", extra + "    triggers:\n")
        + "      - {name: stale, max_age: 30d}\n"
    )
    files: dict[str, str | bytes] = {
        "retrain-gate.yml": text,
        "metrics/daily.csv": daily_csv({"accuracy": GOOD_ACCURACY}),
        "card.json": card,
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="card.json:2", says="names the key 'trained_at' twice")


# -- a glob whose newest member cannot be read -----------------------------------------------


def runs(days: range) -> dict[str, str | bytes]:
    return {f"runs/2026-11-{d:02}.json": json.dumps({"accuracy": 0.80}) for d in days}


def test_a_glob_whose_newest_member_is_a_folder_is_an_error_not_yesterday(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "runs" / "2026-11-27.json").mkdir(parents=True)
    files = {"retrain-gate.yml": config("runs/*.json", time="filename"), **runs(range(20, 27))}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="runs/2026-11-27.json", says="is a folder, not a metric file")


def test_a_glob_whose_newest_member_is_a_broken_link_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "2026-11-27.json").symlink_to(tmp_path / "runs" / "gone.json")
    files = {"retrain-gate.yml": config("runs/*.json", time="filename"), **runs(range(20, 27))}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="runs/2026-11-27.json", says="cannot be read")


def test_a_glob_whose_newest_member_is_not_utf8_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"retrain-gate.yml": config("runs/*.json", time="filename"), **runs(range(20, 27))}
    files["runs/2026-11-27.json"] = b'{"accuracy": 0.9\xff}'
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="runs/2026-11-27.json", says="is not UTF-8")


def test_a_plain_subfolder_a_recursive_glob_matches_is_not_a_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "runs" / "archive").mkdir(parents=True)
    files = {"retrain-gate.yml": config("runs/*", time="filename"), **runs(range(20, 28))}
    run = gate(tmp_path, files, monkeypatch, capsys)
    assert run.code == 0, run.err
    assert run.decisions() == {"churn": "retrain"}


# -- dates, timestamps and durations at the calendar's edges ----------------------------------


@pytest.mark.parametrize(
    ("first", "second", "shown"),
    [
        ("0001-01-01", "0001-01-02", "'0001-01-01'"),
        ("2026-11-26", "9999-12-31", "'9999-12-31'"),
        ("2026-11-26", "9999-12-31T23:00:00-05:00", "'9999-12-31T23:00:00-05:00'"),
        ("0001-01-01T00:30:00+01:00", "2026-11-27", "'0001-01-01T00:30:00+01:00'"),
    ],
)
def test_a_time_at_the_calendars_edge_is_a_located_data_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    first: str,
    second: str,
    shown: str,
) -> None:
    csv = f"date,accuracy\n{first},0.80\n{second},0.80\n"
    files = {"retrain-gate.yml": config(), "metrics/daily.csv": csv}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="metrics/daily.csv:", says=f"{shown} is outside the years 1900 to 2999")


def test_a_model_card_trained_in_year_one_is_a_located_data_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config().replace("    triggers:\n", "    baseline: card.json\n    triggers:\n")
    files: dict[str, str | bytes] = {
        "retrain-gate.yml": text + "      - {name: stale, max_age: 30d}\n",
        "metrics/daily.csv": daily_csv({"accuracy": GOOD_ACCURACY}),
        "card.json": '{"trained_at": "0001-01-01"}',
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="card.json", says="'0001-01-01' is outside the years")


@pytest.mark.parametrize("duration", ["99999999999d", "36526d", "1" + "0" * 400 + "d"])
@pytest.mark.parametrize("option", ["max_age", "window", "cooldown"])
def test_a_duration_of_billions_of_days_is_a_located_config_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    duration: str,
    option: str,
) -> None:
    rule = {
        "max_age": f"      - {{name: stale, max_age: {duration}}}\n",
        "window": f"      - {{name: m, metric: accuracy, below: 0.9, aggregate: mean, "
        f"window: {duration}}}\n",
        "cooldown": "",
    }[option]
    text = config(extra=rule)
    if option == "max_age":
        text = text.replace("    triggers:\n", "    baseline: card.json\n    triggers:\n")
    if option == "cooldown":
        text = text.replace(
            "    triggers:\n",
            f"    dispatch: {{workflow: r.yml, cooldown: {duration}}}\n    triggers:\n",
        )
    files = {
        "retrain-gate.yml": text,
        "metrics/daily.csv": daily_csv({"accuracy": LOW_ACCURACY}),
        "card.json": '{"trained_at": "2026-11-01"}',
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    config_error(run, names="retrain-gate.yml:", says="is longer than 100 years")


@pytest.mark.parametrize("now", ["0001-01-01", "1000-06-01", "9999-12-31T23:59:59-05:00"])
def test_now_far_from_today_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], now: str
) -> None:
    files = {
        "retrain-gate.yml": config(),
        "metrics/daily.csv": daily_csv({"accuracy": LOW_ACCURACY}),
    }
    run = gate(tmp_path, files, monkeypatch, capsys, now=now)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("retrain-gate: error: argument --now: ")
    assert "is outside the years 1900 to 2999" in run.err


def test_a_backtest_of_billions_of_days_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "retrain-gate.yml": config(),
        "metrics/daily.csv": daily_csv({"accuracy": LOW_ACCURACY}),
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["backtest", "--days", "999999999999"]) == 2
    err = capsys.readouterr().err
    assert "argument --days: 999999999999 is more than 36525 days" in err
    assert "Traceback" not in err


# -- numbers at the edge of float range in histograms ----------------------------------------


def test_histogram_counts_that_add_up_past_float_range_are_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rule = "      - {name: drift, psi: {reference: ref.json, current: cur.json}, above: 0.25}\n"
    files: dict[str, str | bytes] = {
        "retrain-gate.yml": config(extra=rule),
        "metrics/daily.csv": daily_csv({"accuracy": GOOD_ACCURACY}),
        "ref.json": '{"bins": [0, 1, 2], "counts": [1e308, 1e308]}',
        "cur.json": '{"bins": [0, 1, 2], "counts": [1, 1]}',
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="ref.json", says="counts add up to more than the largest number")


# -- a sample's JSON Schema with a $ref that points nowhere, or to a URL ----------------------


def sample_schema_files(schema: dict[str, Any]) -> dict[str, str | bytes]:
    rule = "    checks:\n      - {name: schema, sample: s.jsonl, schema: s.schema.json}\n"
    return {
        "retrain-gate.yml": config(extra=rule),
        "metrics/daily.csv": daily_csv({"accuracy": LOW_ACCURACY}),
        "s.jsonl": '{"age": 3}\n{"age": 4}\n',
        "s.schema.json": json.dumps(schema),
    }


def test_a_schema_ref_that_points_nowhere_is_the_checks_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {"type": "object", "properties": {"age": {"$ref": "#/$defs/missing"}}}
    run = gate(tmp_path, sample_schema_files(schema), monkeypatch, capsys)
    data_error(run, names="s.schema.json", says="$ref '#/$defs/missing' points to nothing")


def test_a_schema_ref_inside_the_file_still_resolves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {
        "$defs": {"age": {"type": "integer", "maximum": 3}},
        "properties": {"age": {"$ref": "#/$defs/age"}},
    }
    run = gate(tmp_path, sample_schema_files(schema), monkeypatch, capsys)
    assert run.code == 0
    assert run.decisions() == {"churn": "blocked"}  # record 2 has age 4 > 3
    assert "s.jsonl:2: age: 4 is greater than the maximum of 3" in run.out


def test_a_schema_ref_to_a_url_is_refused_and_nothing_is_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b'{"type": "integer"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/age.schema.json"
        schema = {"properties": {"age": {"$ref": url}}}
        run = gate(tmp_path, sample_schema_files(schema), monkeypatch, capsys)
    finally:
        server.shutdown()
        server.server_close()
    assert asked == []  # a gate in CI never fetches a schema
    data_error(run, names="s.schema.json", says=f"$ref '{url}' is outside the schema file")


# -- one model's bad data never stops the others ----------------------------------------------


def test_a_bug_met_on_one_models_data_leaves_the_others_decided(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A genuine bug stays visible (exit 70, named in the report), but only that model is
    `error`: the other is still decided."""
    from retrain_gate.engine import gate as engine

    real = engine.evaluate_model

    def buggy(model: Any, data: Any, **options: Any) -> Any:
        if model.name == "broken":
            raise ZeroDivisionError("float division by zero")
        return real(model, data, **options)

    monkeypatch.setattr(engine, "evaluate_model", buggy)
    text = config() + config().split("models:\n")[1].replace("churn:", "broken:")
    files = {"retrain-gate.yml": text, "metrics/daily.csv": daily_csv({"accuracy": LOW_ACCURACY})}
    run = gate(tmp_path, files, monkeypatch, capsys)
    assert run.code == 70
    assert run.decisions() == {"churn": "retrain", "broken": "error"}
    assert "internal error on this model's data: ZeroDivisionError" in run.said("broken")
    assert "retrain-gate.yml:7" in run.said("broken")  # the model's line in the config


# -- messages that quote megabytes, Python reprs, or no file ---------------------------------


def test_an_alias_bomb_gives_a_short_located_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        config().rstrip("\n"),
        "    dispatch:",
        "      event_type: go",
        "      client_payload:",
        '        a: &a ["' + "x" * 44 + '", "yy"]',
    ]
    previous = "a"
    for level in range(1, 7):  # 8^6 copies: the error used to quote 16 MB
        lines.append(f"        b{level}: &b{level} [{', '.join([f'*{previous}'] * 8)}]")
        previous = f"b{level}"
    files: dict[str, str | bytes] = {"retrain-gate.yml": "\n".join(lines) + "\n"}
    run = gate(tmp_path, files, monkeypatch, capsys)
    config_error(run, names="retrain-gate.yml:10:9", says="has too many properties")
    assert len(run.err) < 600


def test_a_date_where_text_belongs_is_shown_as_written_not_as_a_python_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = config().replace('path: "metrics/daily.csv"', "path: 2026-01-01")
    run = gate(tmp_path, {"retrain-gate.yml": text}, monkeypatch, capsys)
    config_error(run, names="retrain-gate.yml:4:", says="2026-01-01 is not of type 'string'")
    assert "datetime" not in run.err


def test_a_config_that_is_a_folder_says_so_without_errno(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "conf.yml").mkdir()
    run = gate(tmp_path, {}, monkeypatch, capsys, "--config", "conf.yml")
    config_error(run, names="conf.yml", says="is a folder, not a config file")
    assert "Errno" not in run.err


def test_a_root_that_does_not_exist_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "retrain-gate.yml": config(),
        "metrics/daily.csv": daily_csv({"accuracy": LOW_ACCURACY}),
    }
    run = gate(tmp_path, files, monkeypatch, capsys, "--root", "no-such-folder")
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("retrain-gate: error: --root ")
    assert "no-such-folder does not exist" in run.err
    assert "file not found" not in run.err


def test_a_utf16_metric_file_is_called_utf16_not_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = daily_csv({"accuracy": LOW_ACCURACY}).encode("utf-16")
    files: dict[str, str | bytes] = {"retrain-gate.yml": config(), "metrics/daily.csv": csv}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="metrics/daily.csv", says="is UTF-16 text, not UTF-8 (save it as UTF-8")
    assert "binary" not in run.said("churn")


def test_a_utf16_config_says_to_save_it_as_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files: dict[str, str | bytes] = {"retrain-gate.yml": config().encode("utf-16")}
    run = gate(tmp_path, files, monkeypatch, capsys)
    assert run.code == 2
    assert run.err.startswith("retrain-gate: error: retrain-gate.yml: is not UTF-8 text")
    assert "save it as UTF-8 (it is UTF-16)" in run.err


# -- a standard output that cannot hold every character --------------------------------------


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json"])
def test_a_cp1252_stdout_gets_the_report_not_an_internal_error(tmp_path: Path, fmt: str) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import EXAMPLES

    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "retrain_gate", "check", "--now", NOW, "--format", fmt],
        cwd=EXAMPLES,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"internal error" not in done.stderr and done.stderr == b""
    assert b"RETRAIN" in done.stdout or b'"retrain"' in done.stdout


# -- option values without an upper bound ----------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (
            "{name: d, psi: {reference: r.json, current: c.json, bins: 1000000000}, above: 0.2}",
            "1000000000 is greater than the maximum of 1000",
        ),
        (
            "{name: m, metric: accuracy, below: 0.9, aggregate: mean, window: 1000000000}",
            "1000000000 is greater than the maximum of 100000",
        ),
        ("{name: f, metric: accuracy, below: 0.9, for: 1000000000}", "maximum of 10000"),
        (
            "{name: f, metric: accuracy, below: 0.9, for: 2, of_last: 1000000000}",
            "maximum of 10000",
        ),
    ],
)
def test_an_option_that_would_cost_minutes_or_gigabytes_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rule: str,
    says: str,
) -> None:
    files = {
        "retrain-gate.yml": config(extra=f"      - {rule}\n"),
        "metrics/daily.csv": daily_csv({"accuracy": LOW_ACCURACY}),
        "r.json": json.dumps({"values": [1.0, 2.0, 3.0]}),
        "c.json": json.dumps({"values": [1.0, 2.0, 3.0]}),
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    config_error(run, names="retrain-gate.yml:7:", says=says)


# -- messages that name their file -----------------------------------------------------------


def card_config(rules: str) -> str:
    return config(extra=rules).replace(
        "    triggers:\n", "    baseline: card.json\n    triggers:\n"
    )


@pytest.mark.parametrize(
    ("rule", "card", "says"),
    [
        ("{name: stale, max_age: 30d}", {"accuracy": 0.9}, "card.json has no `trained_at`"),
        (
            "{name: more, metric: rows, growth_since_baseline: 20%}",
            {"rows": 0},
            "card.json: the model card's rows is 0",
        ),
        (
            "{name: drop, metric: accuracy, drop_from_baseline: 3%}",
            {"accuracy": 0},
            "card.json: the baseline accuracy is 0",
        ),
    ],
)
def test_a_model_card_message_names_the_card(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rule: str,
    card: dict[str, Any],
    says: str,
) -> None:
    files = {
        "retrain-gate.yml": card_config(f"      - {rule}\n"),
        "metrics/daily.csv": daily_csv({"accuracy": GOOD_ACCURACY, "rows": [9] * 27}),
        "card.json": json.dumps(card),
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="card.json", says=says)


@pytest.mark.parametrize(
    ("current", "says"),
    [
        ({"bins": [0, 1, 3], "counts": [1, 1]}, "different bin edges"),
        ({"categories": ["a", "b"], "counts": [1, 1]}, "one histogram is categorical"),
    ],
)
def test_drift_files_that_cannot_be_compared_are_both_named(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    current: dict[str, Any],
    says: str,
) -> None:
    rule = "      - {name: d, psi: {reference: ref.json, current: cur.json}, above: 0.25}\n"
    files = {
        "retrain-gate.yml": config(extra=rule),
        "metrics/daily.csv": daily_csv({"accuracy": GOOD_ACCURACY}),
        "ref.json": json.dumps({"bins": [0, 1, 2], "counts": [1, 1]}),
        "cur.json": json.dumps(current),
    }
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="ref.json vs cur.json: ", says=says)


# -- text from data files in the job summary --------------------------------------------------


def test_a_link_or_image_in_a_samples_field_is_inert_in_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sample_schema_files({"properties": {"age": {"type": "integer"}}})
    files["s.jsonl"] = (
        json.dumps({"age": "**[link](https://example.com/x)**"})
        + "\n"
        + json.dumps({"age": "![x](https://example.com/x.png)"})
        + "\n"
    )
    gate(tmp_path, files, monkeypatch, capsys)  # writes the files; then the Markdown report
    assert main(["check", "--now", NOW, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "is not of type 'integer'" in markdown  # the record's value is quoted...
    assert "\\*\\*\\[link\\](https\u2060://example.com/x)\\*\\*" in markdown  # ...inert
    assert "!\\[x\\](https\u2060://example.com/x.png)" in markdown
    assert "https://example.com" not in markdown  # no live link, no remote image
    assert "](" not in markdown.replace("\\](", "")


def test_a_schema_naming_an_unknown_json_schema_version_is_the_checks_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {"$schema": "https://example.com/my-dialect", "type": "object"}
    run = gate(tmp_path, sample_schema_files(schema), monkeypatch, capsys)
    data_error(run, names="s.schema.json", says="is not a JSON Schema version the gate knows")


def test_a_date_where_a_metric_belongs_is_shown_as_written_and_a_huge_cell_is_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "- date: 2026-11-26\n  accuracy: 2026-01-01\n"
    files: dict[str, str | bytes] = {"retrain-gate.yml": config("m.yaml"), "m.yaml": text}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="m.yaml record 0", says="accuracy is '2026-01-01', not a number")
    assert "datetime" not in run.out
    csv = daily_csv({"accuracy": LOW_ACCURACY}).replace("0.8\n", "x" * 100_000 + "\n", 1)
    files = {"retrain-gate.yml": config(), "metrics/daily.csv": csv}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="metrics/daily.csv:27", says="accuracy is 'xxxxx")
    assert len(run.said("churn")) < 300


def test_a_schema_pattern_the_regex_engine_cannot_take_is_the_checks_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {"properties": {"age": {"type": "string", "pattern": "^C[0-9]{99999999999}$"}}}
    files = sample_schema_files(schema)
    files["s.jsonl"] = '{"age": "C1"}\n'
    run = gate(tmp_path, files, monkeypatch, capsys)  # was exit 70, an internal error
    data_error(run, names="s.schema.json", says="is not a usable JSON Schema")


@pytest.mark.parametrize("value", ["1.7e308", "-1e101"])
def test_a_metric_value_at_the_edge_of_float_range_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """Found by the fuzz: an anomaly rule's standard deviation squared 1.7e308 (exit 70)."""
    extra = (
        "      - {name: anomaly, metric: accuracy, outside_sigma: 3, reference_window: 14d, "
        "direction: below}\n"
    )
    csv = daily_csv({"accuracy": GOOD_ACCURACY}).replace("0.95\n", f"{value}\n", 1)
    files = {"retrain-gate.yml": config(extra=extra), "metrics/daily.csv": csv}
    run = gate(tmp_path, files, monkeypatch, capsys)
    data_error(run, names="metrics/daily.csv:2", says="beyond the largest metric value")
