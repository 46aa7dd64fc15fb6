"""Explanations a branch secretary can check by hand: lines, the path to the next star, what-if.

Every figure comes from the Result's own (the scoring model is not computed again); an
explanation only picks one row, rounds what it shows and puts it in order. What an
evaluator tests and what input would reach an attainment come from the evaluator itself
(``describe``, ``inverse``): no evaluator is known here by name.
"""

from __future__ import annotations

import dataclasses
import decimal
import numbers
from collections.abc import Callable, Mapping
from typing import TypeVar

import numpy as np

from ..errors import DataError, FortressScoreError, PluginError, Problem, did_you_mean, shown
from ..reading.cells import read_only
from ..reading.frames import field_problems
from ..rules.model import EvaluatorCall
from ..scoring.missing import POLICIES
from ..scoring.model import Figures, next_star, round_half_up
from ..scoring.result import Result
from ..values import to_scalar
from .explanation import Explanation, IndicatorLine, Step, WhatIf

__all__ = ["explain_row", "what_if"]

T = TypeVar("T")


def explain_row(result: Result, row: int) -> Explanation:
    """How ``row``'s total came about, every figure from the Result's own."""
    f, rules, precision = result.figures, result.rules, result.rules.precision

    def reported(value: float) -> float | None:
        return reported_figure(value, precision)

    rolled = result.rolled_up
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
                inputs={c: to_scalar(result.table.columns[c][row]) for c in ind.evaluate.inputs},
                attainment=to_scalar(attainment),
                points=reported(attainment * float(f.points_of(i)[row])),
                max_points=float(f.points_of(i)[row]),
                weight=float(f.dimension_weights[d, row]),
                contribution=reported(contribution),
                imputed=_imputed(f, i, row),
            ))
            i += 1
    stars = int(f.stars[row])
    total = reported(f.reported_total[row])
    fired = [k for k in range(len(rules.vetoes)) if f.vetoed[k, row]]
    # a rolled-up row's total is a mean: a month's `total` cap does not hold it
    upcoming = next_star(rules, float(f.reported_total[row]), stars, fired,
                         total_caps=not rolled)
    unclamped = _unclamped(result, row, total)
    titles = {d.id: d.title for d in rules.dimensions}
    titles.update({ind.id: ind.title for _, ind in rules.indicators})
    titles.update({a.id: a.title for a in rules.adjustments})
    return Explanation(
        entity=to_scalar(result.table.entity[row]),
        period=None if result.table.period is None else to_scalar(result.table.period[row]),
        group=None if result.table.group is None else to_scalar(result.table.group[row]),
        total=total,
        stars=stars,
        rank=None if np.isnan(f.rank[row]) else int(f.rank[row]),  # a float column: ints here
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
        veto_reasons={rules.vetoes[k].id: _why_fired(result, k, row) for k in fired},
        next_star=upcoming.stars,
        gap_to_next_star=upcoming.gap,
        next_star_note=upcoming.note,
        unclamped_total=unclamped,
        total_held_by_veto=not rolled and unclamped is not None
        and any(rules.vetoes[k].effect.total is not None for k in fired),
        path=_path_to(result, row, upcoming.stars) if upcoming.stars is not None else [],
        titles=titles,
        withheld={d.id: _withheld(f, k, row, d.min_available)
                  for k, d in enumerate(rules.dimensions)
                  if f.withheld is not None and f.withheld[k, row]},
    )


def _imputed(f: Figures, i: int, row: int) -> str | None:
    """The policy that made indicator ``i``'s attainment in ``row``, where one did."""
    if f.imputed is None or not f.imputed[i][row]:
        return None
    return POLICIES[int(f.imputed[i][row]) - 1]


def _withheld(f: Figures, d: int, row: int, least: float | None) -> str:
    share = float(f.available[d, row]) if f.available is not None else float("nan")
    return (f"{share:.0%} of its applicable points have data; min_available is "
            f"{least or 0:.0%}")


def _path_to(result: Result, row: int, stars: int) -> list[Step]:
    """Greedy over headroom: each indicator can add its missing attainment times the
    points a unit of attainment is worth to the total in this row.

    The need is measured from the unrounded total to the lowest figure that reports at
    the band's minimum, clamping undone; population indicators (ranks, min-max) are left
    out, since raising one branch's input moves its peers too.
    """
    f, rules = result.figures, result.rules
    if result.rolled_up or not rules.compensatory:
        return []  # a mean of months, or a product or minimum: no headroom adds up
    band = next(r for r in rules.ratings if r.stars == stars)
    lowest_reported = band.min - 0.5 * 10.0 ** -rules.precision
    needed = lowest_reported - float(f.total[row]) + max(
        0.0, float(f.total[row] - f.adjusted_total[row]))
    evaluators = result.evaluators
    headroom = []
    dimension_of = [d for d, dim in enumerate(rules.dimensions) for _ in dim.indicators]
    for i, ((_, ind), d) in enumerate(zip(rules.indicators, dimension_of)):
        attainment = float(f.attainment[i][row])
        possible = float(f.possible_points[d, row])
        if np.isnan(attainment) or possible == 0 or attainment >= 1.0 or \
                evaluators[ind.evaluate.kind].population:
            continue
        worth = (rules.scale * float(f.dimension_weights[d, row]) * float(f.points_of(i)[row])
                 / possible)
        headroom.append(((1.0 - attainment) * worth, i, ind, attainment, worth))
    headroom.sort(key=lambda h: (-h[0], h[1]))
    steps, left = [], needed
    for room, _, ind, attainment, worth in headroom:
        if left <= 0:
            break
        gained = min(room, left)
        needed_attainment = attainment + gained / worth
        steps.append(Step(ind.id, ind.title, attainment, needed_attainment,
                          float(round_half_up(gained, rules.precision)),
                          _inputs_for(result, ind.evaluate, row, needed_attainment)))
        left -= gained
    return steps if left <= 1e-9 else []


