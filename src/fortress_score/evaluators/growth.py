"""`growth`: year-on-year growth in percent, scored from a floor towards a target."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from fortress_score import Column, Context, Evaluator, hookimpl
from fortress_score.evaluator import FloatArray
from fortress_score.evaluators.target import TowardsTarget, attainment_towards


class GrowthParams(TowardsTarget):
    """``target`` and ``floor`` are growth in percent."""

    current: Column
    baseline: Column


class Growth(Evaluator):
    """Growth (current - baseline) / baseline x 100 against a target; baseline 0 does not apply."""

    name = "growth"
    Params = GrowthParams

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
