"""Contract tests: plug-in evaluators (DESIGN.md §3, issue 2 item 3).

A notebook user registers an evaluator with fs.Engine(plugins=[obj]) where obj has a
`fortress_score_evaluators` hook implementation (decorated with fs.hookimpl) returning a list
of fs.Evaluator instances.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from pydantic import ConfigDict

import fortress_score as fs


# --------------------------------------------------------------------------- plug-in helpers
class Scaled(fs.Evaluator):
    """attainment = clip(x / divisor, 0, 1)."""

    name = "contract_scaled"
    population = False

    class Params(fs.Params):
        input: str
        divisor: float = 2.0

    def inputs(self, params):
        return [params.input]

    def evaluate(self, columns, params, context):
        return np.clip(np.asarray(columns[params.input], dtype=float) / params.divisor, 0.0, 1.0)


class PlainParams(fs.Evaluator):
    """Same as Scaled but its Params model does not itself forbid extra keys."""

    name = "contract_plain"
    population = False

    class Params(fs.Params):
        model_config = ConfigDict(extra="ignore")
        input: str

    def inputs(self, params):
        return [params.input]

    def evaluate(self, columns, params, context):
        return np.clip(np.asarray(columns[params.input], dtype=float), 0.0, 1.0)


class Spy(fs.Evaluator):
    """Records what the engine hands over; attainment 0.5 everywhere."""

    name = "contract_spy"
    population = True

    class Params(fs.Params):
        input: str

    def __init__(self):
        self.calls = []

    def inputs(self, params):
        return [params.input]

    def evaluate(self, columns, params, context):
        x = columns[params.input]
        self.calls.append({
            "keys": set(columns),
            "dtype": np.asarray(x).dtype,
            "x": np.array(x, dtype=float),
            "points": context.points,
            "groups": np.asarray(context.groups).copy(),
        })
        return np.full(len(x), 0.5)


def make_bad(name, result):
    class Bad(fs.Evaluator):
        population = False

        class Params(fs.Params):
            input: str

        def inputs(self, params):
            return [params.input]

        def evaluate(self, columns, params, context):
            n = len(columns[params.input])
            return result(n)

    Bad.name = name
    return Bad()


class Plugin:
    def __init__(self, *evaluators):
        self._evaluators = list(evaluators)

    @fs.hookimpl
    def fortress_score_evaluators(self):
        return list(self._evaluators)


def rules_doc(evaluate, *, points=100, **top):
    doc = {
        "ruleset": "contract-plugins", "title": "plugins", "entity": "branch", "period": "month",
        "dimensions": [{"id": "d", "title": "维度", "weight": 1, "indicators": [
            {"id": "custom_ind", "title": "custom", "points": points, "evaluate": evaluate}]}],
        "ratings": [{"stars": 1, "min": 50, "title": "one"}],
    }
    doc.update(top)
    return doc


def write(directory, doc):
    path = directory / "rules.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


DATA = {"branch": ["b1", "b2", "b3"], "month": ["2021-01"] * 3, "x": [0.5, 1.0, 4.0]}


# --------------------------------------------------------------------------- registration & use
def test_plugin_is_listed_next_to_the_builtins():
    engine = fs.Engine(plugins=[Plugin(Scaled())])
    evaluators = engine.evaluators()
    assert "contract_scaled" in evaluators
    assert isinstance(evaluators["contract_scaled"], Scaled)
    for builtin in ("target", "ratio", "rank", "threshold"):
        assert builtin in evaluators
    # the default engine does not know the plug-in
    assert "contract_scaled" not in fs.Engine().evaluators()


def test_plugin_usable_in_a_rule_file(tmp_path):
    engine = fs.Engine(plugins=[Plugin(Scaled())])
    rules = engine.load_rules(write(tmp_path, rules_doc(
        {"kind": "contract_scaled", "input": "x", "divisor": 4})))
    recs = {r["entity"]: r for r in engine.score(rules, DATA).to_records()}
    # clip(x/4, 0, 1) * 100: 0.5 -> 12.5 ; 1 -> 25 ; 4 -> 100
    assert float(recs["b1"]["total"]) == pytest.approx(12.5)
    assert float(recs["b2"]["total"]) == pytest.approx(25)
    assert float(recs["b3"]["total"]) == pytest.approx(100)
    assert float(recs["b2"]["indicators"]["custom_ind"]) == pytest.approx(25)


def test_plugin_param_default_used(tmp_path):
    engine = fs.Engine(plugins=[Plugin(Scaled())])
    rules = engine.load_rules(write(tmp_path, rules_doc({"kind": "contract_scaled", "input": "x"})))
    recs = {r["entity"]: r for r in engine.score(rules, DATA).to_records()}
    assert float(recs["b1"]["total"]) == pytest.approx(25)  # 0.5 / 2 = 0.25


def test_plugin_kind_unknown_to_default_engine(tmp_path):
    with pytest.raises(fs.FortressScoreError):
        fs.load_rules(write(tmp_path, rules_doc({"kind": "contract_scaled", "input": "x"})))


def test_plugin_params_validated_at_load_unknown_key(tmp_path):
    engine = fs.Engine(plugins=[Plugin(Scaled())])
    with pytest.raises(fs.FortressScoreError) as info:
        engine.load_rules(write(tmp_path, rules_doc(
            {"kind": "contract_scaled", "input": "x", "bogus_key": 1})))
    assert "bogus_key" in str(info.value)


def test_plugin_params_validated_at_load_wrong_type(tmp_path):
    engine = fs.Engine(plugins=[Plugin(Scaled())])
    with pytest.raises(fs.FortressScoreError) as info:
        engine.load_rules(write(tmp_path, rules_doc(
            {"kind": "contract_scaled", "input": "x", "divisor": "many"})))
    assert "divisor" in str(info.value)


def test_unknown_key_rejected_even_if_plugin_model_allows_extras(tmp_path):
    # DESIGN.md §3: "the rest of the evaluate: table, validated at load time, unknown keys
    # rejected" -- stated of the system, not left to each plug-in's model configuration.
    engine = fs.Engine(plugins=[Plugin(PlainParams())])
    engine.load_rules(write(tmp_path, rules_doc({"kind": "contract_plain", "input": "x"})))
    with pytest.raises(fs.FortressScoreError) as info:
        engine.load_rules(write(tmp_path, rules_doc(
            {"kind": "contract_plain", "input": "x", "bogus_key": 1})))
    assert "bogus_key" in str(info.value)


def test_plugin_receives_float_columns_points_and_groups(tmp_path):
    spy = Spy()
    engine = fs.Engine(plugins=[Plugin(spy)])
    rules = engine.load_rules(write(tmp_path, rules_doc(
        {"kind": "contract_spy", "input": "x"}, points=40, group_by="region")))
    data = {
        "branch": ["a", "b", "c", "a", "b", "c"],
        "month": ["m1", "m1", "m1", "m2", "m2", "m2"],
        "region": ["n", "n", "s", "n", "n", "s"],
        "x": [1, 2, 3, 4, 5, 6],
    }
    recs = engine.score(rules, data).to_records()
    assert len(recs) == 6
    for rec in recs:
        assert float(rec["indicators"]["custom_ind"]) == pytest.approx(20)  # 0.5 * 40
    assert spy.calls, "the plug-in was never called"
    # whether the engine calls once for all rows or once per population is its business;
    # gather what it saw
    seen_x = np.concatenate([c["x"] for c in spy.calls])
    seen_groups = np.concatenate(
        [c["groups"] + 1000 * k for k, c in enumerate(spy.calls)])  # keep calls apart
    for call in spy.calls:
        assert call["dtype"] == np.float64
        assert "x" in call["keys"]
        assert float(call["points"]) == 40
    assert sorted(seen_x.tolist()) == [1, 2, 3, 4, 5, 6]
    # rows with one code form one population: same period and same group
    population_of = {1: ("m1", "n"), 2: ("m1", "n"), 3: ("m1", "s"),
                     4: ("m2", "n"), 5: ("m2", "n"), 6: ("m2", "s")}
    code_to_pop = {}
    pop_to_code = {}
    for x, code in zip(seen_x.tolist(), seen_groups.tolist()):
        pop = population_of[int(x)]
        assert code_to_pop.setdefault(code, pop) == pop
        assert pop_to_code.setdefault(pop, code) == code


def test_plugin_as_adjustment_gets_cap_as_points(tmp_path):
    spy = Spy()
    engine = fs.Engine(plugins=[Plugin(spy)])
    doc = rules_doc({"kind": "target", "input": "x", "target": 4, "floor": 0})
    doc["adjustments"] = [{"id": "bonus_x", "title": "bonus", "kind": "bonus", "cap": 6,
                           "evaluate": {"kind": "contract_spy", "input": "x"}}]
    rules = engine.load_rules(write(tmp_path, doc))
    recs = {r["entity"]: r for r in engine.score(rules, DATA).to_records()}
    assert [float(c["points"]) for c in spy.calls] and all(
        float(c["points"]) == 6 for c in spy.calls)
    # b2: x = 1 -> 25 ; bonus 0.5 * 6 = 3 -> 28
    assert float(recs["b2"]["adjustments"]["bonus_x"]) == pytest.approx(3)
    assert float(recs["b2"]["total"]) == pytest.approx(28)


def test_plugin_nan_means_does_not_apply(tmp_path):
    nan_for_first = make_bad("contract_nan", lambda n: np.array([np.nan] + [1.0] * (n - 1)))
    engine = fs.Engine(plugins=[Plugin(nan_for_first)])
    doc = rules_doc({"kind": "contract_nan", "input": "x"})
    doc["dimensions"].append({"id": "other", "title": "other", "weight": 1, "indicators": [
        {"id": "o", "title": "o", "points": 10,
         "evaluate": {"kind": "target", "input": "x", "target": 4, "floor": 0}}]})
    rules = engine.load_rules(write(tmp_path, doc))
    recs = {r["entity"]: r for r in engine.score(rules, DATA).to_records()}
    assert recs["b1"]["indicators"]["custom_ind"] is None
    assert recs["b1"]["dimensions"]["d"] is None
    # only `other` applies: S = 100 * 0.5/4 = 12.5 -> total 12.5
    assert float(recs["b1"]["total"]) == pytest.approx(12.5)


# --------------------------------------------------------------------------- misbehaving plug-ins
def _raiser(n):
    raise RuntimeError("plug-in failure")


@pytest.mark.parametrize(
    "name, result",
    [
        ("contract_too_long", lambda n: np.full(n + 1, 0.5)),
        ("contract_too_short", lambda n: np.full(max(n - 1, 0), 0.5)),
        ("contract_2d", lambda n: np.full((n, 2), 0.5)),
        ("contract_above_one", lambda n: np.full(n, 1.5)),
        ("contract_below_zero", lambda n: np.full(n, -0.1)),
        ("contract_strings", lambda n: np.array(["a"] * n)),
        ("contract_raises", _raiser),
    ],
)
def test_misbehaving_plugin_is_stopped(tmp_path, name, result):
    engine = fs.Engine(plugins=[Plugin(make_bad(name, result))])
    rules = engine.load_rules(write(tmp_path, rules_doc({"kind": name, "input": "x"})))
    with pytest.raises(fs.FortressScoreError) as info:
        engine.score(rules, DATA).to_records()
    message = str(info.value)
    # "stopped with an error naming the plug-in and the indicator" (DESIGN.md §3)
    assert name in message, message
    assert "custom_ind" in message, message


def test_two_evaluators_with_one_name(tmp_path):
    other = Scaled()
    with pytest.raises(fs.FortressScoreError):
        engine = fs.Engine(plugins=[Plugin(Scaled()), Plugin(other)])
        engine.evaluators()
        engine.load_rules(write(tmp_path, rules_doc({"kind": "contract_scaled", "input": "x"})))


def test_plugin_clashing_with_a_builtin_name(tmp_path):
    clash = make_bad("target", lambda n: np.zeros(n))
    with pytest.raises(fs.FortressScoreError):
        engine = fs.Engine(plugins=[Plugin(clash)])
        engine.evaluators()
        engine.load_rules(write(tmp_path, rules_doc(
            {"kind": "target", "input": "x"})))
