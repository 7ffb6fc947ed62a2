"""At most one retraining run per model per gate run, whatever the API answers.

A few hundred seeded random sequences of answers to the dispatch POST, against the real
loopback server (tests/fakegithub.py), which really starts a run when it accepts a dispatch,
also when it then answers 502, resets the connection or answers too late. For each sequence
the test asserts what the server knows (`fake.started`) against what the gate reported:

- never two runs started for one model in one gate run;
- `dispatched` only when a run exists, and the run it names is that run;
- `failed` (nothing dispatched) only when no run exists;
- `may-have-started` (the step fails, a person looks) is the only state allowed to be unsure.

Sleeps (backoff, the looks for a run) are injected, so the whole test takes seconds.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from retrain_gate.act.context import RunContext
from retrain_gate.act.dispatch import act
from retrain_gate.config import load_config
from retrain_gate.engine.gate import check
from retrain_gate.github.client import GitHubClient
from retrain_gate.github.settings import GitHubSettings
from tests.fakegithub import FakeGitHub, Reply
from tests.test_act import NO_COOLDOWN, TOKEN, repo

DISPATCH = "/repos/o/r/actions/workflows/retrain.yml/dispatches"
SEQUENCES = 240
SECONDARY = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}

# Each answer GitHub may give to one dispatch POST; `acts`: it started the run anyway.
ANSWERS: list[tuple[str, Reply]] = [
    ("204", Reply(204, acts=True)),
    ("accepted then 502", Reply(502, json={"message": "Bad Gateway"}, acts=True)),
    ("accepted then 504", Reply(504, json={"message": "Gateway Timeout"}, acts=True)),
    ("502", Reply(502, json={"message": "Bad Gateway"})),
    ("accepted then reset", Reply(drop="reset", acts=True)),
    ("reset", Reply(drop="reset")),
    ("accepted then too late", Reply(204, delay=0.3, acts=True)),
    ("too late, nothing started", Reply(204, delay=0.3)),
    ("429", Reply(429, json={"message": "rate limited"}, headers={"retry-after": "1"})),
    ("secondary 403", Reply(403, json=SECONDARY, headers={"x-ratelimit-remaining": "4000"})),
]


def one_gate_run(
    root: Path, answers: list[Reply], *, lag: int
) -> tuple[str, int | None, list[dict[str, object]]]:
    """(reported status, reported run id, the runs the server started)."""
    with FakeGitHub() as fake:
        fake.list_lag = lag
        fake.script("POST", DISPATCH, answers)
        settings = GitHubSettings(api_url=fake.url, repository="o/r", token=TOKEN, timeout=0.15)
        client = GitHubClient(settings, sleep=lambda _seconds: None)
        config = load_config(repo(root, dispatch=NO_COOLDOWN))
        now = datetime(2026, 11, 4, tzinfo=timezone.utc)
        run = RunContext(run_id="555", repository="o/r", ref_name="main")
        report = act(config, check(config, now=now), client=client, run=run, now=now, dry_run=False)
        (model,) = report.models
        assert model.dispatch is not None
        return model.dispatch.status, model.dispatch.run_id, list(fake.started)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_at_most_one_run_per_model_and_the_reported_state_is_the_servers_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(20261202)
    states: Counter[str] = Counter()
    runs: Counter[int] = Counter()
    for index in range(SEQUENCES):
        picked = [rng.choice(ANSWERS) for _ in range(4)]
        lag = rng.choice([0, 0, 1])
        status, run_id, started = one_gate_run(
            tmp_path / f"seq{index}", [reply for _, reply in picked], lag=lag
        )
        story = f"sequence {index}: {[name for name, _ in picked]}, lag {lag} -> {status}"
        assert len(started) <= 1, f"two runs for one cause: {story}"
        if status == "dispatched":
            assert len(started) == 1, story
            assert run_id in (None, started[0]["id"]), story
        elif status == "failed":
            assert started == [], f"reported nothing dispatched, but a run exists: {story}"
        else:
            assert status == "may-have-started", story
        states[status] += 1
        runs[len(started)] += 1
    with capsys.disabled():
        print(
            f"\n{SEQUENCES} gate runs: reported {dict(states)}; "
            f"the server started {dict(runs)} (runs per gate run: count)"
        )
    assert runs[2] == 0
    assert states["dispatched"] > 0 and states["failed"] + states["may-have-started"] > 0
