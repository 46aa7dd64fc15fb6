"""The path to the next star and what-if: hand-computed."""

from __future__ import annotations

from typing import Any

import pytest

import fortress_score as fs

RULES: dict[str, Any] = {
    "ruleset": "whatif", "entity": "branch",
    "dimensions": [
        {"id": "perf", "weight": 60, "indicators": [
            {"id": "a", "points": 30, "evaluate": {"kind": "target", "input": "a", "target": 100, "floor": 0}},
            {"id": "b", "points": 10, "evaluate": {"kind": "target", "input": "b", "target": 100, "floor": 0}}]},
        {"id": "team", "weight": 40, "indicators": [
            {"id": "r", "points": 50, "evaluate": {"kind": "rank", "input": "r"}}]},
    ],
    "vetoes": [{"id": "safety", "when": {"kind": "threshold", "input": "s", "op": ">", "value": 0},
                "effect": {"max_stars": 3}}],
    "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}, {"stars": 3, "min": 70}],
}
DATA = {"branch": ["A", "B", "C"], "a": [80.0, 50.0, 90.0], "b": [50.0, 50.0, 90.0],
        "r": [3.0, 1.0, 2.0], "s": [0, 0, 1]}


def test_cheapest_path_takes_the_largest_headroom_first() -> None:
    why = fs.score(RULES, DATA).explain("A")
    # perf = 100*(24+5)/40 = 72.5 ; team: best of 3 -> 100 ; total = 0.6*72.5 + 0.4*100 = 83.5 (4 stars)
    assert (why.total, why.stars, why.next_star, why.gap_to_next_star) == (83.5, 4, 5, 6.5)
    # a unit of attainment is worth 100*0.6*30/40 = 45 points on a (headroom 0.2*45 = 9),
    # 100*0.6*10/40 = 15 on b (headroom 7.5): a alone closes 6.5, at 0.8 + 6.5/45
    # the need runs to the lowest figure that reports as 90.00: 89.995 - 83.5 = 6.495
    (step,) = why.path
    assert (step.indicator, step.attainment, step.points) == ("a", 0.8, 6.5)
    assert step.needed == pytest.approx(0.8 + 6.495 / 45)
    assert "raise a: attainment 0.8000 -> 0.9443 (+6.5 points)" in str(why)


def test_path_leaves_out_peer_indicators_and_stops_at_a_veto() -> None:
    card = fs.score(RULES, DATA)
    why = card.explain("B")
    # B: perf 100*(15+5)/40 = 50 ; team: last -> 0 ; total 30 ; no band -> next is 3 stars at 70: gap 40
    assert (why.total, why.next_star, why.gap_to_next_star) == (30.0, 3, 40.0)
    # a and b can add 22.5 + 7.5 = 30 < 40; the rank could, but moving it moves the peers too
    assert why.path == []
    capped = card.explain("C")
    assert capped.next_star is None and capped.path == []


def test_following_the_path_reaches_the_next_star() -> None:
    rules = {"ruleset": "path", "entity": "branch", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": f"a{k}", "points": 10, "evaluate": {"kind": "target", "input": f"a{k}", "target": 100, "floor": 0}}
        for k in (1, 2)]}], "ratings": [{"stars": 5, "min": 90}]}
    card = fs.score(rules, {"branch": ["A"], "a1": [70.0], "a2": [60.0]})
    why = card.explain("A")
    # total 65, gap 25: a2 first (headroom 0.4*50 = 20), then a1 for the last 4.995
    assert [(s.indicator, s.points) for s in why.path] == [("a2", 20.0), ("a1", 5.0)]
    assert why.path[1].needed == pytest.approx(0.7 + 4.995 / 50)
    reached = card.what_if("A", changes={s.indicator: s.needed * 100 for s in why.path})
    assert (reached.after.total, reached.after.stars) == (90.0, 5)


def test_what_if_rescores_the_population_and_crosses_a_star_boundary() -> None:
    card = fs.score(RULES, DATA)
    change = card.what_if("B", changes={"r": 4.0, "a": 100.0})
    # B: a 100 -> perf 100*(30+5)/40 = 87.5 ; r 4 is now the best -> team 100: 0.6*87.5 + 40 = 92.5
    assert (change.before.total, change.after.total) == (30.0, 92.5)
    assert (change.after.stars, change.stars_change, change.total_change) == (5, 5, 62.5)
    assert change.after.rank == 1 and change.before.rank == 3
    assert "92.5" in str(change)
    # the caller's data and the card are untouched
    assert DATA["r"] == [3.0, 1.0, 2.0] and card.explain("B").total == 30.0


def test_what_if_names_what_it_cannot_change() -> None:
    card = fs.score(RULES, DATA)
    with pytest.raises(fs.DataError) as info:
        card.what_if("A", changes={"rr": 1.0, "a": float("nan")})
    assert {p.column for p in info.value.problems} == {"rr", "a"}
    assert "did you mean 'r'" in str(info.value)


