"""Roll-ups: months into quarters or years, quarters into years, as means of the figures.

Every figure of a coarser period (indicator points, dimension scores, adjustments, totals)
is the mean of the unrounded figures of its sub-periods present for the entity; rounding,
stars and ranks are then decided afresh. Vetoes fired in any sub-period are carried: listed
on the rolled-up row, and their ``max_stars`` caps its stars (their ``total`` caps already
lowered the sub-period totals the mean is taken over). All of it by ``bincount`` over
group codes: no loop per row or per entity.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..errors import PeriodError, Problem
from ..keys import key_codes, population_codes
from ..periods import GRANULARITIES, PER_YEAR, Granularity, parse_periods, period_label
from ..plugins.evaluator import FloatArray
from ..reading.cells import read_only
from ..reading.frames import Table
from ..scoring.model import Figures, decide
from ..scoring.result import Result

__all__ = ["roll_up"]

Incomplete = Literal["keep", "drop"]


def roll_up(result: Result, to: Granularity, *, incomplete: Incomplete = "keep") -> Result:
    """The result of the coarser period ``to``; see :meth:`Scorecard.roll_up`."""
    rules, table, f = result.rules, result.table, result.figures
    if to not in GRANULARITIES:
        raise PeriodError(Problem(f"can roll up to one of {list(GRANULARITIES)}; got {to!r}"))
    if incomplete not in ("keep", "drop"):
        raise PeriodError(Problem(f"incomplete must be 'keep' or 'drop'; got {incomplete!r}"))
    if table.period is None or rules.period is None:
        raise PeriodError(Problem("the rule set names no period column; there is nothing to roll up"))

    if result.rolled_up:
        raise PeriodError(Problem("this Scorecard is already a roll-up; roll up the monthly "
                                  "(or quarterly) card instead, so every month weighs the same"))
    index = parse_periods(table.period, result.describe_rows, rules.period)
    fine = int(index.granularity[0])
    if (index.granularity != fine).any():
        raise PeriodError(Problem("rolls up rows of one granularity; this data mixes "
                                  f"{sorted({GRANULARITIES[g] for g in set(index.granularity.tolist())})}",
                                  column=rules.period))
    target = GRANULARITIES.index(to)
    if target >= fine:
        raise PeriodError(Problem(f"cannot roll {GRANULARITIES[fine]} rows up to {to}: a roll-up "
                                  "goes to a coarser period", column=rules.period))

    coarse = index.coarsened(to)
    entity_codes, _ = key_codes(table.entity)
    span = int(coarse.max() - coarse.min()) + 1
    _, first, group_of_row, sub_periods = np.unique(
        entity_codes * span + (coarse - coarse.min()), return_index=True, return_inverse=True,
        return_counts=True)
    group_of_row = group_of_row.reshape(-1)
    n = first.shape[0]
    expected = int(PER_YEAR[fine] // PER_YEAR[target])
    kept = np.flatnonzero(sub_periods == expected) if incomplete == "drop" else np.arange(n)

    def mean(values: FloatArray) -> FloatArray:
        present = ~np.isnan(values)
        total = np.bincount(group_of_row, weights=np.where(present, values, 0.0), minlength=n)
        count = np.bincount(group_of_row, weights=present, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / count, np.nan)[kept]

    scored = np.bincount(group_of_row, weights=~np.isnan(f.base_total), minlength=n)

    def mean_counting_absent_as_zero(values: FloatArray) -> FloatArray:
        """Contributions: a month an indicator did not apply adds 0 to that month's total,
        over the months that have a total, as the mean total is."""
        applied = np.bincount(group_of_row, weights=~np.isnan(values), minlength=n)
        total = np.bincount(group_of_row, weights=np.nan_to_num(values), minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(applied > 0, total / scored, np.nan)[kept]

    def any_imputed(codes: npt.NDArray[np.int8]) -> npt.NDArray[np.int8]:
        """A rolled-up row is flagged with a sub-period's policy where any was imputed."""
        most = np.zeros(n, dtype=np.int8)
        np.maximum.at(most, group_of_row, codes)
        return most[kept]

    def times_fired(values: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        return np.bincount(group_of_row, weights=values, minlength=n).astype(np.int64)[kept]

    # the entity's group in its latest sub-period stands for the rolled-up row
    order = np.lexsort((index.ordinal, group_of_row))
    last = order[np.r_[np.flatnonzero(np.diff(group_of_row[order])), order.shape[0] - 1]][kept]
    periods = np.array([period_label(target, o) for o in coarse[last].tolist()], dtype=object)
    group = None if table.group is None else table.group[last]
    populations, n_populations = population_codes(kept.shape[0], periods, group)

    dimension_of = [d for d, dim in enumerate(rules.dimensions) for _ in dim.indicators]
    contributions = tuple(
        mean_counting_absent_as_zero(f.contribution_column(i, d, rules.scale))
        for i, d in enumerate(dimension_of))
    veto_counts = np.array([times_fired(row) for row in f.vetoed], dtype=np.int64).reshape(
        len(rules.vetoes), kept.shape[0])
    vetoed = veto_counts > 0
    total = mean(f.total)
    reported_total, stars, rank = decide(rules, total, vetoed, populations)
    attainment = tuple(mean(a) for a in f.attainment)
    row_points = None
    if f.row_points is not None:  # points a period: each figure stays the mean of the months'
        row_points = np.array([mean(np.where(np.isnan(a), np.nan, p))
                               for a, p in zip(f.attainment, f.row_points)]).reshape(
            len(f.attainment), kept.shape[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            attainment = tuple(  # so that attainment × points is the mean of the months' points
                np.where(p > 0, mean(a * q) / p, m)
                for a, q, p, m in zip(f.attainment, f.row_points, row_points, attainment))
    figures = Figures(
        attainment=attainment,
        points=f.points,
        row_points=row_points,
        dimension_scores=np.array([mean(s) for s in f.dimension_scores]).reshape(
            len(rules.dimensions), kept.shape[0]),
        dimension_weights=np.array([mean(w) for w in f.dimension_weights]).reshape(
            len(rules.dimensions), kept.shape[0]),
        possible_points=np.array([mean(p) for p in f.possible_points]).reshape(
            len(rules.dimensions), kept.shape[0]),
        base_total=mean(f.base_total),
        adjustment_points=np.array([mean(a) for a in f.adjustment_points]).reshape(
            len(rules.adjustments), kept.shape[0]),  # -1 cannot be solved with no adjustments
        vetoed=vetoed,
        adjusted_total=mean(f.adjusted_total),
        total=total,
        reported_total=reported_total,
        stars=stars,
        rank=rank,
        contributions=contributions,
        imputed=None if f.imputed is None else tuple(any_imputed(c) for c in f.imputed),
    )
    columns = {}
    for name, values in table.columns.items():
        columns[name] = read_only(mean(values))
    rolled_table = Table(kept.shape[0], table.entity[last], periods, group, columns,
                         populations, n_populations)
    return dataclasses.replace(result, table=rolled_table, figures=figures, rescore=None,
                               sub_periods=sub_periods[kept], veto_counts=veto_counts)
