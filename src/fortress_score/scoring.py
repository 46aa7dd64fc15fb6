"""The scoring model (DESIGN.md §4): from attainment to points, scores, stars and ranks.

Every step is whole-array numpy; loops run over rules (indicators, dimensions, ratings),
never over rows. Figures are kept unrounded; reported figures are rounded half up and
stars and ranks are decided on the rounded total, so a reader can check them by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
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

    Per-rule figures hold one array a rule in file order, each with one value a data row.
    """

    attainment: tuple[FloatArray, ...]
    """One array an indicator, after the missing policy; NaN = does not apply."""
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

    def indicator_points(self, i: int) -> FloatArray:
        """Indicator ``i``'s unrounded points a row (NaN where it does not apply)."""
        return self.attainment[i] * self.points[i]


def compute_figures(
    rules: RuleSet,
    attainment: Sequence[FloatArray],
    adjustment_attainment: Sequence[FloatArray],
    veto_triggers: Sequence[FloatArray],
    groups: npt.NDArray[np.int64],
) -> Figures:
    """Apply the scoring model to evaluated attainment (the missing policy already applied).

    Sums run one indicator at a time over whole columns: no (indicators x rows) matrix is
    built, so memory stays near one column a rule.
    """
    n_rows = groups.shape[0]
    points = np.array([ind.points for _, ind in rules.indicators], dtype=np.float64)

    dimension_scores = np.full((len(rules.dimensions), n_rows), np.nan)
    i = 0
    for d, dimension in enumerate(rules.dimensions):
        earned = np.zeros(n_rows)
        possible = np.zeros(n_rows)
        for _ in dimension.indicators:
            applies = ~np.isnan(attainment[i])
            earned += np.where(applies, attainment[i] * points[i], 0.0)
            possible += applies * points[i]
            i += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(100.0 * earned, possible, out=dimension_scores[d], where=possible > 0)

    weights = np.array([dim.weight for dim in rules.dimensions], dtype=np.float64)
    dimension_applies = ~np.isnan(dimension_scores)
    weight_sum = weights @ dimension_applies
    with np.errstate(invalid="ignore", divide="ignore"):
        dimension_weights = np.where(dimension_applies, weights[:, None] / weight_sum, 0.0)
        weighted = (dimension_weights * np.where(dimension_applies, dimension_scores, 0.0)).sum(axis=0)
    base_total = np.where(weight_sum > 0, rules.scale * weighted / 100.0, np.nan)

    adjustment_points = np.zeros((len(rules.adjustments), n_rows))
    for a, adjustment in enumerate(rules.adjustments):
        signed_cap = adjustment.cap if adjustment.kind == "bonus" else -adjustment.cap
        adjustment_points[a] = np.where(np.isnan(adjustment_attainment[a]), 0.0,
                                        adjustment_attainment[a] * signed_cap)
    total = base_total + adjustment_points.sum(axis=0)
    if rules.clamp:
        total = np.clip(total, 0.0, rules.scale)

    vetoed = np.array([trigger == 1.0 for trigger in veto_triggers], dtype=bool).reshape(
        len(rules.vetoes), n_rows)
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
        attainment=tuple(attainment),
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
