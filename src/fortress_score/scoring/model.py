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
from .data_weights import period_weights
from .groupwise import competition_rank

__all__ = ["HALF_TOLERANCE", "HALF_TOLERANCE_CAP", "Figures", "Weighted", "compute_figures",
           "decide", "dimension_part", "finish_total", "round_half_up", "star_levels",
           "total_part"]

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
    imputed: tuple[npt.NDArray[np.int8], ...] | None = None
    """Per indicator, 0 where the attainment is as evaluated, else the missing policy that
    made it (``scoring.missing.POLICIES[code - 1]``)."""
    available: FloatArray | None = None
    """(dimensions, rows): the share of applicable points with data (not imputed)."""
    withheld: npt.NDArray[np.bool_] | None = None
    """(dimensions, rows): True where a dimension's ``min_available`` is not met."""
    row_points: FloatArray | None = None
    """(indicators, rows): each row's points where a ``weighting`` method weighs by the
    data (a set a period); None where every indicator's points are :attr:`points`."""
    row_weights: FloatArray | None = None
    """(dimensions, rows): each row's dimension weights where they come from the data."""

    @property
    def by_data(self) -> bool:
        """Whether a ``weighting`` method weighs by the data (weights a period, not fixed)."""
        return self.row_points is not None or self.row_weights is not None

    def points_of(self, i: int) -> FloatArray:
        """Indicator ``i``'s maximum points a row (its :attr:`points` in every row, unless
        the data weighs it)."""
        if self.row_points is not None:
            return np.asarray(self.row_points[i], dtype=np.float64)
        return np.asarray(np.broadcast_to(self.points[i], self.attainment[i].shape),
                          dtype=np.float64)

    def indicator_points(self, i: int) -> FloatArray:
        """Indicator ``i``'s unrounded points a row (NaN where it does not apply)."""
        points = self.points[i] if self.row_points is None else self.row_points[i]
        return np.asarray(self.attainment[i] * points, dtype=np.float64)

    def contribution(self, i: int, d: int, row: int, scale: float) -> float:
        """Points indicator ``i`` (of dimension ``d``) adds to ``row``'s base total."""
        if self.contributions is not None:
            return float(self.contributions[i][row])
        possible = self.possible_points[d, row]
        if possible == 0:
            return np.nan
        return float(scale * self.dimension_weights[d, row] * self.attainment[i][row]
                     * self.points_of(i)[row] / possible)

    def contribution_column(self, i: int, d: int, scale: float) -> FloatArray:
        """:meth:`contribution` for every row at once."""
        if self.contributions is not None:
            return self.contributions[i]
        possible = self.possible_points[d]
        points = self.points[i] if self.row_points is None else self.row_points[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(possible > 0, scale * self.dimension_weights[d]
                            * self.attainment[i] * points / possible, np.nan)


@dataclass(frozen=True)
class Weighted:
    """The weighted part of the model: from attainment to the base total. Each array has
    the shape the points and weights broadcast to with the rows: (rows,) for one rule set,
    (draws, rows) for weights drawn many times over (:mod:`.uncertainty`)."""

    dimension_scores: FloatArray
    """(dimensions, ...): 0..100; NaN where no indicator of the dimension applies."""
    possible_points: FloatArray
    """(dimensions, ...): the sum of points over the indicators that apply."""
    dimension_weights: FloatArray
    """(dimensions, ...): w_d / the sum of w over the dimensions that apply (0 where not)."""
    weight_sum: FloatArray
    """(...): the sum of w over the dimensions that apply."""
    base_total: FloatArray
    """(...): the weighted total before adjustments and vetoes."""


def dimension_part(rules: RuleSet, attainment: Sequence[FloatArray],
                   points: Sequence[float | FloatArray],
                   everywhere: Sequence[bool] | None = None) -> tuple[FloatArray, FloatArray]:
    """Points (one an indicator: a number, a column a row, or a column of draws of shape
    (draws, 1)) over attainment (one (rows,) array an indicator): (dimension scores,
    possible points), each (dimensions, ...). Sums run term by term in rule order, as the
    audit workbook writes them, so a draw's figures are those of a rule set with its
    points. ``everywhere``: for each indicator, whether it has an attainment in every row
    (worked out here when None); the sums of such indicators skip the masks, with the same
    arithmetic."""
    n_rows = attainment[0].shape[0] if attainment else 0
    scored = np.broadcast_shapes((n_rows,), *(np.shape(p) for p in points))
    if everywhere is None:
        everywhere = [not np.isnan(a).any() for a in attainment]
    n_dims = len(rules.dimensions)
    dimension_scores = np.full((n_dims, *scored), np.nan)
    possible_points = np.zeros((n_dims, *scored))
    for d, (dimension, mine) in enumerate(zip(rules.dimensions, rules.indicator_ranges)):
        possible, earned = possible_points[d], np.zeros(scored)
        for k in mine:
            if everywhere[k]:  # where(applies, a·P, 0) is a·P; applies·P is P
                earned += attainment[k] * points[k]
                possible += points[k]
                continue
            applies = ~np.isnan(attainment[k])
            earned += np.where(applies, attainment[k] * points[k], 0.0)
            possible += applies * points[k]
        if dimension.aggregate in (None, "weighted_mean"):
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(100.0 * earned, possible, out=dimension_scores[d], where=possible > 0)
        else:
            dimension_scores[d] = 100.0 * _aggregate(
                dimension.aggregate, [attainment[k] for k in mine], [points[k] for k in mine],
                possible)
    return dimension_scores, possible_points


def total_part(rules: RuleSet, dimension_scores: FloatArray, possible_points: FloatArray,
               weights: Sequence[float | FloatArray]) -> Weighted:
    """Dimension weights (numbers, columns a row or of draws) over the dimension scores: the
    base total, in the same order as the audit workbook writes it."""
    n_dims = len(rules.dimensions)
    shape = np.broadcast_shapes(dimension_scores.shape[1:], *(np.shape(w) for w in weights))
    dimension_applies = ~np.isnan(dimension_scores)
    if n_dims and dimension_applies.all() and rules.aggregate in (None, "weighted_mean"):
        # every dimension applies in every row: the same sums, a value a draw (not a row)
        # for the weights; the arithmetic and its order are those of the general case below
        whole = np.broadcast_shapes(*(np.shape(w) for w in weights))
        weight_sum = np.zeros(whole)
        for d in range(n_dims):
            weight_sum += weights[d]
        shares = [np.asarray(weights[d] / weight_sum, dtype=np.float64) for d in range(n_dims)]
        weighted = np.zeros(shape)
        for d in range(n_dims):
            weighted += shares[d] * dimension_scores[d]
        base_total = rules.scale * weighted / 100.0
        dimension_weights = np.broadcast_to(np.stack(shares).reshape(
            (n_dims, *whole, *([1] * (len(shape) - len(whole))))), (n_dims, *shape))
        return Weighted(dimension_scores, possible_points, dimension_weights,
                        np.broadcast_to(weight_sum, shape), base_total)
    weight_sum = np.zeros(shape)
    for d in range(n_dims):
        weight_sum += np.where(dimension_applies[d], weights[d], 0.0)
    dimension_weights = np.zeros((n_dims, *shape))
    with np.errstate(invalid="ignore", divide="ignore"):
        for d in range(n_dims):
            np.divide(weights[d], weight_sum, out=dimension_weights[d],
                      where=dimension_applies[d] & (weight_sum > 0))
    if rules.aggregate in (None, "weighted_mean"):
        weighted = np.zeros(shape)
        for d in range(n_dims):
            weighted += dimension_weights[d] * np.where(dimension_applies[d],
                                                        dimension_scores[d], 0.0)
        base_total = np.where(weight_sum > 0, rules.scale * weighted / 100.0, np.nan)
    else:
        base_total = rules.scale * _aggregate(
            rules.aggregate, [dimension_scores[d] / 100.0 for d in range(n_dims)],
            list(weights), weight_sum)
    return Weighted(dimension_scores, possible_points, dimension_weights, weight_sum,
                    base_total)


def compute_figures(
    rules: RuleSet,
    attainment: Sequence[FloatArray],
    adjustment_attainment: Sequence[FloatArray],
    veto_triggers: Sequence[FloatArray],
    groups: npt.NDArray[np.int64],
    periods: tuple[npt.NDArray[np.int64], int] | None = None,
) -> Figures:
    """Apply the scoring model to evaluated attainment (the missing policy already applied).

    Sums run one indicator at a time over whole columns: no (indicators x rows) matrix is
    built, so memory stays near one column a rule. ``periods``: a period code a row and
    their number, for weights worked out from each period's data (``entropy``, ``critic``).
    """
    n_rows = groups.shape[0]
    points = np.array([ind.points for _, ind in rules.indicators], dtype=np.float64)
    weights = np.array([dim.weight for dim in rules.dimensions], dtype=np.float64)
    codes, n_periods = periods if periods is not None else (np.zeros(n_rows, np.int64), 1)
    by_dims, by_inds = rules.data_weighting()
    used_points: list[float | FloatArray] = [float(p) for p in points]
    row_points = None
    if by_inds:
        row_points = np.broadcast_to(points[:, None], (points.size, n_rows)).copy()
        for d, method in by_inds.items():
            mine = rules.indicator_ranges[d]
            by_period = period_weights(method, [attainment[k] for k in mine], codes,
                                       n_periods)
            for j, k in enumerate(mine):
                row_points[k] = 100.0 * by_period[codes, j]
                used_points[k] = row_points[k]
    scores, possible = dimension_part(rules, attainment, used_points)
    used_weights: list[float | FloatArray] = [float(w) for w in weights]
    row_weights = None
    if by_dims is not None:
        by_period = period_weights(by_dims, list(scores), codes, n_periods)
        row_weights = np.asarray(100.0 * by_period[codes].T, dtype=np.float64)
        used_weights = list(row_weights)
    core = total_part(rules, scores, possible, used_weights)
    base_total = core.base_total

    contributions = None
    if not rules.compensatory:  # parts of a total that is no weighted sum: see _shares
        shares: list[FloatArray] = []
        for d, (dimension, mine) in enumerate(zip(rules.dimensions, rules.indicator_ranges)):
            shares += _shares(dimension.aggregate, [attainment[k] for k in mine],
                              [used_points[k] for k in mine], core.possible_points[d])
        parts = [core.dimension_scores[d] / 100.0 for d in range(len(rules.dimensions))]
        whole = _shares(rules.aggregate, parts, used_weights, core.weight_sum)
        dimension_of = [d for d, dim in enumerate(rules.dimensions) for _ in dim.indicators]
        contributions = tuple(np.where(np.isnan(attainment[k]), np.nan,
                                       base_total * whole[dimension_of[k]] * shares[k])
                              for k in range(len(shares)))

    adjustment_points = np.zeros((len(rules.adjustments), n_rows))
    for a, adjustment in enumerate(rules.adjustments):
        signed_cap = adjustment.cap if adjustment.kind == "bonus" else -adjustment.cap
        adjustment_points[a] = np.where(np.isnan(adjustment_attainment[a]), 0.0,
                                        adjustment_attainment[a] * signed_cap)
    vetoed = np.array([trigger == 1.0 for trigger in veto_triggers], dtype=bool).reshape(
        len(rules.vetoes), n_rows)
    adjusted_total, total = finish_total(rules, base_total, adjustment_points, vetoed)

    reported_total, stars, rank = decide(rules, total, vetoed, groups)
    return Figures(
        attainment=tuple(attainment),
        points=points,
        dimension_scores=core.dimension_scores,
        dimension_weights=np.array(core.dimension_weights),  # an array, never a view
        possible_points=core.possible_points,
        base_total=base_total,
        adjustment_points=adjustment_points,
        vetoed=vetoed,
        adjusted_total=adjusted_total,
        total=total,
        reported_total=reported_total,
        stars=stars,
        rank=rank,
        contributions=contributions,
        row_points=row_points,
        row_weights=row_weights,
    )


def finish_total(rules: RuleSet, base_total: FloatArray, adjustment_points: FloatArray,
                 vetoed: npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """The adjusted total (base plus adjustments, in rule order) and the final total (clamped,
    capped by fired vetoes); ``base_total`` may carry a leading draws axis."""
    adjustment_sum = np.zeros(adjustment_points.shape[1:])
    for a in range(len(rules.adjustments)):
        adjustment_sum += adjustment_points[a]
    adjusted_total = base_total + adjustment_sum
    total = np.clip(adjusted_total, 0.0, rules.scale) if rules.clamp else adjusted_total
    for v, veto in enumerate(rules.vetoes):
        if veto.effect.total is not None:  # caps, never raises; a row with no total gets it
            total = np.where(vetoed[v], np.fmin(total, veto.effect.total), total)
    return adjusted_total, total


def _aggregate(rule: str | None, values: Sequence[FloatArray],
               weights: Sequence[float | FloatArray], weight_sum: FloatArray) -> FloatArray:
    """Parts in [0, 1] (NaN = does not apply) made into a whole in [0, 1] by ``geometric``
    (Π v^(w/Σw)) or ``min``; NaN where no part applies. Products run one part at a time in
    rule order, as the audit workbook writes them."""
    shape = weight_sum.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        if rule == "geometric":
            whole = np.ones(shape)
            for v, w in zip(values, weights):
                whole *= np.where(np.isnan(v), 1.0, v ** (w / weight_sum))
        else:
            whole = np.full(shape, np.inf)
            for v in values:
                whole = np.fmin(whole, v)
        return np.asarray(np.where(weight_sum > 0, whole, np.nan), dtype=np.float64)


def _shares(rule: str | None, values: Sequence[FloatArray],
            weights: Sequence[float | FloatArray], weight_sum: FloatArray) -> list[FloatArray]:
    """Each part's share of the whole, the shares of a row adding up to 1, so that a total
    that is no weighted sum can still be told part by part: by earned points for a weighted
    mean; by each part's share of log(whole) for a geometric mean (all parts at 1: by weight;
    a part at 0 makes the whole 0 and takes it all); the weakest part(s) alone for ``min``."""
    n = weight_sum.shape[0]
    applies = [~np.isnan(v) for v in values]
    with np.errstate(invalid="ignore", divide="ignore"):
        if rule == "min":
            low = _aggregate("min", values, weights, weight_sum)
            terms = [(a & (v == low)).astype(float) for a, v in zip(applies, values)]
        elif rule == "geometric":
            zero = np.logical_or.reduce([a & (v == 0) for a, v in zip(applies, values)]) \
                if values else np.zeros(n, dtype=bool)
            logs = [np.where(a & (v > 0), w * np.log(np.where(v > 0, v, 1.0)), 0.0)
                    for a, v, w in zip(applies, values, weights)]
            total = sum(logs, np.zeros(n))
            by_weight = [np.where(a, w, 0.0) for a, w in zip(applies, weights)]
            terms = [np.where(zero, (a & (v == 0)).astype(float),
                              np.where(total < 0, term, weight))
                     for a, v, term, weight in zip(applies, values, logs, by_weight)]
        else:
            earned = [np.where(a, v * w, 0.0) for a, v, w in zip(applies, values, weights)]
            by_weight = [np.where(a, w, 0.0) for a, w in zip(applies, weights)]
            some = sum(earned, np.zeros(n)) > 0
            terms = [np.where(some, e, bw) for e, bw in zip(earned, by_weight)]
        whole = sum(terms, np.zeros(n))
        return [np.where(whole != 0, t / whole, 0.0) for t in terms]


def decide(
    rules: RuleSet, total: FloatArray, vetoed: npt.NDArray[np.bool_], groups: npt.NDArray[np.int64]
) -> tuple[FloatArray, npt.NDArray[np.int64], FloatArray]:
    """Reported total, stars (capped by fired ``max_stars`` vetoes) and ranks, from the total."""
    reported_total = round_half_up(total, rules.precision)
    stars = star_levels(rules, reported_total, vetoed)
    rank = competition_rank(reported_total, groups, descending=True)
    return reported_total, stars, rank


def star_levels(rules: RuleSet, reported_total: FloatArray,
                vetoed: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """The highest band each reported total reaches, capped by fired ``max_stars`` vetoes;
    ``reported_total`` may carry a leading draws axis (``vetoed`` broadcasts to it)."""
    by_min = sorted(rules.ratings, key=lambda r: r.min)
    best = np.maximum.accumulate(np.array([0] + [r.stars for r in by_min], dtype=np.int64))
    # the ratings whose min the total reaches are the first k by min: the best of them
    reached = np.zeros(reported_total.shape, dtype=np.intp)
    with np.errstate(invalid="ignore"):  # NaN reaches none
        for rating in by_min:
            reached += reported_total >= rating.min
    stars = best[reached]
    for v, veto in enumerate(rules.vetoes):
        if veto.effect.max_stars is not None:
            stars = np.where(vetoed[v], np.minimum(stars, veto.effect.max_stars), stars)
    return stars


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
