"""Terminal tables for boards and explanations, with rich (which aligns Chinese text)."""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table as RichTable

if TYPE_CHECKING:
    from .scorecard import Explanation, Scorecard, WhatIf

__all__ = ["board_table", "render", "render_explanation", "star_text"]


def star_text(stars: int) -> str:
    return "★" * stars if stars else "-"


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def board_table(card: Scorecard, period: Any = None) -> RichTable:
    """The leaderboard of one period (all rows when None): by group, rank, entity."""
    records = card.to_records()
    if period is not None:
        records = [r for r in records if str(r["period"]) == str(period)]
    records.sort(key=lambda r: (str(r["group"]), str(r["period"]),
                                r["rank"] if r["rank"] is not None else float("inf"),
                                str(r["entity"])))
    rules = card.rules
    title = rules.title or rules.ruleset
    if period is not None:
        title += f" · {period}"
    table = RichTable(title=title, title_justify="left")
    has_group = rules.group_by is not None
    if rules.period and period is None:
        table.add_column(_title(card, rules.period))
    if has_group:
        table.add_column(_title(card, rules.group_by))
    table.add_column("名次 rank", justify="right")
    table.add_column(_title(card, rules.entity))
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
            _figure(r["total"]),
        ]
        cells += [_figure(r["dimensions"][dim.id]) for dim in rules.dimensions]
        if rules.vetoes:
            cells.append(", ".join(r["vetoes"]))
        table.add_row(*cells)
    return table


def _title(card: Scorecard, column: str | None) -> str:
    if column is None:
        return ""
    spec = card.rules.fields.get(column)
    return spec.title if spec is not None and spec.title else column


def leaderboard_table(card: Scorecard, records: list[dict[str, Any]], by: str,
                      heading: str) -> RichTable:
    """A leaderboard (records from :meth:`Scorecard.leaderboard`) in place order."""
    rules = card.rules
    table = RichTable(title=heading, title_justify="left")
    table.add_column("名次 place", justify="right")
    table.add_column(_title(card, rules.entity))
    if rules.group_by is not None:
        table.add_column(_title(card, rules.group_by))
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
            cells.append(_figure(r["value"]))
        cells.append(_figure(r["total"]))
        cells += [_figure(r["dimensions"][dim.id]) for dim in rules.dimensions]
        table.add_row(*cells)
    return table


