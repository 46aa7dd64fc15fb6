"""Run the built-in evaluators: directly on arrays, the way the engine does (`run`), or
through the public API on a one-indicator rule file (`score_rows`).

`score_rows` writes a rule file with one dimension holding one indicator of 100 points,
weight 1 and the default scale 100, so indicator points == dimension score == total ==
100 × attainment. Where an evaluator gives NaN ("does not apply") a second "anchor" dimension
(attainment 0.4) is added, so the row still has a total: 100 × 40 / 100 = 40 by weight
renormalisation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import yaml

import fortress_score as fs

ENGINE = fs.Engine(entry_points=False)


def run(name: str, params: dict[str, Any], *, groups: Any = None, points: float = 10.0,
        **columns: Any) -> np.ndarray:
    evaluator = ENGINE.evaluators()[name]
    validated = evaluator.Params.model_validate(params)
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in columns.items()}
    n = len(next(iter(arrays.values())))
    codes = np.zeros(n, dtype=np.int64) if groups is None else np.unique(groups, return_inverse=True)[1]
    context = fs.Context(points=points, groups=codes.astype(np.int64),
                         n_groups=int(codes.max()) + 1, rule="i")
    return evaluator.evaluate(arrays, validated, context)


def params_error(name: str, params: dict[str, Any]) -> str:
    """The validation message for bad params (the test fails if they validate)."""
    evaluator = ENGINE.evaluators()[name]
    try:
        evaluator.Params.model_validate(params)
    except Exception as exc:  # pydantic.ValidationError
        return str(exc)
    raise AssertionError(f"{params} validated")


def write_rules(directory, evaluate, *, points=100, anchor=False, **top):
    dims = [{
        "id": "d", "title": "维度", "weight": 1,
        "indicators": [{"id": "i", "title": "指标", "points": points, "evaluate": evaluate}],
    }]
    if anchor:
        dims.append({
            "id": "anchor", "title": "anchor", "weight": 1,
            "indicators": [{"id": "a", "title": "anchor", "points": 100,
                            "evaluate": {"kind": "target", "input": "anchor_x", "target": 100,
                                         "floor": 0}}],
        })
    doc = {"ruleset": "contract-evaluators", "title": "evaluator test", "entity": "branch",
           "period": "month"}
    doc.update(top)
    doc["dimensions"] = dims
    doc["ratings"] = [{"stars": 1, "min": 50, "title": "one"}]
    path = directory / "rules.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def score_rows(directory, evaluate, columns, *, points=100, anchor=False, periods=None, **top):
    """Score one row per value; returns the records in input order."""
    path = write_rules(directory, evaluate, points=points, anchor=anchor, **top)
    rules = fs.load_rules(str(path))
    n = len(next(iter(columns.values())))
    data = {"branch": [f"b{k}" for k in range(n)],
            "month": list(periods) if periods is not None else ["2021-01"] * n}
    data.update({k: list(v) for k, v in columns.items()})
    if anchor:
        data["anchor_x"] = [40] * n
    recs = {(r["entity"], r["period"]): r for r in fs.score(rules, data).to_records()}
    return [recs[(data["branch"][k], data["month"][k])] for k in range(n)]


def totals(records):
    return [None if r["total"] is None else float(r["total"]) for r in records]


def points(records):
    return [None if r["indicators"]["i"] is None else float(r["indicators"]["i"]) for r in records]


def check(records, expected):
    """expected: 100 × attainment per row (already rounded to 2 dp) or None for NaN."""
    for rec, exp in zip(records, expected, strict=True):
        if exp is None:
            assert rec["indicators"]["i"] is None, rec
            assert rec["dimensions"]["d"] is None, rec
            assert float(rec["total"]) == pytest.approx(40, abs=1e-9), rec
        else:
            assert float(rec["indicators"]["i"]) == pytest.approx(exp, abs=1e-9), rec
            assert float(rec["dimensions"]["d"]) == pytest.approx(exp, abs=1e-9), rec
            if "anchor" in rec["dimensions"]:
                # equal weights: total = (S_d + 40) / 2 (exp is itself rounded: allow 0.01)
                assert float(rec["total"]) == pytest.approx((exp + 40) / 2, abs=0.011)
            else:
                assert float(rec["total"]) == pytest.approx(exp, abs=1e-9), rec


def load_error(directory, evaluate):
    with pytest.raises(fs.FortressScoreError):
        fs.load_rules(str(write_rules(directory, evaluate)))
