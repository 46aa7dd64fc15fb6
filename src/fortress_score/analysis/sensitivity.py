"""Which weight a rank owes most to: variance-based sensitivity indices.

Each uncertain parameter (a dimension's weight, and an indicator's points where those are
drawn too) is a factor f times its declared value, f uniform in [1 − s, 1 + s],
independently. For an output Y (a row's rank, or the board's mean absolute rank shift),
with N base samples in two matrices A and B and, for each parameter i, the matrix A_B⁽ⁱ⁾
(A with column i from B), the card is scored N·(k + 2) times and

* the first-order index (Saltelli et al. 2010):
  Sᵢ = mean(f(B) · (f(A_B⁽ⁱ⁾) − f(A))) / V,
* the total index (Jansen 1999): STᵢ = mean((f(A) − f(A_B⁽ⁱ⁾))²) / (2V),

where V is the variance of f over A and B together. Sᵢ is the share of the output's
variance that parameter i explains alone, STᵢ the share it has a hand in, interactions
included (Sᵢ ≤ STᵢ, up to sampling error). An output that never moves has no variance to
share: its indices are NaN. The draws run through the same block scoring as
:mod:`.uncertainty`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import FortressScoreError, Problem
from ..scoring.result import Result
from .uncertainty import BLOCK, Samples, Uniform, mean_shift, pandas_module, scored_draws

__all__ = ["Sensitivity", "rank_sensitivity", "sobol_indices"]

FloatArray = npt.NDArray[np.float64]


def sobol_indices(f_a: FloatArray, f_b: FloatArray,
                  f_ab: FloatArray) -> tuple[FloatArray, FloatArray]:
    """First-order and total indices from model outputs (see the module doc).

    Args:
        f_a, f_b: (N, ...) outputs at A and at B.
        f_ab: (k, N, ...) outputs at A_B⁽ⁱ⁾ for each parameter i.

    Returns:
        (first, total), each (k, ...); NaN where the output has no variance.
    """
    variance = np.var(np.concatenate([f_a, f_b]), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.mean(f_b[None] * (f_ab - f_a[None]), axis=1) / variance
        total = np.mean((f_a[None] - f_ab) ** 2, axis=1) / (2 * variance)
    none = variance <= 0
    return (np.asarray(np.where(none, np.nan, first), dtype=np.float64),
            np.asarray(np.where(none, np.nan, total), dtype=np.float64))


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity indices of each row's rank and of the board's mean rank shift.

    Attributes:
        result: the scored card.
        parameters: ``weight.<dimension>`` (and ``points.<indicator>``) in order.
        first_order, total: (rows, parameters): the indices of each row's rank.
        board_first_order, board_total: (parameters,): the indices of the board's mean
            absolute rank shift from the nominal ranks.
        base_samples: N, the rows of A and of B (the card was scored N·(k + 2) times).
    """

    result: Result
    parameters: tuple[str, ...]
    first_order: FloatArray
    total: FloatArray
    board_first_order: FloatArray
    board_total: FloatArray
    base_samples: int

    def to_columns(self) -> dict[str, npt.NDArray[Any]]:
        """Long form: one row a (row of the card, parameter), then the board's rows with
        entity ``None``: entity, period, group, parameter, first_order, total."""
        r, k = self.result, len(self.parameters)
        n = len(r)
        columns: dict[str, npt.NDArray[Any]] = {
            "entity": np.concatenate([np.repeat(r.table.entity.astype(object), k),
                                      np.full(k, None, dtype=object)])}
        for name, values in (("period", r.table.period), ("group", r.table.group)):
            if values is not None:
                columns[name] = np.concatenate([np.repeat(values.astype(object), k),
                                                np.full(k, None, dtype=object)])
        columns["parameter"] = np.array(list(self.parameters) * (n + 1), dtype=object)
        columns["first_order"] = np.concatenate([self.first_order.ravel(),
                                                 self.board_first_order])
        columns["total"] = np.concatenate([self.total.ravel(), self.board_total])
        return columns

    def to_pandas(self) -> Any:
        """:meth:`to_columns` as a pandas DataFrame (needs pandas)."""
        return pandas_module("Sensitivity.to_pandas").DataFrame(self.to_columns())

    def __repr__(self) -> str:
        shown = ", ".join(f"{p} S={s:.2f} ST={t:.2f}" for p, s, t in
                          zip(self.parameters, self.board_first_order, self.board_total))
        return f"<Sensitivity of the board's mean rank shift: {shown}>"


