"""`checklist`: the weighted share of items met (non-zero), e.g. the "6+2" standard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from fortress_score import Column, Context, Evaluator, FloatArray, Params, hookimpl
from fortress_score.plugins.formulas import Cells, number


class ChecklistParams(Params):
    inputs: list[Column] = Field(min_length=1)
    """The items; each is met where its column is non-zero."""
    weights: list[float] | None = None
    """One weight an item (>= 0, not all 0); equal weights when left out."""

    @model_validator(mode="after")
    def _weights_fit_inputs(self) -> ChecklistParams:
        repeated = sorted({c for c in self.inputs if self.inputs.count(c) > 1})
        if repeated:
            raise ValueError(f"inputs must not repeat a column; repeated: {repeated}")
        if self.weights is not None:
            if len(self.weights) != len(self.inputs):
                raise ValueError(
                    f"weights must have one entry an input ({len(self.inputs)}); "
                    f"got {len(self.weights)}"
                )
            if any(w < 0 for w in self.weights) or not any(w > 0 for w in self.weights):
                raise ValueError(f"weights must be >= 0 and not all 0; got {self.weights}")
        return self


class Checklist(Evaluator[ChecklistParams]):
    """Weighted share of the inputs that are non-zero; an empty item counts as not met."""

    name = "checklist"
    Params = ChecklistParams

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: ChecklistParams, context: Context
    ) -> FloatArray:
        weights = params.weights or [1.0] * len(params.inputs)
        met = np.zeros(context.n_rows)
        any_given = np.zeros(context.n_rows, dtype=bool)
        for column, weight in zip(params.inputs, weights):  # one pass an item
            values = columns[column]
            given = ~np.isnan(values)
            any_given |= given
            met += np.where(given & (values != 0), weight, 0.0)
        return np.where(any_given, met / sum(weights), np.nan)  # all items empty: n/a


    def formula(self, params: ChecklistParams, cells: Cells) -> str:
        weights = params.weights or [1.0] * len(params.inputs)
        items = [cells.row[column] for column in params.inputs]
        met = "+".join(f'IF(AND({c}<>"",{c}<>0),{number(w)},0)' for c, w in zip(items, weights))
        empty = [f'{c}=""' for c in items]
        all_empty = empty[0] if len(empty) == 1 else f"AND({','.join(empty)})"
        return f'IF({all_empty},"",(0+{met})/{number(sum(weights))})'


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Checklist()]
