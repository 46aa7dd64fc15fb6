"""`growth`: year-on-year growth in percent, scored from a floor towards a target."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import model_validator

from fortress_score import Column, Context, Evaluator, Params, hookimpl
from fortress_score.evaluator import FloatArray
from fortress_score.evaluators.target import attainment_towards


class GrowthParams(Params):
    current: Column
    baseline: Column
    target: float
    """Growth in percent that earns full attainment."""
    floor: float
    """Growth in percent that earns nothing."""

    @model_validator(mode="after")
    def _target_differs_from_floor(self) -> GrowthParams:
        if self.target == self.floor:
            raise ValueError(f"target must differ from floor ({self.floor}); got {self.target}")
        return self


class Growth(Evaluator):
    """Growth (current - baseline) / baseline x 100 against a target; baseline 0 does not apply."""

    name = "growth"
    Params = GrowthParams

    def inputs(self, params: GrowthParams) -> list[str]:
        return [params.current, params.baseline]

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: GrowthParams, context: Context
    ) -> FloatArray:
        baseline = columns[params.baseline]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            growth = (columns[params.current] - baseline) / baseline * 100.0
        growth[baseline == 0] = np.nan
        return attainment_towards(growth, params.target, params.floor)


@hookimpl
def fortress_score_evaluators() -> list[Evaluator]:
    return [Growth()]
