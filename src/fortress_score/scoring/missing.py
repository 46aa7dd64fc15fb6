"""Where an indicator applies, and what its missing attainment becomes there.

An indicator (or its dimension) with ``applies_to`` is left out, by rule, of the rows it
does not apply to — exactly as a non-applying indicator always was. Where it applies, an
evaluator's NaN is *missing data*, and the indicator's ``missing`` policy (default: the rule
set's) decides: ``skip`` leaves it out (so leaving a bad number out can pay: declare the
library and choose another policy), ``zero`` scores 0, ``peer_mean`` / ``peer_median`` the
mean / median attainment of the rows of the same period and peer group that have one,
``carry_forward`` the entity's own attainment at its latest earlier period that has one, at
most ``max_gap`` periods back (default 1), and ``error`` refuses the data naming the rows.
Where ``peer_*`` or ``carry_forward`` find nothing (no peer has a value, nothing within the
gap), the value counts 0 — flagged ``zero`` — never left out. Every figure so made is
flagged with its policy. All of it runs on whole columns: loops run
over indicators, never rows.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import DataError, PeriodError, Problem
from ..keys import key_codes
from ..periods import parse_periods
from ..plugins.evaluator import FloatArray
from ..reading.frames import Table
from ..rules.model import AppliesTo, RuleSet
from ..rules.parts import AppliesWhere, alternatives

__all__ = ["POLICIES", "Filled", "applicable", "fill_missing"]

POLICIES = ("zero", "peer_mean", "peer_median", "carry_forward")
"""The policies that make a figure; an imputed figure's code is its place here plus 1."""


def applicable(rules: RuleSet, table: Table) -> list[npt.NDArray[np.bool_]]:
    """A mask an indicator: the rows it applies to by rule (its own and its dimension's
    ``applies_to``); every row where neither says otherwise.

    Raises:
        DataError: a 0/1 ``applies_to`` column is empty in some rows (unknown is no answer).
    """
    problems: list[Problem] = []
    masks = []
    for dimension in rules.dimensions:
        outer = _mask(dimension.applies_to, table, rules, problems)
        masks += [outer & _mask(ind.applies_to, table, rules, problems)
                  for ind in dimension.indicators]
    if problems:
        raise DataError(list(dict.fromkeys(problems)))
    return masks


def _mask(applies: AppliesTo | None, table: Table, rules: RuleSet,
          problems: list[Problem]) -> npt.NDArray[np.bool_]:
    if applies is None:
        return np.ones(table.n_rows, dtype=bool)
    mask = np.zeros(table.n_rows, dtype=bool)
    for where in alternatives(applies):
        mask |= _named(where, table, rules, problems)
    return mask


def _named(where: AppliesWhere, table: Table, rules: RuleSet,
           problems: list[Problem]) -> npt.NDArray[np.bool_]:
    if isinstance(where, str):
        flags = table.columns[where]
        unknown = ~np.isin(flags, (0.0, 1.0))  # NaN too
        if unknown.any():
            problems.append(Problem("must be 0 or 1 in every row: applies_to reads it",
                                    file=table.source, column=where,
                                    rows=table.describe_rows(unknown, rules.entity,
                                                             rules.period)))
        return np.asarray(flags == 1.0)
    mask = np.ones(table.n_rows, dtype=bool)
    for column, allowed in where.items():
        mask &= np.isin(_as_text(table.labels[column]), sorted(_written(allowed)))
    return mask


