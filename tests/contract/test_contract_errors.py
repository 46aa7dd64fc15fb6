"""Contract tests: errors (DESIGN.md §5 "Errors", issue 2 items 2 and 5).

Every error raised on purpose derives from fs.FortressScoreError, says where and what, and all
problems of a rule file or data set are reported together. Only the presence of the offending
key / id / column name in the message is asserted, never the wording.
"""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

import fortress_score as fs

GOOD = {
    "ruleset": "contract-errors",
    "title": "errors",
    "entity": "branch",
    "period": "month",
    "dimensions": [
        {"id": "perf", "title": "业绩", "weight": 60, "indicators": [
            {"id": "line_loss", "title": "线损", "points": 20,
             "evaluate": {"kind": "target", "input": "line_loss_rate", "target": 2, "floor": 4}},
            {"id": "recovery", "title": "回收", "points": 30,
             "evaluate": {"kind": "ratio", "numerator": "paid", "denominator": "billed"}},
        ]},
        {"id": "atm", "title": "氛围", "weight": 40, "indicators": [
            {"id": "meetings", "title": "会议", "points": 10,
             "evaluate": {"kind": "threshold", "input": "meetings_held", "op": ">=", "value": 1}},
        ]},
    ],
    "adjustments": [
        {"id": "violations", "title": "违章", "kind": "deduction", "cap": 10,
         "evaluate": {"kind": "per_event", "input": "violations", "each": 2}},
    ],
    "vetoes": [
        {"id": "safety", "title": "安全", "effect": {"max_stars": 2},
         "when": {"kind": "threshold", "input": "safety_events", "op": ">", "value": 0}},
    ],
    "ratings": [{"stars": 5, "min": 90, "title": "五星"}, {"stars": 4, "min": 80, "title": "四星"}],
}

DATA = {
    "branch": ["b1", "b2"],
    "month": ["2021-01", "2021-01"],
    "line_loss_rate": [3.0, 2.5],
    "paid": [90, 100],
    "billed": [100, 100],
    "meetings_held": [1, 0],
    "violations": [0, 1],
    "safety_events": [0, 0],
}


def doc():
    return copy.deepcopy(GOOD)


def write(directory, document, name="rules.yaml"):
    path = directory / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def load_fails(directory, document):
    with pytest.raises(fs.FortressScoreError) as info:
        fs.load_rules(write(directory, document))
    return str(info.value)


def test_good_file_loads_and_scores(tmp_path):
    rules = fs.load_rules(write(tmp_path, doc()))
    assert len(fs.score(rules, DATA).to_records()) == 2


def test_fortress_score_error_is_an_exception():
    assert issubclass(fs.FortressScoreError, Exception)


# --------------------------------------------------------------------------- rule file errors
def test_unknown_top_level_key(tmp_path):
    d = doc()
    d["colour"] = "red"
    assert "colour" in load_fails(tmp_path, d)


def test_unknown_key_in_indicator(tmp_path):
    d = doc()
    d["dimensions"][0]["indicators"][1]["wieght"] = 3
    assert "wieght" in load_fails(tmp_path, d)


def test_unknown_key_in_veto_effect(tmp_path):
    d = doc()
    d["vetoes"][0]["effect"]["max_starz"] = 1
    assert "max_starz" in load_fails(tmp_path, d)


def test_unknown_evaluator_kind(tmp_path):
    d = doc()
    d["dimensions"][1]["indicators"][0]["evaluate"] = {"kind": "no_such_kind", "input": "x"}
    assert "no_such_kind" in load_fails(tmp_path, d)


def test_unknown_evaluator_kind_in_veto_when(tmp_path):
    d = doc()
    d["vetoes"][0]["when"]["kind"] = "no_such_when"
    assert "no_such_when" in load_fails(tmp_path, d)


def test_duplicate_indicator_id(tmp_path):
    d = doc()
    d["dimensions"][1]["indicators"][0]["id"] = "dup_ident"
    d["dimensions"][0]["indicators"][0]["id"] = "dup_ident"
    assert "dup_ident" in load_fails(tmp_path, d)


def test_ids_unique_across_the_file(tmp_path):
    # an adjustment may not reuse an indicator's id
    d = doc()
    d["adjustments"][0]["id"] = "recovery"
    assert "recovery" in load_fails(tmp_path, d)


def test_duplicate_dimension_id(tmp_path):
    d = doc()
    d["dimensions"][1]["id"] = "perf"
    assert "perf" in load_fails(tmp_path, d)


def test_unknown_param_key_rejected(tmp_path):
    d = doc()
    d["dimensions"][0]["indicators"][0]["evaluate"]["bogus_param"] = 1
    assert "bogus_param" in load_fails(tmp_path, d)


def test_missing_required_param(tmp_path):
    d = doc()
    del d["dimensions"][0]["indicators"][0]["evaluate"]["floor"]
    assert "floor" in load_fails(tmp_path, d)


def test_param_of_wrong_type(tmp_path):
    d = doc()
    d["dimensions"][0]["indicators"][0]["evaluate"]["floor"] = "lots"
    assert "floor" in load_fails(tmp_path, d)


