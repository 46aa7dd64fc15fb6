from __future__ import annotations

import numpy as np
import pytest
import yaml
from evaluate_helper import check, params_error, points, run, score_rows, totals, write_rules

import fortress_score as fs


def test_points_an_event_up_to_the_cap() -> None:
    # 2 points a violation, at most 10: 0, 1, 3, 5 and 6 violations
    got = run("per_event", {"input": "v", "each": 2}, points=10, v=[0, 1, 3, 5, 6])
    np.testing.assert_allclose(got, [0, 0.2, 0.6, 1.0, 1.0])


def test_each_must_be_positive() -> None:
    assert "greater than 0" in params_error("per_event", {"input": "v", "each": 0})


# ------------------------------------------ through the public API: a one-indicator rule file
def test_per_event_capped_at_one(tmp_path):
    # min(x * 10 / 100, 1): 0 -> 0 ; 3 -> 0.3 ; 10 -> 1 ; 20 -> 1 (capped)
    recs = score_rows(tmp_path, {"kind": "per_event", "input": "x", "each": 10},
                      {"x": [0, 3, 10, 20]})
    check(recs, [0, 30, 100, 100])


def test_per_event_divides_by_context_points(tmp_path):
    # indicator points 50: a = min(x*10/50, 1): 2 -> 0.4 -> 20 points ; S = 100*20/50 = 40
    recs = score_rows(tmp_path, {"kind": "per_event", "input": "x", "each": 10}, {"x": [2, 7]},
                      points=50)
    assert points(recs) == [pytest.approx(20), pytest.approx(50)]
    assert totals(recs) == [pytest.approx(40), pytest.approx(100)]


def test_per_event_as_capped_deduction(tmp_path):
    doc_eval = {"kind": "target", "input": "x", "target": 100, "floor": 0}
    path = write_rules(tmp_path, doc_eval)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["adjustments"] = [{"id": "violations", "title": "违章", "kind": "deduction", "cap": 10,
                           "evaluate": {"kind": "per_event", "input": "v", "each": 2}}]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rules = fs.load_rules(str(path))
    data = {"branch": ["b0", "b1", "b2"], "month": ["m"] * 3, "x": [90, 90, 90], "v": [0, 2, 7]}
    recs = {r["entity"]: r for r in fs.score(rules, data).to_records()}
    # "2 points a violation, at most 10": 0 -> 0 ; 2 -> -4 ; 7 -> -min(14, 10) = -10
    assert [float(recs[e]["adjustments"]["violations"]) for e in ("b0", "b1", "b2")] == [
        pytest.approx(0), pytest.approx(-4), pytest.approx(-10)]
    assert [float(recs[e]["total"]) for e in ("b0", "b1", "b2")] == [
        pytest.approx(90), pytest.approx(86), pytest.approx(80)]
