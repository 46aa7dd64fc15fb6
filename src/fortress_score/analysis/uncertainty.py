"""How far ranks and stars would move if the weights were a little different.

Each draw takes every dimension weight (and, if asked, every indicator's points) from a
distribution around its declared value, scores the whole card again with them and ranks
each peer population afresh. What a row gets over the draws — its median rank, the 5–95 %
interval, the chance of each star level and of the first place in its group — says how
much its place owes to the weights a committee happened to choose.

Draws are scored together, a block of draws at a time: the scoring model's weighted part
(:func:`~fortress_score.scoring.model.dimension_part` and
:func:`~fortress_score.scoring.model.total_part`) runs with a weight a draw on one axis and
the rows on the other, so no loop runs per draw or per row, and memory is
bounded by the block. The arithmetic is the model's own, term by term in rule order, so a
draw replayed through :meth:`Samples.rules` scores to the same figures bit for bit.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import FortressScoreError, MissingExtraError, Problem
from ..rounding import half_up_steps
from ..rules.model import RuleSet
from ..scoring.groupwise import competition_rank, whole_rank_of_steps
from ..scoring.model import dimension_part, finish_total, star_levels, total_part
from ..scoring.result import Result
from ..text import cell
from ..weights.ahp import principal_eigenvectors

__all__ = ["AHPSteps", "Dirichlet", "Samples", "Uncertainty", "Uniform", "draw_samples", "mean_shift",
           "pandas_module", "rank_uncertainty", "scored_draws"]

FloatArray = npt.NDArray[np.float64]

BLOCK = 1 << 18
"""Cells (draws × rows) scored at once: 2 MB an array of the block, so that the dozens of
element-wise steps a block takes run in the processor's cache (measured: 1 << 18 is about
twice as fast as 1 << 22 at 50,000 rows)."""

ORDER_BLOCK = 1 << 22
"""Ranks (draws × rows) sorted at once for the order statistics: larger pieces transpose
faster, and the sort itself is linear."""


@dataclass(frozen=True)
class Uniform:
    """Each weight times 1 + U(−share, +share), independently (0 ≤ share < 1)."""

    share: float

    def __post_init__(self) -> None:
        if isinstance(self.share, bool) or not (isinstance(self.share, (int, float))
                                                and 0 <= self.share < 1):
            raise FortressScoreError(Problem(
                f"a uniform spread must be a share in [0, 1); got {self.share!r}"))

    def draw(self, rng: np.random.Generator, declared: FloatArray, draws: int) -> FloatArray:
        if self.share == 0:
            return np.broadcast_to(declared, (draws, declared.size)).copy()
        factors = 1.0 + self.share * rng.uniform(-1.0, 1.0, size=(draws, declared.size))
        return np.asarray(declared * factors, dtype=np.float64)


@dataclass(frozen=True)
class Dirichlet:
    """Weights as shares from a Dirichlet distribution centred on the declared shares:
    concentration × share a weight (larger: closer to the declared weights)."""

    concentration: float

    def __post_init__(self) -> None:
        if isinstance(self.concentration, bool) or not (
                isinstance(self.concentration, (int, float))
                and math.isfinite(self.concentration) and self.concentration > 0):
            raise FortressScoreError(Problem(
                f"a Dirichlet concentration must be a positive number; got {self.concentration!r}"))

    def draw(self, rng: np.random.Generator, declared: FloatArray, draws: int) -> FloatArray:
        total = float(declared.sum())
        alpha = self.concentration * declared / total
        shares = rng.dirichlet(alpha, size=draws)
        # a share may underflow to 0 at small concentrations: a weight must stay positive
        shares = np.maximum(shares, np.finfo(np.float64).tiny)
        return np.asarray(shares * total, dtype=np.float64)


SAATY_SCALE = np.array([1 / k for k in range(9, 1, -1)] + list(range(1, 10)), dtype=np.float64)
"""Saaty's judgements, 1/9 … 1/2, 1, 2 … 9: a step is to a neighbour on this scale."""