def test_bad_when_params(tmp_path):
    d = doc()
    d["vetoes"][0]["when"]["op"] = "=>"
    load_fails(tmp_path, d)


def test_target_equal_floor(tmp_path):
    d = doc()
    d["dimensions"][0]["indicators"][0]["evaluate"]["floor"] = 2
    load_fails(tmp_path, d)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d["dimensions"][0].__setitem__("weight", 0), id="weight-0"),
        pytest.param(lambda d: d["dimensions"][0].__setitem__("weight", -5), id="weight-negative"),
        pytest.param(lambda d: d["dimensions"][0]["indicators"][0].__setitem__("points", 0),
                     id="points-0"),
        pytest.param(lambda d: d["adjustments"][0].__setitem__("cap", 0), id="cap-0"),
        pytest.param(lambda d: d["adjustments"][0].__setitem__("kind", "gift"), id="adj-kind"),
        pytest.param(lambda d: d.__setitem__("missing", "sometimes"), id="missing-policy"),
        pytest.param(lambda d: d.__setitem__("scale", "a lot"), id="scale-type"),
        pytest.param(lambda d: d["dimensions"][0]["indicators"][1]["evaluate"].__setitem__(
            "numerator", None), id="numerator-null"),
        pytest.param(lambda d: d["dimensions"][0]["indicators"][0].__setitem__(
            "evaluate", {"input": "line_loss_rate", "target": 2, "floor": 4}), id="no-kind"),
        pytest.param(lambda d: d["dimensions"][1]["indicators"][0].__setitem__(
            "evaluate", {"kind": "bands", "input": "x", "bands": [{"min": 0, "score": 1.5}]}),
            id="band-score-above-1"),
    ],
)
def test_invalid_values_rejected(tmp_path, mutate):
    d = doc()
    mutate(d)
    load_fails(tmp_path, d)


def test_several_problems_reported_together(tmp_path):
    d = doc()
    d["colour"] = "red"                                                        # unknown key
    d["dimensions"][1]["indicators"][0]["evaluate"] = {"kind": "no_such_kind"}  # unknown kind
    d["dimensions"][0]["indicators"][1]["evaluate"]["bogus_param"] = 1        # bad params
    message = load_fails(tmp_path, d)
    for token in ("colour", "no_such_kind", "bogus_param"):
        assert token in message, (token, message)


def test_error_says_where_in_the_rule_file(tmp_path):
    d = doc()
    d["dimensions"][0]["indicators"][1]["evaluate"]["bogus_param"] = 1
    message = load_fails(tmp_path, d)
    # a rule path such as dimensions[0].indicators[1].evaluate..., or at least the indicator id
    assert re.search(r"indicators\W*1", message) or "recovery" in message, message


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("ruleset: x\ndimensions: [\n  - {id: a, title: b\n", encoding="utf-8")
    with pytest.raises(fs.FortressScoreError):
        fs.load_rules(str(path))


def test_yaml_is_loaded_safely(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    text = yaml.safe_dump(doc(), allow_unicode=True, sort_keys=False)
    text += f"extra: !!python/object/apply:pathlib.Path.touch [{str(marker)!r}]\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fs.FortressScoreError):
        fs.load_rules(str(path))
    assert not marker.exists()


def test_json_rule_file_errors(tmp_path):
    d = doc()
    d["colour"] = "red"
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(fs.FortressScoreError) as info:
        fs.load_rules(str(path))
    assert "colour" in str(info.value)


# --------------------------------------------------------------------------- data errors
@pytest.fixture
def rules(tmp_path):
    return fs.load_rules(write(tmp_path, doc()))


def score_fails(rules, data):
    with pytest.raises(fs.FortressScoreError) as info:
        fs.score(rules, data).to_records()
    return str(info.value)


def test_missing_data_column_is_named(rules):
    data = dict(DATA)
    del data["line_loss_rate"]
    assert "line_loss_rate" in score_fails(rules, data)


def test_missing_columns_reported_together(rules):
    data = dict(DATA)
    del data["line_loss_rate"]
    del data["safety_events"]
    message = score_fails(rules, data)
    assert "line_loss_rate" in message and "safety_events" in message, message


def test_missing_entity_column_is_named(rules):
    data = dict(DATA)
    data["org"] = data.pop("branch")
    assert "branch" in score_fails(rules, data)


def test_missing_column_in_list_of_dicts(rules):
    rows = [{k: v[i] for k, v in DATA.items() if k != "paid"} for i in range(2)]
    assert "paid" in score_fails(rules, rows)


def test_declared_field_range_is_checked(tmp_path):
    d = doc()
    d["fields"] = {"line_loss_rate": {"title": "综合线损率", "unit": "%", "min": 0, "max": 100}}
    rules = fs.load_rules(write(tmp_path, d))
    assert len(fs.score(rules, DATA).to_records()) == 2
    data = dict(DATA)
    data["line_loss_rate"] = [3.0, 150.0]
    assert "line_loss_rate" in score_fails(rules, data)
