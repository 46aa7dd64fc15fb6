"""`per_event`: so many points an event, up to the rule's points ("2 a violation, at most 10")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

from fortress_score import Column, Context, Evaluator, FloatArray, Params, hookimpl
from fortress_score.plugins.formulas import Cells, clip01, empty_if_any, number


class PerEventParams(Params):
    input: Column
    each: float = Field(gt=0)
    """Points an event is worth; the cap is the adjustment's `cap` (or the indicator's points)."""


class PerEvent(Evaluator[PerEventParams]):
    """min(count x each / points, 1): used for capped bonus and deduction items."""

    name = "per_event"
    Params = PerEventParams

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: PerEventParams, context: Context
    ) -> FloatArray:
        with np.errstate(over="ignore", invalid="ignore"):
            return np.clip(columns[params.input] * (params.each / context.points), 0.0, 1.0)


    def formula(self, params: PerEventParams, cells: Cells) -> str:
        x = cells.row[params.input]
        return empty_if_any([x], clip01(f"{x}*{number(params.each / cells.points)}"))


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [PerEvent()]
