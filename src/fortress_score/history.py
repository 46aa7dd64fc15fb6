"""Across periods: each row's change since the entity's previous period, and the 标杆 title.

Rows are put in (entity, granularity, period) order once by sorting; "previous" and
"consecutive" are then neighbours in that order, so no loop runs per entity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .columns import _key_codes, describe_rows
from .errors import PeriodError, Problem
from .periods import PeriodIndex, parse_periods

if TYPE_CHECKING:
    from .scorecard import Scorecard

__all__ = ["benchmarks", "trend"]


def _in_time_order(card: Scorecard) -> tuple[PeriodIndex, npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """The period index, the rows in (entity, granularity, ordinal) order, and for each
    position in that order whether the row before it is the same entity's previous period
    of the same granularity (contiguous: ordinal one less)."""
    rules, table = card.rules, card.table
    if table.period is None or rules.period is None:
        raise PeriodError(Problem("the rule set names no period column; there is no time order"))

    def rows_text(mask: npt.NDArray[np.bool_]) -> tuple[str, ...]:
        return describe_rows(np.flatnonzero(mask), table.entity, table.period, rules.entity,
                             rules.period)

    index = parse_periods(table.period, rows_text, rules.period)
    entity, _ = _key_codes(table.entity)
    order = np.lexsort((index.ordinal, index.granularity, entity))
    same_run = np.zeros(order.shape[0], dtype=bool)
    e, g, o = entity[order], index.granularity[order], index.ordinal[order]
    same_run[1:] = (e[1:] == e[:-1]) & (g[1:] == g[:-1])
    contiguous = same_run.copy()
    contiguous[1:] &= o[1:] == o[:-1] + 1
    return index, order, np.stack([same_run, contiguous])


def trend(card: Scorecard) -> list[dict[str, Any]]:
    """Change of total and stars against the entity's previous period present (None first)."""
    _, order, (same_run, _) = _in_time_order(card)
    total = card.figures.reported_total
    stars = card.figures.stars
    previous = np.full(order.shape[0], -1)
    previous[order[1:]] = np.where(same_run[1:], order[:-1], -1)
    table = card.table
    result = []
    for row in range(len(card)):
        before = int(previous[row])
        has = before >= 0
        change = total[row] - total[before] if has else np.nan
        result.append({
            "entity": _plain(table.entity[row]),
            "period": _plain(table.period[row]) if table.period is not None else None,
            "previous_period": _plain(table.period[before]) if has and table.period is not None else None,
            "total": None if np.isnan(total[row]) else float(total[row]),
            "total_change": None if not has or np.isnan(change) else
            float(np.round(change, card.rules.precision)),
            "stars": int(stars[row]),
            "stars_change": int(stars[row] - stars[before]) if has else None,
        })
    return result


def benchmarks(card: Scorecard) -> list[dict[str, Any]]:
    """Where an entity holds the benchmark stars for the required consecutive periods.

    A run counts periods of one granularity that follow each other without a gap, each at
    ``benchmark.stars`` or more and without a fired ``no_benchmark`` veto; the title is
    held at every period that ends a run at least ``benchmark.consecutive`` long.
    """
    rules = card.rules
    if rules.benchmark is None:
        return []
    _, order, (_, contiguous) = _in_time_order(card)
    barred = np.zeros(len(card), dtype=bool)
    for v, veto in enumerate(rules.vetoes):
        if veto.effect.no_benchmark:
            barred |= card.figures.vetoed[v]
    holds = ((card.figures.stars >= rules.benchmark.stars) & ~barred)[order]
    continues = holds & np.r_[False, holds[:-1]] & contiguous
    position = np.arange(order.shape[0])
    run_start = np.maximum.accumulate(np.where(continues, 0, position))
    run_length = np.where(holds, position - run_start + 1, 0)
    table = card.table
    return [
        {"entity": _plain(table.entity[row]),
         "period": _plain(table.period[row]) if table.period is not None else None,
         "title": rules.benchmark.title, "consecutive": int(length)}
        for row, length in zip(order.tolist(), run_length.tolist())
        if length >= rules.benchmark.consecutive
    ]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
