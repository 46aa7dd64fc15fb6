"""`decision_table`: conditions per column, hit policies, placed load-time problems."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fortress_score as fs
from fortress_score.evaluators.decision_table import condition_of

NAN = float("nan")


def score_rows(evaluate: dict[str, object], columns: dict[str, list[float]]) -> np.ndarray:
    """The attainment ``evaluate`` gives each row of ``columns``."""
    n = len(next(iter(columns.values())))
    rules = {"ruleset": "d", "entity": "unit", "dimensions": [{"id": "d", "weight": 1,
             "indicators": [{"id": "t", "points": 1, "evaluate": evaluate}]}]}
    card = fs.score(rules, {"unit": [f"u{k}" for k in range(n)], **columns})
    return np.asarray(card.figures.attainment[0])


def _table(rules: list[dict[str, object]], hit: str = "first", **extra: object) -> dict[str, object]:
    return {"kind": "decision_table", "hit": hit, "rules": rules, **extra}


SEED = [{"when": {"held": ">= 3", "violations": "0"}, "score": 1.0},
        {"when": {"held": "[2..3)"}, "score": 0.6},
        {"when": {"held": "-"}, "score": 0.0}]


def test_first_hit_by_hand() -> None:
    got = score_rows(_table(SEED, otherwise=0.0),
                     {"held": [3, 3, 2.5, 2, 1, NAN, NAN], "violations": [0, 1, 0, NAN, 0, 0, NAN]})
    # 3 & 0 → rule 0; 3 & 1 → rule 2 (3 is not in [2..3)); 2.5, 2 → rule 1; 1 → rule 2;
    # held empty, violations 0 → only `-` holds → 0; all inputs empty → does not apply
    np.testing.assert_array_equal(got, [1.0, 0.0, 0.6, 0.6, 0.0, 0.0, NAN])


def test_collect_policies_and_otherwise_by_hand() -> None:
    rules = [{"when": {"a": "1, 2, 5"}, "score": 0.5}, {"when": {"b": "(0..10]"}, "score": 0.7},
             {"when": {"a": "!= 0"}, "score": 0.1}]
    data = {"a": [2, 0, 7, NAN], "b": [10, 0, 0.5, NAN]}
    np.testing.assert_allclose(score_rows(_table(rules, "collect_sum"), data),
                               [1.0, NAN, 0.8, NAN])  # 0.5 + 0.7 + 0.1 capped at 1; none: NaN
    np.testing.assert_array_equal(score_rows(_table(rules, "collect_max", otherwise=0.2), data),
                                  [0.7, 0.2, 0.7, NAN])


@pytest.mark.parametrize(("written", "inside", "outside"), [
    ("-", [NAN, -1e9, 0], []), (">= 3", [3, 4], [2.99, NAN]), ("< 2.5", [2.4], [2.5]),
    ("= 0", [0], [1e-9]), ("0", [0], [1]), (4, [4], [4.5]), ("!= 0", [1, -1], [0, NAN]),
    ("[2..3)", [2, 2.999], [3, 1.99]), ("(0..10]", [10, 1e-9], [0]), ("1, 2, 5", [1, 5], [3]),
    (" <= -1.5e1 ", [-15], [-14]),
])
def test_conditions(written: object, inside: list[float], outside: list[float]) -> None:
    condition = condition_of(written)  # type: ignore[arg-type]
    assert condition.holds(np.array(inside, dtype=float)).all()
    assert not condition.holds(np.array(outside, dtype=float)).any()


@pytest.mark.parametrize("written", ["[2..3", ">= x", "(3..2]", "[2..2)", "1,,2", "", "between 1 and 2", "= inf"])
def test_unreadable_conditions_are_placed(written: str) -> None:
    rules = {"ruleset": "d", "entity": "b", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "t", "points": 1, "evaluate": _table([{"when": {"held": written}, "score": 1}])}]}]}
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(rules)
    assert info.value.problems[0].path == "dimensions[0].indicators[0].evaluate.rules[0].when.held"


def test_a_rule_an_earlier_one_covers_is_refused_under_first_only() -> None:
    covered = [{"when": {"held": ">= 2"}, "score": 1}, {"when": {"held": "[3..5]", "x": "1"}, "score": 0.5}]
    rules = {"ruleset": "d", "entity": "b", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "t", "points": 1, "evaluate": _table(covered)}]}]}
    with pytest.raises(fs.RuleFileError, match=r"rules\[1\] can never fire: rules\[0\]"):
        fs.load_rules(rules)
    rules["dimensions"][0]["indicators"][0]["evaluate"] = _table(covered, "collect_max")
    fs.load_rules(rules)
    partly = [{"when": {"held": "> 2"}, "score": 1}, {"when": {"held": "[2..5]"}, "score": 0.5}]
    rules["dimensions"][0]["indicators"][0]["evaluate"] = _table(partly)
    fs.load_rules(rules)  # 2 itself still reaches the second rule


_CONDITIONS = st.one_of(
    st.just("-"),
    st.builds(lambda op, v: f"{op} {v}", st.sampled_from([">", ">=", "<", "<=", "=", "!="]),
              st.integers(-3, 3)),
    st.builds(lambda lo, width, left, right: f"{left}{lo}..{lo + width}{right}",
              st.integers(-3, 3), st.integers(1, 3), st.sampled_from("[("), st.sampled_from("])")),
    st.builds(lambda values: ", ".join(map(str, sorted(values))),
              st.sets(st.integers(-3, 3), min_size=2, max_size=4)),
)


@given(_CONDITIONS, _CONDITIONS)
def test_covers_means_every_value_one_holds_on_the_other_holds_on(a: str, b: str) -> None:
    first, second = condition_of(a), condition_of(b)
    grid = np.array([x / 4 for x in range(-20, 21)] + [NAN, -math.inf, math.inf])
    if first.covers(second):
        assert not (second.holds(grid) & ~first.holds(grid)).any()


def test_covers_sees_columns_left_out_and_open_ends() -> None:
    for covered in ([{"when": {"held": "-", "x": ">= 0"}, "score": 1}, {"when": {"x": "[1..2]"}, "score": 0.5}],
                    [{"when": {"held": "!= 3"}, "score": 1}, {"when": {"held": "(3..5]"}, "score": 0.5}]):
        rules = {"ruleset": "d", "entity": "b", "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "t", "points": 1, "evaluate": _table(covered)}]}]}
        with pytest.raises(fs.RuleFileError, match=r"rules\[1\] can never fire"):
            fs.load_rules(rules)
