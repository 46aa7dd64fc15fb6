"""Explanations as objects a reader checks by hand: lines, path to the next star, what-if;
each shows itself as a text table (``str``) and as HTML in notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.table import Table as RichTable

from ..text import cell, figure, render, star_text

__all__ = ["Explanation", "IndicatorLine", "Step", "WhatIf"]


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator of one row, with everything needed to check it by hand."""

    dimension: str
    indicator: str
    title: str
    inputs: dict[str, float | None]
    attainment: float | None
    """None where the indicator does not apply to the row."""
    points: float | None
    max_points: float
    weight: float
    """The dimension's share of the total for this row (w_d / sum of applicable w)."""
    contribution: float | None
    """Points this indicator adds to the total (before adjustments)."""
    imputed: str | None = None
    """The missing-data policy that made the attainment, where one did (``peer_mean``)."""


@dataclass(frozen=True)
class Step:
    """One indicator raised on the cheapest path to the next star."""

    indicator: str
    title: str
    attainment: float
    """Attainment now."""
    needed: float
    """Attainment that, with the steps before it, closes the gap."""
    points: float
    """What raising it adds to the total (reported precision)."""
    inputs: dict[str, float] = field(default_factory=dict)
    """The input values (column -> value) that give ``needed``, where the evaluator says
    (its ``inverse``); empty where it does not."""


@dataclass(frozen=True)
class Explanation:
    """How one row's total came about; ``str()`` gives a table a branch secretary can check."""

    entity: Any
    period: Any
    group: Any
    total: float | None
    stars: int
    rank: int | None
    scale: float
    dimensions: dict[str, float | None]
    dimension_contributions: dict[str, float | None]
    indicators: list[IndicatorLine]
    adjustments: dict[str, float]
    vetoes: list[tuple[str, str]]
    """(id, title) of each veto that fired."""
    next_star: int | None
    """The next star band above the current one, None at the top or when a veto caps it."""
    gap_to_next_star: float | None
    """Points the reported total lacks for ``next_star``."""
    next_star_note: str = ""
    """Why there is no next star, when there is none."""
    unclamped_total: float | None = None
    """Contributions plus adjustments, when the clamp or a veto changed it."""
    total_held_by_veto: bool = False
    """True when a fired veto's ``total`` cap, not the clamp, set the total."""
    path: list[Step] = field(default_factory=list)
    """The fewest indicators to raise, largest headroom first, to reach ``next_star``
    with every other figure as it is; empty when there is no next star or no way there."""
    titles: dict[str, str] = field(default_factory=dict)
    veto_reasons: dict[str, str] = field(default_factory=dict)
    """Veto id -> why it fired: its test and the inputs it read (``safety_l4_events=1 > 0``)."""
    withheld: dict[str, str] = field(default_factory=dict)
    """Dimension id -> why it does not score in this row (its ``min_available`` not met)."""

    def __str__(self) -> str:
        return render_explanation(self)

    def _repr_html_(self) -> str:
        return explanation_html(self)

    def __repr__(self) -> str:
        where = " · ".join(str(p) for p in (self.entity, self.period) if p is not None)
        return (f"<Explanation {where}: total {self.total}, stars {self.stars}, rank {self.rank}, "
                f"{len(self.indicators)} indicators>")


@dataclass(frozen=True)
class WhatIf:
    """One row scored as it is and with changed inputs; ``str()`` shows the difference."""

    changes: dict[str, float]
    before: Explanation
    after: Explanation

    @property
    def total_change(self) -> float | None:
        if self.before.total is None or self.after.total is None:
            return None
        return round(self.after.total - self.before.total, 10)

    @property
    def stars_change(self) -> int:
        return self.after.stars - self.before.stars

    def __str__(self) -> str:
        return render_what_if(self)

    def __repr__(self) -> str:
        return (f"<WhatIf {self.before.entity} {self.changes}: total {self.before.total} -> "
                f"{self.after.total}, stars {self.before.stars} -> {self.after.stars}>")

    def _repr_html_(self) -> str:
        return f"<pre>{cell(str(self))}</pre>"


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
        inputs = ", ".join(f"{k}={figure(v) or '∅'}" for k, v in line.inputs.items())
        table.add_row(
            line.dimension,
            f"{line.indicator} {line.title}".strip(),
            inputs,
            ("n/a" if line.attainment is None else f"{line.attainment:.4f}")
            + (f" ({line.imputed})" if line.imputed else ""),
            figure(line.points) or "n/a",
            figure(line.max_points),
            f"{line.weight:.4f}",
            figure(line.contribution) or "n/a",
        )
    lines = [render(table).rstrip()]
    dims = ", ".join(
        f"{why.titles.get(k, k) or k} {figure(v) or 'n/a'}"
        + (f" (adds {figure(why.dimension_contributions[k])})" if v is not None else "")
        for k, v in why.dimensions.items())
    lines.append(f"dimensions: {dims}")
    for dimension, why_not in why.withheld.items():
        lines.append(f"{why.titles.get(dimension) or dimension} not scored: {why_not}")
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
    lines.append(f"total: {figure(why.total) or 'n/a'} of {why.scale:g}{before}, "
                 f"stars: {star_text(why.stars)}{rank}")
    if why.next_star is not None:
        lines.append(f"next star: {why.next_star} stars needs {why.gap_to_next_star:g} more points")
        for step in why.path:
            name = f"{step.indicator} {step.title}".strip()
            reach = ", ".join(f"{column} = {value:g}" for column, value in step.inputs.items())
            lines.append(f"  raise {name}: attainment {step.attainment:.4f} -> {step.needed:.4f} "
                         f"(+{step.points:g} points)" + (f" at {reach}" if reach else ""))
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
        table.add_row(name, figure(old), figure(new), diff)

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


def _html_table(head: list[str], rows: list[list[Any]]) -> str:
    return ("<table><thead><tr>" + "".join(f"<th>{cell(h)}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>"
                      for row in rows)
            + "</tbody></table>")


def explanation_html(why: Explanation) -> str:
    """The notebook view of an explanation: a real table, the summary lines below it."""
    rows = [[line.dimension, f"{line.indicator} {line.title}".strip(),
             ", ".join(f"{k}={figure(v) or '∅'}" for k, v in line.inputs.items()),
             "n/a" if line.attainment is None else f"{line.attainment:.4f}",
             figure(line.points) or "n/a", figure(line.max_points), f"{line.weight:.4f}",
             figure(line.contribution) or "n/a"] for line in why.indicators]
    head = ["维度 dimension", "指标 indicator", "输入 inputs", "达成 attainment", "得分 points",
            "满分 max", "权重 weight", "贡献 contribution"]
    title = " · ".join(str(p) for p in (why.entity, why.period, why.group) if p is not None)
    summary = render_explanation(why).split("\n")
    notes = [line for line in summary if not line.startswith(("┏", "┃", "┡", "│", "└", "┗"))
             and line.strip() and line.strip() != title]
    return (f"<div><p><b>{cell(title)}</b></p>{_html_table(head, rows)}"
            + "".join(f"<p>{cell(n)}</p>" for n in notes) + "</div>")
