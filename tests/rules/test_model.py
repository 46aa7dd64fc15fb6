"""The rule model: every problem of a file at once, each with line, rule path and hint."""

from __future__ import annotations

from pathlib import Path

import pytest

import fortress_score as fs

BAD = """\
ruleset: x
entity: branch
wieght: 3
dimensions:
  - id: perf
    weight: 0
    indicators:
      - id: a
        points: 10
        evaluate: {kind: target, input: x, target: 2.0, floor: 2.0}
      - id: a
        points: 10
        evaluate: {kind: targt, input: x}
      - id: c
        points: -1
        evaluate: {kind: threshold, input: x, op: "=>", value: 1, extra: 2}
adjustments:
  - {id: v, kind: bonis, cap: 10, evaluate: {kind: per_event, input: v, each: 2}}
ratings:
  - {stars: 5, min: 90}
  - {stars: 4, min: 95}
benchmark: {stars: 6, consecutive: 3}
"""


def test_every_problem_reported_together_in_line_order(tmp_path: Path, engine: fs.Engine) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    with pytest.raises(fs.RuleFileError) as info:
        engine.load_rules(path)
    found = {(p.line, p.path): p.message for p in info.value.problems}
    assert all(p.file == str(path) for p in info.value.problems)
    assert [p.line for p in info.value.problems] == sorted(p.line for p in info.value.problems)
    assert "unknown key" in found[(3, "wieght")]
    assert "greater than 0" in found[(6, "dimensions[0].weight")]
    assert "target must differ from floor" in found[(10, "dimensions[0].indicators[0].evaluate")]
    assert "already used by dimensions[0].indicators[0]" in found[(11, "dimensions[0].indicators[1].id")]
    assert "did you mean 'target'?" in found[(13, "dimensions[0].indicators[1].evaluate.kind")]
    assert "threshold" in found[(13, "dimensions[0].indicators[1].evaluate.kind")]  # lists known kinds
    assert "greater than 0" in found[(15, "dimensions[0].indicators[2].points")]
    assert "got '=>'" in found[(16, "dimensions[0].indicators[2].evaluate.op")]
    assert "unknown key" in found[(16, "dimensions[0].indicators[2].evaluate.extra")]
    assert "did you mean 'bonus'?" in found[(18, "adjustments[0].kind")]
    assert "must be above the min of 4 stars" in found[(20, "ratings[0].min")]
    assert "rated stars [4, 5]" in found[(22, "benchmark.stars")]
    assert len(found) == 11
    assert str(info.value).startswith("11 problems:\n")
    assert isinstance(info.value, ValueError)  # old `except ValueError` still works


def test_did_you_mean_for_a_misspelt_key(engine: fs.Engine) -> None:
    rules = {"ruleset": "x", "entity": "b", "dimensions": [
        {"id": "d", "wieght": 1, "weight": 1, "indicators": [
            {"id": "i", "points": 1, "evaluate": {"kind": "target", "inptu": "x", "target": 1, "floor": 0}}]}]}
    with pytest.raises(fs.RuleFileError) as info:
        engine.load_rules(rules)
    messages = {p.path: p.message for p in info.value.problems}
    assert "did you mean 'weight'?" in messages["dimensions[0].wieght"]
    assert "did you mean 'input'?" in messages["dimensions[0].indicators[0].evaluate.inptu"]
    assert messages["dimensions[0].indicators[0].evaluate.input"] == "is required"


