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

from ..plugins.evaluator import FloatArray
from ..rounding import HALF_TOLERANCE, HALF_TOLERANCE_CAP, round_half_up
from ..rules.model import RuleSet
from .groupwise import competition_rank

__all__ = ["HALF_TOLERANCE", "HALF_TOLERANCE_CAP", "Figures", "compute_figures", "round_half_up"]

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
    possible_points: FloatArray
    """(dimensions, rows): the sum of points P_i over the indicators that apply."""
    base_total: FloatArray
    """(rows,): the weighted total before adjustments and vetoes."""
    adjustment_points: FloatArray
    """(adjustments, rows): signed points, 0 where an adjustment does not apply."""
    vetoed: npt.NDArray[np.bool_]
    """(vetoes, rows): True where a veto fired."""
    adjusted_total: FloatArray
    """(rows,): base total plus adjustments, before the clamp and the vetoes."""
    total: FloatArray
    """(rows,): final, unrounded; NaN where no dimension applies (and no veto sets it)."""
    reported_total: FloatArray
    """(rows,): ``total`` rounded half up to the rule set's precision."""
    stars: npt.NDArray[np.int64]
    """(rows,): the highest band reached by the reported total, capped by vetoes; 0 if none."""
    rank: FloatArray
    """(rows,): competition rank within the peer population; NaN where no total."""
    contributions: tuple[FloatArray, ...] | None = None
    """Per indicator, points added to the base total, where they are not derived from the
    weights (a roll-up keeps the mean of its sub-periods' contributions)."""

    def indicator_points(self, i: int) -> FloatArray:
        """Indicator ``i``'s unrounded points a row (NaN where it does not apply)."""
        return np.asarray(self.attainment[i] * self.points[i], dtype=np.float64)

    def contribution(self, i: int, d: int, row: int, scale: float) -> float:
        """Points indicator ``i`` (of dimension ``d``) adds to ``row``'s base total."""
        if self.contributions is not None:
            return float(self.contributions[i][row])
        possible = self.possible_points[d, row]
        if possible == 0:
            return np.nan
        return float(scale * self.dimension_weights[d, row] * self.attainment[i][row]
                     * self.points[i] / possible)

    def contribution_column(self, i: int, d: int, scale: float) -> FloatArray:
        """:meth:`contribution` for every row at once."""
        if self.contributions is not None:
            return self.contributions[i]
        possible = self.possible_points[d]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(possible > 0, scale * self.dimension_weights[d]
                            * self.attainment[i] * self.points[i] / possible, np.nan)


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
    possible_points = np.zeros((len(rules.dimensions), n_rows))
    i = 0
    for d, dimension in enumerate(rules.dimensions):
        earned = np.zeros(n_rows)
        possible = possible_points[d]
        for _ in dimension.indicators:
            applies = ~np.isnan(attainment[i])
            earned += np.where(applies, attainment[i] * points[i], 0.0)
            possible += applies * points[i]
            i += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(100.0 * earned, possible, out=dimension_scores[d], where=possible > 0)

    weights = np.array([dim.weight for dim in rules.dimensions], dtype=np.float64)
    dimension_applies = ~np.isnan(dimension_scores)
    # sums run term by term in rule order (not BLAS's order), as the audit workbook writes them
    weight_sum = np.zeros(n_rows)
    for d in range(len(rules.dimensions)):
        weight_sum += np.where(dimension_applies[d], weights[d], 0.0)
    weighted = np.zeros(n_rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        dimension_weights = np.where(dimension_applies, weights[:, None] / weight_sum, 0.0)
        for d in range(len(rules.dimensions)):
            weighted += dimension_weights[d] * np.where(dimension_applies[d],
                                                        dimension_scores[d], 0.0)
    base_total = np.where(weight_sum > 0, rules.scale * weighted / 100.0, np.nan)

    adjustment_points = np.zeros((len(rules.adjustments), n_rows))
    for a, adjustment in enumerate(rules.adjustments):
        signed_cap = adjustment.cap if adjustment.kind == "bonus" else -adjustment.cap
        adjustment_points[a] = np.where(np.isnan(adjustment_attainment[a]), 0.0,
                                        adjustment_attainment[a] * signed_cap)
    adjustment_sum = np.zeros(n_rows)
    for a in range(len(rules.adjustments)):
        adjustment_sum += adjustment_points[a]
    adjusted_total = base_total + adjustment_sum
    total = np.clip(adjusted_total, 0.0, rules.scale) if rules.clamp else adjusted_total

    vetoed = np.array([trigger == 1.0 for trigger in veto_triggers], dtype=bool).reshape(
        len(rules.vetoes), n_rows)
    for v, veto in enumerate(rules.vetoes):
        if veto.effect.total is not None:  # caps, never raises; a row with no total gets it
            total = np.where(vetoed[v], np.fmin(total, veto.effect.total), total)

    reported_total, stars, rank = decide(rules, total, vetoed, groups)
    return Figures(
        attainment=tuple(attainment),
        points=points,
        dimension_scores=dimension_scores,
        dimension_weights=dimension_weights,
        possible_points=possible_points,
        base_total=base_total,
        adjustment_points=adjustment_points,
        vetoed=vetoed,
        adjusted_total=adjusted_total,
        total=total,
        reported_total=reported_total,
        stars=stars,
        rank=rank,
    )


def decide(
    rules: RuleSet, total: FloatArray, vetoed: npt.NDArray[np.bool_], groups: npt.NDArray[np.int64]
) -> tuple[FloatArray, npt.NDArray[np.int64], FloatArray]:
    """Reported total, stars (capped by fired ``max_stars`` vetoes) and ranks, from the total."""
    reported_total = round_half_up(total, rules.precision)
    stars = np.zeros(total.shape[0], dtype=np.int64)
    for rating in rules.ratings:
        with np.errstate(invalid="ignore"):
            earned_band = reported_total >= rating.min
        stars = np.where(earned_band, np.maximum(stars, rating.stars), stars)
    for v, veto in enumerate(rules.vetoes):
        if veto.effect.max_stars is not None:
            stars = np.where(vetoed[v], np.minimum(stars, veto.effect.max_stars), stars)
    rank = competition_rank(reported_total, groups, descending=True)
    return reported_total, stars, rank


def apply_missing_policy(rules: RuleSet, attainment: list[FloatArray]) -> list[FloatArray]:
    """``missing: zero`` counts a non-applying indicator as 0; ``skip`` leaves NaN.

    ``missing: error`` is checked by the caller, which knows how to name the rows.
    """
    if rules.missing == "zero":
        return [np.where(np.isnan(a), 0.0, a) for a in attainment]
    return attainment


@dataclass(frozen=True)
class NextStar:
    """The next star band a row could reach, or why there is none."""

    stars: int | None
    gap: float | None
    """Points the reported total lacks for ``stars``."""
    note: str = ""


def next_star(rules: RuleSet, reported_total: float, stars: int, fired: Sequence[int], *,
              total_caps: bool = True) -> NextStar:
    """The next band above ``stars`` for a row whose vetoes ``fired`` (indexes into
    rules.vetoes); ``total_caps=False`` when a fired veto's ``total`` does not hold the row."""
    if np.isnan(reported_total):
        return NextStar(None, None, "no total: no indicator applies to this row")
    above = sorted((r for r in rules.ratings if r.stars > stars), key=lambda r: r.stars)
    if not above:
        return NextStar(None, None, "the top rating is reached" if rules.ratings else "")
    for v in fired:
        veto = rules.vetoes[v]
        if veto.effect.max_stars is not None and veto.effect.max_stars <= stars:
            return NextStar(None, None, f"capped at {stars} stars by veto {veto.id!r}")
        if total_caps and veto.effect.total is not None and veto.effect.total < above[0].min:
            return NextStar(None, None, f"total held at {veto.effect.total:g} by veto {veto.id!r}")
    target = above[0]
    gap = float(round_half_up(max(target.min - reported_total, 0.0), rules.precision))
    return NextStar(target.stars, gap)
