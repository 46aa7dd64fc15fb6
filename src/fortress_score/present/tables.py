"""Terminal tables of boards, with rich (which aligns Chinese text)."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.table import Table as RichTable

from ..analysis.records import to_records
from ..analysis.titles import titles
from ..analysis.uncertainty import Uncertainty
from ..periods import wanted_period
from ..scoring.result import Result
from ..text import figure, star_text

__all__ = ["board_table", "column_title", "leaderboard_table", "uncertainty_table"]


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
    held = _held_titles(result)
    if held is not None:
        table.add_column("称号 titles")
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
        if held is not None:
            cells.append("、".join(held.get((str(r["entity"]), str(r["period"])), [])))
        table.add_row(*cells)
    return table


def _held_titles(result: Result) -> dict[tuple[str, str], list[str]] | None:
    """(entity, period) → the titles held after that period, with a mark for probation;
    None where the rule set declares no titles (or the card is a roll-up)."""
    if not result.rules.titles or result.rolled_up or result.rules.period is None:
        return None
    held: dict[tuple[str, str], list[str]] = {}
    for row in titles(result):
        if row["state"] != "revoked":
            mark = "（观察期）" if row["state"] == "probation" else ""
            held.setdefault((str(row["entity"]), str(row["period"])), []).append(
                row["name"] + mark)
    return held


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


def uncertainty_table(u: Uncertainty, period: Any = None) -> RichTable:
    """The board of one period (all rows when None) with each row's rank over the draws:
    median, the 5–95 % interval, the chance of first place and of keeping its stars."""
    result = u.result
    rules = result.rules
    rows = np.arange(len(u))
    if period is not None:
        wanted = str(wanted_period(period, result.table.period))
        rows = rows[result.period_text == wanted]
    group = result.group_text
    order = np.lexsort((result.entity_text[rows],
                        np.nan_to_num(u.nominal_rank[rows], nan=np.inf),
                        group[rows] if group is not None else np.zeros(rows.size)))
    title = rules.title or rules.ruleset
    title += f" · {period}" if period is not None else ""
    title += f" · 权重浮动 {len(u.samples)} 次"
    table = RichTable(title=title, title_justify="left")
    if group is not None:
        table.add_column(column_title(result, rules.group_by))
    for name, justify in (("名次 rank", "right"), (column_title(result, rules.entity), "left"),
                          ("星级 stars", "left"), ("总分 total", "right"),
                          ("中位名次 median", "right"), ("名次区间 5–95%", "right"),
                          ("居首概率 P(first)", "right"), ("保星概率 P(stars)", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    stars = result.figures.stars
    for r in rows[order].tolist():
        ranked = not np.isnan(u.nominal_rank[r])
        cells = [] if group is None else [str(group[r])]
        cells += [
            f"{u.nominal_rank[r]:.0f}" if ranked else "",
            str(result.table.entity[r]),
            star_text(int(stars[r])),
            figure(float(result.figures.reported_total[r])) if ranked else "",
            f"{u.median_rank[r]:.0f}" if ranked else "",
            f"{u.rank_p05[r]:.0f}–{u.rank_p95[r]:.0f}" if ranked else "",
            f"{u.first_place[r]:.0%}",
            f"{u.star_probability[r, int(stars[r])]:.0%}",
        ]
        table.add_row(*cells)
    return table
