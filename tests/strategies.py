"""Hypothesis strategies: valid rule sets over columns c0..c5, and data for them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

COLUMNS = [f"c{i}" for i in range(6)]
column = st.sampled_from(COLUMNS)
number = st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 3))
unit = st.floats(0, 1).map(lambda x: round(x, 3))


@st.composite
def evaluate_tables(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["target", "growth", "bands", "ratio", "checklist", "per_event",
                                 "survey", "rank", "minmax", "threshold"]))
    if kind in ("target", "growth"):
        target, floor = draw(number), draw(number)
        if target == floor:
            floor = target + 1
        cols = {"input": draw(column)} if kind == "target" else {"current": draw(column), "baseline": draw(column)}
        return {"kind": kind, **cols, "target": target, "floor": floor}
    if kind == "bands":
        bands = [{"min": lo, "score": draw(unit)} for lo in sorted(draw(st.lists(number, min_size=1, max_size=3)), reverse=True)]
        return {"kind": kind, "input": draw(column), "bands": bands, "otherwise": draw(unit)}
    if kind == "ratio":
        return {"kind": kind, "numerator": draw(column), "denominator": draw(column),
                "empty": draw(st.one_of(st.just("skip"), unit))}
    if kind == "checklist":
        inputs = draw(st.lists(column, min_size=1, max_size=4, unique=True))
        return {"kind": kind, "inputs": inputs, "weights": [draw(st.integers(1, 3)) for _ in inputs]}
    if kind == "per_event":
        return {"kind": kind, "input": draw(column), "each": draw(st.floats(0.5, 5))}
    if kind == "survey":
        return {"kind": kind, "levels": {"good": 1.0, "fair": 0.6, "bad": 0.0},
                "groups": [{"name": "masses", "fields": {"good": "s0", "bad": "s1"}},
                           {"name": "members", "fields": {"good": "s2", "fair": "s3"}}],
                "min_responses": draw(st.integers(1, 3))}
    if kind in ("rank", "minmax"):
        return {"kind": kind, "input": draw(column), "higher_is_better": draw(st.booleans())}
    return {"kind": kind, "input": draw(column), "op": draw(st.sampled_from([">", ">=", "<", "<=", "==", "!="])),
            "value": draw(number)}


@st.composite
def rule_sets(draw: st.DrawFn) -> dict[str, Any]:
    ids = iter(f"r{i}" for i in range(1000))
    dimensions = [
        {"id": next(ids), "weight": draw(st.integers(1, 50)),
         "indicators": [{"id": next(ids), "points": draw(st.integers(1, 30)), "evaluate": draw(evaluate_tables())}
                        for _ in range(draw(st.integers(1, 4)))]}
        for _ in range(draw(st.integers(1, 3)))
    ]
    adjustments = [{"id": next(ids), "kind": draw(st.sampled_from(["bonus", "deduction"])),
                    "cap": draw(st.integers(1, 20)), "evaluate": draw(evaluate_tables())}
                   for _ in range(draw(st.integers(0, 2)))]
    scale = draw(st.sampled_from([100, 10, 150]))
    vetoes = [{"id": next(ids), "when": {"kind": "threshold", "input": draw(column), "op": ">", "value": draw(number)},
               "effect": draw(st.sampled_from([{"total": 0}, {"max_stars": 2}, {"total": scale / 2, "max_stars": 1}]))}
              for _ in range(draw(st.integers(0, 1)))]
    return {
        "ruleset": "generated", "entity": "branch", "period": "month", "group_by": "kind",
        "scale": scale, "precision": draw(st.integers(0, 3)),
        "missing": draw(st.sampled_from(["skip", "zero"])), "clamp": True,
        "dimensions": dimensions, "adjustments": adjustments, "vetoes": vetoes,
        "ratings": [{"stars": 3, "min": 0.9 * scale}, {"stars": 2, "min": 0.7 * scale}, {"stars": 1, "min": 0.5 * scale}],
    }


@st.composite
def data_sets(draw: st.DrawFn) -> dict[str, list[Any]]:
    n = draw(st.integers(1, 16))
    cell = st.one_of(st.none(), st.integers(0, 20).map(float), number)
    return {
        "branch": [f"b{i % 8}" for i in range(n)],
        "month": [f"2024-{1 + i // 8:02d}" for i in range(n)],
        "kind": [draw(st.sampled_from(["x", "y"])) for _ in range(n)],
        **{c: [draw(cell) for _ in range(n)] for c in COLUMNS},
        **{f"s{i}": [draw(st.one_of(st.none(), st.integers(0, 9))) for _ in range(n)] for i in range(4)},
    }