def rank_sensitivity(result: Result, samples: int = 256, *, weights: float = 0.2,
                     points: float = 0.0, seed: int = 0, block: int = BLOCK) -> Sensitivity:
    """Sensitivity indices of ranks to the weights (and points), see the module doc."""
    for name, share in (("weights", weights), ("points", points)):
        if not isinstance(share, (int, float)) or isinstance(share, bool):
            raise FortressScoreError(Problem(
                f"{name} must be a share in [0, 1) (independent uniform factors: the "
                f"indices need independent parameters); got {share!r}"))
        Uniform(share)  # refuses a share outside [0, 1)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise FortressScoreError(Problem(f"samples must be a whole number ≥ 2; got {samples!r}"))
    rules = result.rules
    declared_w = np.array([d.weight for d in rules.dimensions], dtype=np.float64)
    declared_p = np.array([ind.points for _, ind in rules.indicators], dtype=np.float64)
    names = [f"weight.{d.id}" for d in rules.dimensions]
    spreads = [weights] * len(names)
    if points > 0:
        names += [f"points.{ind.id}" for _, ind in rules.indicators]
        spreads += [points] * len(declared_p)
    k = len(names)
    if k == 0:
        raise FortressScoreError(Problem("the rule set has no weights to vary"))
    rng = np.random.default_rng(seed)
    half = np.asarray(spreads)
    a = 1.0 + half * rng.uniform(-1.0, 1.0, size=(samples, k))
    b = 1.0 + half * rng.uniform(-1.0, 1.0, size=(samples, k))
    mixed = np.repeat(a[None], k, axis=0)
    mixed[np.arange(k), :, np.arange(k)] = b[:, np.arange(k)].T
    factors = np.concatenate([a, b, mixed.reshape(k * samples, k)])
    n_w = len(declared_w)
    drawn_points = (declared_p * factors[:, n_w:] if points > 0
                    else np.broadcast_to(declared_p, (len(factors), len(declared_p))).copy())
    plan = Samples(declared_w * factors[:, :n_w], drawn_points,
                   tuple(d.id for d in rules.dimensions),
                   tuple(ind.id for _, ind in rules.indicators))
    ranks = np.empty((len(factors), len(result)), dtype=np.float32)  # whole ranks: exact
    shift = np.empty(len(factors))
    for start, stop, rank, _ in scored_draws(result, plan, block):
        ranks[start:stop] = np.where(rank > 0, rank, np.nan)
        shift[start:stop] = mean_shift(rank, result.figures.rank)
    n = len(result)
    first, total = np.empty((k, n)), np.empty((k, n))
    step = max(1, BLOCK // max(len(factors), 1))
    for start in range(0, n, step):  # a few rows at a time in float64: memory stays bounded
        part = ranks[:, start:start + step].astype(np.float64)
        f_ab = part[2 * samples:].reshape(k, samples, part.shape[1])
        first[:, start:start + step], total[:, start:start + step] = sobol_indices(
            part[:samples], part[samples:2 * samples], f_ab)
    board_first, board_total = sobol_indices(shift[:samples], shift[samples:2 * samples],
                                             shift[2 * samples:].reshape(k, samples))
    return Sensitivity(result, tuple(names), first.T, total.T, board_first, board_total,
                       samples)
