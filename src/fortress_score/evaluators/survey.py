"""`survey`: satisfaction from answer counts; the first group with enough answers speaks.

The seed's "a branch without masses is assessed by its members": list the masses first and
the members second; a branch with no non-member staff has no mass answers, so its members'
answers are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from fortress_score import (
    Column,
    Context,
    DataError,
    Evaluator,
    FloatArray,
    Params,
    Problem,
    hookimpl,
)
from fortress_score.plugins.formulas import Cells, number


class RespondentGroup(Params):
    name: str = Field(min_length=1)
    fields: dict[str, Column] = Field(min_length=1)
    """Answer level -> the column holding that level's count."""


class SurveyParams(Params):
    levels: dict[str, float] = Field(min_length=1)
    """Answer level -> its weight in [0, 1] (满意 1.0, 基本满意 0.6, 不满意 0)."""
    groups: list[RespondentGroup] = Field(min_length=1)
    min_responses: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _levels_are_known(self) -> SurveyParams:
        bad = {k: v for k, v in self.levels.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise ValueError(f"level weights must be in [0, 1]; got {bad}")
        names = [group.name for group in self.groups]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"group names must differ; repeated: {repeated}")
        for group in self.groups:
            unknown = sorted(set(group.fields) - set(self.levels))
            if unknown:
                raise ValueError(
                    f"group {group.name!r} names levels {unknown} that are not among "
                    f"levels {sorted(self.levels)}"
                )
        return self


class Survey(Evaluator[SurveyParams]):
    """Weighted share of answers of the first respondent group with at least min_responses."""

    name = "survey"
    Params = SurveyParams

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: SurveyParams, context: Context
    ) -> FloatArray:
        result = np.full(context.n_rows, np.nan)
        undecided = np.ones(context.n_rows, dtype=bool)
        for group in params.groups:  # one pass a respondent group
            counts = {}
            for level, column in group.fields.items():
                counts[level] = np.nan_to_num(columns[column], nan=0.0)
                if (counts[level] < 0).any():
                    rows = np.flatnonzero(counts[level] < 0)[:5].tolist()
                    raise DataError(Problem(f"answer counts must be >= 0 ({context.rule}); "
                                            f"found negative counts at rows {rows}", column=column))
            # counts near the float limit would overflow their sum: take shares of each
            # row's largest count (the mean is the same), and its size apart
            largest = np.maximum.reduce(list(counts.values()))
            unit = np.where(largest > 0, largest, 1.0)
            answers = np.zeros(context.n_rows)
            weighted = np.zeros(context.n_rows)
            for level, level_counts in counts.items():
                answers += level_counts / unit
                weighted += params.levels[level] * (level_counts / unit)
            with np.errstate(over="ignore"):  # whole counts add up exactly; inf is enough
                enough = np.add.reduce(list(counts.values())) >= params.min_responses
            speaks = undecided & enough & (largest > 0)
            result[speaks] = weighted[speaks] / answers[speaks]
            undecided &= ~speaks
        return result


    def formula(self, params: SurveyParams, cells: Cells) -> str:
        result = '""'
        for group in reversed(params.groups):  # the first group that speaks decides
            counts = {level: cells.row[column] for level, column in group.fields.items()}
            largest = f"MAX({','.join(counts.values())})"
            # shares of the largest count, in evaluate's order, so that the figures agree
            # to the last bit
            answers = "(0+" + "+".join(f"{c}/{largest}" for c in counts.values()) + ")"
            weighted = "(0+" + "+".join(f"{number(params.levels[level])}*({c}/{largest})"
                                        for level, c in counts.items()) + ")"
            speaks = (f"AND(({'+'.join(counts.values())})>={params.min_responses},"
                      f"{largest}>0)")
            result = f"IF({speaks},{weighted}/{answers},{result})"
        return result


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Survey()]
