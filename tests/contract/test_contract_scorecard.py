"""Contract tests: the Scorecard and the accepted inputs (DESIGN.md §5, issue 2 items 2 and 6)."""

from __future__ import annotations

import json
import numbers
from pathlib import Path

import numpy as np
import pytest
import yaml

import fortress_score as fs

RECORD_KEYS = {"entity", "period", "group", "total", "stars", "rank", "vetoes", "dimensions",
               "indicators", "adjustments", "imputed"}

DOC = {
    "ruleset": "contract-scorecard",
    "title": "党支部战斗堡垒作用评价",
    "entity": "branch",
    "period": "month",
    "group_by": "region",
    "dimensions": [
        {"id": "performance", "title": "生产经营业绩", "weight": 40, "indicators": [
            {"id": "line_loss", "title": "综合线损率", "points": 20,
             "evaluate": {"kind": "target", "input": "line_loss_rate", "target": 2.0,
                          "floor": 4.0}},
            {"id": "bill_recovery", "title": "电费回收率", "points": 30,
             "evaluate": {"kind": "ratio", "numerator": "paid", "denominator": "billed"}},
        ]},
        {"id": "atmosphere", "title": "支部工作氛围", "weight": 30, "indicators": [
            {"id": "six_plus_two", "title": "6+2标准", "points": 10,
             "evaluate": {"kind": "checklist", "inputs": ["c1", "c2", "c3"]}},
        ]},
        {"id": "reputation", "title": "党员群众口碑", "weight": 30, "indicators": [
            {"id": "recognition", "title": "群众认可", "points": 10,
             "evaluate": {"kind": "survey",
                          "levels": {"满意": 1.0, "基本满意": 0.5, "不满意": 0.0},
                          "groups": [
                              {"name": "群众", "fields": {"满意": "m_s", "基本满意": "m_b",
                                                         "不满意": "m_u"}},
                              {"name": "党员", "fields": {"满意": "p_s", "基本满意": "p_b",
                                                         "不满意": "p_u"}}]}},
        ]},
    ],
    "adjustments": [
        {"id": "honours", "title": "荣誉加分", "kind": "bonus", "cap": 5,
         "evaluate": {"kind": "per_event", "input": "honours", "each": 1}},
        {"id": "violations", "title": "违章违纪", "kind": "deduction", "cap": 10,
         "evaluate": {"kind": "per_event", "input": "violations", "each": 2}},
    ],
    "vetoes": [
        {"id": "safety", "title": "四级及以上安全事件",
         "when": {"kind": "threshold", "input": "safety_l4_events", "op": ">", "value": 0},
         "effect": {"max_stars": 2, "no_benchmark": True}},
    ],
    "ratings": [
        {"stars": 5, "min": 90, "title": "五星"},
        {"stars": 4, "min": 80, "title": "四星"},
        {"stars": 3, "min": 70, "title": "三星"},
    ],
    "benchmark": {"stars": 5, "consecutive": 3, "title": "标杆党支部"},
}

COLUMNS = {
    "branch": ["一支部", "二支部", "三支部", "四支部"],
    "month": ["2021-01"] * 4,
    "region": ["城区", "城区", "郊区", "郊区"],
    "line_loss_rate": [2.0, 3.0, 5.0, 2.5],
    "paid": [100, 95, 0, 80],
    "billed": [100, 100, 0, 100],
    "c1": [1, 1, 0, 1],
    "c2": [1, 0, 0, 1],
    "c3": [1, 1, 0, 0],
    "m_s": [8, 0, 0, 3],
    "m_b": [2, 0, 0, 1],
    "m_u": [0, 0, 0, 0],
    "p_s": [0, 4, 0, 0],
    "p_b": [0, 0, 0, 0],
    "p_u": [0, 0, 1, 0],
    "honours": [1, 0, 0, 0],
    "violations": [0, 1, 0, 0],
    "safety_l4_events": [0, 0, 0, 1],
}
INDICATORS = ("line_loss", "bill_recovery", "six_plus_two", "recognition")
TITLES = ("综合线损率", "电费回收率", "6+2标准", "群众认可")


