"""Weights derived by a method (the rule file's ``weighting:``), worked out when the rules
load and written into the parts they weigh.

``weighting.dimensions`` derives the dimension weights, ``weighting.indicators.<dimension>``
that dimension's indicator points:

* ``equal``: every part alike (weights 100 / n);
* ``ahp``: the analytic hierarchy process (层次分析法). ``judgements`` ``[a, b, x]`` read
  "a is x times as important as b"; every pair of the parts needs exactly one (either way
  round), building the reciprocal matrix whose principal eigenvector gives the shares
  (:func:`fortress_score.weights.ahp`). A consistency ratio above :data:`MAX_CR` is a
  load-time problem naming the judgements of the most inconsistent triad.

A derived weight is 100 × its share: dimension weights and a dimension's points add up to
100. A part under a method must not give ``weight`` / ``points`` itself. The rule set keeps
the method, not the numbers: :meth:`RuleSet.model_dump` leaves the derived ones out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import FortressScoreError
from ..weights import ahp
from .crosscheck import normal_id
from .file import Loc
from .parts import DATA_METHODS

__all__ = ["MAX_CR", "SCALE", "derived_cells", "derived_weights", "strip_derived"]

MAX_CR = 0.1
"""The largest consistency ratio accepted (Saaty's rule of thumb)."""

SCALE = 100.0
"""Derived weights are shares of this."""


def derived_weights(data: Mapping[str, Any]
                    ) -> tuple[list[tuple[Loc, str]], dict[tuple[int, ...], float]]:
    """(problems, derived): the problems of ``data``'s weighting, each with its rule path,
    and the derived values by place: (d,) a dimension's weight, (d, i) an indicator's
    points. Malformed parts are left to the model's own checks."""
    weighting = data.get("weighting")
    dims = data.get("dimensions")
    if not isinstance(weighting, Mapping) or not isinstance(dims, list):
        return [], {}
    problems: list[tuple[Loc, str]] = []
    derived: dict[tuple[int, ...], float] = {}
    method = weighting.get("dimensions")
    if isinstance(method, Mapping):
        parts = [(d, dim) for d, dim in enumerate(dims) if isinstance(dim, Mapping)]
        for d, dim in parts:
            if dim.get("weight") is not None:
                problems.append((("dimensions", d, "weight"), (
                    f"(of {dim.get('id')!r}) is given, and weighting.dimensions derives it "
                    f"by method {method.get('method')!r}: give one or the other")))
        shares = _shares(method, [_id(dim.get("id")) for _, dim in parts],
                         ("weighting", "dimensions"), problems)
        derived |= {(d,): share for (d, _), share in zip(parts, shares)}
    methods = weighting.get("indicators")
    if isinstance(methods, Mapping):
        ids = {_id(dim.get("id")): d for d, dim in enumerate(dims) if isinstance(dim, Mapping)}
        for dim_id, method in methods.items():
            if _id(dim_id) not in ids:
                problems.append((("weighting", "indicators", dim_id), (
                    f"names no dimension; the dimensions are {', '.join(map(repr, ids))}")))
                continue
            d = ids[_id(dim_id)]
            indicators = dims[d].get("indicators")
            if not isinstance(method, Mapping) or not isinstance(indicators, list):
                continue
            parts = [(i, ind) for i, ind in enumerate(indicators) if isinstance(ind, Mapping)]
            for i, ind in parts:
                evaluate = ind.get("evaluate")
                if method.get("method") in DATA_METHODS and isinstance(evaluate, Mapping) \
                        and evaluate.get("kind") == "per_event":
                    problems.append((("dimensions", d, "indicators", i, "evaluate", "kind"), (
                        f"per_event reads its indicator's points, which "
                        f"weighting.indicators.{dim_id} (method {method.get('method')!r}) "
                        "derives from the attainment: give the dimension fixed points or "
                        "another evaluator")))
                if ind.get("points") is not None:
                    problems.append((("dimensions", d, "indicators", i, "points"), (
                        f"(of {ind.get('id')!r}) is given, and weighting.indicators.{dim_id} "
                        f"derives it by method {method.get('method')!r}: give one or the "
                        "other")))
            shares = _shares(method, [_id(ind.get("id")) for _, ind in parts],
                             ("weighting", "indicators", dim_id), problems)
            derived |= {(d, i): share for (i, _), share in zip(parts, shares)}
    return problems, {place: SCALE * share for place, share in derived.items()}


def _shares(method: Mapping[str, Any], ids: list[str], loc: Loc,
            problems: list[tuple[Loc, str]]) -> list[float]:
    """Each part's share by ``method``; [] (with problems) where it cannot be worked out.
    A method that weighs by the data gives equal shares here: the nominal weights, which
    scoring replaces with each period's (:mod:`fortress_score.scoring.data_weights`)."""
    name = method.get("method")
    if name in ("equal", *DATA_METHODS) and ids:
        return [1.0 / len(ids)] * len(ids)
    if name != "ahp" or not isinstance(method.get("judgements"), list):
        return []  # the model says what is wrong with the method
    matrix = _matrix(method["judgements"], ids, (*loc, "judgements"), problems)
    if matrix is None:
        return []
    try:
        result = ahp(matrix, labels=ids)
    except FortressScoreError as exc:  # more parts than the method takes, say
        problems.extend(((*loc, "judgements"), str(p)) for p in exc.problems)
        return []
    if result.consistency_ratio > MAX_CR:
        triad = result.worst_triad()
        worst = ""
        if triad is not None:
            i, j, k, _ = triad
            worst = (f"; the most inconsistent triad is {ids[i]}, {ids[j]}, {ids[k]}: "
                     f"{ids[i]}/{ids[j]} = {_fraction(matrix[i][j])}, "
                     f"{ids[j]}/{ids[k]} = {_fraction(matrix[j][k])}, yet "
                     f"{ids[i]}/{ids[k]} = {_fraction(matrix[i][k])} (consistent: "
                     f"{_fraction(matrix[i][j] * matrix[j][k])})")
        problems.append(((*loc, "judgements"), (
            f"are inconsistent: consistency ratio {result.consistency_ratio:.3f} > {MAX_CR} "
            f"(λmax {result.lambda_max:.4f}, n {len(ids)}){worst}")))
        return []
    # to 12 significant digits: the weights do not hang on the last bits of the eigen-solver
    return [float(f"{w:.12g}") for w in result.weights]


def _matrix(judgements: list[Any], ids: list[str], loc: Loc,
            problems: list[tuple[Loc, str]]) -> list[list[float]] | None:
    """The reciprocal matrix of ``judgements`` over ``ids``, or None with problems."""
    index = {part: k for k, part in enumerate(ids)}
    n = len(ids)
    matrix = [[1.0 if i == j else math.nan for j in range(n)] for i in range(n)]
    given: dict[frozenset[str], int] = {}
    bad = False
    for j, judgement in enumerate(judgements):
        if not (isinstance(judgement, list | tuple) and len(judgement) == 3):
            return None  # the model says what is wrong
        a, b, x = judgement
        if not isinstance(x, int | float) or isinstance(x, bool) or not x > 0:
            return None
        if not isinstance(a, str) or not isinstance(b, str):
            return None  # the model says what is wrong
        a, b = _id(a), _id(b)
        unknown = [str(p) for p in (a, b) if p not in index]
        if unknown:
            problems.append(((*loc, j), (
                f"names {', '.join(map(repr, unknown))}, not one of the parts weighed: "
                f"{', '.join(map(repr, ids))}")))
            bad = True
            continue
        if a == b:
            problems.append(((*loc, j), f"compares {a!r} with itself"))
            bad = True
            continue
        pair = frozenset((a, b))
        if pair in given:
            problems.append(((*loc, j), (
                f"judges {a!r} against {b!r} again (first in judgements[{given[pair]}])")))
            bad = True
            continue
        given[pair] = j
        matrix[index[a]][index[b]] = float(x)
        matrix[index[b]][index[a]] = 1.0 / float(x)
    missing = [f"[{ids[i]}, {ids[k]}]" for i in range(n) for k in range(i + 1, n)
               if math.isnan(matrix[i][k])]
    if missing:
        problems.append((loc, (
            f"must judge every pair of {', '.join(ids)}; unjudged: {', '.join(missing)}")))
        bad = True
    return None if bad else matrix


def _id(value: Any) -> str:
    """An id as the rule model reads it (full-width forms folded)."""
    return normal_id(value) if isinstance(value, str) else str(value)


def _fraction(value: float) -> str:
    for whole in range(1, 10):
        if abs(value * whole - round(value * whole)) < 1e-9 and round(value * whole) > 0:
            top = round(value * whole)
            return f"{top}" if whole == 1 else f"{top}/{whole}"
    return f"{value:.3g}"


def strip_derived(data: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """Take out of ``data`` (plain, changed in place) the weights and points its
    ``weighting`` derives; returns them by (``dimensions.<id>.weight`` or
    ``indicators.<id>.points``, rule path)."""
    weighting = data.get("weighting")
    dims = data.get("dimensions")
    taken: dict[tuple[str, str], Any] = {}
    if not isinstance(weighting, Mapping) or not isinstance(dims, list):
        return taken
    methods = weighting.get("indicators")
    by_inds = methods if isinstance(methods, Mapping) else {}
    for d, dim in enumerate(dims):
        if not isinstance(dim, dict):
            continue
        if weighting.get("dimensions") is not None and "weight" in dim:
            taken[(f"dimensions.{dim.get('id')}.weight", f"dimensions[{d}].weight")] = \
                dim.pop("weight")
        if dim.get("id") in by_inds and isinstance(dim.get("indicators"), list):
            for i, ind in enumerate(dim["indicators"]):
                if isinstance(ind, dict) and "points" in ind:
                    taken[(f"indicators.{ind.get('id')}.points",
                           f"dimensions[{d}].indicators[{i}].points")] = ind.pop("points")
    return taken


def derived_cells(data: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """:func:`strip_derived`, less the values that are None (an empty cell)."""
    return {key: value for key, value in strip_derived(data).items() if value is not None}
