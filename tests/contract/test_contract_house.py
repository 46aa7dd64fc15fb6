"""Contract tests: putting the house in order (the architecture issue).

Written from the issue's contract alone, before the implementation is finished:

1. the rule model owns every check: ``RuleSet.model_validate``, ``RuleSet(**d)``,
   ``load_rules`` and ``Engine.rules_from_mapping`` accept exactly the same things and
   place problems at the same rule paths; a model dump validates back to an equal RuleSet;
2. plug-ins through pluggy: misspelt hooks and clashing names are refused, naming sources;
3. evaluators explain themselves: ``describe`` and ``inverse``, used by ``explain``;
4. a typed public surface: generic ``Evaluator[P]``, strict ``Params`` for plug-ins;
5. frames through narwhals and a public ``read_data``.

Attributes of errors (problems, paths, lines, evaluator, source) are asserted first; the
wording only where the contract names it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pydantic
import pytest

import fortress_score as fs

ROOT = Path(__file__).resolve().parents[2]
SEED_PACK = ROOT / "rules" / "three-dimensions.yaml"

RULES: dict[str, Any] = {
    "ruleset": "demo", "entity": "branch", "dimensions": [
        {"id": "performance", "weight": 1, "indicators": [
            {"id": "recovery", "points": 10,
             "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}}]}],
    "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}],
}
DATA: dict[str, list[Any]] = {"branch": ["A", "B"], "rate": [97.0, 98.5]}

SAFETY_VETO: dict[str, Any] = {
    "id": "safety", "when": {"kind": "threshold", "input": "safety_l4_events", "op": ">", "value": 0},
    "effect": {"max_stars": 3}}

PYDANTIC_WORDING = ("Input should be", "Value error,", "validation error for")


def rules(**top: Any) -> dict[str, Any]:
    """A fresh copy of RULES with top-level keys replaced."""
    data = copy.deepcopy(RULES)
    data.update(copy.deepcopy(top))
    return data


def target_indicator(ind_id: str, column: str = "rate") -> dict[str, Any]:
    return {"id": ind_id, "points": 10,
            "evaluate": {"kind": "target", "input": column, "target": 100, "floor": 90}}


def format_loc(loc: tuple[Any, ...]) -> str:
    """('dimensions', 0, 'indicators', 1, 'id') -> 'dimensions[0].indicators[1].id'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def problem_paths(exc: BaseException) -> set[str]:
    """The rule paths an error places its problems at, whichever kind of error it is."""
    if isinstance(exc, fs.FortressScoreError):
        return {p.path for p in exc.problems if p.path}
    assert isinstance(exc, pydantic.ValidationError), type(exc)
    paths: set[str] = set()
    for error in exc.errors():
        inner = (error.get("ctx") or {}).get("error")
        prefix = format_loc(tuple(error["loc"]))
        if isinstance(inner, fs.FortressScoreError):
            paths |= {f"{prefix}.{p}" if prefix else p for p in problem_paths(inner)}
        else:
            paths.add(prefix)
    return paths


def messages(exc: BaseException) -> list[str]:
    """What a person reads: the error text for our errors, each error's msg for pydantic's."""
    if isinstance(exc, fs.FortressScoreError):
        return [str(exc), *(p.message for p in exc.problems)]
    assert isinstance(exc, pydantic.ValidationError), type(exc)
    return [str(e["msg"]) for e in exc.errors()]


BUILDERS: dict[str, Callable[[dict[str, Any]], fs.RuleSet]] = {
    "model_validate": lambda d: fs.RuleSet.model_validate(d),
    "constructor": lambda d: fs.RuleSet(**d),
    "load_rules": lambda d: fs.load_rules(d),
    "rules_from_mapping": lambda d: fs.Engine(entry_points=False).rules_from_mapping(d),
}
MODEL_BUILDERS = ("model_validate", "constructor")


