"""`scoring.missing`: indicator libraries declared by rule, and missing-data policies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fortress_score as fs

NAN = None


def _rules(policy: str | None = None, *, applies_to: object = None, max_gap: int | None = None,
           default: str = "skip") -> dict[str, object]:
    second: dict[str, object] = {"id": "k2", "points": 10, "evaluate": {
        "kind": "target", "input": "x", "target": 100, "floor": 0}}
    if policy is not None:
        second["missing"] = policy
    if max_gap is not None:
        second["max_gap"] = max_gap
    if applies_to is not None:
        second["applies_to"] = applies_to
    return {"ruleset": "m", "entity": "u", "period": "month", "group_by": "kind", "missing": default,
            "dimensions": [{"id": "d", "weight": 1, "indicators": [
                {"id": "k1", "points": 10, "evaluate": {"kind": "target", "input": "base",
                                                        "target": 100, "floor": 0}}, second]}]}


DATA = {  # one peer group (kind A), months 1..3; x is k2's input
    "u": ["u1", "u2", "u3", "u4"] * 3,
    "month": ["2024-01"] * 4 + ["2024-02"] * 4 + ["2024-03"] * 4,
    "kind": ["A"] * 12,
    "base": [100.0] * 12,
    "x": [80, 60, NAN, 10,   NAN, 70, 90, NAN,   NAN, NAN, 50, 20],
}


def _k2(card: fs.Scorecard) -> dict[tuple[str, str], tuple[float | None, dict[str, str]]]:
    return {(r["entity"], r["period"]): (r["indicators"]["k2"], r["imputed"])
            for r in card.to_records()}


def test_skip_leaves_missing_out_and_flags_nothing() -> None:
    got = _k2(fs.score(_rules(), DATA))
    assert got[("u3", "2024-01")] == (None, {})
    assert all(flags == {} for _, flags in got.values())


def test_zero_by_hand() -> None:
    got = _k2(fs.score(_rules("zero"), DATA))
    assert got[("u3", "2024-01")] == (0.0, {"k2": "zero"})
    assert got[("u1", "2024-01")] == (8.0, {})


def test_peer_mean_and_median_by_hand() -> None:
    # January: the peers with a value have 0.8, 0.6, 0.1: mean 0.5, median 0.6 → u3 gets 5 / 6
    # February: 0.7, 0.9 → u1 and u4 get 8 (mean and median alike)
    mean = _k2(fs.score(_rules("peer_mean"), DATA))
    median = _k2(fs.score(_rules("peer_median"), DATA))
    assert mean[("u3", "2024-01")] == (5.0, {"k2": "peer_mean"})
    assert median[("u3", "2024-01")] == (6.0, {"k2": "peer_median"})
    assert mean[("u1", "2024-02")] == median[("u1", "2024-02")][:1] + ({"k2": "peer_mean"},)
    assert mean[("u1", "2024-02")][0] == 8.0


def test_carry_forward_by_hand_within_its_gap() -> None:
    one = _k2(fs.score(_rules("carry_forward"), DATA))
    # u1: January 0.8 carried to February (1 back), not to March (2 back; February was
    # carried): nothing found counts 0, flagged zero — never left out
    assert one[("u1", "2024-02")] == (8.0, {"k2": "carry_forward"})
    assert one[("u1", "2024-03")] == (0.0, {"k2": "zero"})
    assert one[("u3", "2024-01")] == (0.0, {"k2": "zero"})  # nothing earlier
    assert one[("u2", "2024-03")] == (7.0, {"k2": "carry_forward"})
    two = _k2(fs.score(_rules("carry_forward", max_gap=2), DATA))
    assert two[("u1", "2024-03")] == (8.0, {"k2": "carry_forward"})  # January, 2 back
    assert two[("u4", "2024-02")] == (1.0, {"k2": "carry_forward"})


def test_error_names_every_row() -> None:
    with pytest.raises(fs.DataError) as info:
        fs.score(_rules("error"), DATA)
    (problem,) = info.value.problems
    assert "'k2'" in problem.message and len(problem.rows) == 5


def test_applies_to_by_values_and_by_a_flag() -> None:
    data = dict(DATA, kind=["A", "B"] * 6, flag=[1, 0] * 6)
    by_kind = _k2(fs.score(_rules("zero", applies_to={"kind": ["A"]}), data))
    assert by_kind[("u2", "2024-01")] == (None, {})        # kind B: left out by rule
    assert by_kind[("u3", "2024-01")] == (0.0, {"k2": "zero"})  # kind A, no value: missing
    by_flag = _k2(fs.score(_rules("zero", applies_to="flag"), data))
    assert by_flag == by_kind
    with pytest.raises(fs.DataError, match="must be 0 or 1 in every row"):
        fs.score(_rules(applies_to="flag"), dict(data, flag=[1, None] * 6))
    with pytest.raises(fs.DataError, match="must have a value in every row"):
        fs.score(_rules(applies_to={"kind": ["A"]}), dict(data, kind=["A", None] * 6))
    numbers = _k2(fs.score(_rules("zero", applies_to={"flag": [1]}), data))
    assert numbers == by_kind  # 1.0 in the data is the listed 1


def test_applies_to_a_list_is_any_of_its_ways() -> None:
    # u1 u2 u3 u4 are kinds A B A B, areas N N S S, flags 0 0 0 1 (each month)
    data = dict(DATA, kind=["A", "B"] * 6, area=["N", "N", "S", "S"] * 3,
                flag=[0, 0, 0, 1] * 3)
    rows = {(u, m) for u in ("u1", "u2", "u3", "u4") for m in ("2024-01", "2024-02", "2024-03")}

    def applying(applies_to: object) -> set[tuple[str, str]]:
        got = _k2(fs.score(_rules("zero", applies_to=applies_to), data))
        return {key for key, (points, _) in got.items() if points is not None}

    assert applying({"kind": ["A"], "area": ["N"]}) == {k for k in rows if k[0] == "u1"}  # all
    assert applying([{"kind": ["A"]}, {"area": ["N"]}]) == {  # any
        k for k in rows if k[0] in ("u1", "u2", "u3")}
    assert applying([{"kind": ["A"], "area": ["S"]}, "flag"]) == {
        k for k in rows if k[0] in ("u3", "u4")}
    assert applying([{"u": ["u2"]}]) == applying({"u": ["u2"]})
    with pytest.raises(fs.RuleFileError, match="applies_to"):
        fs.load_rules(_rules(applies_to=[]))
    with pytest.raises(fs.DataError, match="column 'area': is missing"):
        fs.score(_rules(applies_to=[{"kind": ["A"]}, {"area": ["N"]}]), DATA)


def test_max_gap_is_for_carry_forward_only() -> None:
    with pytest.raises(fs.RuleFileError, match="max_gap is for missing: carry_forward only"):
        fs.load_rules(_rules("zero", max_gap=2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 120)), min_size=12, max_size=12),
       st.integers(0, 11), st.sampled_from(["zero", "error"]))
def test_leaving_an_applicable_value_out_never_raises_a_total(
        xs: list[float | None], row: int, policy: str) -> None:
    data = dict(DATA, x=xs)
    blanked = dict(DATA, x=[None if k == row else x for k, x in enumerate(xs)])
    try:
        before = fs.score(_rules(default=policy), data).to_records()
    except fs.DataError:
        return
    try:
        after = fs.score(_rules(default=policy), blanked).to_records()
    except fs.DataError:
        assert policy == "error"  # refused, never scored higher
        return
    assert (after[row]["total"] or 0.0) <= (before[row]["total"] or 0.0)
    assert np.isfinite(before[row]["total"] or 0.0)


def test_a_dimension_below_min_available_does_not_score_and_says_why() -> None:
    rules = _rules("peer_mean")
    rules["dimensions"][0]["min_available"] = 0.6  # type: ignore[index]
    rules["dimensions"].append({"id": "e", "weight": 1, "indicators": [  # type: ignore[attr-defined]
        {"id": "k3", "points": 10, "evaluate": {"kind": "target", "input": "base", "target": 100,
                                                "floor": 0}}]})
    card = fs.score(rules, DATA)
    records = {(r["entity"], r["period"]): r for r in card.to_records()}
    # u3 January: k1 has data (10 of 20 points = 50% < 60%): d withheld, the total is e's alone
    assert records[("u3", "2024-01")]["dimensions"]["d"] is None
    assert records[("u3", "2024-01")]["total"] == 100.0
    # u1 January: both have data: d scores (100 + 80) / 2 = 90
    assert records[("u1", "2024-01")]["dimensions"]["d"] == 90.0
    why = card.explain("u3", "2024-01")
    assert why.withheld == {"d": "50% of its applicable points have data; min_available is 60%"}
    assert "not scored: 50%" in str(why)
    peer = card.explain("u1", "2024-02")  # k2 filled from its peers: still 50% present
    assert peer.withheld and all(line.imputed is None for line in peer.indicators)
    kept = fs.score(_rules("peer_mean"), DATA).explain("u1", "2024-02")
    assert [line.imputed for line in kept.indicators] == [None, "peer_mean"]
    assert "(peer_mean)" in str(kept)


def test_carry_forward_needs_periods_that_count() -> None:
    data = dict(DATA, month=["一期"] * 4 + ["二期"] * 4 + ["三期"] * 4)
    with pytest.raises(fs.DataError, match="periods must read as time"):
        fs.score(_rules("carry_forward"), data)
    numbered = _k2(fs.score(_rules("carry_forward"), dict(DATA, month=[1] * 4 + [3] * 4 + [4] * 4)))
    assert numbered[("u1", 3)] == (0.0, {"k2": "zero"})  # 1 → 3: a gap of 2, over max_gap 1
    assert numbered[("u2", 4)] == (7.0, {"k2": "carry_forward"})


def test_applies_to_compares_values_as_written_or_as_numbers() -> None:
    data = dict(DATA, area=[" A ", "Ａ", "B", "A"] * 3, code=["1.0", 1, "０１", 2.0] * 3)
    by_text = _k2(fs.score(_rules("zero", applies_to={"area": ["A"]}), data))
    assert by_text[("u2", "2024-01")] == (6.0, {})  # full-width Ａ is A
    assert by_text[("u3", "2024-01")] == (None, {})  # B
    by_number = _k2(fs.score(_rules("zero", applies_to={"code": [1]}), data))
    assert [by_number[(u, "2024-01")][0] for u in ("u1", "u2", "u3", "u4")] == [8.0, 6.0, 0.0, None]
    with pytest.raises(fs.DataError, match="must be 0 or 1"):
        fs.score(_rules(applies_to="flag"), dict(data, flag=[1, 2] * 6))
    with pytest.raises(fs.RuleFileError):
        fs.load_rules(_rules(applies_to={"kind": []}))


def test_applies_to_keeps_rows_out_of_the_peers_too() -> None:
    rules = _rules(applies_to={"kind": ["A"]})
    rules["dimensions"][0]["indicators"][1]["evaluate"] = {"kind": "minmax", "input": "x"}  # type: ignore[index]
    data = {"u": ["a", "b", "c", "d"], "month": ["2024-01"] * 4, "kind": ["A", "A", "B", "B"],
            "base": [100.0] * 4, "x": [10, 20, 0, 100]}
    rules["group_by"] = None
    got = _k2(fs.score(rules, data))
    assert got[("a", "2024-01")][0] == 0.0 and got[("b", "2024-01")][0] == 10.0  # among a, b


def test_applies_to_may_read_a_derived_flag() -> None:
    rules = _rules("zero", applies_to="big")
    rules["fields"] = {"big": {"formula": "base >= 100"}}
    got = _k2(fs.score(rules, DATA))
    assert got[("u3", "2024-01")] == (0.0, {"k2": "zero"})


def test_a_roll_up_keeps_the_imputed_flag_of_its_months() -> None:
    card = fs.score(_rules("zero"), DATA).roll_up("quarter")
    got = {r["entity"]: r["imputed"] for r in card.to_records()}
    assert got == {"u1": {"k2": "zero"}, "u2": {"k2": "zero"}, "u3": {"k2": "zero"},
                   "u4": {"k2": "zero"}}