@dataclass(frozen=True)
class AHPSteps:
    """Dimension weights from the rule file's AHP judgements, each judgement moved at
    random by up to ``steps`` places along Saaty's scale (or kept), independently, and the
    weights worked out again; a judgement between two places of the scale steps to them."""

    steps: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 0:
            raise FortressScoreError(Problem(
                f"AHP steps must be a whole number ≥ 0; got {self.steps!r}"))

    def draw_weights(self, rules: RuleSet, rng: np.random.Generator, draws: int) -> FloatArray:
        method = rules.weighting.dimensions if rules.weighting is not None else None
        if method is None or method.method != "ahp" or method.judgements is None:
            raise FortressScoreError(Problem(
                "fs.AHPSteps moves the judgements of weighting.dimensions (method: ahp); "
                "this rule set's dimension weights are not derived by AHP"))
        ids = [d.id for d in rules.dimensions]
        at = {d: k for k, d in enumerate(ids)}
        n, m = len(ids), len(SAATY_SCALE)
        matrices = np.ones((draws, n, n))
        for a, b, x in method.judgements:
            # places on the scale: x itself at a fractional place between two neighbours
            place = float(np.interp(np.log(x), np.log(SAATY_SCALE), np.arange(m)))
            moves = rng.integers(-self.steps, self.steps + 1, size=draws)
            target = place + moves
            target = np.where(moves > 0, np.floor(place) + moves, target)
            target = np.where(moves < 0, np.ceil(place) + moves, target)
            target = np.clip(target, 0, m - 1)
            value = np.where(moves == 0, x, np.exp(np.interp(target, np.arange(m),
                                                             np.log(SAATY_SCALE))))
            matrices[:, at[a], at[b]] = value
            matrices[:, at[b], at[a]] = 1.0 / value
        shares, _ = principal_eigenvectors(matrices)
        return np.asarray(100.0 * shares, dtype=np.float64)


Spread = Uniform | Dirichlet


def _spread(value: float | Spread | AHPSteps, name: str) -> Spread | AHPSteps:
    if isinstance(value, (Uniform, Dirichlet)) or (isinstance(value, AHPSteps)
                                                  and name == "weights"):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FortressScoreError(Problem(
            f"{name} must be a share in [0, 1), fs.Uniform(share), fs.Dirichlet(c)"
            f"{' or fs.AHPSteps(k)' if name == 'weights' else ''}; got {value!r}"))
    return Uniform(float(value))


@dataclass(frozen=True)
class Samples:
    """The drawn parameters, one row a draw, so that any draw can be scored again.

    Attributes:
        weights: (draws, dimensions): each dimension's weight in each draw.
        points: (draws, indicators): each indicator's points in each draw.
        dimensions: the dimension ids, in rule order.
        indicators: the indicator ids, in rule order.
    """

    weights: FloatArray
    points: FloatArray
    dimensions: tuple[str, ...]
    indicators: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.weights.shape[0])

    def rules(self, rules: RuleSet, draw: int) -> RuleSet:
        """``rules`` with the weights and points of ``draw``: scoring them gives that draw's
        figures exactly."""
        dims = []
        k = 0
        for d, dim in enumerate(rules.dimensions):
            indicators = []
            for ind in dim.indicators:
                indicators.append(ind.model_copy(update={"points": float(self.points[draw, k])}))
                k += 1
            dims.append(dim.model_copy(update={"weight": float(self.weights[draw, d]),
                                               "indicators": indicators}))
        # the drawn values are written, so no weighting method derives them again
        return rules.model_copy(update={"dimensions": dims, "weighting": None})

    def to_pandas(self) -> Any:
        """One row a draw: ``weight.<dimension>`` and ``points.<indicator>`` columns."""
        columns = {f"weight.{d}": self.weights[:, i] for i, d in enumerate(self.dimensions)}
        columns |= {f"points.{k}": self.points[:, i] for i, k in enumerate(self.indicators)}
        return pandas_module("Samples.to_pandas").DataFrame(columns)


