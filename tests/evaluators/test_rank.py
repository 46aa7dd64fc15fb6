from __future__ import annotations

import numpy as np
from evaluate_helper import check, run, score_rows
from hypothesis import given
from hypothesis import strategies as st

NAN = np.nan


def test_competition_rank_scaled_within_each_population() -> None:
    # group a: 9, 7, 7, 1 -> ranks 1, 2, 2, 4 -> (4-r)/3 ; group b alone -> 1 ; NaN not ranked
    got = run("rank", {"input": "x"}, groups=["a", "a", "a", "a", "b", "a"], x=[9, 7, 7, 1, 3, NAN])
    np.testing.assert_allclose(got, [1, 2 / 3, 2 / 3, 0, 1, NAN])


def test_lower_is_better() -> None:
    got = run("rank", {"input": "x", "higher_is_better": False}, x=[3.0, 1.0, 2.0])
    np.testing.assert_allclose(got, [0, 1, 0.5])


@given(st.lists(st.integers(0, 5).map(float), min_size=1, max_size=30), st.randoms())
def test_ranks_depend_on_values_not_on_row_order(xs: list[float], rnd) -> None:
    order = list(range(len(xs)))
    rnd.shuffle(order)
    got = run("rank", {"input": "x"}, x=xs)
    shuffled = run("rank", {"input": "x"}, x=[xs[i] for i in order])
    np.testing.assert_allclose(shuffled, got[order])
    # equal values, equal attainment; the best gets 1
    assert got[int(np.argmax(xs))] == 1.0


# ------------------------------------------ through the public API: a one-indicator rule file
def test_rank_higher_is_better_with_ties(tmp_path):
    # values 10, 20, 20, 5 -> ranks 3, 1, 1, 4 ; n = 4 ; (n - r)/(n - 1) = 1/3, 1, 1, 0
    recs = score_rows(tmp_path, {"kind": "rank", "input": "x"}, {"x": [10, 20, 20, 5]})
    check(recs, [33.33, 100, 100, 0])


def test_rank_lower_is_better(tmp_path):
    # ascending: 5 -> 1, 10 -> 2, 20 -> 3, 20 -> 3 ; (4 - r)/3 = 2/3, 1/3, 1/3, 1
    recs = score_rows(tmp_path, {"kind": "rank", "input": "x", "higher_is_better": False},
                      {"x": [10, 20, 20, 5]})
    check(recs, [66.67, 33.33, 33.33, 100])


def test_rank_all_tied_and_single(tmp_path):
    recs = score_rows(tmp_path, {"kind": "rank", "input": "x"}, {"x": [5, 5, 5]})
    check(recs, [100, 100, 100])  # all rank 1: (3-1)/(3-1) = 1
    recs = score_rows(tmp_path, {"kind": "rank", "input": "x"}, {"x": [7]})
    check(recs, [100])  # n == 1 -> 1


def test_rank_within_period_population(tmp_path):
    # period m1: 10, 20 -> 0, 1 ; period m2: only one row -> n == 1 -> 1
    recs = score_rows(tmp_path, {"kind": "rank", "input": "x"}, {"x": [10, 20, 1]},
                      periods=["m1", "m1", "m2"])
    check(recs, [0, 100, 100])


def test_rank_within_group_population(tmp_path):
    # group A: 1, 2, 3 -> ranks 3, 2, 1 -> 0, 0.5, 1 ; group B: 100 alone -> 1
    recs = score_rows(tmp_path, {"kind": "rank", "input": "x"},
                      {"x": [1, 2, 3, 100], "region": ["A", "A", "A", "B"]}, group_by="region")
    check(recs, [0, 50, 100, 100])
