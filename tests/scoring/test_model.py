"""The scoring model (DESIGN.md §4), by hand-computed examples and by law."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import fortress_score as fs
from fortress_score import competition_rank


def target(column: str) -> dict[str, Any]:
    return {"kind": "target", "input": column, "target": 100, "floor": 0}


def rules(**extra: Any) -> dict[str, Any]:
    """Two dimensions: perf (weight 60: a 30-point and a 10-point indicator), team (40)."""
    base: dict[str, Any] = {
        "ruleset": "hand",
        "entity": "branch",
        "dimensions": [
            {"id": "perf", "weight": 60, "indicators": [
                {"id": "a", "points": 30, "evaluate": target("a")},
                {"id": "b", "points": 10, "evaluate": target("b")},
            ]},
            {"id": "team", "weight": 40, "indicators": [
                {"id": "c", "points": 50, "evaluate": target("c")},
            ]},
        ],
        "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}, {"stars": 3, "min": 70}],
    }
    base.update(extra)
    return base


class TestRoundHalfUp:
    @pytest.mark.parametrize(("value", "precision", "expected"), [
        (89.995, 2, 90.0), (79.985, 2, 79.99), (0.005, 2, 0.01), (1.005, 2, 1.01),
        (2.675, 2, 2.68), (0.125, 2, 0.13), (89.994999, 2, 89.99), (-2.5, 0, -3.0),
        (-0.005, 2, -0.01), (99.5, 0, 100.0), (0.0, 2, 0.0), (100.0, 2, 100.0),
    ])
    def test_boundaries_a_float_lands_on(self, value: float, precision: int, expected: float) -> None:
        assert fs.round_half_up(value, precision) == expected

    @given(st.decimals(min_value=-1000, max_value=1000, places=3), st.integers(0, 2))
    def test_agrees_with_decimal_half_up_on_written_figures(self, written: Decimal, precision: int) -> None:
        # a figure typed with 3 decimals rounds the way the score sheet rounds it
        expected = float(written.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP))
        assert fs.round_half_up(float(written), precision) == expected

    def test_nan_stays_nan(self) -> None:
        assert np.isnan(fs.round_half_up(np.nan, 2))


def test_hand_computed_two_dimensions() -> None:
    card = fs.score(rules(), {"branch": ["A"], "a": [80.0], "b": [50.0], "c": [90.0]})
    (rec,) = card.to_records()
    # perf = 100 * (0.8*30 + 0.5*10) / 40 = 72.5 ; team = 100 * 0.9*50/50 = 90
    # total = 100 * (60*72.5 + 40*90) / (100*100) = 79.5
    assert rec["indicators"] == {"a": 24.0, "b": 5.0, "c": 45.0}
    assert rec["dimensions"] == {"perf": 72.5, "team": 90.0}
    assert rec["total"] == 79.5
    assert rec["stars"] == 3


def test_indicator_that_does_not_apply_leaves_both_sums() -> None:
    card = fs.score(rules(), {"branch": ["A"], "a": [80.0], "b": [None], "c": [90.0]})
    (rec,) = card.to_records()
    # perf = 100 * 24 / 30 = 80 (b's 10 points leave the denominator too)
    assert rec["indicators"]["b"] is None
    assert rec["dimensions"]["perf"] == 80.0
    assert rec["total"] == pytest.approx(0.6 * 80 + 0.4 * 90)


def test_missing_zero_counts_it_as_nothing() -> None:
    card = fs.score(rules(missing="zero"), {"branch": ["A"], "a": [80.0], "b": [None], "c": [90.0]})
    (rec,) = card.to_records()
    assert rec["indicators"]["b"] == 0.0
    assert rec["dimensions"]["perf"] == 60.0  # 100 * 24 / 40


def test_missing_error_refuses_and_names_indicator_and_row() -> None:
    with pytest.raises(fs.DataError, match=r"indicator 'b'.*row 1 \(branch=B\)"):
        fs.score(rules(missing="error"), {"branch": ["A", "B"], "a": [1.0, 1.0], "b": [1.0, None], "c": [1.0, 1.0]})


def test_dimension_weights_renormalise_over_dimensions_that_apply() -> None:
    card = fs.score(rules(), {"branch": ["A"], "a": [None], "b": [None], "c": [90.0]})
    (rec,) = card.to_records()
    assert rec["dimensions"] == {"perf": None, "team": 90.0}
    assert rec["total"] == 90.0  # team alone carries the whole weight


def test_row_where_nothing_applies_has_no_total_and_no_rank() -> None:
    card = fs.score(rules(), {"branch": ["A", "B"], "a": [None, 50.0], "b": [None, 50.0], "c": [None, 50.0]})
    a, b = card.to_records()
    assert (a["total"], a["rank"], a["stars"]) == (None, None, 0)
    assert (b["total"], b["rank"]) == (50.0, 1)


def test_adjustments_are_capped_and_signed_then_clamped() -> None:
    adjustments = [
        {"id": "honours", "kind": "bonus", "cap": 5, "evaluate": {"kind": "per_event", "input": "h", "each": 2}},
        {"id": "violations", "kind": "deduction", "cap": 10, "evaluate": {"kind": "per_event", "input": "v", "each": 2}},
    ]
    data = {"branch": ["A", "B", "C"], "a": [100.0, 10.0, 80.0], "b": [100.0, 10.0, 50.0],
            "c": [100.0, 10.0, 90.0], "h": [3, 0, 1], "v": [0, 6, 1]}
    a, b, c = fs.score(rules(adjustments=adjustments), data).to_records()
    assert a["adjustments"] == {"honours": 5.0, "violations": 0.0}   # 3*2 = 6 capped at 5
    assert a["total"] == 100.0                                      # 105 clamped to scale
    assert b["adjustments"] == {"honours": 0.0, "violations": -10.0}  # 6*2 = 12 capped at 10
    assert b["total"] == 0.0                                         # 10 - 10
    assert c["total"] == 79.5 + 2 - 2


def test_clamp_false_lets_total_leave_the_scale() -> None:
    adjustments = [{"id": "h", "kind": "bonus", "cap": 5, "evaluate": {"kind": "per_event", "input": "h", "each": 5}}]
    card = fs.score(rules(adjustments=adjustments, clamp=False),
                    {"branch": ["A"], "a": [100.0], "b": [100.0], "c": [100.0], "h": [1]})
    assert card.to_records()[0]["total"] == 105.0


def test_vetoes_cap_total_and_stars_and_are_listed() -> None:
    vetoes = [
        {"id": "safety", "when": {"kind": "threshold", "input": "s", "op": ">", "value": 0},
         "effect": {"max_stars": 2, "no_benchmark": True}},
        {"id": "discipline", "when": {"kind": "threshold", "input": "d", "op": ">", "value": 0},
         "effect": {"total": 0}},
    ]
    data = {"branch": ["A", "B", "C"], "a": [100.0] * 3, "b": [100.0] * 3, "c": [100.0] * 3,
            "s": [1, 0, 1], "d": [0, 1, 1]}
    a, b, c = fs.score(rules(vetoes=vetoes), data).to_records()
    assert (a["total"], a["stars"], a["vetoes"]) == (100.0, 2, ["safety"])
    assert (b["total"], b["stars"], b["vetoes"]) == (0.0, 0, ["discipline"])
    assert c["vetoes"] == ["safety", "discipline"]


def test_stars_and_ranks_are_decided_on_the_reported_total() -> None:
    # 89.995 reports as 90.00: five stars, and it ties with a true 90
    card = fs.score(rules(), {"branch": ["A", "B", "C"], "a": [89.995, 90.0, 89.994],
                              "b": [89.995, 90.0, 89.994], "c": [89.995, 90.0, 89.994]})
    a, b, c = card.to_records()
    assert (a["total"], a["stars"], a["rank"]) == (90.0, 5, 1)
    assert (b["total"], b["stars"], b["rank"]) == (90.0, 5, 1)
    assert (c["total"], c["stars"], c["rank"]) == (89.99, 4, 3)


def test_ranks_are_within_period_and_group() -> None:
    data = {"branch": ["A", "B", "C", "A", "B", "C"], "month": ["01"] * 3 + ["02"] * 3,
            "kind": ["x", "x", "y", "x", "x", "y"],
            "a": [50.0, 60.0, 10.0, 70.0, 60.0, 90.0], "b": [50.0, 60.0, 10.0, 70.0, 60.0, 90.0],
            "c": [50.0, 60.0, 10.0, 70.0, 60.0, 90.0]}
    recs = fs.score(rules(period="month", group_by="kind"), data).to_records()
    assert [(r["entity"], r["period"], r["group"], r["rank"]) for r in recs] == [
        ("A", "01", "x", 2), ("B", "01", "x", 1), ("C", "01", "y", 1),
        ("A", "02", "x", 1), ("B", "02", "x", 2), ("C", "02", "y", 1),
    ]


def test_competition_rank_kernel_ties_share_the_best_rank() -> None:
    ranks = competition_rank(np.array([90.0, 80.0, 80.0, 70.0, np.nan]), np.zeros(5, dtype=np.int64), descending=True)
    np.testing.assert_array_equal(ranks, [1, 2, 2, 4, np.nan])


score_value = st.one_of(st.none(), st.floats(-20, 120, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(score_value, score_value, score_value, st.integers(0, 3)), min_size=1, max_size=25))
def test_laws_bounds_and_permutation(rows: list[tuple[Any, Any, Any, int]]) -> None:
    adjustments = [{"id": "v", "kind": "deduction", "cap": 10, "evaluate": {"kind": "per_event", "input": "v", "each": 4}}]
    data = {"branch": [f"b{i}" for i in range(len(rows))], "a": [r[0] for r in rows],
            "b": [r[1] for r in rows], "c": [r[2] for r in rows], "v": [r[3] for r in rows]}
    recs = fs.score(rules(adjustments=adjustments), data).to_records()
    for rec, row in zip(recs, rows):
        if all(v is None for v in row[:3]):
            assert rec["total"] is None
            continue
        assert 0.0 <= rec["total"] <= 100.0
        for value in rec["dimensions"].values():
            assert value is None or 0.0 <= value <= 100.0
    reversed_data = {k: v[::-1] for k, v in data.items()}
    again = fs.score(rules(adjustments=adjustments), reversed_data).to_records()
    assert sorted(again, key=lambda r: r["entity"]) == sorted(recs, key=lambda r: r["entity"])


def test_a_total_veto_caps_without_clamp_and_never_raises_a_score() -> None:
    adjustments = [{"id": "v", "kind": "deduction", "cap": 50,
                    "evaluate": {"kind": "per_event", "input": "v", "each": 50}}]
    vetoes = [{"id": "discipline", "when": {"kind": "threshold", "input": "d", "op": ">", "value": 0},
               "effect": {"total": 0}}]
    data = {"branch": ["A", "B", "C"], "a": [10.0, 90.0, None], "b": [10.0, 90.0, None],
            "c": [10.0, 90.0, None], "v": [1, 0, 0], "d": [1, 1, 1]}
    a, b, c = fs.score(rules(adjustments=adjustments, vetoes=vetoes, clamp=False), data).to_records()
    assert a["total"] == -40.0        # 10 - 50, below the veto's 0: a veto never raises a score
    assert b["total"] == 0.0          # 90 held at 0
    assert c["total"] == 0.0 and c["rank"] is not None and c["vetoes"] == ["discipline"]


@settings(max_examples=300, deadline=None)
@given(digits=st.integers(0, 10**12), decimals=st.integers(0, 6), precision=st.integers(0, 4),
       negative=st.booleans())
def test_half_up_is_exact_for_every_decimal_figure(digits: int, decimals: int, precision: int,
                                                    negative: bool) -> None:
    """A figure written in decimal rounds as its exact value does, halves up (away from 0)."""
    from decimal import ROUND_HALF_UP, Decimal

    text = Decimal(-digits if negative else digits).scaleb(-decimals)
    assume(abs(text).scaleb(precision) < Decimal(10) ** 13)  # the range float64 resolves
    exact = text.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    assert float(fs.round_half_up(float(text), precision)) == float(exact)


def test_a_figure_a_hair_below_a_half_rounds_down() -> None:
    # 3.3e-10 below 89.995: no float noise, a real value; strict 四舍五入 gives 89.99
    assert float(fs.round_half_up(89.9949999996745, 2)) == 89.99
    assert float(fs.round_half_up(89.995, 2)) == 90.0  # the stored 89.99499999999999…
    assert float(fs.round_half_up(0.000499999999998835, 3)) == 0.001  # 10.0002 − 10, scaled


def _aggregated(dimension: str | None, total: str | None) -> dict[str, object]:
    rules: dict[str, object] = {"ruleset": "g", "entity": "u", "dimensions": [
        {"id": "a", "weight": 3, "indicators": [
            {"id": "a1", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}},
            {"id": "a2", "points": 30, "evaluate": {"kind": "target", "input": "y", "target": 1, "floor": 0}}]},
        {"id": "b", "weight": 1, "indicators": [
            {"id": "b1", "points": 5, "evaluate": {"kind": "target", "input": "z", "target": 1, "floor": 0}}]}]}
    if dimension is not None:
        rules["dimensions"][0]["aggregate"] = dimension  # type: ignore[index]
    if total is not None:
        rules["aggregate"] = total
    return rules


AGGREGATE_DATA = {"u": ["p", "q", "r", "s"], "x": [0.25, 1.0, 0.0, None], "y": [1.0, 1.0, 0.5, 0.64],
                  "z": [0.5, 1.0, 1.0, None]}


@pytest.mark.parametrize(("dimension", "total", "expected"), [
    # a = (0.25·10 + 1·30)/40 = 81.25; total = (3·81.25 + 50)/4 = 73.4375
    (None, None, [73.44, 100.0, 53.13, 64.0]),
    # a = 100·0.25^(10/40)·1^(30/40) = 70.7107; total = (3·70.7107 + 50)/4 = 65.533; a zero part: a = 0
    ("geometric", None, [65.53, 100.0, 25.0, 64.0]),
    # a = the lowest attainment: 25, 100, 0, 64
    ("min", None, [31.25, 100.0, 25.0, 64.0]),
    # total = 100·0.8125^(3/4)·0.5^(1/4) = 71.9634; r: 100·0.375^(3/4)·1^(1/4) = 47.9180
    (None, "geometric", [71.96, 100.0, 47.92, 64.0]),
    # total = 100·min(0.8125, 0.5); s: only a applies (y = 0.64 alone): 64
    (None, "min", [50.0, 100.0, 37.5, 64.0]),
    ("geometric", "geometric", [64.84, 100.0, 0.0, 64.0]),
])
def test_non_compensatory_totals_by_hand(dimension: str | None, total: str | None,
                                         expected: list[float]) -> None:
    card = fs.score(_aggregated(dimension, total), AGGREGATE_DATA)
    assert [r["total"] for r in card.to_records()] == expected


@pytest.mark.parametrize(("dimension", "total"), [
    ("geometric", None), ("min", None), (None, "geometric"), (None, "min"), ("geometric", "min"),
    ("min", "geometric"),
])
def test_contributions_add_up_to_the_total_for_every_rule(dimension: str | None,
                                                          total: str | None) -> None:
    card = fs.score(_aggregated(dimension, total), AGGREGATE_DATA)
    f = card.figures
    for row in range(len(card)):
        parts = [float(f.contributions[i][row]) for i in range(3)
                 if not np.isnan(f.contributions[i][row])]
        assert sum(parts) == pytest.approx(float(f.base_total[row]), abs=1e-9)
    assert card.explain("p").path == []  # no headroom adds up in a product or a minimum


def test_geometric_contributions_are_log_shares_by_hand() -> None:
    # total = 100·0.8125^(3/4)·0.5^(1/4); log shares: a 0.75·ln 0.8125, b 0.25·ln 0.5 of ln(total/100)
    card = fs.score(_aggregated(None, "geometric"), AGGREGATE_DATA)
    f = card.figures
    a, b = 0.75 * np.log(0.8125), 0.25 * np.log(0.5)
    base = float(f.base_total[0])
    dim_a = base * a / (a + b)
    # within a (a weighted mean): a1 earns 2.5 of 32.5 earned points, a2 30
    assert float(f.contributions[0][0]) == pytest.approx(dim_a * 2.5 / 32.5)
    assert float(f.contributions[1][0]) == pytest.approx(dim_a * 30 / 32.5)
    assert float(f.contributions[2][0]) == pytest.approx(base * b / (a + b))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 40), st.integers(0, 3), st.booleans()),
                min_size=1, max_size=60))
def test_ranks_by_counting_equal_ranks_by_sorting(rows: list[tuple[int, int, bool]]) -> None:
    from fortress_score.scoring.groupwise import competition_rank_of_steps

    steps = np.array([r[0] for r in rows], dtype=np.int64)
    groups = np.array([r[1] for r in rows], dtype=np.int64)
    valid = np.array([r[2] for r in rows])
    by_sorting = competition_rank(np.where(valid, steps.astype(float), np.nan), groups,
                                  descending=True)
    by_counting = competition_rank_of_steps(steps, valid, groups, 4)
    assert np.array_equal(by_sorting, by_counting, equal_nan=True)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(1, 30), st.integers(0, 2**16))
def test_the_sums_without_masks_equal_the_sums_with_them(per: int, rows: int, seed: int) -> None:
    """Indicators with an attainment in every row skip the masks; the figures are the same
    to the last bit, with points a number or a column of draws."""
    from fortress_score.scoring.model import dimension_part, total_part

    rng = np.random.default_rng(seed)
    rules = fs.load_rules({"ruleset": "m", "entity": "u", "dimensions": [
        {"id": f"d{d}", "weight": 1 + d, "indicators": [
            {"id": f"k{d}_{i}", "points": 1 + i, "evaluate": {
                "kind": "target", "input": f"x{d}_{i}", "target": 1, "floor": 0}}
            for i in range(per)]} for d in range(2)]})
    attainment = [rng.uniform(0, 1, rows) for _ in range(2 * per)]
    for points in ([1.0 + k % per for k in range(2 * per)],
                   [rng.uniform(0.5, 2, (3, 1)) for _ in range(2 * per)]):
        fast = dimension_part(rules, attainment, points, [True] * (2 * per))
        slow = dimension_part(rules, attainment, points, [False] * (2 * per))
        assert np.array_equal(fast[0], slow[0]) and np.array_equal(
            np.broadcast_to(fast[1], slow[1].shape), slow[1])
        weights = [rng.uniform(0.5, 2, (3, 1)), rng.uniform(0.5, 2, (3, 1))]
        # every dimension scores in every row: the weights' sums a draw, not a row; against
        # the general path, made to run by one more row where the first dimension is empty
        scores, possible = (f if f.ndim == 3 else f[:, None, :] for f in fast)
        scores = np.broadcast_to(scores, (2, 3, rows))
        empty = np.concatenate([scores, np.full((2, 3, 1), np.nan)], axis=2)
        empty[1, :, -1] = 50.0
        plain = total_part(rules, scores, np.broadcast_to(possible, scores.shape), weights)
        general = total_part(rules, empty, np.ones(empty.shape), weights)
        assert np.array_equal(plain.base_total, general.base_total[:, :-1])
        assert np.array_equal(plain.dimension_weights, general.dimension_weights[:, :, :-1])
