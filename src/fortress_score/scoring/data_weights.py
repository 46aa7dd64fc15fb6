"""Weights from the data (``weighting`` method ``entropy`` or ``critic``), a set a period.

For a dimension whose indicators are weighted by the data, the population of a period is
its rows that have an attainment for every indicator of the dimension (after the missing
policy); for the dimensions, its rows where every dimension scores. Over that population,
per period:

* ``entropy`` (熵权法): each column min-max scaled within the period, p = x′/Σx′,
  eⱼ = −Σ p ln p / ln m (0 ln 0 = 0), w = (1 − e)/Σ(1 − e);
* ``critic``: the same scaling, σⱼ (ddof = 1), Pearson r, Cⱼ = σⱼ Σₖ(1 − rⱼₖ), w = C/ΣC,

exactly as :func:`fortress_score.weights.entropy` and :func:`~fortress_score.weights.critic`
would give on that period's rows. Where a period leaves nothing to weigh by — fewer than
two rows, every column constant (entropy), ΣC = 0 (CRITIC: equal shares among the columns
that vary) — its parts share equally, and every row of the period is scored with that
period's weights (100 × the share). Sums over a period run by ``np.bincount``: no loop a
period or a row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ..plugins.evaluator import FloatArray

__all__ = ["period_weights"]

IntArray = npt.NDArray[np.int64]


def period_weights(method: str, columns: Sequence[FloatArray], periods: IntArray,
                   n_periods: int) -> FloatArray:
    """(periods, parts): each period's shares by ``method`` over its complete rows."""
    x = np.column_stack(columns) if columns else np.zeros((periods.shape[0], 0))
    k = x.shape[1]
    complete = ~np.isnan(x).any(axis=1)
    g, x = periods[complete], x[complete]
    m = np.bincount(g, minlength=n_periods).astype(np.float64)
    if k == 0:
        return np.zeros((n_periods, 0))
    low = np.full((n_periods, k), np.inf)
    high = np.full((n_periods, k), -np.inf)
    np.minimum.at(low, g, x)
    np.maximum.at(high, g, x)
    span = high - low
    varies = (span > 0) & (m[:, None] >= 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(varies[g], (x - low[g]) / np.where(varies, span, 1.0)[g], 0.0)
    sums = _group_sums(scaled, g, n_periods)
    if method == "entropy":
        with np.errstate(invalid="ignore", divide="ignore"):
            p = scaled / np.where(sums > 0, sums, 1.0)[g]
            p_ln_p = p * np.log(np.where(p > 0, p, 1.0))
            e = -_group_sums(p_ln_p, g, n_periods) / np.log(np.where(m >= 2, m, 2.0))[:, None]
        score = np.where(varies & (sums > 0), np.maximum(1.0 - e, 0.0), 0.0)
        fallback = np.ones((n_periods, k))
    else:
        score, fallback = _critic(scaled, g, m, varies, sums, n_periods)
    total = score.sum(axis=1, keepdims=True)
    backup = fallback / fallback.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, score / np.where(total > 0, total, 1.0), backup)


def _critic(scaled: FloatArray, g: IntArray, m: FloatArray, varies: npt.NDArray[np.bool_],
            sums: FloatArray, n_periods: int) -> tuple[FloatArray, FloatArray]:
    """CRITIC's C a period a column, and the shares where ΣC = 0 (equal among the columns
    that vary, or among all where none does)."""
    k = scaled.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / np.where(m > 0, m, 1.0)[:, None]
        deviation = scaled - mean[g]
        spread = np.sqrt(_group_sums(deviation**2, g, n_periods)
                         / np.where(m >= 2, m - 1.0, 1.0)[:, None])
    spread = np.where(varies, spread, 0.0)
    conflict = np.zeros((n_periods, k))
    for j in range(k):  # a pair of indicators at a time (r is symmetric), every period at once
        for i in range(j + 1, k):  # 1 − r_jj = 0
            covariance = np.bincount(g, weights=deviation[:, j] * deviation[:, i],
                                     minlength=n_periods) / np.where(m >= 2, m - 1.0, 1.0)
            both = varies[:, j] & varies[:, i]
            with np.errstate(invalid="ignore", divide="ignore"):
                r = np.where(both, covariance / (spread[:, j] * spread[:, i]), 0.0)
            conflict[:, j] += 1.0 - r
            conflict[:, i] += 1.0 - r
    fallback = np.where(varies.any(axis=1, keepdims=True), varies.astype(np.float64), 1.0)
    return spread * conflict, fallback


def _group_sums(values: FloatArray, g: IntArray, n_periods: int) -> FloatArray:
    """(periods, columns): each column summed over each period's rows."""
    return np.column_stack([np.bincount(g, weights=values[:, j], minlength=n_periods)
                            for j in range(values.shape[1])]) if values.shape[1] else \
        np.zeros((n_periods, 0))