@pytest.mark.parametrize(("change", "path", "fragment"), [
    ({"dimensions": []}, "dimensions", "at least 1"),
    ({"scale": float("inf")}, "scale", "finite number"),
    ({"dimensions": [{"id": "d", "weight": float("nan"), "indicators": [
        {"id": "i", "points": 1, "evaluate": {"kind": "rank", "input": "x"}}]}]}, "dimensions[0].weight", "finite"),
    ({"dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 1, "evaluate": {"kind": "target", "input": "x", "target": float("inf"), "floor": 0}}]}]},
     "dimensions[0].indicators[0].evaluate.target", "finite"),
    ({"entity": "month", "period": "month"}, "period", "must differ from entity"),
    ({"missing": "ignore"}, "missing", "'skip', 'zero', 'peer_mean', 'peer_median', 'carry_forward' or 'error'"),
    ({"precision": 9}, "precision", "less than or equal to 6"),
    ({"fields": {"x": {"type": "str"}}}, "dimensions[0].indicators[0].evaluate.inputs[0]", "declared type str"),
    ({"fields": {"x": {"min": 5, "max": 1}}}, "fields.x", "must not be above max"),
    ({"vetoes": [{"id": "v", "when": {"kind": "threshold", "input": "s", "op": ">", "value": 0}, "effect": {}}]},
     "vetoes[0].effect", "at least one of"),
    ({"vetoes": [{"id": "v", "when": {"kind": "threshold", "input": "s", "op": ">", "value": 0},
                  "effect": {"total": 120}}]}, "vetoes[0].effect.total", "must not be above the scale (100)"),
    ({"vetoes": [{"id": "v", "when": {"kind": "threshold", "input": "s", "op": ">", "value": 0},
                  "effect": {"max_stars": 3}}]}, "vetoes[0].effect.max_stars", "has no effect without ratings"),
])
def test_rule_set_checks(engine: fs.Engine, change: dict, path: str, fragment: str) -> None:
    rules = {"ruleset": "x", "entity": "branch", "dimensions": [
        {"id": "d", "weight": 1, "indicators": [
            {"id": "i", "points": 1, "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}}]}]}
    rules.update(change)
    with pytest.raises(fs.RuleFileError) as info:
        engine.load_rules(rules)
    assert any(p.path == path and fragment in p.message for p in info.value.problems), info.value.problems


def test_normalised_rule_set_round_trips(engine: fs.Engine) -> None:
    pack = engine.load_rules(Path(__file__).parents[2] / "rules" / "three-dimensions.yaml")
    again = engine.load_rules(pack.to_dict())
    assert again == pack and again.digest == pack.digest
    assert pack.columns_needed()["violations"] == ["violations"]
    assert pack.columns_needed()["kpis_total"] == ["red_list_share"]


SMALL = {"ruleset": "r", "entity": "branch", "dimensions": [{"id": "d", "weight": 1, "indicators": [
    {"id": "i", "points": 1, "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}}]}]}


def test_any_mapping_is_a_rule_set_as_a_dict_is() -> None:
    from types import MappingProxyType

    assert fs.RuleSet.model_validate(MappingProxyType(SMALL)) == fs.RuleSet.model_validate(SMALL)
    assert fs.load_rules(MappingProxyType(SMALL)).digest == fs.load_rules(SMALL).digest


def test_every_way_of_building_gives_the_same_placed_problems() -> None:
    import copy

    bad = copy.deepcopy(SMALL)
    bad["dimensions"][0]["weight"] = 0
    bad["dimensions"][0]["indicators"].append(dict(bad["dimensions"][0]["indicators"][0]))
    found = []
    for build in (fs.RuleSet.model_validate, lambda d: fs.RuleSet(**d), fs.load_rules,
                  fs.Engine(entry_points=False).rules_from_mapping):
        with pytest.raises(fs.RuleFileError) as info:
            build(bad)
        found.append([(p.path, p.message) for p in info.value.problems])
    assert found[0] == [("dimensions[0].weight", "must be greater than 0; got 0"),
                        ("dimensions[0].indicators[1].id",
                         "id 'i' is already used by dimensions[0].indicators[0]")]
    assert all(f == found[0] for f in found)


def test_a_plugins_own_error_under_a_pydantic_name_is_a_placed_problem() -> None:
    from pydantic import model_validator
    from pydantic_core import PydanticCustomError

    class Picky(fs.Params):
        input: fs.Column

        @model_validator(mode="after")
        def _never(self) -> Picky:
            raise PydanticCustomError("value_error", "is never good enough")

    @fs.evaluator("picky", params=Picky)
    def picky(columns, params, context):  # type: ignore[no-untyped-def]
        return columns[params.input]

    data = dict(SMALL, dimensions=[{"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 1, "evaluate": {"kind": "picky", "input": "x"}}]}])
    with pytest.raises(fs.RuleFileError) as info:
        fs.Engine(plugins=[picky], entry_points=False).rules_from_mapping(data)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("dimensions[0].indicators[0].evaluate", "is never good enough")]


def test_aliased_params_dump_as_the_rule_file_writes_them() -> None:
    from pydantic import Field

    class Aliased(fs.Params):
        input: fs.Column = Field(alias="column")

    @fs.evaluator("aliased", params=Aliased)
    def aliased(columns, params, context):  # type: ignore[no-untyped-def]
        return columns[params.input]

    engine = fs.Engine(plugins=[aliased], entry_points=False)
    data = dict(SMALL, dimensions=[{"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 1, "evaluate": {"kind": "aliased", "column": "x"}}]}])
    rules = engine.rules_from_mapping(data)
    assert rules.to_dict()["dimensions"][0]["indicators"][0]["evaluate"] == {
        "kind": "aliased", "column": "x"}
    assert engine.rules_from_mapping(rules.model_dump(mode="json")) == rules


def test_the_schema_keeps_the_id_pattern() -> None:
    schema = fs.RuleSet.model_json_schema()
    assert schema["$defs"]["Indicator"]["properties"]["id"]["pattern"] == r"^[^.\s]+$"
    with pytest.raises(fs.RuleFileError) as info:
        fs.RuleSet.model_validate(dict(SMALL, dimensions=[dict(SMALL["dimensions"][0], id="a.b")]))
    assert info.value.problems[0].message.startswith("must be an id without dots or spaces")


def test_json_text_validates_as_the_mapping_does() -> None:
    import json

    rules = fs.RuleSet.model_validate(SMALL)
    assert fs.RuleSet.model_validate_json(json.dumps(SMALL)) == rules
    assert fs.RuleSet.model_validate_json(rules.model_dump_json()) == rules
    with pytest.raises(fs.RuleFileError) as info:
        fs.RuleSet.model_validate_json('{"ruleset": "r"')
    assert info.value.problems[0].line == 1 and "not valid JSON" in info.value.problems[0].message
    with pytest.raises(fs.RuleFileError) as info:
        fs.RuleSet.model_validate_json(json.dumps(dict(SMALL, scale=-1)))
    assert [p.path for p in info.value.problems] == ["scale"]


def test_a_copy_with_changes_is_checked_as_a_whole() -> None:
    rules = fs.RuleSet.model_validate(SMALL)
    assert rules.model_copy(update={"title": "新"}).title == "新"
    assert rules.model_copy(update={"scale": 50.0}).digest != rules.digest
    twice = [*rules.dimensions, rules.dimensions[0]]
    with pytest.raises(fs.RuleFileError) as info:
        rules.model_copy(update={"dimensions": twice})
    assert {p.path for p in info.value.problems} == {"dimensions[1].id",
                                                     "dimensions[1].indicators[0].id"}


def test_a_plugin_that_allows_nan_still_gets_none_from_a_rule_file() -> None:
    from pydantic import ConfigDict

    class Loose(fs.Params):
        model_config = ConfigDict(allow_inf_nan=True)
        input: fs.Column
        scale: float = 1.0

    @fs.evaluator("loose", params=Loose)
    def loose(columns, params, context):  # type: ignore[no-untyped-def]
        return columns[params.input]

    data = dict(SMALL, dimensions=[{"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 1, "evaluate": {"kind": "loose", "input": "x", "scale": float("inf")}}]}])
    with pytest.raises(fs.RuleFileError) as info:
        fs.Engine(plugins=[loose], entry_points=False).rules_from_mapping(data)
    assert [(p.path, p.message) for p in info.value.problems] == [
        ("dimensions[0].indicators[0].evaluate.scale", "must be a finite number; got inf")]


def test_ids_are_kept_nfkc_normalised() -> None:
    data = dict(SMALL, dimensions=[dict(SMALL["dimensions"][0], id="ｄｉｍ")])
    assert fs.RuleSet.model_validate(data).dimensions[0].id == "dim"