def draw_samples(rules: RuleSet, draws: int, weights: Spread | AHPSteps, points: Spread,
                 seed: int) -> Samples:
    """Draw ``draws`` sets of dimension weights and indicator points. Points are drawn
    within each dimension and keep its declared total."""
    rng = np.random.default_rng(seed)
    declared_w = np.array([d.weight for d in rules.dimensions], dtype=np.float64)
    w = (weights.draw_weights(rules, rng, draws) if isinstance(weights, AHPSteps)
         else weights.draw(rng, declared_w, draws))
    blocks = []
    for dim in rules.dimensions:
        declared_p = np.array([ind.points for ind in dim.indicators], dtype=np.float64)
        drawn = points.draw(rng, declared_p, draws)
        if not (isinstance(points, Uniform) and points.share == 0):
            drawn = drawn / drawn.sum(axis=1, keepdims=True) * declared_p.sum()
        blocks.append(drawn)
    p = np.concatenate(blocks, axis=1) if blocks else np.zeros((draws, 0))
    return Samples(w, p, tuple(d.id for d in rules.dimensions),
                   tuple(ind.id for _, ind in rules.indicators))


@dataclass(frozen=True)
class Uncertainty:
    """Ranks and stars over the draws, a row each (same order as the card).

    Attributes:
        result: the scored card the draws start from.
        samples: the drawn parameters.
        nominal_rank: the card's own rank (NaN where a row has no total).
        median_rank, rank_p05, rank_p95: the rank at which at least 50 %, 5 %, 95 % of
            the draws have the row at that rank or better (an actual rank, never between
            two).
        star_levels: the star levels counted, 0 (none) up to the top rating.
        star_probability: (rows, levels): the share of draws at each level.
        first_place: the share of draws in which the row is first in its peer group.
        mean_shift: (draws,): the board's mean absolute rank shift from the nominal ranks.
        ranks: (draws, rows): each draw's ranks, 0 where a row has no total (unsigned
            integers, as small as the largest peer group allows).
    """

    result: Result
    samples: Samples
    nominal_rank: FloatArray
    median_rank: FloatArray
    rank_p05: FloatArray
    rank_p95: FloatArray
    star_levels: tuple[int, ...]
    star_probability: FloatArray
    first_place: FloatArray
    mean_shift: FloatArray
    ranks: npt.NDArray[np.unsignedinteger[Any]]

    def __len__(self) -> int:
        return int(self.nominal_rank.shape[0])

    def to_columns(self) -> dict[str, npt.NDArray[Any]]:
        """Flat columns: entity, period, group, the ranks, ``p_stars.<level>``, ``p_first``."""
        r = self.result
        columns: dict[str, npt.NDArray[Any]] = {"entity": r.table.entity}
        if r.table.period is not None:
            columns["period"] = r.table.period
        if r.table.group is not None:
            columns["group"] = r.table.group
        columns |= {"total": r.figures.reported_total, "stars": r.figures.stars,
                    "nominal_rank": self.nominal_rank, "median_rank": self.median_rank,
                    "rank_p05": self.rank_p05, "rank_p95": self.rank_p95}
        for j, level in enumerate(self.star_levels):
            columns[f"p_stars.{level}"] = self.star_probability[:, j]
        columns["p_first"] = self.first_place
        return columns

    def to_pandas(self) -> Any:
        """:meth:`to_columns` as a pandas DataFrame (needs pandas)."""
        return pandas_module("Uncertainty.to_pandas").DataFrame(self.to_columns())

    def __repr__(self) -> str:
        return (f"<Uncertainty {self.result.rules.ruleset}: {len(self)} rows, "
                f"{len(self.samples)} draws>")

    def _repr_html_(self) -> str:
        """The notebook view: the latest period, best nominal rank first."""
        columns = self.to_columns()
        rows = np.arange(len(self))
        if "period" in columns:
            latest = self.result.periods()[-1] if self.result.periods() else None
            rows = rows[self.result.period_text == str(latest)]
        rows = rows[np.lexsort((np.nan_to_num(self.nominal_rank[rows], nan=np.inf),
                                self.result.group_text[rows] if self.result.group_text
                                is not None else np.zeros(rows.size)))]
        rules = self.result.rules
        words = {"entity": _title(rules, rules.entity), "period": _title(rules, rules.period),
                 "group": _title(rules, rules.group_by), "total": "总分", "stars": "星级",
                 "nominal_rank": "名次", "median_rank": "中位名次", "rank_p05": "名次 5%",
                 "rank_p95": "名次 95%", "p_first": "居首概率"}
        head = [k for k in words if k in columns]
        body = "".join(
            "<tr>" + "".join(f"<td>{cell(_shown(columns[k][r], k))}</td>" for k in head)
            + "</tr>" for r in rows.tolist())
        return (f"<div><p>{cell(rules.title or rules.ruleset)} · 权重浮动 {len(self.samples)} 次"
                f"</p><table><thead><tr>" + "".join(f"<th>{cell(words[k])}</th>" for k in head)
                + f"</tr></thead><tbody>{body}</tbody></table></div>")


