"""Contract tests: the ten built-in evaluators (issue 2, item 4) through the public API.

Each test writes a rule file with one dimension holding one indicator of 100 points, weight 1
and the default scale 100, so indicator points == dimension score == total == 100 × attainment.
Where an evaluator gives NaN ("does not apply") a second "anchor" dimension (attainment 0.4)
is added, so the row still has a total: 100 × 40 / 100 = 40 by weight renormalisation.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import fortress_score as fs

BUILTINS = ("target", "growth", "bands", "ratio", "checklist", "per_event", "survey", "rank",
            "minmax", "threshold")


# --------------------------------------------------------------------------- helpers
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


def run(directory, evaluate, columns, *, points=100, anchor=False, periods=None, **top):
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


# --------------------------------------------------------------------------- registry
def test_ten_builtins_are_registered():
    evaluators = fs.Engine().evaluators()
    for name in BUILTINS:
        assert name in evaluators
        ev = evaluators[name]
        assert isinstance(ev, fs.Evaluator)
        assert ev.name == name
        assert bool(ev.population) is (name in ("rank", "minmax"))


@pytest.mark.parametrize(
    "name, params, expected",
    [
        ("target", {"input": "x", "target": 1, "floor": 0}, {"x"}),
        ("ratio", {"numerator": "n", "denominator": "d"}, {"n", "d"}),
        ("checklist", {"inputs": ["c1", "c2", "c3"]}, {"c1", "c2", "c3"}),
        ("growth", {"current": "cur", "baseline": "base", "target": 10, "floor": 0},
         {"cur", "base"}),
    ],
)
def test_builtin_inputs_derived_from_params(name, params, expected):
    ev = fs.Engine().evaluators()[name]
    assert set(ev.inputs(ev.Params.model_validate(params))) == expected


# --------------------------------------------------------------------------- target
def test_target_higher_is_better(tmp_path):
    # clip((x - 60)/(100 - 60), 0, 1): 50 -> 0, 60 -> 0, 80 -> 0.5, 100 -> 1, 120 -> 1
    recs = run(tmp_path, {"kind": "target", "input": "x", "target": 100, "floor": 60},
               {"x": [50, 60, 80, 100, 120]})
    check(recs, [0, 0, 50, 100, 100])


def test_target_lower_is_better(tmp_path):
    # target 2 < floor 4: clip((x - 4)/(2 - 4), 0, 1): 1 -> 1, 2 -> 1, 3 -> 0.5, 4 -> 0, 5 -> 0
    recs = run(tmp_path, {"kind": "target", "input": "x", "target": 2, "floor": 4},
               {"x": [1, 2, 3, 4, 5]})
    check(recs, [100, 100, 50, 0, 0])


def test_target_equal_to_floor_is_a_load_error(tmp_path):
    load_error(tmp_path, {"kind": "target", "input": "x", "target": 3, "floor": 3})


# --------------------------------------------------------------------------- growth
def test_growth(tmp_path):
    # g = (cur - base)/base*100, then target 10 floor 0
    # (110,100): g 10 -> 1 ; (105,100): g 5 -> 0.5 ; (95,100): g -5 -> 0 ; (150,100): g 50 -> 1
    # (22, 20): g 10 -> 1 ; (5, 0): baseline 0 -> NaN
    recs = run(tmp_path,
               {"kind": "growth", "current": "cur", "baseline": "base", "target": 10, "floor": 0},
               {"cur": [110, 105, 95, 150, 22, 5], "base": [100, 100, 100, 100, 20, 0]},
               anchor=True)
    check(recs, [100, 50, 0, 100, 100, None])


def test_growth_lower_is_better(tmp_path):
    # target -10 floor 0: (90,100): g -10 -> 1 ; (95,100): g -5 -> 0.5 ; (100,100): 0 -> 0
    recs = run(tmp_path,
               {"kind": "growth", "current": "cur", "baseline": "base", "target": -10, "floor": 0},
               {"cur": [90, 95, 100], "base": [100, 100, 100]})
    check(recs, [100, 50, 0])


def test_growth_target_equal_to_floor_is_a_load_error(tmp_path):
    load_error(tmp_path,
               {"kind": "growth", "current": "c", "baseline": "b", "target": 5, "floor": 5})


# --------------------------------------------------------------------------- bands
def test_bands_open_bounds_half_open_intervals(tmp_path):
    bands = [{"max": 10, "score": 0.2}, {"min": 10, "max": 20, "score": 0.6},
             {"min": 20, "score": 1.0}]
    # -100 -> open lower bound -> 0.2 ; 9.99 -> 0.2 ; 10 -> min inclusive -> 0.6 ;
    # 19.99 -> 0.6 ; 20 -> max exclusive -> 1.0 ; 1e6 -> open upper bound -> 1.0
    recs = run(tmp_path, {"kind": "bands", "input": "x", "bands": bands},
               {"x": [-100, 9.99, 10, 19.99, 20, 1e6]})
    check(recs, [20, 20, 60, 60, 100, 100])


def test_bands_otherwise(tmp_path):
    bands = [{"min": 0, "max": 10, "score": 0.5}]
    recs = run(tmp_path, {"kind": "bands", "input": "x", "bands": bands, "otherwise": 0.1},
               {"x": [5, 10, -1]})
    # 5 -> 0.5 ; 10 not < 10 -> otherwise 0.1 ; -1 -> otherwise 0.1
    check(recs, [50, 10, 10])


def test_bands_otherwise_defaults_to_zero(tmp_path):
    bands = [{"min": 0, "max": 10, "score": 0.5}]
    recs = run(tmp_path, {"kind": "bands", "input": "x", "bands": bands}, {"x": [5, 50]})
    check(recs, [50, 0])


def test_bands_first_match_in_file_order(tmp_path):
    bands = [{"min": 0, "max": 100, "score": 0.3}, {"min": 50, "max": 60, "score": 0.9}]
    recs = run(tmp_path, {"kind": "bands", "input": "x", "bands": bands}, {"x": [55, 150]})
    # 55 is in both bands: the first (0.3) wins ; 150 in none -> 0
    check(recs, [30, 0])


# --------------------------------------------------------------------------- ratio
def test_ratio(tmp_path):
    # clip(n/d, 0, 1): 3/4 -> 0.75 ; 5/4 -> 1 ; 0/4 -> 0 ; -1/4 -> 0
    recs = run(tmp_path, {"kind": "ratio", "numerator": "n", "denominator": "d"},
               {"n": [3, 5, 0, -1], "d": [4, 4, 4, 4]})
    check(recs, [75, 100, 0, 0])


@pytest.mark.parametrize("empty", [None, "skip"])
def test_ratio_zero_denominator_skip(tmp_path, empty):
    evaluate = {"kind": "ratio", "numerator": "n", "denominator": "d"}
    if empty is not None:
        evaluate["empty"] = empty
    # default `empty` is "skip": den 0 -> NaN -> does not apply
    recs = run(tmp_path, evaluate, {"n": [0, 3, 1], "d": [0, 0, 2]}, anchor=True)
    check(recs, [None, None, 50])


@pytest.mark.parametrize("empty, expected", [(1, 100), (0, 0), (0.5, 50)])
def test_ratio_zero_denominator_number(tmp_path, empty, expected):
    recs = run(tmp_path, {"kind": "ratio", "numerator": "n", "denominator": "d", "empty": empty},
               {"n": [0, 1], "d": [0, 4]})
    check(recs, [expected, 25])


# --------------------------------------------------------------------------- checklist
def test_checklist_unweighted(tmp_path):
    cols = {"c1": [1, 0, 1, -1], "c2": [0, 0, 1, 0], "c3": [2, 0, 1, 0], "c4": [0, 0, 1, 0]}
    # share of non-zero: 2/4, 0/4, 4/4, 1/4 (negative is non-zero)
    recs = run(tmp_path, {"kind": "checklist", "inputs": ["c1", "c2", "c3", "c4"]}, cols)
    check(recs, [50, 0, 100, 25])


def test_checklist_weighted(tmp_path):
    cols = {"c1": [1, 0, 0], "c2": [0, 0, 3], "c3": [1, 0, 0], "c4": [0, 5, 0]}
    # weights 1,1,2,4 (sum 8): (1+2)/8 = 0.375 ; 4/8 = 0.5 ; 1/8 = 0.125
    recs = run(tmp_path,
               {"kind": "checklist", "inputs": ["c1", "c2", "c3", "c4"], "weights": [1, 1, 2, 4]},
               cols)
    check(recs, [37.5, 50, 12.5])


# --------------------------------------------------------------------------- per_event
def test_per_event_capped_at_one(tmp_path):
    # min(x * 10 / 100, 1): 0 -> 0 ; 3 -> 0.3 ; 10 -> 1 ; 20 -> 1 (capped)
    recs = run(tmp_path, {"kind": "per_event", "input": "x", "each": 10}, {"x": [0, 3, 10, 20]})
    check(recs, [0, 30, 100, 100])


def test_per_event_divides_by_context_points(tmp_path):
    # indicator points 50: a = min(x*10/50, 1): 2 -> 0.4 -> 20 points ; S = 100*20/50 = 40
    recs = run(tmp_path, {"kind": "per_event", "input": "x", "each": 10}, {"x": [2, 7]}, points=50)
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


# --------------------------------------------------------------------------- survey
SURVEY_LEVELS = {"satisfied": 1.0, "basic": 0.5, "unsatisfied": 0.0}
SURVEY_GROUPS = [
    {"name": "masses", "fields": {"satisfied": "m_s", "basic": "m_b", "unsatisfied": "m_u"}},
    {"name": "members", "fields": {"satisfied": "p_s", "basic": "p_b", "unsatisfied": "p_u"}},
]


def _survey(**extra):
    return {"kind": "survey", "levels": SURVEY_LEVELS, "groups": SURVEY_GROUPS, **extra}


def test_survey_first_group_and_fallback(tmp_path):
    cols = {
        "m_s": [6, 0, 0], "m_b": [2, 0, 0], "m_u": [2, 0, 0],
        "p_s": [1, 3, 0], "p_b": [0, 1, 0], "p_u": [0, 0, 0],
    }
    # row 0: masses (6,2,2): (6*1 + 2*0.5 + 0)/10 = 0.7
    # row 1: no masses -> members (3,1,0): (3 + 0.5)/4 = 0.875
    # row 2: nobody answered -> NaN
    recs = run(tmp_path, _survey(), cols, anchor=True)
    check(recs, [70, 87.5, None])


def test_survey_min_responses(tmp_path):
    cols = {
        "m_s": [2, 5, 1], "m_b": [1, 0, 0], "m_u": [0, 5, 0],
        "p_s": [4, 0, 2], "p_b": [2, 0, 0], "p_u": [0, 0, 0],
    }
    # min_responses 5:
    # row 0: masses 3 answers < 5 -> members (4,2,0): (4 + 1)/6 = 0.8333 -> 83.33
    # row 1: masses exactly 10 >= 5: (5 + 0 + 0)/10 = 0.5 -> 50
    # row 2: masses 1, members 2, both < 5 -> NaN
    recs = run(tmp_path, _survey(min_responses=5), cols, anchor=True)
    check(recs, [83.33, 50, None])


# --------------------------------------------------------------------------- rank
def test_rank_higher_is_better_with_ties(tmp_path):
    # values 10, 20, 20, 5 -> ranks 3, 1, 1, 4 ; n = 4 ; (n - r)/(n - 1) = 1/3, 1, 1, 0
    recs = run(tmp_path, {"kind": "rank", "input": "x"}, {"x": [10, 20, 20, 5]})
    check(recs, [33.33, 100, 100, 0])


def test_rank_lower_is_better(tmp_path):
    # ascending: 5 -> 1, 10 -> 2, 20 -> 3, 20 -> 3 ; (4 - r)/3 = 2/3, 1/3, 1/3, 1
    recs = run(tmp_path, {"kind": "rank", "input": "x", "higher_is_better": False},
               {"x": [10, 20, 20, 5]})
    check(recs, [66.67, 33.33, 33.33, 100])


def test_rank_all_tied_and_single(tmp_path):
    recs = run(tmp_path, {"kind": "rank", "input": "x"}, {"x": [5, 5, 5]})
    check(recs, [100, 100, 100])  # all rank 1: (3-1)/(3-1) = 1
    recs = run(tmp_path, {"kind": "rank", "input": "x"}, {"x": [7]})
    check(recs, [100])  # n == 1 -> 1


def test_rank_within_period_population(tmp_path):
    # period m1: 10, 20 -> 0, 1 ; period m2: only one row -> n == 1 -> 1
    recs = run(tmp_path, {"kind": "rank", "input": "x"}, {"x": [10, 20, 1]},
               periods=["m1", "m1", "m2"])
    check(recs, [0, 100, 100])


def test_rank_within_group_population(tmp_path):
    # group A: 1, 2, 3 -> ranks 3, 2, 1 -> 0, 0.5, 1 ; group B: 100 alone -> 1
    recs = run(tmp_path, {"kind": "rank", "input": "x"},
               {"x": [1, 2, 3, 100], "region": ["A", "A", "A", "B"]}, group_by="region")
    check(recs, [0, 50, 100, 100])


# --------------------------------------------------------------------------- minmax
def test_minmax(tmp_path):
    recs = run(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [10, 20, 30, 15]})
    # (x - 10)/(30 - 10): 0, 0.5, 1, 0.25
    check(recs, [0, 50, 100, 25])


def test_minmax_lower_is_better(tmp_path):
    recs = run(tmp_path, {"kind": "minmax", "input": "x", "higher_is_better": False},
               {"x": [10, 20, 30, 15]})
    # (30 - x)/20: 1, 0.5, 0, 0.75
    check(recs, [100, 50, 0, 75])


def test_minmax_max_equals_min(tmp_path):
    recs = run(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [7, 7]})
    check(recs, [100, 100])
    recs = run(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [3]})
    check(recs, [100])


def test_minmax_within_period_population(tmp_path):
    # m1: 0, 10 -> 0, 1 ; m2: 10, 20 -> 0, 1 (the population is per period)
    recs = run(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [0, 10, 10, 20]},
               periods=["m1", "m1", "m2", "m2"])
    check(recs, [0, 100, 0, 100])


# --------------------------------------------------------------------------- threshold
@pytest.mark.parametrize(
    "op, expected",
    [
        (">", [0, 0, 100]),
        (">=", [0, 100, 100]),
        ("<", [100, 0, 0]),
        ("<=", [100, 100, 0]),
        ("==", [0, 100, 0]),
        ("!=", [100, 0, 100]),
    ],
)
def test_threshold_ops(tmp_path, op, expected):
    recs = run(tmp_path, {"kind": "threshold", "input": "x", "op": op, "value": 5},
               {"x": [4, 5, 6]})
    check(recs, expected)


def test_threshold_unknown_op_is_a_load_error(tmp_path):
    load_error(tmp_path, {"kind": "threshold", "input": "x", "op": "=>", "value": 5})


# --------------------------------------------------------------------------- attainment range
@pytest.mark.parametrize("seed", [0, 1])
def test_builtin_attainment_within_unit_interval(tmp_path, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-50, 150, size=12).round(3).tolist()
    count = rng.integers(0, 60, size=12).tolist()  # event counts are not negative
    for evaluate in (
        {"kind": "target", "input": "x", "target": 100, "floor": 0},
        {"kind": "target", "input": "x", "target": 0, "floor": 100},
        {"kind": "minmax", "input": "x"},
        {"kind": "rank", "input": "x"},
        {"kind": "per_event", "input": "n", "each": 3},
    ):
        for rec in run(tmp_path, evaluate, {"x": x, "n": count}):
            assert 0 <= float(rec["indicators"]["i"]) <= 100