def refusals(data: dict[str, Any]) -> dict[str, BaseException]:
    """Build ``data`` the four ways; each must refuse it with the right kind of error."""
    raised: dict[str, BaseException] = {}
    for name, build in BUILDERS.items():
        expected = (pydantic.ValidationError, fs.RuleFileError) if name in MODEL_BUILDERS \
            else fs.RuleFileError
        with pytest.raises(expected) as info:
            build(copy.deepcopy(data))
        raised[name] = info.value
    return raised


# =========================================================================== 1. the rule model
def test_the_four_ways_accept_the_same_valid_rules_as_equal_rulesets() -> None:
    built = {name: build(rules()) for name, build in BUILDERS.items()}
    first = built["load_rules"]
    assert all(isinstance(r, fs.RuleSet) for r in built.values())
    assert {name: r == first for name, r in built.items()} == dict.fromkeys(BUILDERS, True)
    assert {r.digest for r in built.values()} == {first.digest}


def test_model_validate_without_context_accepts_a_builtin_kind() -> None:
    ruleset = fs.RuleSet.model_validate(rules())  # previously: "must name a registered evaluator ()"
    call = ruleset.dimensions[0].indicators[0].evaluate
    assert call.kind == "target"
    assert tuple(call.inputs) == ("rate",)


def two_dimensions_sharing(ind_id: str) -> list[dict[str, Any]]:
    return [{"id": "performance", "weight": 1, "indicators": [target_indicator("recovery")]},
            {"id": "atmosphere", "weight": 1, "indicators": [target_indicator(ind_id, "share")]}]


BAD_RULES: list[Any] = [
    pytest.param(rules(dimensions=[{"id": "performance", "weight": 1, "indicators": [
        target_indicator("recovery"), target_indicator("recovery", "share")]}]),
        {"dimensions[0].indicators[1].id"}, id="two-indicators-named-recovery"),
    pytest.param(rules(dimensions=two_dimensions_sharing("recovery")),
                 {"dimensions[1].indicators[0].id"}, id="indicator-id-repeated-across-dimensions"),
    pytest.param(rules(dimensions=[{"id": "recovery", "weight": 1, "indicators": [
        target_indicator("rate_ok"), target_indicator("recovery", "share")]}]),
        {"dimensions[0].indicators[1].id"}, id="indicator-reuses-dimension-id"),
    pytest.param(rules(adjustments=[{"id": "recovery", "kind": "bonus", "cap": 5, "evaluate": {
        "kind": "per_event", "input": "awards", "each": 1}}]),
        {"adjustments[0].id"}, id="adjustment-reuses-indicator-id"),
    pytest.param(rules(vetoes=[{**SAFETY_VETO, "id": "performance"}]),
                 {"vetoes[0].id"}, id="veto-reuses-dimension-id"),
    pytest.param(rules(ratings=[{"stars": 5, "min": 90}, {"stars": 5, "min": 80}]),
                 {"ratings[0].stars", "ratings[1].stars"}, id="ratings-with-the-same-stars"),
    pytest.param(rules(ratings=[{"stars": 5, "min": 80}, {"stars": 4, "min": 90}]),
                 {"ratings[0].min", "ratings[1].min"}, id="rating-min-does-not-rise-with-stars"),
    pytest.param(rules(vetoes=[{**SAFETY_VETO, "effect": {"total": 150}}]),
                 {"vetoes[0].effect.total"}, id="veto-total-above-scale"),
    pytest.param(rules(vetoes=[{**SAFETY_VETO, "effect": {"max_stars": 5}}]),
                 {"vetoes[0].effect.max_stars"}, id="veto-max-stars-not-below-top-rating"),
    pytest.param(rules(period="branch"), {"period", "entity"}, id="period-is-the-entity-column"),
    pytest.param(rules(period="month", group_by="month"), {"group_by", "period"},
                 id="group-by-is-the-period-column"),
    pytest.param(rules(commendations=[{"id": "full", "kind": "full_attainment",
                                       "indicator": "recovry"}]),
                 {"commendations[0].indicator"}, id="commendation-names-no-indicator"),
    pytest.param(rules(benchmark={"stars": 3, "consecutive": 2}), {"benchmark.stars"},
                 id="benchmark-stars-not-rated"),
    pytest.param(rules(dimensions=[{"id": "performance", "weight": 1, "indicators": [
        {**target_indicator("recovery"), "evaluate": {
            "kind": "targt", "input": "rate", "target": 100, "floor": 90}}]}]),
        {"dimensions[0].indicators[0].evaluate.kind"}, id="unknown-kind"),
    pytest.param(rules(dimensions=[{"id": "performance", "weight": 1, "indicators": [
        {**target_indicator("recovery"), "evaluate": {
            "kind": "target", "input": "rate", "target": 90, "floor": 90}}]}]),
        {"dimensions[0].indicators[0].evaluate", "dimensions[0].indicators[0].evaluate.target",
         "dimensions[0].indicators[0].evaluate.floor"}, id="evaluator-params-check"),
]


