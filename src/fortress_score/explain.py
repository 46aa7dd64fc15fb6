"""Explanations a branch secretary can check by hand: lines, the path to the next star, what-if.

Every figure comes from the Scorecard's own (the scoring model is not computed again); an
explanation only picks one row, rounds what it shows and puts it in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .scoring import next_star, round_half_up

if TYPE_CHECKING:
    from .scorecard import Scorecard

__all__ = ["Explanation", "IndicatorLine", "Step", "WhatIf", "explain_row"]


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

    def __str__(self) -> str:
        from .display import render_explanation

        return render_explanation(self)

    def _repr_html_(self) -> str:
        from .display import explanation_html

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
        from .display import render_what_if

        return render_what_if(self)

    def __repr__(self) -> str:
        return (f"<WhatIf {self.before.entity} {self.changes}: total {self.before.total} -> "
                f"{self.after.total}, stars {self.before.stars} -> {self.after.stars}>")

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


def explain_row(card: Scorecard, row: int) -> Explanation:
    """How ``row``'s total came about, every figure from the Scorecard's own."""
    f, rules, precision = card.figures, card.rules, card.rules.precision

    def reported(value: float) -> float | None:
        return None if np.isnan(value) else float(round_half_up(value, precision))

    rolled = card.sub_periods is not None
    lines, contributions = [], np.zeros(len(rules.dimensions))
    i = 0
    for d, dim in enumerate(rules.dimensions):
        for ind in dim.indicators:
            attainment = float(f.attainment[i][row])
            contribution = f.contribution(i, d, row, rules.scale)
            contributions[d] += 0.0 if np.isnan(contribution) else contribution
            lines.append(IndicatorLine(
                dimension=dim.id,
                indicator=ind.id,
                title=ind.title,
                inputs={c: _maybe(card.table.columns[c][row]) for c in ind.evaluate.inputs},
                attainment=None if np.isnan(attainment) else attainment,
                points=reported(attainment * f.points[i]),
                max_points=ind.points,
                weight=float(f.dimension_weights[d, row]),
                contribution=reported(contribution),
            ))
            i += 1
    stars = int(f.stars[row])
    total = reported(f.reported_total[row])
    fired = [k for k in range(len(rules.vetoes)) if f.vetoed[k, row]]
    # a rolled-up row's total is a mean: a month's `total` cap does not hold it
    upcoming = next_star(rules, float(f.reported_total[row]), stars, fired,
                         total_caps=not rolled)
    unclamped = _unclamped(card, row, total)
    titles = {d.id: d.title for d in rules.dimensions}
    titles.update({ind.id: ind.title for _, ind in rules.indicators})
    titles.update({a.id: a.title for a in rules.adjustments})
    return Explanation(
        entity=_plain(card.table.entity[row]),
        period=None if card.table.period is None else _plain(card.table.period[row]),
        group=None if card.table.group is None else _plain(card.table.group[row]),
        total=total,
        stars=stars,
        rank=None if np.isnan(f.rank[row]) else int(f.rank[row]),
        scale=rules.scale,
        dimensions={d.id: reported(f.dimension_scores[k, row])
                    for k, d in enumerate(rules.dimensions)},
        dimension_contributions={
            d.id: None if np.isnan(f.dimension_scores[k, row]) else reported(contributions[k])
            for k, d in enumerate(rules.dimensions)},
        indicators=lines,
        adjustments={a.id: float(round_half_up(f.adjustment_points[k, row], precision))
                     for k, a in enumerate(rules.adjustments)},
        vetoes=[(rules.vetoes[k].id, rules.vetoes[k].title) for k in fired],
        veto_reasons={rules.vetoes[k].id: _why_fired(card, k, row) for k in fired},
        next_star=upcoming.stars,
        gap_to_next_star=upcoming.gap,
        next_star_note=upcoming.note,
        unclamped_total=unclamped,
        total_held_by_veto=not rolled and unclamped is not None
        and any(rules.vetoes[k].effect.total is not None for k in fired),
        path=_path_to(card, row, upcoming.stars) if upcoming.stars is not None else [],
        titles=titles,
    )


def _path_to(card: Scorecard, row: int, stars: int) -> list[Step]:
    """Greedy over headroom: each indicator can add its missing attainment times the
    points a unit of attainment is worth to the total in this row.

    The need is measured from the unrounded total to the lowest figure that reports at
    the band's minimum, clamping undone; population indicators (ranks, min-max) are left
    out, since raising one branch's input moves its peers too.
    """
    f, rules = card.figures, card.rules
    if card.sub_periods is not None or card._engine is None:
        return []  # a rolled-up row is a mean: no single input raises it
    band = next(r for r in rules.ratings if r.stars == stars)
    lowest_reported = band.min - 0.5 * 10.0 ** -rules.precision
    needed = lowest_reported - float(f.total[row]) + max(
        0.0, float(f.total[row] - f.adjusted_total[row]))
    evaluators = card._engine.evaluators()
    headroom = []
    dimension_of = [d for d, dim in enumerate(rules.dimensions) for _ in dim.indicators]
    for i, ((_, ind), d) in enumerate(zip(rules.indicators, dimension_of)):
        attainment = float(f.attainment[i][row])
        possible = float(f.possible_points[d, row])
        if np.isnan(attainment) or possible == 0 or attainment >= 1.0 or \
                evaluators[ind.evaluate.kind].population:
            continue
        worth = rules.scale * float(f.dimension_weights[d, row]) * ind.points / possible
        headroom.append(((1.0 - attainment) * worth, i, ind, attainment, worth))
    headroom.sort(key=lambda h: (-h[0], h[1]))
    steps, left = [], needed
    for room, _, ind, attainment, worth in headroom:
        if left <= 0:
            break
        gained = min(room, left)
        steps.append(Step(ind.id, ind.title, attainment, attainment + gained / worth,
                          float(round_half_up(gained, rules.precision))))
        left -= gained
    return steps if left <= 1e-9 else []


def _unclamped(card: Scorecard, row: int, total: float | None) -> float | None:
    raw = card.figures.adjusted_total[row]
    reported = None if np.isnan(raw) else float(round_half_up(raw, card.rules.precision))
    return reported if reported != total else None


def _why_fired(card: Scorecard, veto: int, row: int) -> str:
    """The veto's test in words, with the inputs it read in this row."""
    if card.sub_periods is not None and card.veto_counts is not None:
        return f"fired in {card.veto_counts[veto, row]} of {card.sub_periods[row]} sub-periods"
    when = card.rules.vetoes[veto].when
    inputs = ", ".join(f"{c}={_shown(card.table.columns[c][row])}" for c in when.inputs)
    params = when.params.model_dump() if hasattr(when.params, "model_dump") else {}
    if when.kind == "threshold":
        return f"{params['input']} = {_shown(card.table.columns[params['input']][row])} " \
               f"{params['op']} {params['value']:g}"
    return f"{when.kind} gave 1 on {inputs}"


def _shown(value: float) -> str:
    return "empty" if np.isnan(value) else f"{value:g}"


def _plain(value: Any) -> Any:
    """A Python scalar for a numpy one (np.str_, np.int64), so reprs and JSON stay plain."""
    return value.item() if isinstance(value, np.generic) else value


def _maybe(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
