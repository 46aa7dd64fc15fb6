"""Objective weights from the data itself: the entropy weight method (熵权法) and CRITIC.

Both read a decision matrix X of m alternatives (rows: branches, units) by n criteria
(columns: indicators) and give the criteria weights summing to 1. ``benefit`` marks each
column as a benefit (True: more is better) or a cost (False: less is better) criterion;
None means every column is a benefit.

Entropy: a column whose values are spread unevenly over the rows separates the rows well
and weighs more; a column with the same value in every row tells them apart not at all
and weighs 0. CRITIC (D. Diakoulaki, G. Mavrotas & L. Papayannakis, "Determining objective
weights in multiple criteria problems: the CRITIC method", Computers & Operations Research
22(7), 1995): a column weighs more the more it varies (its standard deviation) and the less
it agrees with the other columns (1 − its correlations).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..errors import FortressScoreError, Problem, did_you_mean
from .ahp import _as_float_array, _number

__all__ = ["critic", "entropy"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NORMALISATIONS = ("minmax", "sum")

CRITIC_FLOOR = 1e-12
"""ΣC at or below this counts as 0 (no column conflicts with another): a min-max normalised
column that varies has a standard deviation of at least 1/√(2m), so a total this small only
comes of columns that are constant or perfectly positively correlated up to rounding."""


def entropy(
    X: npt.ArrayLike,
    benefit: Sequence[bool] | None = None,
    normalise: Literal["minmax", "sum"] = "minmax",
) -> FloatArray:
    """Entropy weights (熵权法) of the n columns of X, as Chinese evaluation schemes use them.

    With ``normalise="minmax"`` (the usual scheme), each column is first scaled to [0, 1]:
    ``x' = (x − min) / (max − min)``, cost columns reversed ``x' = (max − x) / (max − min)``.
    With ``normalise="sum"`` the raw values are used as they are (cost columns as ``1 / x``),
    which needs values ≥ 0 (> 0 in cost columns). Then, per column j::

        p_ij = x'_ij / Σ_i x'_ij
        e_j  = −Σ_i p_ij · ln p_ij / ln m        (0 · ln 0 = 0)
        w_j  = (1 − e_j) / Σ_k (1 − e_k)

    No shift (such as + 0.0001) is added before the logarithm: a row at a column's minimum
    takes p = 0 and adds nothing to the entropy.

    Degenerate cases: a constant column (max = min) carries no information: e_j = 1 and its
    weight is exactly 0. Every column constant, or fewer than 2 rows, leaves every weight
    0 / 0 and is refused. A rounding error that would make 1 − e_j slightly negative is
    taken as 0, so no weight is negative.

    Args:
        X: m × n, rows the alternatives, columns the criteria (nested lists or an array).
        benefit: n bools, False for a cost column; None for all benefit.
        normalise: ``"minmax"`` or ``"sum"`` (the sum scheme equals pymcdm's
            ``entropy_weights`` on positive benefit matrices).

    Returns:
        n float64 weights, each ≥ 0, summing to 1.

    Raises:
        FortressScoreError: naming every problem at once: X not 2-D or empty; fewer than
            2 rows; ``benefit`` of the wrong length or not bools; an unknown ``normalise``;
            every non-finite cell (``X[row][col]``, 0-based); with ``"sum"``, every negative
            cell and every 0 in a cost column; every column constant.

    >>> entropy([[1, 10], [2, 10], [3, 10]]).tolist()
    [1.0, 0.0]
    """
    problems: list[Problem] = []
    if normalise not in NORMALISATIONS:
        problems.append(Problem(
            f"must be 'minmax' or 'sum', found {normalise!r}"
            + did_you_mean(str(normalise), NORMALISATIONS), path="normalise"))
    x, is_benefit, cells = _decision_matrix(X, benefit, problems)
    if normalise == "sum":
        for r, c in np.argwhere(x < 0).tolist():
            cells.append(((r, c), Problem(
                f"the 'sum' scheme needs values ≥ 0, found {_number(x[r, c])}",
                path=f"X[{r}][{c}]")))
        for r, c in np.argwhere((x == 0) & ~is_benefit).tolist():
            cells.append(((r, c), Problem(
                "the 'sum' scheme takes a cost column as 1/x, which needs values > 0, found 0",
                path=f"X[{r}][{c}]")))
    problems += [problem for _, problem in sorted(cells, key=lambda cell: cell[0])]
    if problems:
        raise FortressScoreError(problems)
    m = x.shape[0]
    x = _unit_columns(x)
    low = x.min(axis=0)
    high = x.max(axis=0)
    constant = high == low
    _refuse_all_constant(constant)
    if normalise == "minmax":
        span = np.where(constant, 1.0, high - low)
        scaled = np.where(is_benefit, x - low, high - x) / span
    else:
        scaled = np.where(is_benefit, x, 1.0 / np.where(x > 0, x, 1.0))
    totals = scaled.sum(axis=0)
    p = scaled / np.where(totals > 0, totals, 1.0)
    p_ln_p = p * np.log(np.where(p > 0, p, 1.0))  # 0 · ln 0 = 0, without a warning
    e = -p_ln_p.sum(axis=0) / np.log(m)
    divergence = np.where(constant, 0.0, np.maximum(1.0 - e, 0.0))
    total = float(divergence.sum())
    if not total > 0:
        raise FortressScoreError(Problem(
            "no column separates the rows: every column's entropy is 1 up to rounding "
            "(values all but equal), so the weights are 0 / 0", path="X"))
    return np.asarray(divergence / total, dtype=np.float64)


def critic(X: npt.ArrayLike, benefit: Sequence[bool] | None = None) -> FloatArray:
    """CRITIC weights (Criteria Importance Through Intercriteria Correlation) of X's columns.

    Each column is min-max normalised, ``z = (x − min) / (max − min)`` (cost columns
    reversed, ``(max − x) / (max − min)``); then::

        σ_j  = standard deviation of column j of z (ddof = 1)
        r_jk = Pearson correlation of columns j and k of z
        C_j  = σ_j · Σ_k (1 − r_jk)
        w_j  = C_j / Σ_k C_k

    This equals pymcdm's ``critic_weights`` (same normalisation, same ddof) on benefit
    columns; a cost column gives what pymcdm gives for the negated column.

    Degenerate cases: a constant column has σ = 0, so C_j = 0 and its weight is 0; its
    correlations with the other columns are undefined (0 / 0) and are taken as 0, so it
    adds 1 to each other column's Σ_k (1 − r_jk). Every column constant, or fewer than 2
    rows, is refused. When no column conflicts with another — every varying column
    perfectly positively correlated with every other, a single varying column included —
    every C_j is 0 and the formula gives 0 / 0; such columns are identical once min-max
    normalised, so they share the weight equally (each varying column 1 / their number;
    ΣC ≤ :data:`CRITIC_FLOOR` counts as 0). This is what pymcdm's ``critic_weights``
    gives for identical columns, by symmetry of its rounding errors.

    Args:
        X: m × n, rows the alternatives, columns the criteria (nested lists or an array).
        benefit: n bools, False for a cost column; None for all benefit.

    Returns:
        n float64 weights, each ≥ 0, summing to 1.

    Raises:
        FortressScoreError: naming every problem at once: X not 2-D or empty; fewer than
            2 rows; ``benefit`` of the wrong length or not bools; every non-finite cell
            (``X[row][col]``, 0-based); every column constant.

    >>> critic([[1, 3], [2, 1], [3, 2]]).round(6).tolist()
    [0.5, 0.5]
    """
    problems: list[Problem] = []
    x, is_benefit, cells = _decision_matrix(X, benefit, problems)
    problems += [problem for _, problem in cells]
    if problems:
        raise FortressScoreError(problems)
    x = _unit_columns(x)
    low = x.min(axis=0)
    high = x.max(axis=0)
    constant = high == low
    _refuse_all_constant(constant)
    span = np.where(constant, 1.0, high - low)
    z = np.where(constant, 0.0, np.where(is_benefit, x - low, high - x) / span)
    sigma = z.std(axis=0, ddof=1)
    centred = z - z.mean(axis=0)
    length = np.sqrt((centred * centred).sum(axis=0))
    unit = centred / np.where(length > 0, length, 1.0)  # a constant column stays 0: r = 0
    r = np.clip(unit.T @ unit, -1.0, 1.0)
    information = np.where(constant, 0.0, sigma * (1.0 - r).sum(axis=0))
    total = float(information.sum())
    if not total > CRITIC_FLOOR:  # no conflict: the varying columns are one column, z-wise
        varying = ~constant
        return np.asarray(varying / varying.sum(), dtype=np.float64)
    return np.asarray(information / total, dtype=np.float64)


def _decision_matrix(
    X: npt.ArrayLike, benefit: Sequence[bool] | None, problems: list[Problem]
) -> tuple[FloatArray, BoolArray, list[tuple[tuple[int, int], Problem]]]:
    """X as m × n float64, the benefit flags, and the non-finite cells keyed by place.

    Structural problems (shape, rows, ``benefit``) refuse at once, together with any the
    caller already found in ``problems``; cell problems are returned for the caller to
    raise with its own."""
    x = _as_float_array(X, "X", square=False)
    if x.size == 0 or x.ndim != 2:
        problems.append(Problem(
            f"is empty (shape {x.shape}): there is nothing to weigh" if x.size == 0 else
            f"must be 2-D (rows the alternatives, columns the criteria), found shape {x.shape}",
            path="X"))
        raise FortressScoreError(problems)
    m, n = x.shape
    if m < 2:
        problems.append(Problem(
            "has 1 row: weights from the data need at least 2 rows to compare (with one row "
            "every column is constant)", path="X"))
    is_benefit = np.ones(n, dtype=bool)
    if benefit is not None:
        flags = list(benefit) if not isinstance(benefit, str) else [benefit]
        if len(flags) != n:
            problems.append(Problem(
                f"must give one flag per column ({n}), found {len(flags)}", path="benefit"))
        else:
            for c, flag in enumerate(flags):
                if not isinstance(flag, (bool, np.bool_)):
                    problems.append(Problem(
                        f"must be True (benefit) or False (cost), found {flag!r}",
                        path=f"benefit[{c}]"))
                else:
                    is_benefit[c] = bool(flag)
    if problems:
        raise FortressScoreError(problems)
    cells = [((r, c), Problem(f"must be a finite number, found {_number(x[r, c])}",
                              path=f"X[{r}][{c}]"))
             for r, c in np.argwhere(~np.isfinite(x)).tolist()]
    return x, is_benefit, cells


def _unit_columns(x: FloatArray) -> FloatArray:
    """Each column divided by its largest |value|, into [−1, 1]: both methods are blind to a
    column's unit, and differences and sums of values near 1e308 no longer overflow."""
    largest = np.abs(x).max(axis=0)
    return np.asarray(x / np.where(largest > 0, largest, 1.0), dtype=np.float64)


def _refuse_all_constant(constant: BoolArray) -> None:
    if np.all(constant):
        raise FortressScoreError(Problem(
            "every column is constant: no column separates the rows, so every weight would "
            "be 0 / 0", path="X"))