@pytest.mark.parametrize(("data", "paths"), BAD_RULES)
def test_the_four_ways_refuse_the_same_rules_at_the_same_paths(
        data: dict[str, Any], paths: set[str]) -> None:
    raised = refusals(data)
    found = {name: problem_paths(exc) for name, exc in raised.items()}
    assert {name: bool(p & paths) for name, p in found.items()} == dict.fromkeys(BUILDERS, True), \
        f"expected a problem at one of {sorted(paths)}; got {found}"
    assert all(p == found["load_rules"] for p in found.values()), found


def test_constructor_from_dicts_refuses_two_indicators_named_recovery() -> None:
    indicators = [target_indicator("recovery"), target_indicator("recovery", "share")]
    with pytest.raises((pydantic.ValidationError, fs.RuleFileError)) as info:
        fs.RuleSet(ruleset="demo", entity="branch",
                   dimensions=[{"id": "performance", "weight": 1, "indicators": indicators}])
    assert "dimensions[0].indicators[1].id" in problem_paths(info.value)
    assert any("recovery" in m for m in messages(info.value))


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_unknown_kind_is_placed_at_kind_and_suggests_target(builder: str) -> None:
    data = rules()
    data["dimensions"][0]["indicators"][0]["evaluate"]["kind"] = "targt"
    exc = refusals(data)[builder]
    assert problem_paths(exc) == {"dimensions[0].indicators[0].evaluate.kind"}
    text = "\n".join(messages(exc))
    assert "targt" in text
    assert re.search(r"did you mean .?target", text), text
    assert "registered evaluator ()" not in text


WORDING_CASES = [
    pytest.param({"dimensions": [{"id": "performance", "weight": 1, "indicators": [
        {**target_indicator("recovery"), "points": "ten"}]}]}, id="points-as-text"),
    pytest.param({"precision": 9}, id="precision-too-large"),
    pytest.param({"missing": "sometimes"}, id="missing-not-a-choice"),
    pytest.param({"vetoes": [{**SAFETY_VETO, "effect": {}}]}, id="veto-without-effect"),
    pytest.param({"dimensions": [{"id": "performance", "weight": 1, "indicators": [
        {**target_indicator("recovery"), "evaluate": {
            "kind": "target", "input": "rate", "target": 90, "floor": 90}}]}]},
        id="params-model-validator"),
]


@pytest.mark.parametrize("top", WORDING_CASES)
def test_messages_carry_no_pydantic_wording(top: dict[str, Any]) -> None:
    raised = refusals(rules(**top))
    for name, exc in raised.items():
        assert problem_paths(exc), name
        for text in messages(exc):  # pydantic's: each error's own msg, not its header
            leaked = [w for w in PYDANTIC_WORDING if w in text]
            assert not leaked, f"{name}: {leaked} in {text!r}"


