"""Reported figures of a Result: flat columns and records, rounded half up, vetoes by id.

Records are built from whole columns (converted in C, rows zipped), so a board's top ten
costs ten dicts and a million rows a million, never a Python pass per figure.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from ..scoring.missing import POLICIES
from ..scoring.model import round_half_up
from ..scoring.result import Result
from ..values import to_python

__all__ = ["fired_vetoes", "flat_columns", "provenance_record", "to_columns", "to_records"]


def to_columns(result: Result) -> dict[str, npt.NDArray[Any]]:
    """Flat columns of reported figures, one array a column: the fast way out for big runs.

    Names follow :func:`to_records` flattened with dots (``dimensions.performance``,
    ``indicators.line_loss``, ``adjustments.violations``, ``vetoes.safety``); empty
    figures are NaN, vetoes are booleans, and ``rank`` is float64 so that a row without
    a total can hold NaN.
    """
    f, t, rules = result.figures, result.table, result.rules
    precision = rules.precision
    columns: dict[str, npt.NDArray[Any]] = {"entity": t.entity}
    columns["period"] = t.period if t.period is not None else np.full(t.n_rows, None)
    columns["group"] = t.group if t.group is not None else np.full(t.n_rows, None)
    columns["total"] = f.reported_total
    columns["stars"] = f.stars
    columns["rank"] = f.rank
    for d, dim in enumerate(rules.dimensions):
        columns[f"dimensions.{dim.id}"] = round_half_up(f.dimension_scores[d], precision)
    for i, (_, ind) in enumerate(rules.indicators):
        columns[f"indicators.{ind.id}"] = round_half_up(f.indicator_points(i), precision)
    for a, adj in enumerate(rules.adjustments):
        columns[f"adjustments.{adj.id}"] = round_half_up(f.adjustment_points[a], precision)
    for v, veto in enumerate(rules.vetoes):
        columns[f"vetoes.{veto.id}"] = f.vetoed[v]
    return columns


def flat_columns(result: Result) -> dict[str, npt.NDArray[Any]]:
    """:func:`to_columns` less the per-veto booleans (frames get one ``vetoes`` list column)."""
    return {k: v for k, v in to_columns(result).items() if not k.startswith("vetoes.")}


def fired_vetoes(result: Result, rows: npt.NDArray[np.intp] | None = None) -> list[list[str]]:
    """The ids of the vetoes that fired, a list a row (all rows, or ``rows``)."""
    ids = np.array([v.id for v in result.rules.vetoes], dtype=object)
    vetoed = result.figures.vetoed if rows is None else result.figures.vetoed[:, rows]
    fired: list[list[str]] = [[] for _ in range(vetoed.shape[1])]
    for k in np.flatnonzero(vetoed.any(axis=0)):
        fired[k] = ids[vetoed[:, k]].tolist()
    return fired


def provenance_record(result: Result) -> dict[str, Any]:
    """Rule set id and digest, data digest, library version and evaluator sources."""
    p = result.provenance
    return {
        "ruleset": p.ruleset,
        "rules_digest": p.rules_digest,
        "data_digest": result.data_digest,
        "library_version": p.library_version,
        "evaluators": dict(p.evaluators),
        **({"derived_weights": dict(p.derived_weights)} if p.derived_weights else {}),
    }


def to_records(
    result: Result, *, provenance: bool = False, rows: npt.NDArray[np.intp] | None = None,
) -> list[dict[str, Any]]:
    """One dict a row, figures rounded; ranks are ints (None where there is no total).

    Keys: ``entity``, ``period``, ``group``, ``total``, ``stars``, ``rank``, ``vetoes``
    (list of ids), ``dimensions`` {id: score or None}, ``indicators`` {id: points or
    None}, ``adjustments`` {id: signed points}, ``imputed`` {indicator id: the missing
    policy that made its figure, for those so made}; with ``provenance=True`` also
    ``provenance``. ``rows`` (positions) gives those rows only, in that order.
    """
    columns = to_columns(result)
    fired = fired_vetoes(result, rows)
    if rows is not None:
        columns = {name: values[rows] for name, values in columns.items()}
    n = len(fired)
    rules = result.rules

    def rows_of(ids: list[str], prefix: str) -> Iterable[tuple[Any, ...]]:
        if not ids:
            return itertools.repeat((), n)
        return zip(*(to_python(columns[f"{prefix}.{i}"]) for i in ids))

    dimension_ids = [d.id for d in rules.dimensions]
    indicator_ids = [i.id for _, i in rules.indicators]
    adjustment_ids = [a.id for a in rules.adjustments]
    shared = provenance_record(result) if provenance else None
    imputed = _imputed(result, rows, n)
    keys = ("entity", "period", "group", "total", "stars", "rank")
    records = []
    with _gc_paused():  # millions of small dicts would otherwise trigger the GC over and over
        for entity, period, group, total, stars, rank, vetoes, dims, inds, adjs, made in zip(
            *(to_python(columns[k]) for k in keys), fired,
            rows_of(dimension_ids, "dimensions"), rows_of(indicator_ids, "indicators"),
            rows_of(adjustment_ids, "adjustments"), imputed,
        ):
            record = {
                "entity": entity, "period": period, "group": group, "total": total,
                "stars": stars, "rank": None if rank is None else int(rank), "vetoes": vetoes,
                "dimensions": dict(zip(dimension_ids, dims)),
                "indicators": dict(zip(indicator_ids, inds)),
                "adjustments": dict(zip(adjustment_ids, adjs)),
                "imputed": made,
            }
            if shared is not None:
                record["provenance"] = {**shared, "evaluators": dict(shared["evaluators"])}
            records.append(record)
    return records


def _imputed(result: Result, rows: npt.NDArray[np.intp] | None, n: int) -> list[dict[str, str]]:
    """A dict a row: indicator id → the policy that made its figure (most rows: empty)."""
    made: list[dict[str, str]] = [{} for _ in range(n)]
    codes = result.figures.imputed
    if codes is None:
        return made
    for (_, indicator), code in zip(result.rules.indicators, codes):
        code = code if rows is None else code[rows]
        for k in np.flatnonzero(code):  # the imputed rows only
            made[k][indicator.id] = POLICIES[int(code[k]) - 1]
    return made


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
