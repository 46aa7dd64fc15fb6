"""Running the evaluators over a table and the scoring model over what they return.

The engine never knows what an evaluator computes: it hands each one its own validated
params and the columns it declared, checks what comes back (length, dtype, [0, 1]) and
passes attainment on to the scoring model (:mod:`.model`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import FortressScoreError, PluginError, Problem, RuleFileError
from ..keys import key_codes
from ..plugins.evaluator import Context, FloatArray
from ..plugins.manager import Registry
from ..reading.cells import read_only
from ..reading.frames import Table
from ..rules.model import EvaluatorCall, RuleSet
from .missing import applicable, fill_missing
from .model import Figures, compute_figures
from .result import Provenance, Result

__all__ = ["score_table"]


def score_table(registry: Registry, rules: RuleSet, table: Table) -> Result:
    """Score data already read and checked (:func:`~fortress_score.reading.read_table`).

    The Result's ``rescore`` scores a changed table the same way (what-if).
    """
    runner = _Runner(registry, table)
    applies = applicable(rules, table)
    attainment = [runner.evaluate(ind.id, ind.points, ind.evaluate, mask)
                  for (_, ind), mask in zip(rules.indicators, applies)]
    filled = fill_missing(rules, table, attainment, applies)
    adjustments = runner.evaluate_all(
        [(adj.id, adj.cap, adj.evaluate) for adj in rules.adjustments])
    triggers = runner.evaluate_all([(v.id, 1.0, v.when) for v in rules.vetoes])
    _check_veto_values(rules, triggers)
    by_dims, by_inds = rules.data_weighting()
    periods = _period_codes(table) if by_dims is not None or by_inds else None  # else unused
    figures = dataclasses.replace(
        compute_figures(rules, filled.attainment, adjustments, triggers, table.groups, periods),
        imputed=filled.imputed, available=filled.available, withheld=filled.withheld)
    kinds = sorted({call.kind for _, call in rules.calls()})
    provenance = Provenance.of(rules, {kind: registry.source(kind) for kind in kinds},
                               {} if periods is None else
                               _weights_by_period(rules, table, figures, periods[0]))
    return Result(rules, table, figures, provenance,
                  evaluators={kind: registry.evaluators[kind] for kind in kinds},
                  rescore=lambda changed: score_table(registry, rules, changed))


class _Runner:
    """Calls evaluators over one table and checks what each returns."""

    def __init__(self, registry: Registry, table: Table) -> None:
        self.registry = registry
        self.table = table

    def evaluate_all(self, calls: list[tuple[str, float, EvaluatorCall]]) -> list[FloatArray]:
        return [self.evaluate(rule_id, points, call) for rule_id, points, call in calls]

    def evaluate(self, rule_id: str, points: float, call: EvaluatorCall,
                 applies: npt.NDArray[np.bool_] | None = None) -> FloatArray:
        """``call``'s attainment; rows outside ``applies`` are empty to the evaluator, so
        that they are nobody's peers either (ranks, min-max)."""
        table = self.table
        evaluator = self.registry.evaluators[call.kind]
        columns = {name: table.columns[name] for name in call.inputs}
        if applies is not None and not applies.all():
            columns = {name: read_only(np.where(applies, values, np.nan))
                       for name, values in columns.items()}
        context = Context(points=float(points), groups=table.groups, n_groups=table.n_groups,
                          rule=rule_id)
        try:
            # a fresh copy of the params a call: nothing a plug-in does to them lasts
            values = evaluator.evaluate(columns, call.params.model_copy(deep=True), context)
        except (FortressScoreError, KeyboardInterrupt):
            raise  # an evaluator's own, deliberate report on the data; the user's Ctrl-C
        except KeyError as exc:
            hint = (f"; it may read only its inputs {list(call.inputs)}: type column fields "
                    "fs.Column or declare inputs()") if exc.args and exc.args[0] not in columns else ""
            raise self.error(call.kind, rule_id, f"raised KeyError: {exc}{hint}") from exc
        except BaseException as exc:  # SystemExit too: a plug-in never ends the caller's run
            raise self.error(call.kind, rule_id, f"raised {type(exc).__name__}: {exc}") from exc
        return self.checked(values, call.kind, rule_id)

    def error(self, kind: str, rule_id: str, what: str) -> PluginError:
        source = self.registry.source(kind)
        return PluginError(f"evaluator {kind!r} from {source}, scoring {rule_id!r}: {what}",
                           evaluator=kind, source=source)

    def checked(self, values: Any, kind: str, rule_id: str) -> FloatArray:
        """The evaluator's output as float64, or a PluginError saying what is wrong with it."""
        n_rows = self.table.n_rows
        try:
            array = np.asarray(values) if values is not None else np.asarray(None)
        except (ValueError, TypeError) as exc:  # ragged lists and other non-arrays
            raise self.error(kind, rule_id, f"must return a numeric array; got "
                             f"{type(values).__name__} that is not one ({exc})") from exc
        if array.dtype.kind not in "fiub":
            raise self.error(kind, rule_id, f"must return a numeric array; got "
                             f"{type(values).__name__} of dtype {array.dtype}")
        if array.dtype.kind != "f":  # attainment is a share: an integer array has lost it
            raise self.error(kind, rule_id, f"must return float attainment (float64); got "
                             f"dtype {array.dtype}: divide as floats, or .astype(float) where "
                             "0 and 1 are meant")
        if array.shape != (n_rows,):
            got = f"{array.shape[0]} values" if array.ndim == 1 else f"shape {array.shape}"
            raise self.error(kind, rule_id, f"returned {got} for {n_rows} rows")
        array = read_only(array)  # a copy: the plug-in may reuse its buffer for the next call
        outside = ~np.isnan(array) & ((array < 0.0) | (array > 1.0))
        if outside.any():
            rows = np.flatnonzero(outside)
            more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
            raise self.error(kind, rule_id, f"must return attainment in [0, 1] or NaN; got "
                             f"{array[rows[:5]].tolist()} at rows {rows[:5].tolist()}{more}")
        return array