def test_model_dump_validates_back_to_an_equal_ruleset() -> None:
    ruleset = fs.load_rules(rules(
        vetoes=[SAFETY_VETO],
        adjustments=[{"id": "awards", "kind": "bonus", "cap": 5,
                      "evaluate": {"kind": "per_event", "input": "awards", "each": 1}}]))
    dumped = ruleset.model_dump(mode="json")
    json.dumps(dumped)  # plain data
    again = fs.RuleSet.model_validate(dumped)
    assert again == ruleset
    assert again.digest == ruleset.digest


def test_seed_pack_dump_validates_back_to_an_equal_ruleset() -> None:
    ruleset = fs.load_rules(str(SEED_PACK))
    again = fs.RuleSet.model_validate(ruleset.model_dump(mode="json"))
    assert again == ruleset
    assert again.digest == ruleset.digest
    assert fs.RuleSet.model_validate(again.model_dump(mode="json")) == ruleset


# --------------------------------------------------------------------------- plug-in helpers
class FlagParams(fs.Params):
    input: fs.Column


class Flag(fs.Evaluator):
    """1 where the input is positive; explains itself in its own words."""

    name = "contract_flag"
    Params = FlagParams

    def __init__(self) -> None:
        self.described: list[dict[str, float]] = []

    def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
        x = columns[params.input]
        return np.where(np.isnan(x), np.nan, (x > 0).astype(np.float64))

    def describe(self, params, inputs):  # type: ignore[no-untyped-def]
        self.described.append(dict(inputs))
        return f"{inputs[params.input]:g} incidents on record (contract_flag's own words)"


class Silent(fs.Evaluator):
    """Half attainment everywhere; no describe, no inverse."""

    name = "contract_silent"
    Params = FlagParams

    def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
        return np.full(context.n_rows, 0.5)


def flag_rules() -> dict[str, Any]:
    data = rules()
    data["dimensions"][0]["indicators"][0]["evaluate"] = {"kind": "contract_flag", "input": "rate"}
    return data


def test_a_plugin_kind_is_accepted_only_by_the_engine_that_has_it() -> None:
    ruleset = fs.Engine(plugins=[Flag()], entry_points=False).rules_from_mapping(flag_rules())
    assert ruleset.dimensions[0].indicators[0].evaluate.kind == "contract_flag"
    path = "dimensions[0].indicators[0].evaluate.kind"
    with pytest.raises((pydantic.ValidationError, fs.RuleFileError)) as info:
        fs.RuleSet.model_validate(flag_rules())
    assert path in problem_paths(info.value)
    with pytest.raises(fs.RuleFileError) as loaded:
        fs.Engine(entry_points=False).rules_from_mapping(flag_rules())
    assert problem_paths(loaded.value) == {path}


# =========================================================================== 2. plug-ins
class MisspeltPlugin:
    """Implements `fortress_score_evaluator` (no "s"): pluggy knows no such hook."""

    @fs.hookimpl
    def fortress_score_evaluator(self) -> list[fs.Evaluator]:
        return [Flag()]


class HalfMisspeltPlugin:
    """A good hook and a misspelt one."""

    @fs.hookimpl
    def fortress_score_evaluators(self) -> list[fs.Evaluator]:
        return [Flag()]

    @fs.hookimpl
    def fortress_score_evaluator(self) -> list[fs.Evaluator]:
        return [Flag()]


def misspelt_module() -> ModuleType:
    module = ModuleType("contract_misspelt_module")

    @fs.hookimpl
    def fortress_score_evaluator() -> list[fs.Evaluator]:
        return [Flag()]

    module.fortress_score_evaluator = fortress_score_evaluator  # type: ignore[attr-defined]
    return module


