"""`target`: how far a value has come from a floor towards a target."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import model_validator

from fortress_score import Column, Context, Evaluator, FloatArray, Params, hookimpl
from fortress_score.plugins.formulas import Cells, clip01, empty_if_any, number


class TowardsTarget(Params):
    """A target and a floor, shared by the evaluators that score progress between them."""

    target: float
    floor: float
    """The value that earns nothing; a floor above the target means lower is better."""

    @model_validator(mode="after")
    def _target_differs_from_floor(self) -> TowardsTarget:
        if self.target == self.floor:
            raise ValueError(f"target must differ from floor ({self.floor}); got {self.target}")
        return self


class TargetParams(TowardsTarget):
    input: Column


def attainment_towards(values: FloatArray, target: float, floor: float) -> FloatArray:
    """clip((x - floor) / (target - floor), 0, 1); NaN stays NaN."""
    with np.errstate(over="ignore", invalid="ignore"):  # huge inputs saturate at 0 or 1
        return np.clip((values - floor) / (target - floor), 0.0, 1.0)


def towards_formula(value: str, target: float, floor: float) -> str:
    """:func:`attainment_towards` of the formula ``value``, as a formula."""
    return clip01(f"({value}-{number(floor)})/({number(target)}-{number(floor)})")


def value_towards(attainment: float, target: float, floor: float) -> float:
    """The value whose attainment towards ``target`` from ``floor`` is ``attainment``."""
    return floor + attainment * (target - floor)


class Target(Evaluator[TargetParams]):
    """Linear from floor (0) to target (1); lower is better when target < floor."""

    name = "target"
    Params = TargetParams

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: TargetParams, context: Context
    ) -> FloatArray:
        return attainment_towards(columns[params.input], params.target, params.floor)

    def formula(self, params: TargetParams, cells: Cells) -> str:
        x = cells.row[params.input]
        return empty_if_any([x], towards_formula(x, params.target, params.floor))

    def inverse(self, params: TargetParams, attainment: float,
                inputs: Mapping[str, float]) -> dict[str, float] | None:
        return {params.input: value_towards(attainment, params.target, params.floor)}


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Target()]
