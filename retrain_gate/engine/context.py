"""The rules' view of a model's loaded data at one moment: the `Context` every kind reads."""

from __future__ import annotations

from datetime import datetime

from retrain_gate.engine.load import ModelData
from retrain_gate.errors import EXIT_DATA
from retrain_gate.kinds.days import Context
from retrain_gate.model import ModelConfig
from retrain_gate.results import Problem


def context_for(
    model: ModelConfig, data: ModelData, *, now: datetime, end: int | None = None
) -> Context:
    """The rules' view of the data; `end` hides observations from index `end` on."""
    series_problem = baseline_problem = None
    if data.series is None and model.metrics is not None:
        series_problem = next(iter(data.problems), None)
    if data.baseline is None and model.baseline is not None:
        baseline_problem = data.problem_for(model.baseline) or Problem(
            "the model card could not be read", EXIT_DATA, model.baseline
        )
    visible = len(data.series) if data.series is not None else 0
    return Context(
        model=model.name,
        now=now,
        series=data.series,
        series_problem=series_problem,
        end=visible if end is None else min(end, visible),
        baseline=data.baseline,
        baseline_problem=baseline_problem,
        files=data.files,
        sources=data.sources,
        source_problems={
            name: data.problem_for(source.path)
            or Problem(f"metric source {name!r} could not be read", EXIT_DATA, source.path)
            for name, source in model.sources.items()
            if data.sources.get(name) is None
        },
        as_of=end is not None,
    )
