"""Boards (晾晒): the leaderboard and the red and black lists, built from a Result.

A board is a selection of the Result's records put in board order. Each record is the
dict :meth:`Scorecard.to_records` gives for that row, plus ``"value"`` (the figure the board
ranks by) and ``"place"`` (the board position, competition-ranked: ties share the best
place, 1, 2, 2, 4). Places are counted among the rows the board returns, within each
period; the record's own ``rank`` stays the scored rank (within period and group).

Choosing, placing and ordering rows is whole-array numpy (masks, one competition-rank
sort, one ``np.lexsort``); only the records of the rows kept are built one at a time, so
the top ten of a million rows costs a few sorts, not a million dicts.

Examples:
    >>> import fortress_score as fs
    >>> from fortress_score.analysis.boards import leaderboard
    >>> rules = {"ruleset": "demo", "entity": "branch", "dimensions": [
    ...     {"id": "work", "weight": 1, "indicators": [{"id": "tasks", "points": 10,
    ...      "evaluate": {"kind": "ratio", "numerator": "done", "denominator": "planned"}}]}]}
    >>> card = fs.score(rules, {"branch": ["C", "A", "B"], "done": [4, 3, 4],
    ...                         "planned": [4, 4, 4]})
    >>> [(row["place"], row["entity"], row["value"]) for row in leaderboard(card)]
    [(1, 'B', 100.0), (1, 'C', 100.0), (3, 'A', 75.0)]
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import DataError, PeriodError, Problem, did_you_mean, shown
from ..keys import key_codes, matching
from ..periods import wanted_period
from ..scoring.groupwise import competition_rank
from ..scoring.model import round_half_up
from ..scoring.result import HasResult, Result, result_of
from .records import to_columns, to_records

__all__ = ["ATTAINMENT_DECIMALS", "black_list", "chosen_rows", "leaderboard", "red_list"]

ATTAINMENT_DECIMALS = 4
"""Attainment is compared (and reported on the red and black lists) rounded half up to this
many decimals, so that 13/16 and 0.8125 written by hand tie, and float noise such as
0.30000000000000004 against 0.3 does not split a tie at the cut."""

_LISTED = 20
"""How many known periods, groups or ids an error message lists before "…"."""

Columns = dict[str, npt.NDArray[Any]]
Record = dict[str, Any]


def leaderboard(
    card: Result | HasResult,
    period: Any = None,
    group: Any = None,
    top: int | None = None,
    by: str = "total",
) -> list[Record]:
    """The board (排行榜): the rows of one period and one group, best first.

    Args:
        card: the scored rows.
        period: one period (compared as text; a number also matches a numeric period
            column by value); None gives every period, earliest first, each placed on
            its own.
        group: one ``group_by`` value (compared as the period is); None places the
            groups of a period together on one board.
        top: keep places up to ``top``; rows tied at the cut are all kept, so more
            than ``top`` rows may come back.
        by: ``"total"``, a dimension id (its reported score) or an indicator id (its
            reported points). Higher is better.

    Returns:
        Records in (period, place, entity as text) order, each with ``"value"`` (the
        reported figure ranked by) and ``"place"``. Rows where that figure is empty (the
        dimension or indicator does not apply, no total) are left out and take no place.

    Raises:
        DataError: ``by`` names nothing rankable, ``group`` is not in the data or the
            rule set has no ``group_by``, or ``top`` is not a whole number ≥ 1.
        PeriodError: ``period`` is not in the data, or the rule set has no period.
    """
    _check_top(top)
    result = result_of(card)
    columns = to_columns(result)
    values = columns[_by_column(result, by)].astype(np.float64)
    chosen = chosen_rows(result, columns, period, group)
    return _board(result, columns, values, chosen, top=top, descending=True)


def red_list(
    card: Result | HasResult,
    indicator: str,
    period: Any = None,
    top: int | None = None,
    min_attainment: float | None = None,
) -> list[Record]:
    """The red list (红榜): the best attainment on one indicator, best first.

    Attainment (not points) is what a red list is about: it reads the same whatever the
    indicator's points. It is taken unrounded from ``card.figures.attainment`` and rounded
    half up to :data:`ATTAINMENT_DECIMALS` decimals, which is both the figure compared and
    the ``"value"`` reported.

    Args:
        card: the scored rows.
        indicator: an indicator id.
        period: one period, or None for every period (placed each on its own).
        top: keep places up to ``top``, ties at the cut included.
        min_attainment: keep only rows at or above this attainment (0..1).

    Returns:
        Records in (period, place, entity as text) order with ``"value"`` and ``"place"``;
        rows where the indicator does not apply are left out. Under ``missing: zero`` a
        row it does not apply to holds attainment 0 and is listed like any other.

    Raises:
        DataError: unknown indicator, ``top`` or ``min_attainment`` not usable.
        PeriodError: ``period`` is not in the data, or the rule set has no period.
    """
    return _attainment_list(result_of(card), indicator, period, top, min_attainment,
                            best_first=True)


def black_list(
    card: Result | HasResult,
    indicator: str,
    period: Any = None,
    top: int | None = None,
    max_attainment: float | None = None,
) -> list[Record]:
    """The black list (黑榜): the worst attainment on one indicator, worst first.

    The red list mirrored: place 1 is the lowest attainment, ``top`` keeps the worst
    places with ties at the cut, and ``max_attainment`` keeps only rows at or below it.
    """
    return _attainment_list(result_of(card), indicator, period, top, max_attainment,
                            best_first=False)


# -- the shared machinery ----------------------------------------------------------------------


def _attainment_list(
    result: Result, indicator: str, period: Any, top: int | None, bound: float | None,
    *, best_first: bool,
) -> list[Record]:
    _check_top(top)
    ids = [ind.id for _, ind in result.rules.indicators]
    if indicator not in ids:
        raise DataError(Problem(
            f"unknown indicator {shown(indicator)}{did_you_mean(str(indicator), ids)}; "
            f"the indicators: {_listing(ids)}"))
    if bound is not None:
        name = "min_attainment" if best_first else "max_attainment"
        if isinstance(bound, bool) or not isinstance(bound, Real) or not math.isfinite(bound):
            raise DataError(Problem(f"{name} must be a finite number (attainment is 0..1); "
                                    f"got {shown(bound)}"))
    attainment = round_half_up(result.figures.attainment[ids.index(indicator)],
                               ATTAINMENT_DECIMALS)
    columns = to_columns(result)
    chosen = chosen_rows(result, columns, period, None)
    if bound is not None:
        with np.errstate(invalid="ignore"):  # NaN compares False: left out anyway
            chosen &= attainment >= bound if best_first else attainment <= bound
    return _board(result, columns, attainment, chosen, top=top, descending=best_first)


def _board(
    result: Result, columns: Columns, values: npt.NDArray[np.float64],
    chosen: npt.NDArray[np.bool_], *, top: int | None, descending: bool,
) -> list[Record]:
    """Place the chosen rows with a value, per period; cut at ``top``; order; build records."""
    rows = np.flatnonzero(chosen & ~np.isnan(values))
    if rows.size == 0:
        return []
    period_code = _period_codes(result, columns["period"][rows])
    place = competition_rank(values[rows], period_code, descending=descending)
    if top is not None:
        kept = place <= top
        rows, period_code, place = rows[kept], period_code[kept], place[kept]
    entities = columns["entity"][rows]
    by_entity = entities if entities.dtype.kind in "iuf" else entities.astype(str)  # 9 before 10
    order = np.lexsort((rows, by_entity, place, period_code))  # last key sorts first
    rows, place = rows[order], place[order]
    records = to_records(result, rows=rows)
    for record, value, position in zip(records, values[rows].tolist(), place.tolist()):
        record["value"] = value
        record["place"] = int(position)
    return records


def _by_column(result: Result, by: str) -> str:
    """The ``to_columns`` name of the figure a leaderboard ranks by."""
    rules = result.rules
    dimension_ids = [d.id for d in rules.dimensions]
    indicator_ids = [ind.id for _, ind in rules.indicators]
    if by == "total":
        return "total"
    if by in dimension_ids:
        return f"dimensions.{by}"
    if by in indicator_ids:
        return f"indicators.{by}"
    choices = ["total", *dimension_ids, *indicator_ids]
    other = {a.id for a in rules.adjustments} | {v.id for v in rules.vetoes}
    note = (" (adjustments and vetoes are not ranked)" if by in other else "")
    raise DataError(Problem(
        f"cannot rank by {shown(by)}{did_you_mean(str(by), choices)}{note}; a board ranks by "
        f"'total', a dimension ({_listing(dimension_ids)}) or an indicator "
        f"({_listing(indicator_ids)})"))


def chosen_rows(
    result: Result, columns: Columns, period: Any, group: Any,
) -> npt.NDArray[np.bool_]:
    """The rows of ``period`` and ``group`` (None: all); a value not in the data is an error."""
    rules = result.rules
    chosen = np.ones(len(result), dtype=bool)
    if period is not None:
        if rules.period is None:
            raise PeriodError(Problem(f"the rule set names no period column; cannot choose "
                                      f"period {shown(period)}"))
        chosen &= matching(columns["period"], wanted_period(period, columns["period"]))
        if not chosen.any():
            known = [str(p) for p in result.periods()]
            raise PeriodError(Problem(
                f"no rows for period {shown(period)}{did_you_mean(str(period), known)}; "
                f"the periods: {_listing(known)}", column=rules.period))
    if group is not None:
        if rules.group_by is None:
            raise DataError(Problem(f"the rule set names no group_by column; cannot choose "
                                    f"group {shown(group)}"))
        in_group = matching(columns["group"], group)
        if not in_group.any():  # known in another period only is not an error: an empty board
            known = np.unique(columns["group"].astype(str)).tolist()
            raise DataError(Problem(
                f"no rows for group {shown(group)}{did_you_mean(str(group), known)}; "
                f"the groups: {_listing(known)}", column=rules.group_by))
        chosen &= in_group
    return chosen


def _period_codes(result: Result, periods: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Each row's period as an int in :meth:`Result.periods` order (time order); all 0
    when the rule set has no period."""
    if result.rules.period is None:
        return np.zeros(periods.shape[0], dtype=np.int64)
    codes, _ = key_codes(periods)  # sorted by value or text: map to time order
    ordered = result.periods()
    distinct = np.unique(periods if periods.dtype.kind in "iuf" else periods.astype(str))
    place = {str(label): k for k, label in enumerate(ordered)}
    rank = np.array([place[str(label)] for label in distinct.tolist()], dtype=np.int64)
    return np.asarray(rank[codes], dtype=np.int64)


def _check_top(top: int | None) -> None:
    if top is None:
        return
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise DataError(Problem(f"top must be a whole number of at least 1; got {shown(top)}"))


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f", … ({len(names)} in all)" if len(names) > _LISTED else "")

