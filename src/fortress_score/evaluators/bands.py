"""`bands`: a score from the first band (in file order) whose [min, max) holds the value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from fortress_score import Column, Context, Evaluator, FloatArray, Params, hookimpl
from fortress_score.plugins.formulas import Cells, empty_if_any, number


class Band(Params):
    min: float | None = None
    """Inclusive lower bound; missing = open."""
    max: float | None = None
    """Exclusive upper bound; missing = open."""
    score: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _min_below_max(self) -> Band:
        if self.min is not None and self.max is not None and not self.min < self.max:
            raise ValueError(f"min must be below max ({self.max}); got {self.min}")
        return self


class BandsParams(Params):
    input: Column
    bands: list[Band] = Field(min_length=1)
    otherwise: float = Field(default=0.0, ge=0.0, le=1.0)
    """The score of a value no band holds."""


class Bands(Evaluator[BandsParams]):
    """Step scores: the first band with min <= x < max gives its score, none gives `otherwise`."""

    name = "bands"
    Params = BandsParams

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: BandsParams, context: Context
    ) -> FloatArray:
        values = columns[params.input]
        result = np.full(values.shape, params.otherwise)
        unplaced = ~np.isnan(values)
        for band in params.bands:  # one pass a band, never a row
            inside = unplaced.copy()
            if band.min is not None:
                inside &= values >= band.min
            if band.max is not None:
                inside &= values < band.max
            result[inside] = band.score
            unplaced &= ~inside
        result[np.isnan(values)] = np.nan
        return result

    def formula(self, params: BandsParams, cells: Cells) -> str:
        x = cells.row[params.input]
        result = number(params.otherwise)
        for band in reversed(params.bands):  # the first band that holds x wins
            tests = ([f"{x}>={number(band.min)}"] if band.min is not None else []) + (
                [f"{x}<{number(band.max)}"] if band.max is not None else [])
            if not tests:
                result = number(band.score)
                continue
            test = tests[0] if len(tests) == 1 else f"AND({','.join(tests)})"
            result = f"IF({test},{number(band.score)},{result})"
        return empty_if_any([x], result)

    def inverse(self, params: BandsParams, attainment: float,
                inputs: Mapping[str, float]) -> dict[str, float] | None:
        """The lowest bound of a band scoring at least ``attainment`` (its score may be
        higher: bands give steps); None where only open-below bands score enough."""
        reaching = [band for band in params.bands
                    if band.score >= attainment and band.min is not None]
        if not reaching:
            return None
        best = min(reaching, key=lambda band: band.score)
        assert best.min is not None
        return {params.input: best.min}


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Bands()]
