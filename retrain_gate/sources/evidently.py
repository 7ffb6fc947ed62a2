"""Evidently's results, one observation per file (`format: evidently`).

Read as Evidently writes them:
- a Report run with 0.7's API and saved with `snapshot.save_json(...)`: `metrics` (each with
  its `config` and `value`) and `tests` (each with its `status`); it holds no time;
- a snapshot of an Evidently workspace (`<project>/snapshots/<id>.json`): `timestamp` and
  `metric_results`, each with its own `tests`;
- a legacy Report or TestSuite (`evidently.legacy`, `report.save_json` / `as_dict`):
  `timestamp`, `metrics[].result` (DatasetDriftMetric, DataDriftTable, ColumnDriftMetric)
  and `tests[]`.

The fields it gives, whichever the shape:
- `drift_share` (the share of drifted columns), `drifted_columns` (their count) and
  `dataset_drift` (1 when the share reached the preset's `drift_share`, else 0);
- `columns.<column>.drift_score` and `columns.<column>.drifted` (1/0, Evidently's verdict);
- `tests.<test name>`: 1 passed, 0.5 warned (a test that is not critical failed), 0 failed
  (FAIL or ERROR); skipped tests are left out. `tests_total`, `tests_failed`, and
  `success`: 1 when no test failed, 0 when one did (absent when the file has no tests);
- `timestamp`: the report's time (the source's `time:` defaults to it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from retrain_gate.errors import DataError
from retrain_gate.sources.series import FAILED, PASSED, WARNED, Record

_STATUS = {"SUCCESS": PASSED, "WARNING": WARNED, "FAIL": FAILED, "ERROR": FAILED}


def evidently_records(data: Any, *, display: str) -> list[Record]:
    """The one observation of an Evidently report, snapshot or test suite."""
    if not isinstance(data, Mapping) or not (
        "metrics" in data or "metric_results" in data or "tests" in data
    ):
        raise DataError(
            "is not an Evidently report or snapshot (no `metrics`, `metric_results` or `tests`)",
            file=display,
            hint="save it with `snapshot.save_json(...)`, or copy the workspace's snapshot file",
        )
    fields: dict[str, object] = {}
    if data.get("timestamp") is not None:
        fields["timestamp"] = data["timestamp"]
    tests: list[Mapping[str, Any]] = []
    metrics = data.get("metrics") or []
    results = data.get("metric_results") or {}
    if not isinstance(metrics, list) or not isinstance(results, Mapping):
        raise DataError("has `metrics` or `metric_results` of an unknown shape", file=display)
    for metric in metrics:
        if not isinstance(metric, Mapping):
            continue
        if "result" in metric:  # legacy: {"metric": NAME, "result": {...}}
            _legacy_metric(str(metric.get("metric")), metric["result"], fields)
        else:  # 0.7: {"config": {"type": ..., ...}, "value": ...}
            _metric(_mapping(metric.get("config")), metric.get("value"), fields)
    for result in results.values():  # a workspace snapshot
        if not isinstance(result, Mapping):
            continue
        location = _mapping(_mapping(result.get("metric_value_location")).get("metric"))
        value = result.get("value")
        if value is None and isinstance(result.get("share"), Mapping):
            value = {"share": result["share"].get("value"), "count": _count(result)}
        _metric(_mapping(location.get("params")), value, fields)
        tests.extend(t for t in result.get("tests") or [] if isinstance(t, Mapping))
    tests.extend(t for t in data.get("tests") or [] if isinstance(t, Mapping))
    _tests(tests, fields, display=display)
    return [Record(fields, display)]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _count(result: Mapping[str, Any]) -> object:
    return _mapping(result.get("count")).get("value")


def _kind(params: Mapping[str, Any]) -> str:
    """`evidently:metric_v2:ValueDrift` -> `ValueDrift`."""
    return str(params.get("type", "")).rsplit(":", 1)[-1]


def _metric(params: Mapping[str, Any], value: object, fields: dict[str, object]) -> None:
    kind = _kind(params)
    if kind == "DriftedColumnsCount" and isinstance(value, Mapping):
        share = value.get("share")
        fields["drift_share"] = share
        fields["drifted_columns"] = value.get("count")
        threshold = params.get("drift_share")
        if isinstance(share, (int, float)) and isinstance(threshold, (int, float)):
            # as Evidently decides dataset drift: the share reached the threshold
            fields["dataset_drift"] = 1.0 if share >= threshold else 0.0
    elif kind == "ValueDrift" and params.get("column") is not None:
        fields[f"columns.{params['column']}.drift_score"] = value


def _legacy_metric(name: str, result: object, fields: dict[str, object]) -> None:
    result = _mapping(result)
    if name in ("DatasetDriftMetric", "DataDriftTable"):
        fields["drift_share"] = result.get("share_of_drifted_columns")
        fields["drifted_columns"] = result.get("number_of_drifted_columns")
        if isinstance(result.get("dataset_drift"), bool):
            fields["dataset_drift"] = 1.0 if result["dataset_drift"] else 0.0
    columns = _mapping(result.get("drift_by_columns"))
    if name == "ColumnDriftMetric" and result.get("column_name") is not None:
        columns = {str(result["column_name"]): result}
    for column, drift in columns.items():
        drift = _mapping(drift)
        fields[f"columns.{column}.drift_score"] = drift.get("drift_score")
        if isinstance(drift.get("drift_detected"), bool):
            fields[f"columns.{column}.drifted"] = 1.0 if drift["drift_detected"] else 0.0


def _tests(tests: list[Mapping[str, Any]], fields: dict[str, object], *, display: str) -> None:
    counted = failed = 0
    for name, test in _named(tests):
        status = str(test.get("status", "")).upper()
        if status == "SKIPPED":
            continue
        if status not in _STATUS:
            raise DataError(
                f"test {name!r} has the status {test.get('status')!r}",
                file=display,
                hint="Evidently writes SUCCESS, WARNING, FAIL, ERROR or SKIPPED",
            )
        fields[f"tests.{name}"] = _STATUS[status]
        counted += 1
        failed += _STATUS[status] == FAILED
        params = _mapping(_mapping(test.get("metric_config")).get("params"))
        if _kind(params) == "ValueDrift" and params.get("column") is not None:
            # the drift test's verdict is Evidently's: a warning is a drift too
            fields[f"columns.{params['column']}.drifted"] = 0.0 if status == "SUCCESS" else 1.0
    if counted:
        fields["tests_total"] = counted
        fields["tests_failed"] = failed
        fields["success"] = 0.0 if failed else 1.0


def _named(tests: list[Mapping[str, Any]]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each test with a name unique in the file (a repeated name gets ` #2`, ` #3`...)."""
    seen: dict[str, int] = {}
    for test in tests:
        name = str(test.get("name") or test.get("id") or "test").strip()
        seen[name] = seen.get(name, 0) + 1
        yield (name if seen[name] == 1 else f"{name} #{seen[name]}"), test