def assert_names_misspelt_hook(exc: fs.PluginError, plugin_name: str) -> None:
    text = str(exc)
    assert exc.problems
    assert plugin_name in text, text
    assert re.search(r"fortress_score_evaluator(?!s)", text), text  # the misspelt name itself
    assert "fortress_score_evaluators" in text, text  # the suggestion


@pytest.mark.parametrize("how", ["engine", "score"])
@pytest.mark.parametrize(("make", "plugin_name"), [
    pytest.param(MisspeltPlugin, "MisspeltPlugin", id="object"),
    pytest.param(misspelt_module, "contract_misspelt_module", id="module"),
])
def test_a_misspelt_hook_is_refused_naming_plugin_and_hook(
        how: str, make: Callable[[], Any], plugin_name: str) -> None:
    plugin = make()
    with pytest.raises(fs.PluginError) as info:
        if how == "engine":
            fs.Engine(plugins=[plugin], entry_points=False)
        else:
            fs.score(rules(), DATA, plugins=[plugin])
    assert_names_misspelt_hook(info.value, plugin_name)


def test_a_misspelt_hook_beside_a_good_one_is_still_refused() -> None:
    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[HalfMisspeltPlugin()], entry_points=False)
    assert_names_misspelt_hook(info.value, "HalfMisspeltPlugin")


class DupOne:
    @fs.hookimpl
    def fortress_score_evaluators(self) -> list[fs.Evaluator]:
        return [Flag()]


class DupTwo:
    @fs.hookimpl
    def fortress_score_evaluators(self) -> list[fs.Evaluator]:
        return [Flag()]


def test_two_evaluators_with_one_name_are_refused_naming_both_sources() -> None:
    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[DupOne(), DupTwo()], entry_points=False)
    assert info.value.evaluator == "contract_flag"
    text = str(info.value)
    assert "contract_flag" in text and "DupOne" in text and "DupTwo" in text, text


class TargetImpostor(fs.Evaluator):
    """Claims the built-in name `target`."""

    name = "target"
    Params = FlagParams

    def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
        return np.zeros(context.n_rows)


def test_a_plugin_claiming_a_builtin_name_is_refused_naming_both_sources() -> None:
    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[TargetImpostor()], entry_points=False)
    assert info.value.evaluator == "target"
    text = str(info.value)
    assert "fortress_score.evaluators.target" in text and "TargetImpostor" in text, text


def test_sources_map_each_evaluator_to_where_it_came_from() -> None:
    builtins = {"target", "growth", "bands", "ratio", "checklist", "per_event", "survey", "rank",
                "minmax", "threshold", "decision_table"}
    sources = fs.Engine(entry_points=False).sources()
    assert set(sources) == builtins
    assert sources == {k: f"module fortress_score.evaluators.{k}" for k in builtins}
    with_plugin = fs.Engine(plugins=[DupOne()], entry_points=False).sources()
    assert "DupOne" in with_plugin["contract_flag"]
    assert with_plugin["target"] == "module fortress_score.evaluators.target"


# =========================================================================== 3. explain
def builtin(name: str) -> fs.Evaluator:
    return fs.Engine(entry_points=False).evaluators()[name]


def test_evaluator_describe_and_inverse_default_to_none() -> None:
    evaluator = Silent()
    params = FlagParams(input="x")
    assert evaluator.describe(params, {"x": 1.0}) is None
    assert evaluator.inverse(params, 0.5, {"x": 1.0}) is None


def test_threshold_describes_its_test_with_the_rows_input() -> None:
    threshold = builtin("threshold")
    params = threshold.Params.model_validate({"input": "safety_l4_events", "op": ">", "value": 0})
    text = threshold.describe(params, {"safety_l4_events": 1.0})
    assert isinstance(text, str)
    assert "safety_l4_events = 1 > 0" in text


