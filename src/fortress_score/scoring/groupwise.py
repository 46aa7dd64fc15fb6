"""Vectorised kernels over peer groups: competition ranks and min/max, by sorting, O(n log n).

Used by the population evaluators (``rank``, ``minmax``) and by the Scorecard's ranks, and
offered to plug-in authors who write population evaluators of their own. No Python loop
runs per row or per group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["competition_rank", "competition_rank_of_steps", "group_count", "group_min_max",
           "whole_rank_of_steps"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def competition_rank(values: FloatArray, groups: IntArray, *, descending: bool) -> FloatArray:
    """Rank within each group: 1 = best, ties share the best rank (1, 2, 2, 4).

    Args:
        values: float64, one a row; NaN rows are not ranked (NaN out) and take no place.
        groups: int64 group code a row.
        descending: True when the largest value ranks first.

    Returns:
        float64 ranks, NaN where the value is NaN.
    """
    n = values.shape[0]
    ranks = np.full(n, np.nan)
    if n == 0:
        return ranks
    key = -values if descending else values
    order = np.lexsort((key, groups))  # NaN sorts last inside its group
    sorted_key = key[order]
    sorted_groups = groups[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = sorted_groups[1:] != sorted_groups[:-1]
    new_run = new_group.copy()
    new_run[1:] |= sorted_key[1:] != sorted_key[:-1]
    position = np.arange(n)
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    run_start = np.maximum.accumulate(np.where(new_run, position, 0))
    ranks[order] = (run_start - group_start + 1).astype(np.float64)
    ranks[np.isnan(values)] = np.nan
    return ranks


def competition_rank_of_steps(steps: IntArray, valid: npt.NDArray[np.bool_], groups: IntArray,
                              n_groups: int) -> FloatArray:
    """:func:`competition_rank` (descending) of whole-number values that span few steps, by
    counting instead of sorting: O(rows + groups × steps).

    Args:
        steps: int64 values (a total in units of its last reported digit, say); only the
            ``valid`` rows are read.
        valid: rows ranked; the others get NaN.
        groups: int64 group code a row, below ``n_groups``.

    Returns:
        float64 ranks: 1 + the number of rows of the group with a larger value.
    """
    whole = whole_rank_of_steps(steps, valid, groups, n_groups)
    return np.where(valid, whole, np.nan)


def whole_rank_of_steps(steps: IntArray, valid: npt.NDArray[np.bool_], groups: IntArray,
                        n_groups: int) -> npt.NDArray[np.int32]:
    """:func:`competition_rank_of_steps` as int32, 0 where a row is not ranked: no float
    pass, for callers that rank many times over (weights drawn again and again)."""
    every = bool(valid.all())
    if not every and not valid.any():
        return np.zeros(steps.shape[0], dtype=np.int32)
    kept, kept_groups = (steps, groups) if every else (steps[valid], groups[valid])
    low = int(kept.min())
    levels = int(kept.max()) - low + 1
    index: type[np.signedinteger[Any]] = np.int32 if n_groups * levels < 2**31 else np.int64
    cell: npt.NDArray[np.signedinteger[Any]] = kept_groups.astype(index)
    cell *= levels
    cell += (kept - low).astype(index)
    counts = np.bincount(cell, minlength=n_groups * levels).reshape(n_groups, levels)
    # rows of the group with a larger value: the group's rows less those at or below it
    at_or_below = np.cumsum(counts, axis=1, dtype=np.int32)
    larger = at_or_below[:, -1:] - at_or_below
    larger += 1
    ranked = np.asarray(np.take(larger.ravel(), cell), dtype=np.int32)
    if every:
        return ranked
    ranks = np.zeros(steps.shape[0], dtype=np.int32)
    ranks[valid] = ranked
    return ranks


def group_count(valid: npt.NDArray[np.bool_], groups: IntArray, n_groups: int) -> IntArray:
    """How many ``valid`` rows each group has, broadcast back to the rows."""
    per_group = np.bincount(groups[valid], minlength=n_groups)
    return per_group[groups]


def group_min_max(
    values: FloatArray, groups: IntArray, n_groups: int
) -> tuple[FloatArray, FloatArray]:
    """Each row's group minimum and maximum over the group's non-NaN values (NaN if none)."""
    valid = ~np.isnan(values)
    low = np.full(n_groups, np.nan)
    high = np.full(n_groups, np.nan)
    kept_values = values[valid]
    kept_groups = groups[valid]
    if kept_values.size:
        order = np.lexsort((kept_values, kept_groups))
        sorted_values = kept_values[order]
        sorted_groups = kept_groups[order]
        first = np.ones(sorted_groups.size, dtype=bool)
        first[1:] = sorted_groups[1:] != sorted_groups[:-1]
        last = np.ones(sorted_groups.size, dtype=bool)
        last[:-1] = first[1:]
        low[sorted_groups[first]] = sorted_values[first]
        high[sorted_groups[last]] = sorted_values[last]
    return low[groups], high[groups]
