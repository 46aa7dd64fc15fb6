"""Contract tests: the scoring model of DESIGN.md §4 / issue 2 item 5, by hand-computed examples.

Written from the specification only (DESIGN.md §4, §5, §6 and issue 2); every expected
figure is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import pytest
import yaml

import fortress_score as fs

# --------------------------------------------------------------------------- helpers
RATINGS = [
    {"stars": 5, "min": 90, "title": "五星"},
    {"stars": 4, "min": 80, "title": "四星"},
    {"stars": 3, "min": 70, "title": "三星"},
    {"stars": 2, "min": 60, "title": "二星"},
    {"stars": 1, "min": 50, "title": "一星"},
]


def make_rules(dimensions, *, adjustments=None, vetoes=None, ratings=RATINGS, **top):
    """A rule-file document; top-level keys given as None are removed."""
    doc = {
        "ruleset": "contract-test",
        "title": "契约测试",
        "entity": "branch",
        "period": "month",
    }
    for key, value in top.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    doc["dimensions"] = dimensions
    if adjustments:
        doc["adjustments"] = adjustments
    if vetoes:
        doc["vetoes"] = vetoes
    if ratings is not None:
        doc["ratings"] = ratings
    return doc


def dim(did, *indicators, weight=1):
    return {"id": did, "title": f"dimension {did}", "weight": weight,
            "indicators": list(indicators)}


def ind(iid, evaluate, points=100):
    return {"id": iid, "title": f"indicator {iid}", "points": points, "evaluate": evaluate}


def target(col, tgt=100, floor=0):
    return {"kind": "target", "input": col, "target": tgt, "floor": floor}


def load(directory, doc, name="rules.yaml"):
    path = directory / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return fs.load_rules(str(path))


def frame(entities, month="2021-01", **cols):
    data = {"branch": list(entities), "month": [month] * len(entities)}
    data.update({k: list(v) for k, v in cols.items()})
    return data


def by_entity(card):
    return {rec["entity"]: rec for rec in card.to_records()}


def num(value):
    return None if value is None else float(value)


def approx(x):
    return pytest.approx(x, abs=1e-9)


# ------------------------------------------------------------------- points & dimension score
def test_points_and_dimension_score_hand_example(tmp_path):
    # i1: target 100 floor 0 (higher is better), 20 points
    # i2: target 2 floor 4 (lower is better), 30 points
    rules = load(
        tmp_path,
        make_rules([dim("perf", ind("i1", target("x1", 100, 0), 20),
                        ind("i2", target("x2", 2, 4), 30))]),
    )
    recs = by_entity(fs.score(rules, frame(["b1", "b2"], x1=[50, 100], x2=[2, 3])))
    # b1: a1 = 50/100 = 0.5 -> p1 = 0.5*20 = 10; a2 = (2-4)/(2-4) = 1 -> p2 = 30
    #     S = 100 * (10+30)/(20+30) = 80 ; total = 100 * 1*80 / (100*1) = 80
    b1 = recs["b1"]
    assert num(b1["indicators"]["i1"]) == approx(10)
    assert num(b1["indicators"]["i2"]) == approx(30)
    assert num(b1["dimensions"]["perf"]) == approx(80)
    assert num(b1["total"]) == approx(80)
    # b2: a1 = 1 -> 20; a2 = (3-4)/(2-4) = 0.5 -> 15 ; S = 100*35/50 = 70 ; total 70
    b2 = recs["b2"]
    assert num(b2["indicators"]["i1"]) == approx(20)
    assert num(b2["indicators"]["i2"]) == approx(15)
    assert num(b2["dimensions"]["perf"]) == approx(70)
    assert num(b2["total"]) == approx(70)


def test_dimension_weights_and_scale(tmp_path):
    rules = load(
        tmp_path,
        make_rules(
            [dim("A", ind("ia", target("xa")), weight=40),
             dim("B", ind("ib", target("xb")), weight=60)],
            scale=10,
            ratings=[{"stars": 1, "min": 5, "title": "one"}],
        ),
    )
    recs = by_entity(fs.score(rules, frame(["b1", "b2"], xa=[50, 100], xb=[100, 0])))
    # b1: S_A = 50, S_B = 100 ; total = 10 * (40*50 + 60*100) / (100 * (40+60)) = 10*8000/10000 = 8
    assert num(recs["b1"]["dimensions"]["A"]) == approx(50)
    assert num(recs["b1"]["dimensions"]["B"]) == approx(100)
    assert num(recs["b1"]["total"]) == approx(8)
    assert recs["b1"]["stars"] == 1  # 8 >= 5
    # b2: S_A = 100, S_B = 0 ; total = 10 * 4000 / 10000 = 4 -> below the only band -> 0 stars
    assert num(recs["b2"]["total"]) == approx(4)
    assert recs["b2"]["stars"] == 0


def test_weights_renormalised_over_applicable_dimensions(tmp_path):
    ratio = {"kind": "ratio", "numerator": "done", "denominator": "planned", "empty": "skip"}
    rules = load(
        tmp_path,
        make_rules([dim("A", ind("ia", target("xa")), weight=40),
                    dim("B", ind("ib", ratio), weight=60)]),
    )
    recs = by_entity(
        fs.score(rules, frame(["b1", "b2"], xa=[50, 50], done=[0, 3], planned=[0, 4]))
    )
    # b1: B's only indicator has denominator 0 -> NaN -> B does not apply
    #     total = 100 * 40*50 / (100*40) = 50
    assert recs["b1"]["indicators"]["ib"] is None
    assert recs["b1"]["dimensions"]["B"] is None
    assert num(recs["b1"]["total"]) == approx(50)
    # b2: S_A = 50, S_B = 100*3/4 = 75 ; total = 100*(40*50 + 60*75)/(100*100) = 6500/100 = 65
    assert num(recs["b2"]["dimensions"]["B"]) == approx(75)
    assert num(recs["b2"]["total"]) == approx(65)


# --------------------------------------------------------------------------- missing policy
def _missing_doc(policy):
    ratio = {"kind": "ratio", "numerator": "done", "denominator": "planned", "empty": "skip"}
    extra = {} if policy is None else {"missing": policy}
    return make_rules([dim("D", ind("i1", target("x"), 30), ind("i2", ratio, 70))], **extra)


@pytest.mark.parametrize("policy", [None, "skip"])
def test_missing_skip_leaves_nan_out_of_both_sums(tmp_path, policy):
    # default policy is skip
    rules = load(tmp_path, _missing_doc(policy))
    data = frame(["b1", "b2"], x=[100, 100], done=[0, 1], planned=[0, 4])
    recs = by_entity(fs.score(rules, data))
    # b1: i1 = 1*30 = 30, i2 NaN (left out) ; S = 100 * 30/30 = 100
    assert recs["b1"]["indicators"]["i2"] is None
    assert num(recs["b1"]["indicators"]["i1"]) == approx(30)
    assert num(recs["b1"]["dimensions"]["D"]) == approx(100)
    assert num(recs["b1"]["total"]) == approx(100)
    # b2: i2 = 1/4 * 70 = 17.5 ; S = 100 * 47.5/100 = 47.5
    assert num(recs["b2"]["indicators"]["i2"]) == approx(17.5)
    assert num(recs["b2"]["total"]) == approx(47.5)


def test_missing_zero_counts_nan_as_zero(tmp_path):
    rules = load(tmp_path, _missing_doc("zero"))
    recs = by_entity(fs.score(rules, frame(["b1"], x=[100], done=[0], planned=[0])))
    # i1 = 30, i2 counted as 0 of 70 ; S = 100 * 30/100 = 30
    assert num(recs["b1"]["dimensions"]["D"]) == approx(30)
    assert num(recs["b1"]["total"]) == approx(30)
    assert num(recs["b1"]["indicators"]["i2"]) in (None, 0.0)


def test_missing_error_refuses(tmp_path):
    rules = load(tmp_path, _missing_doc("error"))
    # nothing missing: scores fine (i1 = 30, i2 = 2/4*70 = 35 -> S = 65)
    ok = by_entity(fs.score(rules, frame(["b1"], x=[100], done=[2], planned=[4])))
    assert num(ok["b1"]["total"]) == approx(65)
    with pytest.raises(fs.FortressScoreError):
        card = fs.score(rules, frame(["b1", "b2"], x=[100, 100], done=[2, 0], planned=[4, 0]))
        card.to_records()


# --------------------------------------------------------------------------- adjustments & clamp
def test_bonus_and_deduction_hand_example(tmp_path):
    adjustments = [
        {"id": "honours", "title": "荣誉加分", "kind": "bonus", "cap": 5,
         "evaluate": {"kind": "per_event", "input": "honours", "each": 1}},
        {"id": "violations", "title": "违章扣分", "kind": "deduction", "cap": 10,
         "evaluate": {"kind": "per_event", "input": "violations", "each": 2}},
    ]
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x")))], adjustments=adjustments))
    recs = by_entity(
        fs.score(rules, frame(["b1", "b2"], x=[70, 80], honours=[2, 10], violations=[3, 0]))
    )
    # b1: base 70; honours a = min(2*1/5, 1) = 0.4 -> +0.4*5 = +2
    #     violations a = min(3*2/10, 1) = 0.6 -> -0.6*10 = -6 ; total = 70 + 2 - 6 = 66
    b1 = recs["b1"]
    assert num(b1["adjustments"]["honours"]) == approx(2)
    assert num(b1["adjustments"]["violations"]) == approx(-6)
    assert num(b1["total"]) == approx(66)
    # b2: base 80; honours a = min(10/5, 1) = 1 -> +5 ; violations 0 -> 0 ; total 85
    b2 = recs["b2"]
    assert num(b2["adjustments"]["honours"]) == approx(5)
    assert num(b2["adjustments"]["violations"]) == approx(0)
    assert num(b2["total"]) == approx(85)
    assert b2["stars"] == 4  # 85: highest band with min <= 85 is 4 stars (min 80)


def _clamp_doc(clamp):
    adjustments = [
        {"id": "bonus", "title": "加分", "kind": "bonus", "cap": 10,
         "evaluate": {"kind": "threshold", "input": "honours", "op": ">", "value": 0}},
        {"id": "deduct", "title": "扣分", "kind": "deduction", "cap": 10,
         "evaluate": {"kind": "threshold", "input": "violations", "op": ">", "value": 0}},
    ]
    extra = {} if clamp is None else {"clamp": clamp}
    return make_rules([dim("D", ind("i", target("x")))], adjustments=adjustments, **extra)


DATA_CLAMP = dict(x=[95, 5, 50], honours=[1, 0, 1], violations=[0, 1, 1])


@pytest.mark.parametrize("clamp", [None, True])
def test_clamp_to_zero_and_scale(tmp_path, clamp):
    rules = load(tmp_path, _clamp_doc(clamp))
    recs = by_entity(fs.score(rules, frame(["hi", "lo", "mid"], **DATA_CLAMP)))
    # hi: 95 + 10 = 105 -> clamped to 100 ; lo: 5 - 10 = -5 -> 0 ; mid: 50 + 10 - 10 = 50
    assert num(recs["hi"]["total"]) == approx(100)
    assert num(recs["lo"]["total"]) == approx(0)
    assert num(recs["mid"]["total"]) == approx(50)


def test_clamp_false_keeps_out_of_range_totals(tmp_path):
    rules = load(tmp_path, _clamp_doc(False))
    recs = by_entity(fs.score(rules, frame(["hi", "lo", "mid"], **DATA_CLAMP)))
    assert num(recs["hi"]["total"]) == approx(105)
    assert num(recs["lo"]["total"]) == approx(-5)
    assert num(recs["mid"]["total"]) == approx(50)
    assert recs["hi"]["rank"] == 1 and recs["mid"]["rank"] == 2 and recs["lo"]["rank"] == 3


# --------------------------------------------------------------------------- vetoes
def _veto(vid, col, effect):
    return {"id": vid, "title": f"veto {vid}",
            "when": {"kind": "threshold", "input": col, "op": ">", "value": 0}, "effect": effect}


def test_veto_total_zero(tmp_path):
    rules = load(
        tmp_path,
        make_rules([dim("D", ind("i", target("x")))],
                   vetoes=[_veto("safety", "safety_l4", {"total": 0})]),
    )
    data = frame(["b1", "b2", "b3"], x=[95, 95, 40], safety_l4=[1, 0, 0])
    recs = by_entity(fs.score(rules, data))
    # b1 vetoed: total 0, no stars, listed ; ranks by total: b2 95 (1), b3 40 (2), b1 0 (3)
    assert num(recs["b1"]["total"]) == approx(0)
    assert list(recs["b1"]["vetoes"]) == ["safety"]
    assert recs["b1"]["stars"] == 0
    assert num(recs["b2"]["total"]) == approx(95)
    assert list(recs["b2"]["vetoes"]) == []
    assert recs["b2"]["stars"] == 5
    assert (recs["b2"]["rank"], recs["b3"]["rank"], recs["b1"]["rank"]) == (1, 2, 3)


def test_veto_max_stars(tmp_path):
    rules = load(
        tmp_path,
        make_rules([dim("D", ind("i", target("x")))],
                   vetoes=[_veto("safety", "safety_l4", {"max_stars": 2, "no_benchmark": True})]),
    )
    recs = by_entity(
        fs.score(rules, frame(["b1", "b2", "b3", "b4"], x=[95, 65, 55, 95], safety_l4=[2, 1, 1, 0]))
    )
    # total untouched by a max_stars veto
    assert num(recs["b1"]["total"]) == approx(95)
    assert recs["b1"]["stars"] == 2  # 5 capped to 2
    assert recs["b2"]["stars"] == 2  # 65 -> 2 stars, cap 2
    assert recs["b3"]["stars"] == 1  # 55 -> 1 star, below the cap
    assert recs["b4"]["stars"] == 5  # not vetoed
    assert list(recs["b1"]["vetoes"]) == ["safety"]
    assert list(recs["b4"]["vetoes"]) == []


def test_every_triggered_veto_is_listed(tmp_path):
    vetoes = [_veto("v1", "e1", {"max_stars": 3}), _veto("v2", "e2", {"max_stars": 1})]
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x")))], vetoes=vetoes))
    recs = by_entity(
        fs.score(rules, frame(["both", "one", "none"], x=[95, 95, 95], e1=[1, 1, 0], e2=[1, 0, 0]))
    )
    assert set(recs["both"]["vetoes"]) == {"v1", "v2"}
    assert recs["both"]["stars"] == 1  # the tightest cap
    assert set(recs["one"]["vetoes"]) == {"v1"}
    assert recs["one"]["stars"] == 3
    assert list(recs["none"]["vetoes"]) == []


# --------------------------------------------------------------------------- rounding, stars, ranks
def test_half_up_rounding_of_89_995(tmp_path):
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x", 100, 0)))]))
    recs = by_entity(fs.score(rules, frame(["b1", "b2", "b3"], x=[89.995, 90.0, 50.0])))
    # b1: a = 89.995/100 ; points = 89.995 ; S = 89.995 ; total = 89.995 -> half-up to 2 dp = 90.00
    b1 = recs["b1"]
    assert num(b1["total"]) == approx(90.0)
    assert num(b1["dimensions"]["D"]) == approx(90.0)
    assert num(b1["indicators"]["i"]) == approx(90.0)
    # stars on the rounded total: 90.00 >= 90 -> 5 stars
    assert b1["stars"] == 5
    # ranks on the rounded total: b1 and b2 both 90.00 -> share rank 1 ; b3 rank 3
    assert b1["rank"] == 1
    assert recs["b2"]["rank"] == 1
    assert recs["b3"]["rank"] == 3


def test_half_up_rounding_of_decimal_halves_stored_just_below(tmp_path):
    """The float 89.995 is stored a hair *above* 89.995, so even Python's round() gives 90.0.
    89.985 and 80.005 are stored a hair *below* their decimal value; a reader checking by hand
    (四舍五入, "so a reader can check them", DESIGN.md §4) expects 89.99 and 80.01. This test
    reads issue 2's "a float like 89.995 must report as 90.00" as: round the decimal figure the
    float stands for, half-up. (Each chain value here is, as a float, exactly x: checked by hand
    that x/100*100 == x and 100*(w*S)/(100*w) == S for these x.)"""
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x", 100, 0)))]))
    recs = by_entity(fs.score(rules, frame(["b1", "b2"], x=[89.985, 80.005])))
    assert num(recs["b1"]["total"]) == approx(89.99)
    assert num(recs["b2"]["total"]) == approx(80.01)
    assert num(recs["b1"]["indicators"]["i"]) == approx(89.99)
    assert num(recs["b1"]["dimensions"]["D"]) == approx(89.99)


def test_half_up_rounding_precision_0_and_stars_on_rounded_total(tmp_path):
    # target 8 floor 0: x/8 is exact in binary, so all totals are exact halves
    ratings = [
        {"stars": 3, "min": 88, "title": "three"},
        {"stars": 2, "min": 63, "title": "two"},
        {"stars": 1, "min": 13, "title": "one"},
    ]
    rules = load(
        tmp_path, make_rules([dim("D", ind("i", target("x", 8, 0)))], precision=0, ratings=ratings)
    )
    recs = by_entity(fs.score(rules, frame(["b1", "b5", "b7", "b0"], x=[1, 5, 7, 0])))
    # b1: 100*1/8 = 12.5 -> 13 (banker's rounding would give 12) -> 1 star
    # b5: 100*5/8 = 62.5 -> 63 (banker's: 62) -> 2 stars
    # b7: 100*7/8 = 87.5 -> 88 (banker's: 88) -> 3 stars
    assert num(recs["b1"]["total"]) == approx(13)
    assert num(recs["b5"]["total"]) == approx(63)
    assert num(recs["b7"]["total"]) == approx(88)
    assert num(recs["b0"]["total"]) == approx(0)
    assert [recs[e]["stars"] for e in ("b1", "b5", "b7", "b0")] == [1, 2, 3, 0]
    assert num(recs["b5"]["dimensions"]["D"]) == approx(63)
    assert num(recs["b5"]["indicators"]["i"]) == approx(63)


def test_rank_ties_on_rounded_figure_with_precision_0(tmp_path):
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x", 8, 0)))], precision=0))
    # b7: 87.5 -> 88 ; b88: target 8, x = 7.04 -> 88.0 (88 after rounding) ; b4: 50
    recs = by_entity(fs.score(rules, frame(["b7", "b88", "b4"], x=[7, 7.04, 4])))
    assert num(recs["b7"]["total"]) == approx(88)
    assert num(recs["b88"]["total"]) == approx(88)
    assert (recs["b7"]["rank"], recs["b88"]["rank"], recs["b4"]["rank"]) == (1, 1, 3)


@pytest.mark.parametrize(
    "precision, expected",
    [
        # a = 1/3 -> 33.333..., a = 2/3 -> 66.666...
        (1, (33.3, 66.7)),
        (2, (33.33, 66.67)),
        (None, (33.33, 66.67)),  # default precision 2
        (0, (33.0, 67.0)),
    ],
)
def test_precision(tmp_path, precision, expected):
    extra = {} if precision is None else {"precision": precision}
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x", 3, 0)))], **extra))
    recs = by_entity(fs.score(rules, frame(["b1", "b2"], x=[1, 2])))
    assert num(recs["b1"]["total"]) == approx(expected[0])
    assert num(recs["b2"]["total"]) == approx(expected[1])
    assert num(recs["b1"]["dimensions"]["D"]) == approx(expected[0])
    assert num(recs["b1"]["indicators"]["i"]) == approx(expected[0])


def test_indicator_points_are_rounded(tmp_path):
    doc = make_rules([dim("D", ind("i1", target("x", 3, 0), 10), ind("i2", target("y"), 90))])
    rules = load(tmp_path, doc)
    recs = by_entity(fs.score(rules, frame(["b1"], x=[1], y=[100])))
    # i1 = 10/3 = 3.333.. -> 3.33 ; i2 = 90 ; S = 100 * 93.333../100 = 93.33
    assert num(recs["b1"]["indicators"]["i1"]) == approx(3.33)
    assert num(recs["b1"]["indicators"]["i2"]) == approx(90)
    assert num(recs["b1"]["total"]) == approx(93.33)


def test_stars_highest_band_regardless_of_file_order(tmp_path):
    ascending = list(reversed(RATINGS))  # 1 star first
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x")))], ratings=ascending))
    recs = by_entity(fs.score(rules, frame(["a", "b", "c", "d", "e"], x=[95, 90, 89.99, 50, 40])))
    assert [recs[e]["stars"] for e in "abcde"] == [5, 5, 4, 1, 0]


def test_competition_ranks(tmp_path):
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x")))]))
    recs = by_entity(fs.score(rules, frame(["c", "a", "d", "b"], x=[80, 90, 70, 80])))
    # totals a 90, b 80, c 80, d 70 -> ranks 1, 2, 2, 4
    assert [recs[e]["rank"] for e in "abcd"] == [1, 2, 2, 4]


def test_ranks_within_period(tmp_path):
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x")))]))
    data = {
        "branch": ["a", "b", "c", "a", "b", "c"],
        "month": ["2021-01"] * 3 + ["2021-02"] * 3,
        "x": [90, 80, 70, 10, 30, 30],
    }
    recs = {(r["entity"], r["period"]): r for r in fs.score(rules, data).to_records()}
    assert len(recs) == 6
    assert [recs[(e, "2021-01")]["rank"] for e in "abc"] == [1, 2, 3]
    # 2021-02: b 30, c 30, a 10 -> 1, 1, 3
    assert [recs[(e, "2021-02")]["rank"] for e in "abc"] == [3, 1, 1]


def test_ranks_within_group(tmp_path):
    rules = load(tmp_path, make_rules([dim("D", ind("i", target("x")))], group_by="region"))
    data = frame(
        ["n1", "n2", "n3", "s1", "s2"],
        x=[50, 70, 70, 10, 20],
        region=["north", "north", "north", "south", "south"],
    )
    recs = by_entity(fs.score(rules, data))
    groups = [recs[e]["group"] for e in ("n1", "n2", "n3", "s1", "s2")]
    assert groups == ["north"] * 3 + ["south"] * 2
    # north: n2 70, n3 70, n1 50 -> 1, 1, 3 ; south: s2 20, s1 10 -> 1, 2
    assert [recs[e]["rank"] for e in ("n1", "n2", "n3")] == [3, 1, 1]
    assert [recs[e]["rank"] for e in ("s1", "s2")] == [2, 1]