@pytest.mark.parametrize(("target", "floor", "attainment", "expected"), [
    pytest.param(100, 90, 0.5, 95.0, id="midpoint"),
    pytest.param(10, 20, 0.5, 15.0, id="midpoint-lower-is-better"),
    pytest.param(100, 90, 0.8, 98.0, id="four-fifths"),
])
def test_target_inverse_gives_the_input_for_an_attainment(
        target: float, floor: float, attainment: float, expected: float) -> None:
    evaluator = builtin("target")
    params = evaluator.Params.model_validate(
        {"input": "rate", "target": target, "floor": floor})
    result = evaluator.inverse(params, attainment, {"rate": 97.0})
    assert result == pytest.approx({"rate": expected})


def test_a_builtin_veto_is_explained_by_its_evaluators_describe() -> None:
    card = fs.score(rules(vetoes=[SAFETY_VETO]),
                    {**DATA, "safety_l4_events": [0, 1]})
    threshold = builtin("threshold")
    params = threshold.Params.model_validate(
        {"input": "safety_l4_events", "op": ">", "value": 0})
    assert card.explain("B").veto_reasons == {
        "safety": threshold.describe(params, {"safety_l4_events": 1.0})}
    assert card.explain("A").veto_reasons == {}


def test_a_third_party_veto_is_explained_in_its_own_words() -> None:
    flag = Flag()
    data = rules(vetoes=[{"id": "flagged", "when": {"kind": "contract_flag", "input": "incidents"},
                          "effect": {"max_stars": 3}}])
    card = fs.score(data, {**DATA, "incidents": [0, 2]}, plugins=[flag])
    reasons = card.explain("B").veto_reasons
    assert list(reasons) == ["flagged"]
    assert reasons["flagged"] == "2 incidents on record (contract_flag's own words)"
    assert {"incidents": 2.0} in flag.described
    assert flag.describe(FlagParams(input="incidents"), {"incidents": 2.0}) == reasons["flagged"]


def test_the_path_to_the_next_star_gives_the_input_that_reaches_it() -> None:
    data = {"branch": ["A", "B"], "rate": [97.0, 95.0]}
    card = fs.score(rules(), data)
    explanation = card.explain("B")
    assert explanation.stars == 0 and explanation.next_star == 4
    [step] = explanation.path
    assert step.indicator == "recovery"
    assert set(step.inputs) == {"rate"}
    assert step.inputs["rate"] == pytest.approx(90 + 10 * step.needed)
    again = fs.score(rules(), {"branch": ["A", "B"], "rate": [97.0, step.inputs["rate"]]})
    line = again.explain("B").indicators[0]
    assert line.attainment == pytest.approx(step.needed, abs=1e-9)
    assert again.explain("B").stars == 4


def test_every_step_of_a_longer_path_carries_inputs_that_reach_the_star() -> None:
    two = rules(dimensions=[{"id": "performance", "weight": 1, "indicators": [
        target_indicator("recovery", "rate"),
        {"id": "share_ok", "points": 10,
         "evaluate": {"kind": "target", "input": "share", "target": 100, "floor": 50}}]}])
    data = {"branch": ["A", "B"], "rate": [99.0, 92.0], "share": [95.0, 60.0]}
    explanation = fs.score(two, data).explain("B")
    assert explanation.next_star == 4
    assert len(explanation.path) == 2
    changed = copy.deepcopy(data)
    for step in explanation.path:
        column = {"recovery": "rate", "share_ok": "share"}[step.indicator]
        assert set(step.inputs) == {column}
        changed[column][1] = step.inputs[column]
    after = fs.score(two, changed).explain("B")
    reached = {line.indicator: line.attainment for line in after.indicators}
    for step in explanation.path:
        assert reached[step.indicator] == pytest.approx(step.needed, abs=1e-9)
    assert after.stars == 4


def test_a_step_without_an_inverse_promises_no_inputs() -> None:
    data = rules()
    data["dimensions"][0]["indicators"][0]["evaluate"] = {"kind": "contract_silent", "input": "rate"}
    explanation = fs.score(data, DATA, plugins=[Silent()]).explain("B")
    [step] = explanation.path
    assert not step.inputs