def _as_text(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Each value in the one form :func:`_canonical` gives (worked out a distinct value)."""
    _, first, inverse = np.unique(values.astype(str), return_index=True, return_inverse=True)
    shown = [_canonical(v) for v in values[first].tolist()]  # one a distinct value
    return np.asarray(shown, dtype=object)[inverse.reshape(-1)]


def _written(allowed: list[str | float]) -> set[str]:
    return {_canonical(v) for v in allowed}


def _canonical(value: Any) -> str:
    """A value as compared by ``applies_to``: full-width forms folded and spaces trimmed,
    and anything that reads as a number as that number (1, 1.0, "1.0", ＂１＂ and True are
    one value)."""
    if isinstance(value, bool):
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return repr(number) if math.isfinite(number) else text


@dataclass(frozen=True)
class Filled:
    """Attainment after the rules on applicability and missing data."""

    attainment: list[FloatArray]
    imputed: tuple[npt.NDArray[np.int8], ...]
    """A code a row an indicator: 0 as evaluated, k made by ``POLICIES[k - 1]``."""
    available: FloatArray
    """(dimensions, rows): the share of the applicable points that have data (not imputed);
    NaN where nothing applies."""
    withheld: npt.NDArray[np.bool_]
    """(dimensions, rows): True where ``min_available`` is not met: the dimension does not
    score there (its indicators are left out)."""


def fill_missing(rules: RuleSet, table: Table, attainment: list[FloatArray],
                 applies: list[npt.NDArray[np.bool_]]) -> Filled:
    """Attainment with non-applying rows left out, missing ones filled by each indicator's
    policy, and dimensions below their ``min_available`` left out.

    Raises:
        DataError: ``missing: error`` where an applicable indicator is missing (every such
            indicator, with rows), or ``carry_forward`` without a period column.
    """
    problems: list[Problem] = []
    filled, codes = [], []
    steps: npt.NDArray[np.int64] | None = None
    for (_, indicator), values, mask in zip(rules.indicators, attainment, applies):
        values = np.where(mask, values, np.nan)
        missing = mask & np.isnan(values)
        code = np.zeros(table.n_rows, dtype=np.int8)
        policy = indicator.missing or rules.missing
        if missing.any() and policy == "error":
            problems.append(Problem(
                f"indicator {indicator.id!r} applies but is missing in some rows and its "
                "policy is missing: error", file=table.source,
                rows=table.describe_rows(missing, rules.entity, rules.period)))
        elif missing.any() and policy != "skip":
            if policy == "zero":
                made = np.zeros(table.n_rows)
            elif policy in ("peer_mean", "peer_median"):
                made = _peer_figure(values, table.groups, table.n_groups, policy == "peer_mean")
            else:
                if steps is None:
                    steps = _period_steps(rules, table)
                made = _carried(values, table, steps, indicator.max_gap or 1)
            done = missing & ~np.isnan(made)
            values = np.where(done, made, values)
            code[done] = POLICIES.index(policy) + 1
            nothing = missing & ~done  # no peer has one, nothing within max_gap: 0, never left out
            values = np.where(nothing, 0.0, values)
            code[nothing] = POLICIES.index("zero") + 1
        filled.append(values)
        codes.append(code)
    if problems:
        raise DataError(problems)
    return _withhold(rules, filled, tuple(codes), applies, table.n_rows)


def _withhold(rules: RuleSet, filled: list[FloatArray], codes: tuple[npt.NDArray[np.int8], ...],
              applies: list[npt.NDArray[np.bool_]], n_rows: int) -> Filled:
    available = np.full((len(rules.dimensions), n_rows), np.nan)
    withheld = np.zeros((len(rules.dimensions), n_rows), dtype=bool)
    cleared = list(codes)
    i = 0
    for d, dimension in enumerate(rules.dimensions):
        mine = range(i, i + len(dimension.indicators))
        i += len(dimension.indicators)
        possible, present = np.zeros(n_rows), np.zeros(n_rows)
        for k, (_, indicator) in zip(mine, rules.indicators[mine.start:mine.stop]):
            possible += applies[k] * indicator.points
            present += (applies[k] & ~np.isnan(filled[k]) & (codes[k] == 0)) * indicator.points
        with np.errstate(invalid="ignore", divide="ignore"):
            available[d] = np.where(possible > 0, present / possible, np.nan)
        if dimension.min_available is not None:
            withheld[d] = available[d] < dimension.min_available
            for k in mine:  # left out: no figure, so none made either
                filled[k] = np.where(withheld[d], np.nan, filled[k])
                cleared[k] = np.where(withheld[d], 0, cleared[k]).astype(np.int8)
    return Filled(filled, tuple(cleared), available, withheld)


def _peer_figure(values: FloatArray, groups: npt.NDArray[np.int64], n_groups: int,
                 mean: bool) -> FloatArray:
    """Each row's peer population's mean or median of the values it has (NaN: none)."""
    has = ~np.isnan(values)
    counts = np.bincount(groups[has], minlength=n_groups)
    if mean:
        sums = np.bincount(groups[has], weights=values[has], minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_group = np.where(counts > 0, sums / counts, np.nan)
    else:
        order = np.lexsort((values[has], groups[has]))
        ordered = values[has][order]
        starts = np.cumsum(counts) - counts
        low = np.where(counts > 0, starts + (counts - 1) // 2, 0)
        high = np.where(counts > 0, starts + counts // 2, 0)
        per_group = np.where(counts > 0, (ordered[low] + ordered[high]) / 2.0, np.nan) \
            if ordered.size else np.full(n_groups, np.nan)
    return np.asarray(per_group[groups], dtype=np.float64)


def _period_steps(rules: RuleSet, table: Table) -> npt.NDArray[np.int64]:
    """Each row's period as a count of periods (months, quarters…), or its place in time
    order where the labels are free text."""
    if table.period is None:
        raise DataError(Problem("missing: carry_forward needs a period column (the rule "
                                "set's period)"))
    if table.period.dtype.kind in "iu" or (
            table.period.dtype.kind == "f" and np.all(table.period == np.floor(table.period))):
        return np.asarray(table.period, dtype=np.int64)  # whole numbers count periods
    try:
        return parse_periods(table.period, lambda mask: (), rules.period).ordinal
    except PeriodError:
        raise DataError(Problem(
            "missing: carry_forward counts periods back, so the periods must read as time "
            "(2024-03, 2024-Q1, 2024) or be whole numbers", column=rules.period)) from None


def _carried(values: FloatArray, table: Table, steps: npt.NDArray[np.int64],
             max_gap: int) -> FloatArray:
    """Each row's entity's latest earlier value, at most ``max_gap`` periods back (NaN:
    none): the rows in (entity, period) order, the last index with a value carried on."""
    entity, _ = key_codes(table.entity)
    order = np.lexsort((steps, entity))
    ordered = values[order]
    at = np.where(~np.isnan(ordered), np.arange(order.size), -1)
    last = np.maximum.accumulate(at) if at.size else at
    earlier = np.where(np.isnan(ordered), last, -1)  # a row with a value keeps its own
    ok = (earlier >= 0)
    source = np.where(ok, earlier, 0)
    ok &= entity[order][source] == entity[order]
    ok &= steps[order] - steps[order][source] <= max_gap
    carried = np.full(order.size, np.nan)
    carried[ok] = ordered[source[ok]]
    result = np.full(order.size, np.nan)
    result[order] = carried
    return result