def test_what_if_takes_numpy_numbers_and_refuses_booleans_and_non_mappings() -> None:
    import numpy as np

    card = fs.score(RULES, DATA)
    assert card.what_if("A", changes={"a": np.float32(100.0)}).after.total == 92.5  # 0.6*(30+5)/40*100+40
    with pytest.raises(fs.DataError, match="finite number"):
        card.what_if("A", changes={"a": True})
    with pytest.raises(fs.DataError, match="changes must map column names to numbers"):
        card.what_if("A", changes=None)  # type: ignore[arg-type]


GUARD_RULES = {"ruleset": "g", "entity": "branch", "fields": {"rate": {"max": 100}},
               "dimensions": [{"id": "d", "weight": 1, "indicators": [
                   {"id": "i", "points": 10, "evaluate": {"kind": "odd", "input": "rate"}}]}],
               "vetoes": [{"id": "v", "when": {"kind": "odd_flag", "input": "rate"},
                           "effect": {"max_stars": 1}}],
               "ratings": [{"stars": 2, "min": 90}, {"stars": 1, "min": 10}]}


def odd_plugins(inverse: Any, describe: Any) -> list[fs.Evaluator[Any]]:
    class Input(fs.Params):
        input: fs.Column

    class Odd(fs.Evaluator[Input]):
        name = "odd"
        Params = Input

        def evaluate(self, columns: Any, params: Input, context: fs.Context) -> Any:
            return columns[params.input] / 100.0

        def inverse(self, params: Input, attainment: float, inputs: Any) -> Any:
            return inverse(params, attainment)

    class OddFlag(fs.Evaluator[Input]):
        name = "odd_flag"
        Params = Input

        def evaluate(self, columns: Any, params: Input, context: fs.Context) -> Any:
            return (columns[params.input] < 50).astype(float)

        def describe(self, params: Input, inputs: Any) -> Any:
            return describe(params, inputs)

    return [Odd(), OddFlag()]


def test_a_plugins_describe_and_inverse_are_its_words_and_values() -> None:
    plugins = odd_plugins(lambda p, a: {p.input: a * 100.0},
                          lambda p, inputs: f"{p.input} below half ({inputs[p.input]:g})")
    why = fs.score(GUARD_RULES, {"branch": ["A"], "rate": [40.0]}, plugins=plugins).explain("A")
    assert why.veto_reasons == {"v": "rate below half (40)"}
    assert why.path == []  # capped at one star by the veto: no next star
    why = fs.score(GUARD_RULES, {"branch": ["A"], "rate": [60.0]}, plugins=plugins).explain("A")
    assert [(s.indicator, s.inputs) for s in why.path] == [("i", {"rate": pytest.approx(89.995)})]


@pytest.mark.parametrize(("inverse", "describe", "message"), [
    (lambda p, a: {p.input: "a lot"}, lambda p, i: None, r"inverse\(\) must return None or a mapping"),
    (lambda p, a: {"elsewhere": 1.0}, lambda p, i: None, r"inverse\(\) must return None or a mapping"),
    (lambda p, a: 1 / 0, lambda p, i: None, r"inverse\(\) raised ZeroDivisionError"),
    (lambda p, a: None, lambda p, i: 1 / 0, r"describe\(\) raised ZeroDivisionError"),
    (lambda p, a: None, lambda p, i: 42, r"describe\(\) must return None or text"),
])
def test_a_misbehaving_describe_or_inverse_is_a_plugin_error(inverse: Any, describe: Any,
                                                             message: str) -> None:
    card = fs.score(GUARD_RULES, {"branch": ["A", "B"], "rate": [60.0, 40.0]},
                    plugins=odd_plugins(inverse, describe))
    with pytest.raises(fs.PluginError, match=message) as info:
        card.explain("A" if "inverse" in message else "B")
    assert info.value.evaluator in ("odd", "odd_flag")


def test_a_what_if_value_must_pass_the_declared_field_checks() -> None:
    plugins = odd_plugins(lambda p, a: None, lambda p, i: None)
    card = fs.score(GUARD_RULES, {"branch": ["A"], "rate": [60.0]}, plugins=plugins)
    with pytest.raises(fs.DataError) as info:
        card.what_if("A", changes={"rate": 500.0})
    assert [(p.column, p.message) for p in info.value.problems] == [("rate", "must be <= 100")]
    assert card.what_if("A", changes={"rate": 95.0}).after.total == 95.0


def test_a_what_if_value_may_be_a_decimal() -> None:
    import decimal

    plugins = odd_plugins(lambda p, a: None, lambda p, i: None)
    card = fs.score(GUARD_RULES, {"branch": ["A"], "rate": [60.0]}, plugins=plugins)
    assert card.what_if("A", changes={"rate": decimal.Decimal("95.5")}).after.total == 95.5