def render(renderable: Any, width: int = 160) -> str:
    """A rich renderable as plain text (no colour codes)."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(renderable)
    return buffer.getvalue()


def render_explanation(why: Explanation) -> str:
    head = f"{why.entity}"
    if why.period is not None:
        head += f" · {why.period}"
    if why.group is not None:
        head += f" · {why.group}"
    table = RichTable(title=head, title_justify="left")
    for name, justify in (("维度 dimension", "left"), ("指标 indicator", "left"),
                          ("输入 inputs", "left"), ("达成 attainment", "right"),
                          ("得分 points", "right"), ("满分 max", "right"),
                          ("权重 weight", "right"), ("贡献 contribution", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for line in why.indicators:
        inputs = ", ".join(f"{k}={_figure(v) or '∅'}" for k, v in line.inputs.items())
        table.add_row(
            line.dimension,
            f"{line.indicator} {line.title}".strip(),
            inputs,
            "n/a" if line.attainment is None else f"{line.attainment:.4f}",
            _figure(line.points) or "n/a",
            _figure(line.max_points),
            f"{line.weight:.4f}",
            _figure(line.contribution) or "n/a",
        )
    lines = [render(table).rstrip()]
    dims = ", ".join(
        f"{why.titles.get(k, k) or k} {_figure(v) or 'n/a'}"
        + (f" (adds {_figure(why.dimension_contributions[k])})" if v is not None else "")
        for k, v in why.dimensions.items())
    lines.append(f"dimensions: {dims}")
    if why.adjustments:
        adj = ", ".join(f"{why.titles.get(k) or k} {v:+g}" for k, v in why.adjustments.items())
        lines.append(f"adjustments: {adj}")
    for vid, title in why.vetoes:
        named = f"{vid} ({title})" if title else vid
        lines.append(f"veto {named}: fired because {why.veto_reasons.get(vid, '')}")
    rank = "" if why.rank is None else f", rank {why.rank}"
    before = ""
    if why.unclamped_total is not None:
        before = f" (contributions and adjustments give {why.unclamped_total:g}; "
        before += "held by a veto)" if why.total_held_by_veto else f"clamped to [0, {why.scale:g}])"
    lines.append(f"total: {_figure(why.total) or 'n/a'} of {why.scale:g}{before}, "
                 f"stars: {star_text(why.stars)}{rank}")
    if why.next_star is not None:
        lines.append(f"next star: {why.next_star} stars needs {why.gap_to_next_star:g} more points")
        for step in why.path:
            name = f"{step.indicator} {step.title}".strip()
            lines.append(f"  raise {name}: attainment {step.attainment:.4f} -> {step.needed:.4f} "
                         f"(+{step.points:g} points)")
    elif why.next_star_note:
        lines.append(f"next star: none ({why.next_star_note})")
    return "\n".join(lines)


def render_what_if(change: WhatIf) -> str:
    before, after = change.before, change.after
    head = f"{before.entity}" + (f" · {before.period}" if before.period is not None else "")
    table = RichTable(title=f"what if {head}: " + ", ".join(
        f"{k} = {v:g}" for k, v in change.changes.items()), title_justify="left")
    for name, justify in (("", "left"), ("before", "right"), ("after", "right"),
                          ("change", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]

    def row(name: str, old: float | None, new: float | None) -> None:
        diff = "" if old is None or new is None else f"{new - old:+.{_digits(old, new)}f}"
        table.add_row(name, _figure(old), _figure(new), diff)

    for line_before, line_after in zip(before.indicators, after.indicators):
        if line_before.points != line_after.points:
            row(line_before.title or line_before.indicator, line_before.points, line_after.points)
    for key in before.dimensions:
        row(before.titles.get(key) or key, before.dimensions[key], after.dimensions[key])
    row("total", before.total, after.total)
    table.add_row("stars", star_text(before.stars), star_text(after.stars),
                  f"{after.stars - before.stars:+d}")
    table.add_row("rank", str(before.rank or ""), str(after.rank or ""), "")
    return render(table).rstrip()


def _digits(*values: float) -> int:
    return max((len(f"{v:g}".partition(".")[2]) for v in values), default=0)


def _cell(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def board_html(card: Scorecard, top: int = 60) -> str:
    """The notebook view of a Scorecard: its latest period by peer group and rank (the
    card's own ranks), with stars, total, dimensions and vetoes; the first ``top`` rows."""
    rules = card.rules
    period = card.periods()[-1] if rules.period is not None else None
    records = card.to_records()
    if period is not None:
        records = [r for r in records if str(r["period"]) == str(period)]
    records.sort(key=lambda r: (str(r["group"]),
                                r["rank"] if r["rank"] is not None else float("inf"),
                                str(r["entity"])))
    head = [] if rules.group_by is None else [_title(card, rules.group_by)]
    head += ["名次 rank", _title(card, rules.entity), "星级", "总分"]
    head += [d.title or d.id for d in rules.dimensions] + (["否决"] if rules.vetoes else [])
    rows = []
    for r in records[:top]:
        cells = [] if rules.group_by is None else [r["group"]]
        cells += [r["rank"], r["entity"], star_text(r["stars"]), _figure(r["total"])]
        cells += [_figure(r["dimensions"][d.id]) for d in rules.dimensions]
        if rules.vetoes:
            cells.append(", ".join(r["vetoes"]))
        rows.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in cells) + "</tr>")
    caption = f"{_cell(rules.title or rules.ruleset)}" + (f" · {_cell(period)}" if period else "")
    more = f"<p><small>and {len(records) - top} more rows</small></p>" if len(records) > top else ""
    return (f"<div><p><b>{caption}</b> <small>{_cell(repr(card))}</small></p><table>"
            f"<thead><tr>{''.join(f'<th>{_cell(h)}</th>' for h in head)}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}</div>")


def _html_table(head: list[str], rows: list[list[Any]]) -> str:
    return ("<table><thead><tr>" + "".join(f"<th>{_cell(h)}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>"
                      for row in rows)
            + "</tbody></table>")


def explanation_html(why: Explanation) -> str:
    """The notebook view of an explanation: a real table, the summary lines below it."""
    rows = [[line.dimension, f"{line.indicator} {line.title}".strip(),
             ", ".join(f"{k}={_figure(v) or '∅'}" for k, v in line.inputs.items()),
             "n/a" if line.attainment is None else f"{line.attainment:.4f}",
             _figure(line.points) or "n/a", _figure(line.max_points), f"{line.weight:.4f}",
             _figure(line.contribution) or "n/a"] for line in why.indicators]
    head = ["维度 dimension", "指标 indicator", "输入 inputs", "达成 attainment", "得分 points",
            "满分 max", "权重 weight", "贡献 contribution"]
    title = " · ".join(str(p) for p in (why.entity, why.period, why.group) if p is not None)
    summary = render_explanation(why).split("\n")
    notes = [line for line in summary if not line.startswith(("┏", "┃", "┡", "│", "└", "┗"))
             and line.strip() and line.strip() != title]
    return (f"<div><p><b>{_cell(title)}</b></p>{_html_table(head, rows)}"
            + "".join(f"<p>{_cell(n)}</p>" for n in notes) + "</div>")
