from __future__ import annotations

import numpy as np
from evaluate_helper import run
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