# =========================================================================== 4. typed surface
TYPED_NAMES = ["FloatArray", "Column", "Context", "Params", "competition_rank", "group_count",
               "group_min_max"]


@pytest.mark.parametrize("name", TYPED_NAMES)
def test_typed_names_are_public(name: str) -> None:
    assert name in fs.__all__
    assert getattr(fs, name) is not None


def test_groupwise_kernels_are_callable_from_the_package() -> None:
    assert all(callable(getattr(fs, n)) for n in ("competition_rank", "group_count",
                                                  "group_min_max"))


class HalfParams(fs.Params):
    input: fs.Column
    share: float = 0.5


def test_evaluator_is_generic_in_its_params() -> None:
    # defined here, not at module level: a non-generic Evaluator must fail this test only
    class Half(fs.Evaluator[HalfParams]):
        """A fixed share of attainment wherever the input has a value."""

        name = "contract_half"
        Params = HalfParams

        def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
            return np.where(np.isnan(columns[params.input]), np.nan, params.share)

    data = rules()
    data["dimensions"][0]["indicators"][0]["evaluate"] = {"kind": "contract_half", "input": "rate"}
    records = fs.score(data, DATA, plugins=[Half()]).to_records()
    assert [r["total"] for r in records] == [50.0, 50.0]


class LooseParams(pydantic.BaseModel):
    input: str


class Loose(fs.Evaluator):
    """Params not derived from fs.Params."""

    name = "contract_loose"
    Params = LooseParams

    def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
        return np.zeros(context.n_rows)


def test_params_that_are_a_plain_basemodel_are_refused_at_registration() -> None:
    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[Loose()], entry_points=False)
    assert info.value.evaluator == "contract_loose"
    assert "contract_loose" in str(info.value)
    assert "Params" in str(info.value)


def mutable_default_evaluator(field: str, params: type[fs.Params]) -> fs.Evaluator:
    class Mutable(fs.Evaluator):
        """A params model with a mutable default."""

        name = f"contract_mutable_{field}"
        Params = params

        def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
            return np.zeros(context.n_rows)

    return Mutable()


class ListDefault(fs.Params):
    input: fs.Column
    weights: list[float] = [1.0, 2.0]  # noqa: RUF012  (the mistake under test)


class FactoryDefault(fs.Params):
    input: fs.Column
    weights: list[float] = pydantic.Field(default_factory=list)


class DictDefault(fs.Params):
    input: fs.Column
    levels: dict[str, float] = {"good": 1.0}  # noqa: RUF012  (the mistake under test)


@pytest.mark.parametrize(("field", "params"), [
    pytest.param("weights", ListDefault, id="list-literal"),
    pytest.param("weights", FactoryDefault, id="default-factory-list"),
    pytest.param("levels", DictDefault, id="dict-literal"),
])
def test_params_with_a_mutable_default_are_refused_naming_the_field(
        field: str, params: type[fs.Params]) -> None:
    evaluator = mutable_default_evaluator(field, params)
    with pytest.raises(fs.PluginError) as info:
        fs.Engine(plugins=[evaluator], entry_points=False)
    assert info.value.evaluator == evaluator.name
    assert field in str(info.value)
    assert evaluator.name in str(info.value)


class TupleDefault(fs.Params):
    input: fs.Column
    weights: tuple[float, ...] = (1.0, 2.0)


def test_params_with_an_immutable_default_are_accepted() -> None:
    evaluator = mutable_default_evaluator("tuple", TupleDefault)
    assert evaluator.name in fs.Engine(plugins=[evaluator], entry_points=False).evaluators()


