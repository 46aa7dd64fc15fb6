"""The 支部点赞台 ("likes" board): commendations the rule file declares, each with its reason.

Each kind is a whole-array test over the Scorecard (time order from :mod:`history`), so
the board of a province costs a few sorts, not a loop per branch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .boards import ATTAINMENT_DECIMALS, _chosen_rows
from .groupwise import competition_rank
from .history import _python
from .rules import Commendation
from .scoring import round_half_up

if TYPE_CHECKING:
    from .scorecard import Scorecard

__all__ = ["commendations"]


def commendations(card: Scorecard, period: Any = None) -> list[dict[str, Any]]:
    """Every commendation earned, in rule-file order then row order; one period if given.

    Raises:
        PeriodError: ``period`` is not in the data (or the rule set has no periods).
    """
    rules, table = card.rules, card.table
    chosen = np.ones(len(card), dtype=bool)
    if period is not None:
        chosen = _chosen_rows(card, card.to_columns(), period, None)
    result = []
    for entry in rules.commendations:
        earned, reason = _earned(card, entry)
        rows = np.flatnonzero(earned & chosen)
        for row, entity, at in zip(rows.tolist(), _python(table.entity[rows]),
                                   _python(table.period[rows]) if table.period is not None
                                   else [None] * rows.shape[0]):
            result.append({"entity": entity, "period": at, "id": entry.id, "title": entry.title,
                           "reason": reason(row)})
    return result


def _earned(card: Scorecard, entry: Commendation) -> tuple[npt.NDArray[np.bool_], Any]:
    f, rules = card.figures, card.rules
    if entry.kind == "full_attainment":
        assert entry.indicator is not None  # the model requires it for this kind
        i = [ind.id for _, ind in rules.indicators].index(entry.indicator)
        title = rules.indicators[i][1].title or entry.indicator
        full = round_half_up(np.nan_to_num(f.attainment[i], nan=0.0), ATTAINMENT_DECIMALS) >= 1.0
        return full, lambda row: f"full attainment on {title}"
    time = card.time_order
    order, same_run = time.order, time.same_run
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
    # biggest_rise: against the previous period present, placed within each period
    total, previous = f.reported_total, time.previous
    rise = np.where(previous >= 0, round_half_up(total - total[previous], rules.precision), np.nan)
    with np.errstate(invalid="ignore"):  # a rise is more than 0, and at least min_rise
        rise = np.where((rise > 0) & (rise >= entry.min_rise), rise, np.nan)
    periods = card.table.period
    assert periods is not None  # time_order refused a card without periods
    codes = np.unique(periods.astype(str), return_inverse=True)[1].reshape(-1).astype(np.int64)
    place = competition_rank(rise, codes, descending=True)
    top = ~np.isnan(place) & (place <= entry.top)
    return top, lambda row: (f"total rose by {rise[row]:g} points since "
                             f"{periods[previous[row]]}")