def _row_inputs(result: Result, call: EvaluatorCall, row: int) -> dict[str, float]:
    return {c: float(result.table.columns[c][row]) for c in call.inputs}


def _inputs_for(result: Result, call: EvaluatorCall, row: int,
                attainment: float) -> dict[str, float]:
    """The input values the evaluator says give ``attainment`` in this row (its inverse)."""
    evaluator = result.evaluators[call.kind]
    answer = _asked(result, call.kind, "inverse", lambda: evaluator.inverse(
        call.params.model_copy(deep=True), attainment, _row_inputs(result, call, row)))
    if answer is None:
        return {}
    if not isinstance(answer, Mapping) or not all(
            column in call.inputs and isinstance(value, numbers.Real)
            and not isinstance(value, bool) and np.isfinite(float(value))
            for column, value in answer.items()):
        raise _plugin_error(result, call.kind, "inverse() must return None or a mapping of "
                            f"its input columns {list(call.inputs)} to finite numbers; got "
                            f"{shown(answer)}")
    return {str(column): float(value) for column, value in answer.items()}


def _asked(result: Result, kind: str, method: str, ask: Callable[[], T]) -> T:
    """An evaluator's optional answer; a plug-in that raises is named, as in scoring."""
    try:
        return ask()
    except (FortressScoreError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # SystemExit too: a plug-in never ends the caller's run
        raise _plugin_error(result, kind, f"{method}() raised {type(exc).__name__}: {exc}") from exc


def _plugin_error(result: Result, kind: str, what: str) -> PluginError:
    source = result.provenance.evaluators.get(kind, "?")
    return PluginError(f"evaluator {kind!r} from {source}, explaining: {what}", evaluator=kind,
                       source=source)


def reported_figure(value: float, precision: int) -> float | None:
    """One figure as reported: rounded half up, a plain float, None where there is none."""
    return to_scalar(float(round_half_up(value, precision)))  # type: ignore[no-any-return]


def _unclamped(result: Result, row: int, total: float | None) -> float | None:
    reported = reported_figure(result.figures.adjusted_total[row], result.rules.precision)
    return reported if reported != total else None


def _why_fired(result: Result, veto: int, row: int) -> str:
    """The veto's test in words (the evaluator's own ``describe``), else its inputs."""
    if result.sub_periods is not None and result.veto_counts is not None:
        return (f"fired in {result.veto_counts[veto, row]} of {result.sub_periods[row]} "
                "sub-periods")
    when = result.rules.vetoes[veto].when
    inputs = _row_inputs(result, when, row)
    evaluator = result.evaluators[when.kind]
    described = _asked(result, when.kind, "describe",
                       lambda: evaluator.describe(when.params.model_copy(deep=True), inputs))
    if described is not None and not isinstance(described, str):
        raise _plugin_error(result, when.kind, "describe() must return None or text; got "
                            f"{type(described).__name__}")
    if described:
        return described
    shown = ", ".join(f"{c}={'empty' if np.isnan(v) else f'{v:g}'}" for c, v in inputs.items())
    return f"{when.kind} gave 1 on {shown}"


def what_if(result: Result, row: int, changes: Mapping[str, float]) -> WhatIf:
    """``row`` scored again with some inputs changed: the whole table again, so population
    evaluators see the new value among the peers and the ranks move with it.

    Raises:
        DataError: a roll-up (its rows are means), a column no rule reads, a value that is
            not a finite number, or a changed value the rule set's fields refuse.
    """
    if result.rescore is None:
        raise DataError(Problem("what-if needs the scored rows themselves; this Scorecard "
                                "is a roll-up (ask the monthly card, then roll it up)"))
    if not isinstance(changes, Mapping):
        raise DataError(Problem("changes must map column names to numbers; got "
                                f"{type(changes).__name__}"))
    problems = []
    columns = dict(result.table.columns)
    for name, value in changes.items():
        if name not in columns:
            problems.append(Problem(
                f"is not read by any rule{did_you_mean(name, columns)}; the rules read: "
                f"{', '.join(sorted(columns))}", column=name))
        elif not isinstance(value, numbers.Real | decimal.Decimal) or isinstance(value, bool) \
                or not np.isfinite(float(value)):
            problems.append(Problem(f"a what-if value must be a finite number; got {shown(value)}",
                                    column=name))
        else:
            changed = columns[name].copy()
            changed[row] = float(value)
            columns[name] = changed = read_only(changed)
            spec = result.rules.fields.get(name)
            if spec is not None:  # the checks scoring ran on the data, on the new value
                problems += field_problems(name, spec, changed, result.describe_rows)
    if problems:
        raise DataError(problems)
    after = result.rescore(dataclasses.replace(result.table, columns=columns))
    return WhatIf(dict(changes), explain_row(result, row), explain_row(after, row))