# =========================================================================== 5. frames
def frame_of(kind: str, data: Mapping[str, list[Any]]) -> Any:
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(data)
    if kind == "pandas-subclass":
        pd = pytest.importorskip("pandas")

        class BranchFrame(pd.DataFrame):
            @property
            def _constructor(self) -> type:
                return BranchFrame

        frame = BranchFrame(data)
        assert type(frame).__module__ == __name__
        return frame
    if kind == "polars":
        pl = pytest.importorskip("polars")
        return pl.DataFrame(data)
    pa = pytest.importorskip("pyarrow")
    return pa.table(data)


@pytest.mark.parametrize("kind", ["pandas", "pandas-subclass", "polars", "pyarrow"])
def test_frames_score_the_same_as_a_mapping(kind: str) -> None:
    data = {"branch": ["A", "B", "C"], "rate": [97.0, 98.5, 91.0]}
    expected = fs.score(rules(), data).to_records()
    assert fs.score(rules(), frame_of(kind, data)).to_records() == expected


def test_read_data_reads_a_csv_keeping_codes_as_text_and_empty_cells_empty(tmp_path: Path) -> None:
    path = tmp_path / "branches.csv"
    path.write_text("branch,rate\n0101,97\n0102,\n0103,98.5\n", encoding="utf-8")
    ruleset = fs.load_rules(rules())
    records = fs.score(ruleset, fs.read_data(str(path), ruleset)).to_records()
    assert [r["entity"] for r in records] == ["0101", "0102", "0103"]
    assert [r["total"] for r in records] == [70.0, None, 85.0]


def test_read_data_reads_json_records_and_columns_alike(tmp_path: Path) -> None:
    ruleset = fs.load_rules(rules())
    as_records = tmp_path / "records.json"
    as_records.write_text(json.dumps([{"branch": "0101", "rate": 97.0},
                                      {"branch": "0102", "rate": 98.5}]), encoding="utf-8")
    as_columns = tmp_path / "columns.json"
    as_columns.write_text(json.dumps({"branch": ["0101", "0102"], "rate": [97.0, 98.5]}),
                          encoding="utf-8")
    expected = fs.score(ruleset, {"branch": ["0101", "0102"], "rate": [97.0, 98.5]}).to_records()
    assert fs.score(ruleset, fs.read_data(as_records, ruleset)).to_records() == expected
    assert fs.score(ruleset, fs.read_data(str(as_columns), ruleset)).to_records() == expected


def assert_places_in(exc: fs.FortressScoreError, path: Path, line: int | None) -> None:
    assert exc.problems
    placed = [p for p in exc.problems if p.file is not None and Path(p.file).name == path.name]
    assert placed, [str(p) for p in exc.problems]
    if line is not None:
        assert [p.line for p in placed] == [line]


def test_read_data_names_file_and_line_of_a_ragged_csv_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("branch,rate\nA,97\nB,98,extra\n", encoding="utf-8")
    with pytest.raises(fs.DataError) as info:
        fs.read_data(str(path), fs.load_rules(rules()))
    assert_places_in(info.value, path, 3)


def test_read_data_names_file_and_line_of_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"branch": "A", "rate": 97.0},\n  {"branch": "B", "rate": }\n]\n',
                    encoding="utf-8")
    with pytest.raises(fs.DataError) as info:
        fs.read_data(str(path), fs.load_rules(rules()))
    assert_places_in(info.value, path, 3)


def test_text_in_a_numeric_column_read_from_a_file_names_column_and_line(tmp_path: Path) -> None:
    # read_data refuses such a cell at once, at its file line (the office-file issue)
    path = tmp_path / "text.csv"
    path.write_text("branch,rate\nA,97\nB,high\n", encoding="utf-8")
    ruleset = fs.load_rules(rules())
    with pytest.raises(fs.DataError) as info:
        fs.read_data(str(path), ruleset)
    problem = next(p for p in info.value.problems if p.column == "rate")
    assert (problem.file, problem.line) == (str(path), 3)  # the file's own line
    assert "'high'" in problem.message
