"""Across periods: each row's change since the entity's previous period, and the 标杆 title.

Rows are put in (entity, granularity, period) order once by sorting; "previous" and
"consecutive" are then neighbours in that order, so no loop runs per entity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import PeriodError, Problem
from ..keys import key_codes
from ..periods import parse_periods
from ..scoring.model import round_half_up
from ..scoring.result import Result
from ..values import to_python

__all__ = ["TimeOrder", "benchmarks", "time_order", "trend"]


@dataclass(frozen=True)
class TimeOrder:
    """Rows in (entity, granularity, period) order, and who follows whom.

    Attributes:
        order: row positions in that order.
        same_run: at each position, whether the row before it is the same entity (and
            granularity): its previous period present.
        contiguous: ``same_run`` and exactly one period before (no gap).
        previous: for each row (in row order), the row of its previous period present, -1
            for an entity's first.
    """

    order: npt.NDArray[np.intp]
    same_run: npt.NDArray[np.bool_]
    contiguous: npt.NDArray[np.bool_]
    previous: npt.NDArray[np.intp]


def time_order(result: Result) -> TimeOrder:
    """Sort the rows once by entity and period; PeriodError if a label is not a period."""
    rules, table = result.rules, result.table
    if table.period is None or rules.period is None:
        raise PeriodError(Problem("the rule set names no period column; there is no time order"))
    index = parse_periods(table.period, result.describe_rows, rules.period)
    entity, _ = key_codes(table.entity)
    order = np.lexsort((index.ordinal, index.granularity, entity))
    same_run = np.zeros(order.shape[0], dtype=bool)
    e, g, o = entity[order], index.granularity[order], index.ordinal[order]
    same_run[1:] = (e[1:] == e[:-1]) & (g[1:] == g[:-1])
    contiguous = same_run.copy()
    contiguous[1:] &= o[1:] == o[:-1] + 1
    previous = np.full(order.shape[0], -1, dtype=np.intp)
    previous[order[1:]] = np.where(same_run[1:], order[:-1], -1)
    return TimeOrder(order, same_run, contiguous, previous)


def trend(result: Result, time: TimeOrder | None = None) -> list[dict[str, Any]]:
    """Change of total and stars against the entity's previous period present (None first)."""
    previous = (time or time_order(result)).previous
    has = previous >= 0
    before = np.where(has, previous, 0)
    total, stars = result.figures.reported_total, result.figures.stars
    change = np.where(has, round_half_up(total - total[before], result.rules.precision), np.nan)
    period = result.table.period
    assert period is not None  # time_order refused a card without periods
    columns = {
        "entity": to_python(result.table.entity),
        "period": to_python(period),
        "previous_period": [p if h else None for p, h in zip(to_python(period[before]), has.tolist())],
        "total": to_python(total),
        "total_change": to_python(change),
        "stars": stars.tolist(),
        "stars_change": [d if h else None for d, h in zip((stars - stars[before]).tolist(),
                                                          has.tolist())],
    }
    return [dict(zip(columns, row)) for row in zip(*columns.values())]


def benchmarks(result: Result, time: TimeOrder | None = None) -> list[dict[str, Any]]:
    """Where an entity holds the benchmark stars for the required consecutive periods.

    A run counts periods of one granularity that follow each other without a gap, each at
    ``benchmark.stars`` or more and without a fired ``no_benchmark`` veto; the title is
    held at every period that ends a run at least ``benchmark.consecutive`` long.
    """
    rules = result.rules
    if rules.benchmark is None:
        return []
    time = time or time_order(result)
    order, contiguous = time.order, time.contiguous
    barred = np.zeros(len(result), dtype=bool)
    for v, veto in enumerate(rules.vetoes):
        if veto.effect.no_benchmark:
            barred |= result.figures.vetoed[v]
    holds = ((result.figures.stars >= rules.benchmark.stars) & ~barred)[order]
    continues = holds & np.r_[False, holds[:-1]] & contiguous
    position = np.arange(order.shape[0])
    run_start = np.maximum.accumulate(np.where(continues, 0, position))
    run_length = np.where(holds, position - run_start + 1, 0)
    held = run_length >= rules.benchmark.consecutive
    rows = order[held]
    return [
        {"entity": entity, "period": period, "title": rules.benchmark.title, "consecutive": n}
        for entity, period, n in zip(to_python(result.table.entity[rows]),
                                     to_python(result.table.period[rows]),  # type: ignore[index]
                                     run_length[held].tolist())
    ]