def _check_veto_values(rules: RuleSet, triggers: list[FloatArray]) -> None:
    problems = []
    for v, (veto, row) in enumerate(zip(rules.vetoes, triggers)):
        bad = ~np.isnan(row) & (row != 0.0) & (row != 1.0)
        if bad.any():
            problems.append(Problem(
                f"a veto's `when` must give 0 or 1, but {veto.when.kind!r} gave "
                f"{row[bad][:5].tolist()}; use an evaluator that decides, such as threshold",
                path=f"vetoes[{v}].when"))
    if problems:
        raise RuleFileError(problems)


def _period_codes(table: Table) -> tuple[npt.NDArray[np.int64], int]:
    """A code a row for its period (one code for all where there is no period)."""
    if table.period is None:
        return np.zeros(table.n_rows, dtype=np.int64), 1
    return key_codes(table.period)


def _weights_by_period(rules: RuleSet, table: Table, figures: Figures,
                       codes: npt.NDArray[np.int64]) -> dict[str, float]:
    """The weights worked out from each period's data, for the provenance: one value a
    (weight, period), read off the period's first row."""
    _, first = np.unique(codes, return_index=True)
    labels = ["" if table.period is None else f"@{table.period[row]}" for row in first.tolist()]
    found: dict[str, float] = {}
    _, by_inds = rules.data_weighting()
    if figures.row_weights is not None:
        for d, dim in enumerate(rules.dimensions):
            found |= {f"dimensions.{dim.id}.weight{label}": float(figures.row_weights[d, row])
                      for label, row in zip(labels, first.tolist())}
    if figures.row_points is not None:
        k = 0
        for d, dim in enumerate(rules.dimensions):
            for ind in dim.indicators:
                if d in by_inds:
                    found |= {f"indicators.{ind.id}.points{label}":
                              float(figures.row_points[k, row])
                              for label, row in zip(labels, first.tolist())}
                k += 1
    return found
