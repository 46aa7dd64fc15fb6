from __future__ import annotations

import numpy as np
from evaluate_helper import check, run, score_rows

NAN = np.nan


def test_position_between_worst_and_best_of_peers() -> None:
    got = run("minmax", {"input": "x"}, groups=[1, 1, 1, 2, 2, 1], x=[10, 20, 15, 5, 5, NAN])
    # group 1: min 10 max 20; group 2: all equal -> 1
    np.testing.assert_allclose(got, [0, 1, 0.5, 1, 1, NAN])


def test_reversed_when_lower_is_better() -> None:
    got = run("minmax", {"input": "x", "higher_is_better": False}, x=[10, 20, 15])
    np.testing.assert_allclose(got, [1, 0, 0.5])


# ------------------------------------------ through the public API: a one-indicator rule file
def test_minmax(tmp_path):
    recs = score_rows(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [10, 20, 30, 15]})
    # (x - 10)/(30 - 10): 0, 0.5, 1, 0.25
    check(recs, [0, 50, 100, 25])


def test_minmax_lower_is_better(tmp_path):
    recs = score_rows(tmp_path, {"kind": "minmax", "input": "x", "higher_is_better": False},
                      {"x": [10, 20, 30, 15]})
    # (30 - x)/20: 1, 0.5, 0, 0.75
    check(recs, [100, 50, 0, 75])


def test_minmax_max_equals_min(tmp_path):
    recs = score_rows(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [7, 7]})
    check(recs, [100, 100])
    recs = score_rows(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [3]})
    check(recs, [100])


def test_minmax_within_period_population(tmp_path):
    # m1: 0, 10 -> 0, 1 ; m2: 10, 20 -> 0, 1 (the population is per period)
    recs = score_rows(tmp_path, {"kind": "minmax", "input": "x"}, {"x": [0, 10, 10, 20]},
                      periods=["m1", "m1", "m2", "m2"])
    check(recs, [0, 100, 0, 100])
