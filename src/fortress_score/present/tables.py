"""Terminal tables of boards, with rich (which aligns Chinese text)."""

from __future__ import annotations

from typing import Any

from rich.table import Table as RichTable

from ..analysis.records import to_records
from ..periods import wanted_period
from ..scoring.result import Result
from ..text import figure, star_text

__all__ = ["board_table", "column_title", "leaderboard_table"]


def board_table(result: Result, period: Any = None) -> RichTable:
    """The leaderboard of one period (all rows when None): by group, rank, entity."""
    records = to_records(result)
    if period is not None:
        records = [r for r in records if str(r["period"]) == str(wanted_period(period, result.table.period))]
    records.sort(key=lambda r: (str(r["group"]), str(r["period"]),
                                r["rank"] if r["rank"] is not None else float("inf"),
                                str(r["entity"])))
    rules = result.rules
    title = rules.title or rules.ruleset
    if period is not None:
        title += f" · {period}"
    table = RichTable(title=title, title_justify="left")
    has_group = rules.group_by is not None
    if rules.period and period is None:
        table.add_column(column_title(result, rules.period))
    if has_group:
        table.add_column(column_title(result, rules.group_by))
    table.add_column("名次 rank", justify="right")
    table.add_column(column_title(result, rules.entity))
    table.add_column("星级 stars")
    table.add_column("总分 total", justify="right")
    for dim in rules.dimensions:
        table.add_column(dim.title or dim.id, justify="right")
    if rules.vetoes:
        table.add_column("否决 vetoes")
    for r in records:
        cells: list[str] = []
        if rules.period and period is None:
            cells.append(str(r["period"]))
        if has_group:
            cells.append(str(r["group"]))
        cells += [
            "" if r["rank"] is None else str(r["rank"]),
            str(r["entity"]),
            star_text(r["stars"]),
            figure(r["total"]),
        ]
        cells += [figure(r["dimensions"][dim.id]) for dim in rules.dimensions]
        if rules.vetoes:
            cells.append(", ".join(r["vetoes"]))
        table.add_row(*cells)
    return table


def column_title(result: Result, column: str | None) -> str:
    """A data column as the rule file titles it (its id where it has no title)."""
    if column is None:
        return ""
    spec = result.rules.fields.get(column)
    return spec.title if spec is not None and spec.title else column


def leaderboard_table(result: Result, records: list[dict[str, Any]], by: str,
                      heading: str) -> RichTable:
    """A leaderboard (records from :meth:`Scorecard.leaderboard`) in place order."""
    rules = result.rules
    table = RichTable(title=heading, title_justify="left")
    table.add_column("名次 place", justify="right")
    table.add_column(column_title(result, rules.entity))
    if rules.group_by is not None:
        table.add_column(column_title(result, rules.group_by))
    table.add_column("星级 stars")
    titles = {d.id: d.title for d in rules.dimensions} | {i.id: i.title for _, i in rules.indicators}
    shown_by = by not in ("total", *(d.id for d in rules.dimensions))  # else it has a column
    if shown_by:
        table.add_column(titles.get(by) or by, justify="right")
    table.add_column("总分 total", justify="right")
    for dim in rules.dimensions:
        table.add_column(dim.title or dim.id, justify="right")
    for r in records:
        cells = [str(r["place"]), str(r["entity"])]
        if rules.group_by is not None:
            cells.append(str(r["group"]))
        cells.append(star_text(r["stars"]))
        if shown_by:
            cells.append(figure(r["value"]))
        cells.append(figure(r["total"]))
        cells += [figure(r["dimensions"][dim.id]) for dim in rules.dimensions]
        table.add_row(*cells)
    return table
