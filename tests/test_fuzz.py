"""Seeded mutation of the example's config and metric files, run in-process.

Thousands of mutated inputs (a span dropped, doubled or cut, a token inserted, a number made
extreme, a date moved to the calendar's edge) must each end in a decision or one clear
error: never an internal error (exit 70), never a traceback, and never `retrain` for a model
whose mutated data file the report names as bad.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrain_gate.cli import main
from tests.conftest import EXAMPLES

SEED = 20261128
RUNS = 2000
BUDGET_SECONDS = 60
# the files a mutation lands in: the config, and a data file of every kind the example reads
TARGETS = (
    "retrain-gate.yml",
    "metrics/churn/daily.csv",
    "metrics/fraud/runs/2026-11-27.json",
    "models/churn/model_card.json",
    "models/fraud/model_card.json",
    "data/churn/reference_hist.json",
    "data/churn/current_hist.json",
    "data/churn/sample.jsonl",
    "data/churn/sample.schema.json",
)
TOKENS = (
    ",", "\n", "{", "}", "[", "]", '"', ":", "-", " ", "\t", "#", "&a", "*a", "!!str ",
    "1e308", "-1e308", "1e999", "NaN", "Infinity", "null", "true", "0", "-1", "999999999999",
    "0001-01-01", "9999-12-31", "9999-12-31T23:59:59-05:00", "99999999999d", "0d", "1.5w",
    "\ufeff", "\x00", "\u2028", "é", '"$ref": "#/nowhere", ', '"$ref": "https://example.com/s", ',
    "**[link](https://example.com)**", "![x](https://example.com/x.png)", "<b>", "|",
    '"accuracy": 0.5, ', "accuracy,", "date,", "2026-11-27,", "\r\n",
)  # fmt: skip
_NUMBER = re.compile(r"-?\d+(\.\d+)?(e[+-]?\d+)?")


def mutate(text: str, rng: random.Random) -> str:
    """One to three random edits of the text."""
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        span = rng.randint(1, 40)
        choice = rng.randrange(6)
        if choice == 0:  # drop a span
            text = text[:at] + text[at + span :]
        elif choice == 1:  # double a span (a field or a line written twice)
            text = text[:at] + text[at : at + span] + text[at:]
        elif choice == 2:  # insert a token
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif choice == 3:  # an extreme number in place of one
            numbers = list(_NUMBER.finditer(text))
            if numbers:
                found = rng.choice(numbers)
                extreme = rng.choice(("1e308", "-0", "0", "1e-320", "99999999999", "-5", "1.7e308"))
                text = text[: found.start()] + extreme + text[found.end() :]
        elif choice == 4:  # cut the file short
            text = text[:at]
        else:  # a duplicated line
            lines = text.split("\n")
            index = rng.randrange(len(lines))
            lines.insert(index, lines[index])
            text = "\n".join(lines)
    return text


def bad_files(report: dict[str, object], model: dict[str, object]) -> str:
    """Everything the report says went wrong for a model, as one text."""
    problems = [f"{p['file']}: {p['message']}" for p in model["problems"]]  # type: ignore[attr-defined]
    reasons = [
        o["reason"]
        for o in model["triggers"] + model["checks"]  # type: ignore[operator]
        if o["status"] == "error"
    ]
    return "\n".join(problems + reasons)


def mutated_runs(
    root: Path,
    targets: tuple[str, ...],
    *,
    runs: int,
    now: str,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[tuple[str, int, str, str, str]]:
    """`runs` checks, each with one target file mutated (then restored): (target, exit
    code, stdout, stderr, the case to show when an assertion fails)."""
    originals = {t: (root / t).read_bytes() for t in targets}
    rng = random.Random(SEED)
    for number in range(runs):
        target = rng.choice(targets)
        text = mutate(originals[target].decode("utf-8"), rng)
        (root / target).write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            code = main(["check", "--now", now, "--format", "json"])
        finally:
            (root / target).write_bytes(originals[target])
        out, err = capsys.readouterr()
        case = f"run {number} (seed {SEED}), {target}:\n{text[:2000]}\n--- stderr:\n{err[-2000:]}"
        yield target, code, out, err, case


def test_mutated_examples_never_crash_and_never_retrain_on_bad_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES, root)
    # the sample's first 20 records, not 200: validating them was 40% of each run's time
    sample = root / "data" / "churn" / "sample.jsonl"
    sample.write_text("".join(sample.read_text(encoding="utf-8").splitlines(True)[:20]))
    monkeypatch.chdir(root)
    codes: dict[int, int] = {}
    refused_data = 0
    started = time.monotonic()
    for target, code, out, err, case in mutated_runs(
        root, TARGETS, runs=RUNS, now="2026-11-28", capsys=capsys
    ):
        codes[code] = codes.get(code, 0) + 1
        assert code != 70, case
        assert "Traceback" not in out + err, case
        assert code in (0, 2, 3), case
        if code == 2:  # config errors: one line each (then their count), nothing decided
            lines = err.splitlines()
            assert out == "" and lines, case
            if len(lines) > 1:
                assert lines[-1] == f"{len(lines) - 1} errors in retrain-gate.yml", case
                lines = lines[:-1]
            assert all(line.startswith("retrain-gate: error: ") for line in lines), case
            continue
        report = json.loads(out)
        if target == "retrain-gate.yml":
            continue
        name = Path(target).name
        for model in report["models"]:
            said = bad_files(report, model)
            if name in said:  # the report names the mutated file as bad
                refused_data += 1
                assert model["decision"] != "retrain", case
    elapsed = time.monotonic() - started
    print(f"\n{RUNS} mutated inputs in {elapsed:.1f}s; exit codes {sorted(codes.items())}; "
          f"{refused_data} model decisions on a data file reported bad, none retrain")  # fmt: skip
    assert elapsed < BUDGET_SECONDS
    assert codes.get(3, 0) > 100 and codes.get(2, 0) > 100  # the mutations do reach both


PEERS = Path(__file__).parent / "fixtures" / "peers"
PEER_TARGETS = {
    "great_expectations": ("validations/2026-11-10.json", "checkpoint/2026-11-10.json"),
    "evidently": ("reports/2026-11-10.json", "legacy/2026-11-10.json"),
}
PEER_RUNS = 400


@pytest.mark.parametrize("folder", sorted(PEER_TARGETS))
def test_mutated_peer_results_never_crash_and_never_retrain_on_bad_data(
    folder: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / folder
    shutil.copytree(PEERS / folder, root)
    monkeypatch.chdir(root)
    codes: dict[int, int] = {}
    for target, code, out, err, case in mutated_runs(
        root, PEER_TARGETS[folder], runs=PEER_RUNS, now="2026-11-11", capsys=capsys
    ):
        codes[code] = codes.get(code, 0) + 1
        assert code in (0, 3), case
        assert "Traceback" not in out + err, case
        for model in json.loads(out)["models"]:
            if Path(target).name in bad_files({}, model):
                assert model["decision"] != "retrain", case
    assert codes.get(3, 0) > 20  # the mutations do reach the readers' errors