@pytest.fixture
def rules_path(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(DOC, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def rules(rules_path):
    return fs.load_rules(str(rules_path))


def canon(records):
    return json.dumps(sorted(records, key=lambda r: (str(r["entity"]), str(r["period"]))),
                      sort_keys=True, default=str, ensure_ascii=False)


# --------------------------------------------------------------------------- records
def test_record_keys_and_shapes(rules):
    recs = fs.score(rules, COLUMNS).to_records()
    assert isinstance(recs, list) and len(recs) == 4
    for rec in recs:
        assert set(rec) == RECORD_KEYS
        assert isinstance(rec["vetoes"], list)
        assert set(rec["dimensions"]) == {"performance", "atmosphere", "reputation"}
        assert set(rec["indicators"]) == set(INDICATORS)
        assert set(rec["adjustments"]) == {"honours", "violations"}
        assert isinstance(rec["stars"], numbers.Integral) and not isinstance(rec["stars"], bool)
        assert isinstance(rec["rank"], numbers.Integral) and not isinstance(rec["rank"], bool)
        assert rec["period"] == "2021-01"
        assert rec["group"] in ("城区", "郊区")
    assert sorted(r["entity"] for r in recs) == sorted(COLUMNS["branch"])


def test_records_hand_computed(rules):
    recs = {r["entity"]: r for r in fs.score(rules, COLUMNS).to_records()}
    # 一支部: line_loss x=2 -> a=(2-4)/(2-4)=1 -> 20 ; recovery 100/100 -> 30 ; S_perf = 100
    #   checklist 3/3 -> 10 -> S_atm = 100
    #   survey masses (8,2,0) -> (8+1)/10 = 0.9 -> 9 -> S_rep 90
    #   base = 100*(40*100 + 30*100 + 30*90)/(100*100) = 9700/100 = 97
    #   honours min(1/5, 1) * 5 = +1 -> 98 ; stars 5 ; rank 1 in 城区
    r = recs["一支部"]
    assert float(r["indicators"]["recognition"]) == pytest.approx(9)
    assert float(r["dimensions"]["reputation"]) == pytest.approx(90)
    assert float(r["adjustments"]["honours"]) == pytest.approx(1)
    assert float(r["total"]) == pytest.approx(98)
    assert r["stars"] == 5 and r["rank"] == 1 and r["vetoes"] == []
    # 二支部: line_loss x=3 -> 0.5 -> 10 ; recovery 0.95 -> 28.5 ; S_perf = 100*38.5/50 = 77
    #   checklist 2/3 -> 6.666.. -> 6.67 ; S_atm = 66.67 (66.666..)
    #   survey: no masses -> members (4,0,0) -> 1 -> 10 ; S_rep = 100
    #   base = (40*77 + 30*66.666.. + 30*100)/100 = (3080 + 2000 + 3000)/100 = 80.8
    #   violations min(1*2/10, 1) * 10 = -2 -> 78.8 ; stars 3 ; rank 2 in 城区
    r = recs["二支部"]
    assert float(r["indicators"]["six_plus_two"]) == pytest.approx(6.67)
    assert float(r["dimensions"]["atmosphere"]) == pytest.approx(66.67)
    assert float(r["dimensions"]["performance"]) == pytest.approx(77)
    assert float(r["adjustments"]["violations"]) == pytest.approx(-2)
    assert float(r["total"]) == pytest.approx(78.8)
    assert r["stars"] == 3 and r["rank"] == 2
    # 三支部: line_loss x=5 -> 0 ; recovery 0/0 -> NaN (skip) ; S_perf = 100*0/20 = 0
    #   checklist 0 -> S_atm 0 ; survey masses none, members (0,0,1) -> 0 -> S_rep 0 -> total 0
    r = recs["三支部"]
    assert r["indicators"]["bill_recovery"] is None
    assert float(r["indicators"]["line_loss"]) == pytest.approx(0)
    assert float(r["total"]) == pytest.approx(0)
    assert r["stars"] == 0 and r["rank"] == 2
    # 四支部: line_loss x=2.5 -> 0.75 -> 15 ; recovery 0.8 -> 24 ; S_perf = 100*39/50 = 78
    #   checklist 2/3 -> S_atm 66.666.. ; survey masses (3,1,0) -> 3.5/4 = 0.875 -> S_rep 87.5
    #   base = (40*78 + 30*66.666.. + 30*87.5)/100 = (3120 + 2000 + 2625)/100 = 77.45
    #   veto safety: stars 3 capped at 2 ; rank 1 in 郊区
    r = recs["四支部"]
    assert float(r["total"]) == pytest.approx(77.45)
    assert r["vetoes"] == ["safety"]
    assert r["stars"] == 2 and r["rank"] == 1


def test_explain_mentions_each_indicator(rules):
    card = fs.score(rules, COLUMNS)
    for entity in COLUMNS["branch"]:
        text = str(card.explain(entity))
        assert text.strip()
        for iid, title in zip(INDICATORS, TITLES):
            assert iid in text or title in text, (entity, iid, text)
    text = str(card.explain("一支部", period="2021-01"))
    for iid, title in zip(INDICATORS, TITLES):
        assert iid in text or title in text


# --------------------------------------------------------------------------- data inputs
def _rows():
    n = len(COLUMNS["branch"])
    return [{k: v[i] for k, v in COLUMNS.items()} for i in range(n)]


def test_dict_of_lists_list_of_dicts_and_arrays_agree(rules):
    expected = canon(fs.score(rules, COLUMNS).to_records())
    assert canon(fs.score(rules, _rows()).to_records()) == expected
    arrays = {k: np.asarray(v) for k, v in COLUMNS.items()}
    assert canon(fs.score(rules, arrays).to_records()) == expected
    tuples = {k: tuple(v) for k, v in COLUMNS.items()}
    assert canon(fs.score(rules, tuples).to_records()) == expected


def test_row_order_of_list_of_dicts_does_not_matter(rules):
    expected = canon(fs.score(rules, COLUMNS).to_records())
    assert canon(fs.score(rules, list(reversed(_rows()))).to_records()) == expected


def test_pandas_dataframe_agrees(rules):
    pd = pytest.importorskip("pandas")
    expected = canon(fs.score(rules, COLUMNS).to_records())
    assert canon(fs.score(rules, pd.DataFrame(COLUMNS)).to_records()) == expected


def test_to_pandas_one_row_a_record(rules):
    pytest.importorskip("pandas")
    card = fs.score(rules, COLUMNS)
    df = card.to_pandas()
    assert len(df) == len(card.to_records())


def test_polars_dataframe_agrees(rules):
    pl = pytest.importorskip("polars")
    expected = canon(fs.score(rules, COLUMNS).to_records())
    assert canon(fs.score(rules, pl.DataFrame(COLUMNS)).to_records()) == expected


def test_extra_columns_are_ignored(rules):
    data = dict(COLUMNS)
    data["unrelated"] = ["x"] * 4
    expected = canon(fs.score(rules, COLUMNS).to_records())
    assert canon(fs.score(rules, data).to_records()) == expected


def test_without_period_column(tmp_path):
    doc = {k: v for k, v in DOC.items() if k not in ("period", "group_by")}
    path = tmp_path / "noperiod.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rules = fs.load_rules(str(path))
    data = {k: v for k, v in COLUMNS.items() if k not in ("month", "region")}
    recs = {r["entity"]: r for r in fs.score(rules, data).to_records()}
    assert len(recs) == 4
    # one population now: 98, 78.8, 77.45, 0 -> 1, 2, 3, 4 (period may be None: not asserted)
    assert [recs[e]["rank"] for e in COLUMNS["branch"]] == [1, 2, 4, 3]
    for rec in recs.values():
        assert set(rec) == RECORD_KEYS


# --------------------------------------------------------------------------- rule file formats
TOML = """\
ruleset = "contract-toml"
title = "toml"
entity = "branch"
period = "month"

[[dimensions]]
id = "d"
title = "维度"
weight = 1

[[dimensions.indicators]]
id = "i"
title = "指标"
points = 100
evaluate = { kind = "target", input = "x", target = 100, floor = 0 }

[[ratings]]
stars = 1
min = 50
title = "one"
"""


def test_yaml_yml_json_toml_are_equivalent(tmp_path):
    doc = {
        "ruleset": "contract-toml", "title": "toml", "entity": "branch", "period": "month",
        "dimensions": [{"id": "d", "title": "维度", "weight": 1, "indicators": [
            {"id": "i", "title": "指标", "points": 100,
             "evaluate": {"kind": "target", "input": "x", "target": 100, "floor": 0}}]}],
        "ratings": [{"stars": 1, "min": 50, "title": "one"}],
    }
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (tmp_path / "r.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "r.toml").write_text(TOML, encoding="utf-8")
    data = {"branch": ["a", "b"], "month": ["m", "m"], "x": [30, 70]}
    results = []
    for name in ("r.yaml", "r.yml", "r.json", "r.toml"):
        recs = fs.score(fs.load_rules(str(tmp_path / name)), data).to_records()
        results.append(canon(recs))
        totals = {r["entity"]: float(r["total"]) for r in recs}
        assert totals == {"a": pytest.approx(30), "b": pytest.approx(70)}
    assert len(set(results)) == 1


# --------------------------------------------------------------------------- the seed rule pack
SEED_PACK = Path(__file__).resolve().parents[2] / "rules" / "three-dimensions.yaml"


@pytest.mark.skipif(not SEED_PACK.exists(), reason="rules/three-dimensions.yaml not present")
def test_seed_rule_pack_loads_with_the_three_dimensions():
    # issue 2 item 7 and DESIGN.md §1: dimension ids performance / atmosphere / reputation
    rules = fs.load_rules(str(SEED_PACK))
    assert {d.id for d in rules.dimensions} == {"performance", "atmosphere", "reputation"}
