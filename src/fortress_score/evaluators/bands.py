"""`bands`: a score from the first band (in file order) whose [min, max) holds the value."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field, model_validator

from fortress_score import Column, Context, Evaluator, Params, hookimpl
from fortress_score.evaluator import FloatArray


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


class Bands(Evaluator):
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


@hookimpl
def fortress_score_evaluators() -> list[Evaluator]:
    return [Bands()]
