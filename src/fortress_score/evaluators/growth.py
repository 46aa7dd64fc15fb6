"""`growth`: year-on-year growth in percent, scored from a floor towards a target."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fortress_score import Column, Context, Evaluator, FloatArray, hookimpl
from fortress_score.evaluators.target import (
    TowardsTarget,
    attainment_towards,
    towards_formula,
    value_towards,
)
from fortress_score.plugins.formulas import Cells, empty_if_any


class GrowthParams(TowardsTarget):
    """``target`` and ``floor`` are growth in percent."""

    current: Column
    baseline: Column


class Growth(Evaluator[GrowthParams]):
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

    def formula(self, params: GrowthParams, cells: Cells) -> str:
        current, baseline = cells.row[params.current], cells.row[params.baseline]
        growth = f"({current}-{baseline})/{baseline}*100"
        return empty_if_any([current, baseline], f'IF({baseline}=0,"",'
                            f"{towards_formula(growth, params.target, params.floor)})")

    def inverse(self, params: GrowthParams, attainment: float,
                inputs: Mapping[str, float]) -> dict[str, float] | None:
        baseline = inputs[params.baseline]
        if not np.isfinite(baseline) or baseline == 0:
            return None
        growth = value_towards(attainment, params.target, params.floor)
        return {params.current: baseline * (1.0 + growth / 100.0)}


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Growth()]
