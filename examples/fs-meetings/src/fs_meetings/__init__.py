"""fs_meetings: a fortress_score evaluator for 三会一课 ("three meetings and one lesson").

三会一课 is the basic system of a party branch's organisational life: the branch committee
meeting (支部委员会), the party group meeting (党小组会), the general meeting of members
(支部党员大会) and the party lecture (党课), each to be held a required number of times.
A branch that keeps to it is, on paper, a branch whose organisational life works, which is
why "三会一课" counts in the "work atmosphere" dimension of most branch scorecards.

The evaluator turns the counts held into attainment: for each activity, the share of the
required count that was held, capped at 1 (holding more than required earns nothing extra,
so one activity cannot make up for another), then the weighted mean over the activities.

This module is the whole plug-in. ``pyproject.toml`` publishes it under the
``fortress_score`` entry-point group, so fortress_score registers the
:func:`fortress_score_evaluators` hookimpl below as soon as the package is installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

import fortress_score as fs
import numpy as np
from pydantic import Field, StringConstraints, model_validator

__all__ = [
    "Activity",
    "ThreeMeetingsOneLesson",
    "ThreeMeetingsOneLessonParams",
    "fortress_score_evaluators",
]

__version__ = "0.1.0"

FloatArray = fs.FloatArray

ActivityName = Annotated[str, StringConstraints(min_length=1)]

MAX_ROWS_SHOWN = 5
"""How many offending rows a DataError lists: enough to find them, not a wall of text."""


class Activity(fs.Params):
    """One of the four activities: where its count is and how many a period requires.

    ``required`` is per scoring period (a month on a monthly board). An activity the rule
    requires once a quarter — the members' general meeting and the party lecture — is best
    given as a count over the last three months with ``required: 1``: a branch that held
    one in April is then fully compliant in April, May and June. Writing ``required: 0.34``
    against a monthly count instead would mark the two months without one as 0.
    """

    column: fs.Column
    """The data column holding the number held in the period (a count, >= 0)."""
    required: float = Field(gt=0)
    """The number the rule requires in the period; holding that many gives attainment 1."""
    weight: float = Field(default=1.0, gt=0, le=1e6)
    """The activity's share of the attainment, relative to the others' weights (bounded so
    that adding them up can never overflow)."""


class ThreeMeetingsOneLessonParams(fs.Params):
    """The ``evaluate:`` table of ``kind: three_meetings_one_lesson``.

    Example (a monthly board, quarterly activities counted over the last three months)::

        evaluate:
          kind: three_meetings_one_lesson
          activities:
            committee: {column: committee_meetings, required: 1}   # 支委会, monthly
            group:     {column: group_meetings, required: 1}       # 党小组会, monthly
            assembly:  {column: assemblies_3m, required: 1}        # 党员大会, quarterly
            lecture:   {column: lectures_3m, required: 1}          # 党课, quarterly
    """

    activities: dict[ActivityName, Activity] = Field(min_length=1)
    """The activities by name, usually the four above; any name may be used (an office that
    also checks its 主题党日 adds a fifth)."""
    empty: Literal["skip", "none_held"] = "skip"
    """What an empty count means when the row has other counts. ``skip``: the activity does
    not apply to that branch (one too small to have party groups leaves ``group`` empty) and
    the mean is taken over the others. ``none_held``: it counts as 0 held, for offices where
    an unreported meeting is a meeting not held. A row with every count empty is NaN either
    way: there is nothing to judge."""

    @model_validator(mode="after")
    def _columns_are_distinct(self) -> ThreeMeetingsOneLessonParams:
        # Two activities reading one column is almost always a copy-paste slip in the rule
        # file; scoring it would silently count the same meetings twice.
        seen: dict[str, str] = {}
        for name, activity in self.activities.items():
            if activity.column in seen:
                raise ValueError(
                    f"activities {seen[activity.column]!r} and {name!r} both read column "
                    f"{activity.column!r}; give each activity its own column")
            seen[activity.column] = name
        return self


class ThreeMeetingsOneLesson(fs.Evaluator[ThreeMeetingsOneLessonParams]):
    """三会一课: meetings and lectures held against the counts required, capped at 1 each."""

    name = "three_meetings_one_lesson"
    Params = ThreeMeetingsOneLessonParams

    def inputs(self, params: ThreeMeetingsOneLessonParams) -> list[str]:
        """Every activity's count column, in the rule file's order."""
        return [activity.column for activity in params.activities.values()]

    def evaluate(
        self,
        columns: Mapping[str, FloatArray],
        params: ThreeMeetingsOneLessonParams,
        context: fs.Context,
    ) -> FloatArray:
        """Weighted mean over activities of ``min(held / required, 1)``, all rows at once.

        Raises:
            fortress_score.DataError: a negative count, naming its column and rows; a count
                below zero is a data-entry error, and scoring it as "none held" would hide it.
        """
        n_rows = context.n_rows
        earned = np.zeros(n_rows)
        weight_given = np.zeros(n_rows)
        any_given = np.zeros(n_rows, dtype=bool)
        for name, activity in params.activities.items():  # one pass an activity, never a row
            held = columns[activity.column]
            negative = held < 0  # NaN compares False: empty cells are not negative
            if negative.any():
                rows = np.flatnonzero(negative)[:MAX_ROWS_SHOWN]
                raise fs.DataError(fs.Problem(
                    f"{name}: the number held must be >= 0 ({context.rule}); found "
                    f"{', '.join(f'{held[r]:g}' for r in rows)}",
                    column=activity.column,
                    rows=tuple(f"row {int(r)}" for r in rows),
                ))
            given = ~np.isnan(held)
            any_given |= given
            counts = given if params.empty == "skip" else np.ones(n_rows, dtype=bool)
            with np.errstate(over="ignore", invalid="ignore"):  # huge counts just cap at 1
                share = np.minimum(held / activity.required, 1.0)
            earned += np.where(given, activity.weight * share, 0.0)
            weight_given += np.where(counts, activity.weight, 0.0)
        result = np.full(n_rows, np.nan)
        np.divide(earned, weight_given, out=result, where=any_given)
        return result


@fs.hookimpl
def fortress_score_evaluators() -> list[fs.Evaluator[ThreeMeetingsOneLessonParams]]:
    """The hook fortress_score calls once per engine: this package's one evaluator."""
    return [ThreeMeetingsOneLesson()]
