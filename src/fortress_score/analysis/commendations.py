"""The 支部点赞台 ("likes" board): commendations the rule file declares, each with its reason.

Each kind is a whole-array test over the Result (time order from :mod:`.history`), so
the board of a province costs a few sorts, not a loop per branch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from ..keys import key_codes
from ..rules.model import Commendation
from ..scoring.groupwise import competition_rank
from ..scoring.model import round_half_up
from ..scoring.result import Result
from ..values import to_python
from .boards import ATTAINMENT_DECIMALS, chosen_rows
from .history import TimeOrder, time_order
from .records import to_columns

__all__ = ["commendations"]


def commendations(result: Result, period: Any = None,
                  time: TimeOrder | None = None) -> list[dict[str, Any]]:
    """Every commendation earned, in rule-file order then row order; one period if given.

    Raises:
        PeriodError: ``period`` is not in the data (or the rule set has no periods).
    """
    rules, table = result.rules, result.table
    chosen = np.ones(len(result), dtype=bool)
    if period is not None:
        chosen = chosen_rows(result, to_columns(result), period, None)
    if time is None and any(e.kind != "full_attainment" for e in rules.commendations):
        time = time_order(result)
    found = []
    for entry in rules.commendations:
        earned, reason = _earned(result, entry, time)
        rows = np.flatnonzero(earned & chosen)
        for row, entity, at in zip(rows.tolist(), to_python(table.entity[rows]),
                                   to_python(table.period[rows]) if table.period is not None
                                   else [None] * rows.shape[0]):
            found.append({"entity": entity, "period": at, "id": entry.id, "title": entry.title,
                           "reason": reason(row)})
    return found


def _earned(result: Result, entry: Commendation, time: TimeOrder | None
            ) -> tuple[npt.NDArray[np.bool_], Callable[[int], str]]:
    f, rules = result.figures, result.rules
    if entry.kind == "full_attainment":
        assert entry.indicator is not None  # the model requires it for this kind
        i = [ind.id for _, ind in rules.indicators].index(entry.indicator)
        title = rules.indicators[i][1].title or entry.indicator
        full = round_half_up(np.nan_to_num(f.attainment[i], nan=0.0), ATTAINMENT_DECIMALS) >= 1.0
        return full, lambda row: f"full attainment on {title}"
    assert time is not None  # made by the caller for every kind but full_attainment
    order, same_run = time.order, time.same_run
    if entry.kind == "first_stars":
        assert entry.stars is not None
        reached = (f.stars >= entry.stars)[order]
        position = np.arange(order.shape[0])
        run_start = np.maximum.accumulate(np.where(same_run, 0, position))  # an entity's first row
        reached_earlier: npt.NDArray[np.int64] = np.cumsum(reached) - reached  # all runs so far
        reached_before = reached_earlier - reached_earlier[run_start] > 0
        first = np.zeros(len(result), dtype=bool)
        first[order] = reached & ~reached_before
        return first, lambda row: f"first time at {entry.stars} stars"
    # biggest_rise: against the previous period present, placed within each period
    total, previous = f.reported_total, time.previous
    rise = np.where(previous >= 0, round_half_up(total - total[previous], rules.precision), np.nan)
    with np.errstate(invalid="ignore"):  # a rise is more than 0, and at least min_rise
        rise = np.where((rise > 0) & (rise >= entry.min_rise), rise, np.nan)
    periods = result.table.period
    assert periods is not None  # time_order refused a card without periods
    codes, _ = key_codes(periods)
    place = competition_rank(rise, codes, descending=True)
    top = ~np.isnan(place) & (place <= entry.top)
    return top, lambda row: (f"total rose by {rise[row]:g} points since "
                             f"{periods[previous[row]]}")
