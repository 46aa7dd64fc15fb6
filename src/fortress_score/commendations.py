"""The 支部点赞台 ("likes" board): commendations the rule file declares, each with its reason.

Each kind is a whole-array test over the Scorecard (time order from :mod:`history`), so
the board of a province costs a few sorts, not a loop per branch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .groupwise import competition_rank
from .history import _in_time_order, _plain
from .rules import Commendation

if TYPE_CHECKING:
    from .scorecard import Scorecard

__all__ = ["commendations"]


def commendations(card: Scorecard, period: Any = None) -> list[dict[str, Any]]:
    """Every commendation earned, in rule-file order then row order; one period if given."""
    rules, table = card.rules, card.table
    chosen = np.ones(len(card), dtype=bool)
    if period is not None and table.period is not None:
        chosen = table.period.astype(str) == str(period)
    result = []
    for entry in rules.commendations:
        earned, reasons = _earned(card, entry)
        for row in np.flatnonzero(earned & chosen).tolist():
            result.append({
                "entity": _plain(table.entity[row]),
                "period": _plain(table.period[row]) if table.period is not None else None,
                "id": entry.id, "title": entry.title, "reason": reasons(row),
            })
    return result


def _earned(card: Scorecard, entry: Commendation) -> tuple[npt.NDArray[np.bool_], Any]:
    f, rules = card.figures, card.rules
    if entry.kind == "full_attainment":
        assert entry.indicator is not None  # the model requires it for this kind
        i = [ind.id for _, ind in rules.indicators].index(entry.indicator)
        title = rules.indicators[i][1].title or entry.indicator
        full = np.round(np.nan_to_num(f.attainment[i], nan=0.0), 4) >= 1.0
        return full, lambda row: f"full attainment on {title}"
    _, order, (same_run, _) = _in_time_order(card)
    if entry.kind == "first_stars":
        assert entry.stars is not None
        reached = (f.stars >= entry.stars)[order]
        position = np.arange(order.shape[0])
        run_start = np.maximum.accumulate(np.where(same_run, 0, position))  # an entity's first row
        reached_earlier: npt.NDArray[np.int64] = np.cumsum(reached) - reached  # all runs so far
        reached_before = reached_earlier - reached_earlier[run_start] > 0
        first = np.zeros(len(card), dtype=bool)
        first[order] = reached & ~reached_before
        return first, lambda row: f"first time at {entry.stars} stars"
    # biggest_rise: against the previous period present, ranked within each period
    total = f.reported_total
    previous = np.full(len(card), -1)
    previous[order[1:]] = np.where(same_run[1:], order[:-1], -1)
    rise = np.where(previous >= 0, total - total[previous], np.nan)
    rise = np.round(rise, rules.precision)
    with np.errstate(invalid="ignore"):  # a rise is more than 0, and at least min_rise
        rise = np.where((rise > 0) & (rise >= entry.min_rise), rise, np.nan)
    periods = card.table.period
    codes = np.unique(periods.astype(str), return_inverse=True)[1].reshape(-1).astype(np.int64) \
        if periods is not None else np.zeros(len(card), dtype=np.int64)
    place = competition_rank(rise, codes, descending=True)
    top = ~np.isnan(place) & (place <= entry.top)
    return top, lambda row: (f"total rose by {rise[row]:g} points since "
                             f"{_plain(periods[previous[row]]) if periods is not None else 'before'}")
