"""The evaluator contract, checked for every registered evaluator at once: the eleven built-ins are
registered, take only their own params, name their inputs and give attainment in [0, 1]."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from evaluate_helper import score_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import fortress_score as fs

# A valid params table for each built-in, over columns x, y, z (values drawn below).
EXAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "target": {"input": "x", "target": 10.0, "floor": 0.0},
    "growth": {"current": "x", "baseline": "y", "target": 10.0, "floor": 0.0},
    "bands": {"input": "x", "bands": [{"min": 5, "score": 1.0}, {"max": 5, "score": 0.5}]},
    "ratio": {"numerator": "x", "denominator": "y"},
    "checklist": {"inputs": ["x", "y", "z"]},
    "per_event": {"input": "x", "each": 2.0},
    "survey": {"levels": {"good": 1.0, "bad": 0.0},
               "groups": [{"name": "all", "fields": {"good": "x", "bad": "y"}}]},
    "rank": {"input": "x"},
    "minmax": {"input": "x", "higher_is_better": False},
    "threshold": {"input": "x", "op": ">", "value": 3.0},
    "decision_table": {"hit": "collect_max", "rules": [
        {"when": {"x": ">= 5", "y": "(0..3]"}, "score": 1.0}, {"when": {"z": "1, 2"}, "score": 0.4}]},
}

BUILT_INS = sorted(EXAMPLE_PARAMS)
BUILTINS = ("target", "growth", "bands", "ratio", "checklist", "per_event", "survey", "rank",
            "minmax", "threshold", "decision_table")
ENGINE = fs.Engine(entry_points=False)  # hypothesis tests cannot take function fixtures


def test_every_builtin_is_registered_and_has_an_example(engine: fs.Engine) -> None:
    assert sorted(engine.evaluators()) == BUILT_INS
    assert all(src.startswith("module fortress_score.evaluators.") for src in engine.sources().values())


@pytest.mark.parametrize("name", BUILT_INS)
def test_unknown_params_are_rejected(engine: fs.Engine, name: str) -> None:
    evaluator = engine.evaluators()[name]
    with pytest.raises(ValidationError) as info:
        evaluator.Params.model_validate({**EXAMPLE_PARAMS[name], "surplus": 1})
    assert [(e["type"], e["loc"]) for e in info.value.errors()] == [("extra_forbidden", ("surplus",))]


@pytest.mark.parametrize("name", BUILT_INS)
def test_inputs_are_the_columns_named_in_params(engine: fs.Engine, name: str) -> None:
    evaluator = engine.evaluators()[name]
    params = evaluator.Params.model_validate(EXAMPLE_PARAMS[name])
    assert set(evaluator.inputs(params)) <= {"x", "y", "z"}
    assert evaluator.inputs(params)


values = st.one_of(st.just(np.nan), st.floats(-50, 50, allow_nan=False), st.integers(0, 6).map(float))


def _evaluate(evaluator: fs.Evaluator, params: Any, columns: dict[str, np.ndarray],
              groups: np.ndarray) -> np.ndarray:
    for array in columns.values():
        array.flags.writeable = False  # the engine hands evaluators read-only columns
    context = fs.Context(points=10.0, groups=groups, n_groups=int(groups.max()) + 1 if len(groups) else 0,
                         rule="i")
    return evaluator.evaluate(columns, params, context)


@pytest.mark.parametrize("name", BUILT_INS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_output_is_attainment_and_ignores_row_order(name: str, data: st.DataObject) -> None:
    evaluator = ENGINE.evaluators()[name]
    params = evaluator.Params.model_validate(EXAMPLE_PARAMS[name])
    n = data.draw(st.integers(1, 12))
    columns = {c: np.array(data.draw(st.lists(values, min_size=n, max_size=n))) for c in "xyz"}
    groups = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), dtype=np.int64)
    groups = np.unique(groups, return_inverse=True)[1].astype(np.int64)

    try:
        result = _evaluate(evaluator, params, {k: v.copy() for k, v in columns.items()}, groups)
    except fs.DataError as exc:  # a deliberate report on impossible data is allowed
        assert exc.column in columns
        return
    assert result.dtype == np.float64 and result.shape == (n,)
    finite = result[~np.isnan(result)]
    assert ((finite >= 0) & (finite <= 1)).all()

    order = np.array(data.draw(st.permutations(range(n))))
    shuffled = _evaluate(evaluator, params, {k: v[order].copy() for k, v in columns.items()},
                         groups[order])
    np.testing.assert_array_equal(shuffled, result[order])


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
        for rec in score_rows(tmp_path, evaluate, {"x": x, "n": count}):
            assert 0 <= float(rec["indicators"]["i"]) <= 100


# --------------------------------------------------------------------------- explain contract
@pytest.mark.parametrize("name", BUILT_INS)
@settings(max_examples=60, deadline=None)
@given(attainment=st.floats(0.0, 1.0), x=st.floats(1.0, 50.0), y=st.floats(1.0, 50.0))
def test_an_inverse_gives_the_inputs_that_reach_the_attainment(
    name: str, attainment: float, x: float, y: float
) -> None:
    """Where an evaluator answers `inverse`, scoring the row with the values it gives
    reaches at least the attainment asked (exactly, for the continuous ones)."""
    evaluator = ENGINE.evaluators()[name]
    params = evaluator.Params.model_validate(EXAMPLE_PARAMS[name])
    row = {"x": x, "y": y, "z": 1.0}
    answer = evaluator.inverse(params, attainment, {c: row[c] for c in evaluator.inputs(params)})
    if answer is None:
        return
    assert set(answer) <= set(evaluator.inputs(params))
    changed = {**row, **answer}
    columns = {c: np.array([changed[c]]) for c in "xyz"}
    reached = _evaluate(evaluator, params, columns, np.zeros(1, dtype=np.int64))[0]
    if name == "bands":  # steps: the band reached may score more than asked
        assert reached >= attainment
    else:
        assert reached == pytest.approx(attainment, abs=1e-9)


def test_the_continuous_builtins_answer_inverse_and_the_others_do_not() -> None:
    answered = set()
    for name in BUILT_INS:
        evaluator = ENGINE.evaluators()[name]
        params = evaluator.Params.model_validate(EXAMPLE_PARAMS[name])
        if evaluator.inverse(params, 0.5, {"x": 4.0, "y": 8.0, "z": 1.0}) is not None:
            answered.add(name)
    assert answered == {"target", "growth", "ratio", "bands"}


def test_inverse_hand_computed() -> None:
    evaluators = ENGINE.evaluators()

    def inverse(name: str, a: float, inputs: dict[str, float]) -> Any:
        params = evaluators[name].Params.model_validate(EXAMPLE_PARAMS[name])
        return evaluators[name].inverse(params, a, inputs)

    assert inverse("target", 0.25, {"x": 0.0}) == {"x": 2.5}      # 0 + 0.25 × (10 − 0)
    # growth: g = 0 + 0.5 × 10 = 5 %, so current = 80 × 1.05 = 84
    assert inverse("growth", 0.5, {"x": 0.0, "y": 80.0}) == {"x": pytest.approx(84.0)}
    assert inverse("growth", 0.5, {"x": 0.0, "y": 0.0}) is None   # no growth from nothing
    assert inverse("ratio", 0.75, {"x": 1.0, "y": 8.0}) == {"x": 6.0}
    assert inverse("ratio", 0.75, {"x": 1.0, "y": 0.0}) is None
    # bands: min 5 scores 1.0, the open-below band scores 0.5 and has no bound to name
    assert inverse("bands", 0.4, {"x": 1.0}) == {"x": 5.0}


def test_describe_says_what_a_threshold_tested() -> None:
    evaluator = ENGINE.evaluators()["threshold"]
    params = evaluator.Params.model_validate(EXAMPLE_PARAMS["threshold"])
    assert evaluator.describe(params, {"x": 4.0}) == "x = 4 > 3"
    assert evaluator.describe(params, {"x": np.nan}) == "x = empty > 3"
    others = [n for n in BUILT_INS if n != "threshold"]
    for name in others:  # the default: nothing to say, the explanation lists the inputs
        p = ENGINE.evaluators()[name].Params.model_validate(EXAMPLE_PARAMS[name])
        assert ENGINE.evaluators()[name].describe(p, {"x": 1.0, "y": 1.0, "z": 1.0}) is None
