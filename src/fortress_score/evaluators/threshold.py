"""`threshold`: 1 where a comparison holds, else 0; the usual `when` of a veto."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

from fortress_score import Column, Context, Evaluator, FloatArray, Params, hookimpl
from fortress_score.plugins.formulas import Cells, empty_if_any, number

OPERATORS: dict[str, Callable[[FloatArray, float], FloatArray]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


class ThresholdParams(Params):
    input: Column
    op: Literal[">", ">=", "<", "<=", "==", "!="]
    value: float


class Threshold(Evaluator[ThresholdParams]):
    """1.0 where `input op value` holds, else 0.0; an empty (NaN) input does not apply."""

    name = "threshold"
    Params = ThresholdParams

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: ThresholdParams, context: Context
    ) -> FloatArray:
        values = columns[params.input]
        result = OPERATORS[params.op](values, params.value).astype(np.float64)
        result[np.isnan(values)] = np.nan
        return result

    def formula(self, params: ThresholdParams, cells: Cells) -> str:
        x = cells.row[params.input]
        op = {"==": "=", "!=": "<>"}.get(params.op, params.op)
        return empty_if_any([x], f"IF({x}{op}{number(params.value)},1,0)")

    def describe(self, params: ThresholdParams, inputs: Mapping[str, float]) -> str | None:
        value = inputs[params.input]
        shown = "empty" if np.isnan(value) else f"{value:g}"
        return f"{params.input} = {shown} {params.op} {params.value:g}"


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Threshold()]