def _title(rules: RuleSet, column: str | None) -> str:
    spec = rules.fields.get(column) if column is not None else None
    return spec.title if spec is not None and spec.title else str(column)


def _shown(value: Any, key: str) -> str:
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return f"{value:.0%}" if key == "p_first" else f"{value:g}"
    return str(value)


def pandas_module(method: str) -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingExtraError(Problem(
            f"{method} needs pandas: pip install 'fortress-score[pandas]'")) from None


def rank_uncertainty(result: Result, draws: int = 1000, *,
                     weights: float | Spread | AHPSteps = 0.2,
                     points: float | Spread = 0.0, seed: int = 0,
                     block: int = BLOCK) -> Uncertainty:
    """Score ``result``'s rows again under ``draws`` drawn weights (see the module doc)."""
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise FortressScoreError(Problem(f"draws must be a whole number ≥ 1; got {draws!r}"))
    spread = _spread(points, "points")
    if isinstance(spread, AHPSteps):
        raise FortressScoreError(Problem("fs.AHPSteps moves dimension weights: pass it as weights"))
    samples = draw_samples(result.rules, draws, _spread(weights, "weights"), spread, seed)
    rules, figures, table = result.rules, result.figures, result.table
    n = len(result)
    nominal = figures.rank
    ranked = ~np.isnan(nominal)
    largest = int(np.bincount(table.groups[ranked]).max()) if ranked.any() else 1
    ranks = np.zeros((draws, n), dtype=np.uint16 if largest < 2**16 else np.uint32)
    levels = tuple(range(max((r.stars for r in rules.ratings), default=0) + 1))
    star_counts = np.zeros(n * len(levels), dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    shift = np.zeros(draws)
    for start, stop, rank, stars in scored_draws(result, samples, block):
        ranks[start:stop] = rank
        rows = np.broadcast_to(np.arange(n), stars.shape)
        star_counts += np.bincount((rows * len(levels) + stars).ravel(),
                                   minlength=star_counts.size)
        first += (rank == 1.0).sum(axis=0)
        shift[start:stop] = mean_shift(rank, nominal)
    median, p05, p95 = _order_statistics(ranks, ranked, (0.5, 0.05, 0.95))
    return Uncertainty(result, samples, nominal, median, p05, p95, levels,
                       star_counts.reshape(n, len(levels)) / draws, first / draws, shift,
                       ranks)


def scored_draws(result: Result, samples: Samples, block: int = BLOCK
                 ) -> Iterator[tuple[int, int, npt.NDArray[np.int32], npt.NDArray[np.int64]]]:
    """(start, stop, ranks, stars) for each block of the draws of ``samples``, ranks and
    stars of shape (draws of the block, rows); ranks 0 where a row has no total."""
    if result.rolled_up:
        raise FortressScoreError(Problem(
            "a rolled-up card holds means of scored periods: ask the card of the periods "
            "scored (before roll_up)"))
    if result.figures.by_data:
        raise FortressScoreError(Problem(
            "this rule set weighs by the data (weighting method entropy or critic): its "
            "weights are worked out from each period's figures, not drawn around fixed ones"))
    attainment = list(result.figures.attainment)
    everywhere = [not np.isnan(a).any() for a in attainment]
    fixed = None
    if (samples.points == samples.points[:1]).all():  # one set of points: scored once
        fixed = dimension_part(result.rules, attainment, [float(p) for p in samples.points[0]],
                               everywhere)
    for start, stop in _blocks(len(samples), len(result), block):
        yield (start, stop, *_score_draws(result, samples, start, stop, fixed, everywhere))


def mean_shift(rank: npt.NDArray[Any], nominal: FloatArray) -> FloatArray:
    """(draws,): the mean absolute change of rank over the rows that have one."""
    ranked = ~np.isnan(nominal)
    if not ranked.any():
        return np.full(rank.shape[0], np.nan)
    if not ranked.all():
        rank, nominal = rank[:, ranked], nominal[ranked]
    moved = np.abs(rank - nominal.astype(np.int32))  # whole ranks: integer arithmetic
    return np.asarray(moved.sum(axis=1) / ranked.sum(), dtype=np.float64)


def _blocks(draws: int, rows: int, block: int) -> Iterator[tuple[int, int]]:
    step = max(1, block // max(rows, 1))
    for start in range(0, draws, step):
        yield start, min(start + step, draws)


def _score_draws(result: Result, samples: Samples, start: int, stop: int,
                 fixed: tuple[FloatArray, FloatArray] | None, everywhere: list[bool]
                 ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """Ranks (0 where a row has no total) and stars, (draws, rows), of draws
    ``start:stop``; ``fixed``: the dimension scores and possible points where the points
    are not drawn."""
    rules, figures, table = result.rules, result.figures, result.table
    count, n = stop - start, len(result)
    if fixed is None:
        drawn = samples.points[start:stop]
        fixed = dimension_part(rules, list(figures.attainment),
                               [drawn[:, k:k + 1] for k in range(drawn.shape[1])], everywhere)
    weights: list[float | FloatArray] = [samples.weights[start:stop, d:d + 1]
                                         for d in range(samples.weights.shape[1])]
    core = total_part(rules, fixed[0], fixed[1], weights)
    _, total = finish_total(rules, core.base_total, figures.adjustment_points, figures.vetoed)
    steps = half_up_steps(np.broadcast_to(total, (count, n)), rules.precision)
    reported = steps / 10.0**rules.precision  # round_half_up(total), as decide() reports it
    stars = star_levels(rules, reported, figures.vetoed)
    # each draw its own peer populations: draw k's groups numbered k·G + g
    groups = (np.arange(count, dtype=np.int64)[:, None] * table.n_groups
              + table.groups[None, :]).ravel()
    flat = steps.ravel()
    valid = ~np.isnan(flat)
    if not valid.any():
        return np.zeros((count, n), dtype=np.int32), stars
    span = float(np.nanmax(flat) - np.nanmin(flat)) + 1
    if count * table.n_groups * span <= 4 * flat.size and np.nanmax(np.abs(flat)) < 2**53:
        whole = (flat if valid.all() else np.where(valid, flat, 0.0)).astype(np.int64)
        rank = whole_rank_of_steps(whole, valid, groups, count * table.n_groups)
    else:  # many groups or a wide range of totals: sort instead
        sorted_rank = competition_rank(reported.ravel(), groups, descending=True)
        rank = np.nan_to_num(sorted_rank, nan=0.0).astype(np.int32)
    return rank.reshape(count, n), stars


def _order_statistics(ranks: npt.NDArray[Any], ranked: npt.NDArray[np.bool_],
                      quantiles: tuple[float, ...]) -> list[FloatArray]:
    """For each row (column of ``ranks``), the smallest rank r that at least a share q of
    the draws have at r or better; NaN for rows never ranked."""
    draws, n = ranks.shape
    out = [np.full(n, np.nan) for _ in quantiles]
    positions = [max(math.ceil(q * draws) - 1, 0) for q in quantiles]
    step = max(1, ORDER_BLOCK // max(draws, 1))
    for start in range(0, n, step):
        stop = min(start + step, n)
        part = np.ascontiguousarray(ranks[:, start:stop].T)  # a row's draws side by side
        if part.dtype == np.uint16:  # numpy sorts 16-bit integers by radix: linear, and
            part.sort(axis=1, kind="stable")  # measured faster than a partition here
        else:
            part.partition(sorted(set(positions)), axis=1)
        for o, position in zip(out, positions):
            o[start:stop] = part[:, position]
    for o in out:
        o[~ranked] = np.nan
    return out
