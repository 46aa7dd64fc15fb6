"""The scoring model (DESIGN.md §4): from attainment to points, scores, stars and ranks.

Every step is whole-array numpy; loops run over rules (indicators, dimensions, ratings),
never over rows. Figures are kept unrounded; reported figures are rounded half up and
stars and ranks are decided on the rounded total, so a reader can check them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .evaluator import FloatArray
from .groupwise import competition_rank
from .rules import RuleSet

__all__ = ["Figures", "compute_figures", "round_half_up"]

_REPRESENTATION_DIGITS = 6
"""Digits (below the last reported one) kept before rounding half up; see round_half_up."""


def round_half_up(values: FloatArray | float, precision: int) -> FloatArray:
    """Round half away from zero (四舍五入) at ``precision`` decimals, as score sheets do.

    A figure such as 89.995 is stored as the float 89.99499999999999; scaled by 100 it
    lands a hair below the half. Rounding the scaled figure to a few more digits first
    puts it back on the half, so it reports as 90.00. A true value within 5e-7 of a unit
    of the last reported digit from a half is therefore taken as the half.
    """
    scale = 10.0**precision
    scaled = np.round(np.asarray(values, dtype=np.float64) * scale, _REPRESENTATION_DIGITS)
    return np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / scale


@dataclass(frozen=True)
class Figures:
    """Unrounded figures a row, and the decisions taken on the rounded total.

    Arrays of rules have one row a rule in file order and one column a data row.
    """

    attainment: FloatArray
    """(indicators, rows): after the missing policy; NaN = does not apply."""
    points: FloatArray
    """(indicators,): each indicator's points P_i."""
    dimension_scores: FloatArray
    """(dimensions, rows), 0..100; NaN where no indicator of the dimension applies."""
    dimension_weights: FloatArray
    """(dimensions, rows): w_d / sum of w over the dimensions that apply (0 where not)."""
    base_total: FloatArray
    """(rows,): the weighted total before adjustments and vetoes."""
    adjustment_points: FloatArray
    """(adjustments, rows): signed points, 0 where an adjustment does not apply."""
    vetoed: npt.NDArray[np.bool_]
    """(vetoes, rows): True where a veto fired."""
    total: FloatArray
    """(rows,): final, unrounded; NaN where no dimension applies."""
    reported_total: FloatArray
    stars: npt.NDArray[np.int64]
    rank: FloatArray
    """(rows,): competition rank within the peer population; NaN where no total."""


def compute_figures(
    rules: RuleSet,
    attainment: FloatArray,
    adjustment_attainment: FloatArray,
    veto_triggers: FloatArray,
    groups: npt.NDArray[np.int64],
) -> Figures:
    """Apply the scoring model to evaluated attainment (the missing policy already applied)."""
    n_rows = attainment.shape[1]
    points = np.array([ind.points for _, ind in rules.indicators], dtype=np.float64)
    applies = ~np.isnan(attainment)

    dimension_scores = np.full((len(rules.dimensions), n_rows), np.nan)
    start = 0
    for d, dimension in enumerate(rules.dimensions):
        stop = start + len(dimension.indicators)
        block = slice(start, stop)
        earned = np.nansum(attainment[block] * points[block, None], axis=0)
        possible = (applies[block] * points[block, None]).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            dimension_scores[d] = np.where(possible > 0, 100.0 * earned / possible, np.nan)
        start = stop

    weights = np.array([dim.weight for dim in rules.dimensions], dtype=np.float64)
    dimension_applies = ~np.isnan(dimension_scores)
    weight_sum = (dimension_applies * weights[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dimension_weights = np.where(dimension_applies, weights[:, None] / weight_sum, 0.0)
        base_total = np.where(
            weight_sum > 0,
            rules.scale * np.nansum(dimension_weights * dimension_scores, axis=0) / 100.0,
            np.nan,
        )

    signs = np.array([1.0 if adj.kind == "bonus" else -1.0 for adj in rules.adjustments])
    caps = np.array([adj.cap for adj in rules.adjustments], dtype=np.float64)
    adjustment_points = np.nan_to_num(adjustment_attainment, nan=0.0) * (signs * caps)[:, None]
    total = base_total + adjustment_points.sum(axis=0)
    if rules.clamp:
        total = np.clip(total, 0.0, rules.scale)

    vetoed = veto_triggers == 1.0
    star_cap = np.full(n_rows, np.iinfo(np.int64).max)
    for v, veto in enumerate(rules.vetoes):
        if veto.effect.total is not None:
            total = np.where(vetoed[v], np.minimum(total, veto.effect.total), total)
        if veto.effect.max_stars is not None:
            star_cap = np.where(vetoed[v], np.minimum(star_cap, veto.effect.max_stars), star_cap)

    reported_total = round_half_up(total, rules.precision)
    stars = np.zeros(n_rows, dtype=np.int64)
    for rating in rules.ratings:
        with np.errstate(invalid="ignore"):
            earned_band = reported_total >= rating.min
        stars = np.where(earned_band, np.maximum(stars, rating.stars), stars)
    stars = np.minimum(stars, star_cap)
    rank = competition_rank(reported_total, groups, descending=True)
    return Figures(
        attainment=attainment,
        points=points,
        dimension_scores=dimension_scores,
        dimension_weights=dimension_weights,
        base_total=base_total,
        adjustment_points=adjustment_points,
        vetoed=vetoed,
        total=total,
        reported_total=reported_total,
        stars=stars,
        rank=rank,
    )
