"""`ratio`: numerator over denominator, capped at 1 (13 of 16 KPIs on the red list = 0.8125)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from fortress_score import Column, Context, Evaluator, FloatArray, Params, hookimpl
from fortress_score.plugins.formulas import Cells, clip01, empty_if_any, number


class RatioParams(Params):
    numerator: Column
    denominator: Column
    empty: Literal["skip"] | float = Field(default="skip")
    """What a zero denominator gives: "skip" (does not apply) or an attainment in [0, 1]."""

    @model_validator(mode="after")
    def _empty_is_an_attainment(self) -> RatioParams:
        if self.empty != "skip" and not 0.0 <= float(self.empty) <= 1.0:
            raise ValueError(f"empty must be 'skip' or a number in [0, 1]; got {self.empty}")
        return self


class Ratio(Evaluator[RatioParams]):
    """clip(numerator / denominator, 0, 1); a zero denominator does not apply (or gives `empty`)."""

    name = "ratio"
    Params = RatioParams

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: RatioParams, context: Context
    ) -> FloatArray:
        numerator, denominator = columns[params.numerator], columns[params.denominator]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = np.clip(numerator / denominator, 0.0, 1.0)
        # a zero denominator with a known numerator is "nothing to do"; an empty one stays n/a
        result[(denominator == 0) & ~np.isnan(numerator)] = (
            np.nan if params.empty == "skip" else params.empty)
        return result

    def formula(self, params: RatioParams, cells: Cells) -> str:
        numerator, denominator = cells.row[params.numerator], cells.row[params.denominator]
        zero = '""' if params.empty == "skip" else number(params.empty)
        return empty_if_any([numerator, denominator],
                            f"IF({denominator}=0,{zero},{clip01(f'{numerator}/{denominator}')})")

    def inverse(self, params: RatioParams, attainment: float,
                inputs: Mapping[str, float]) -> dict[str, float] | None:
        denominator = inputs[params.denominator]
        if not np.isfinite(denominator) or denominator <= 0:
            return None
        return {params.numerator: attainment * denominator}


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Ratio()]
