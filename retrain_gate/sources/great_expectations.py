"""Great Expectations' validation results, one observation per file
(`format: great_expectations`).

Read as GX writes them:
- a validation result (`ExpectationSuiteValidationResult`: what `ValidationDefinition.run`
  returns and what a checkpoint stores, `result.to_json_dict()`), GX 1.x or 0.x:
  `success`, `statistics`, `results[]` (each with its `expectation_config`) and
  `meta.run_id.run_time`;
- a checkpoint's result (`CheckpointResult.describe_dict()` in 1.x: `validation_results[]`
  with their `expectations[]`; `run_results` in 0.x), its validations taken together.

The fields it gives:
- `success` (1/0);
- `statistics.evaluated_expectations`, `.successful_expectations`,
  `.unsuccessful_expectations` and `.success_percent` (summed over a checkpoint's
  validations);
- `expectations.<label>`: 1 passed, 0 failed, 0.5 failed at severity `warning` or `info`
  (GX 1.x); the label is the expectation type and the column(s) it reads, e.g.
  `expect_column_values_to_not_be_null(age)`, with ` #2` for a repeated one and the suite's
  name first (`suite/...`) when a checkpoint validated several suites;
- `run_time`: `meta.run_id.run_time` (or `meta.validation_time`); the source's `time:`
  defaults to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retrain_gate.errors import DataError
from retrain_gate.sources.series import FAILED, PASSED, WARNED, Record

_STATISTICS = (
    "evaluated_expectations",
    "successful_expectations",
    "unsuccessful_expectations",
)
_COLUMNS = ("column", "column_A", "column_B", "column_list")


def gx_records(data: Any, *, display: str) -> list[Record]:
    """The one observation of a GX validation result or checkpoint result."""
    validations = _validations(data, display=display)
    fields: dict[str, object] = {}
    time = _run_time(data)
    if time is not None:
        fields["run_time"] = time
    suites = {str(v.get("suite_name") or "") for v in validations}
    several = len(validations) > 1 and len(suites) > 1
    totals = dict.fromkeys(_STATISTICS, 0.0)
    seen: dict[str, int] = {}
    success = True
    for validation in validations:
        if not isinstance(validation.get("success"), bool):
            raise DataError("a validation result has no `success` (true or false)", file=display)
        success = success and validation["success"]
        statistics = validation.get("statistics")
        if isinstance(statistics, Mapping):
            for name in _STATISTICS:
                if isinstance(statistics.get(name), (int, float)):
                    totals[name] += statistics[name]
        if time is None:
            time = _run_time(validation)
            if time is not None:
                fields["run_time"] = time
        suite = str(validation.get("suite_name") or "")
        for expectation in _expectations(validation):
            label = _label(expectation)
            if several and suite:
                label = f"{suite}/{label}"
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label = f"{label} #{seen[label]}"
            fields[f"expectations.{label}"] = _verdict(expectation, display=display)
    fields["success"] = 1.0 if success else 0.0
    for name, total in totals.items():
        fields[f"statistics.{name}"] = total
    evaluated = totals["evaluated_expectations"]
    fields["statistics.success_percent"] = (
        100.0 * totals["successful_expectations"] / evaluated if evaluated else 100.0
    )
    return [Record(fields, display)]


def _validations(data: Any, *, display: str) -> list[Mapping[str, Any]]:
    if isinstance(data, Mapping):
        if isinstance(data.get("results"), list) and "success" in data:
            return [data]
        if isinstance(data.get("validation_results"), list):  # 1.x checkpoint (describe)
            return [v for v in data["validation_results"] if isinstance(v, Mapping)]
        if isinstance(data.get("run_results"), Mapping):  # 0.x checkpoint
            found = [
                r.get("validation_result")
                for r in data["run_results"].values()
                if isinstance(r, Mapping)
            ]
            return [v for v in found if isinstance(v, Mapping)]
    raise DataError(
        "is not a Great Expectations validation result (no `success` with `results`, "
        "nor a checkpoint's `validation_results`)",
        file=display,
        hint="write `result.to_json_dict()` of the validation, or "
        "`checkpoint_result.describe_dict()`",
    )


def _run_time(data: Mapping[str, Any]) -> object:
    for holder in (data.get("meta"), data):
        if isinstance(holder, Mapping):
            run_id = holder.get("run_id")
            if isinstance(run_id, Mapping) and run_id.get("run_time"):
                return run_id["run_time"]
            if holder.get("validation_time"):
                return holder["validation_time"]
    return None


def _expectations(validation: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Each expectation as {type, kwargs, success, severity}, from either shape."""
    out: list[Mapping[str, Any]] = []
    for item in validation.get("results") or validation.get("expectations") or []:
        if not isinstance(item, Mapping):
            continue
        config = item.get("expectation_config")
        config = config if isinstance(config, Mapping) else item
        out.append(
            {
                "type": config.get("type") or config.get("expectation_type") or "expectation",
                "kwargs": config.get("kwargs") if isinstance(config.get("kwargs"), Mapping) else {},
                "success": item.get("success"),
                "severity": config.get("severity"),
            }
        )
    return out


def _label(expectation: Mapping[str, Any]) -> str:
    kwargs = expectation["kwargs"]
    columns: list[str] = []
    for name in _COLUMNS:
        value = kwargs.get(name)
        if isinstance(value, list):
            columns.extend(str(v) for v in value)
        elif value is not None:
            columns.append(str(value))
    kind = str(expectation["type"])
    return f"{kind}({', '.join(columns)})" if columns else kind


def _verdict(expectation: Mapping[str, Any], *, display: str) -> float:
    success = expectation["success"]
    if not isinstance(success, bool):
        raise DataError(
            f"expectation {_label(expectation)} has no `success` (true or false)", file=display
        )
    if success:
        return PASSED
    return WARNED if expectation["severity"] in ("warning", "info") else FAILED
