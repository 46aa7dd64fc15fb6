from __future__ import annotations

import numpy as np
from evaluate_helper import check, load_error, params_error, run, score_rows

NAN = np.nan


def test_growth_in_percent_scored_towards_target() -> None:
    # the seed's sales: 8.7 % growth against a target of 8 % from a floor of 0 % is full marks;
    # 4 % is half way; a fall is nothing
    got = run("growth", {"current": "c", "baseline": "b", "target": 8, "floor": 0},
              c=[108.7, 104, 95, 50], b=[100, 100, 100, NAN])
    np.testing.assert_allclose(got, [1.0, 0.5, 0.0, NAN])


def test_zero_baseline_does_not_apply() -> None:
    got = run("growth", {"current": "c", "baseline": "b", "target": 10, "floor": 0}, c=[5, 0], b=[0, 0])
    assert np.isnan(got).all()


def test_negative_growth_target_for_falling_figures() -> None:
    # outage hours should fall by 10 %: target -10, floor 0
    got = run("growth", {"current": "c", "baseline": "b", "target": -10, "floor": 0}, c=[90, 95, 100], b=[100, 100, 100])
    np.testing.assert_allclose(got, [1.0, 0.5, 0.0])


def test_target_equal_to_floor_is_refused() -> None:
    assert "differ" in params_error("growth", {"current": "c", "baseline": "b", "target": 1, "floor": 1})


# ------------------------------------------ through the public API: a one-indicator rule file
def test_growth(tmp_path):
    # g = (cur - base)/base*100, then target 10 floor 0
    # (110,100): g 10 -> 1 ; (105,100): g 5 -> 0.5 ; (95,100): g -5 -> 0 ; (150,100): g 50 -> 1
    # (22, 20): g 10 -> 1 ; (5, 0): baseline 0 -> NaN
    recs = score_rows(
        tmp_path,
        {"kind": "growth", "current": "cur", "baseline": "base", "target": 10, "floor": 0},
        {"cur": [110, 105, 95, 150, 22, 5], "base": [100, 100, 100, 100, 20, 0]},
        anchor=True)
    check(recs, [100, 50, 0, 100, 100, None])


def test_growth_lower_is_better(tmp_path):
    # target -10 floor 0: (90,100): g -10 -> 1 ; (95,100): g -5 -> 0.5 ; (100,100): 0 -> 0
    recs = score_rows(
        tmp_path,
        {"kind": "growth", "current": "cur", "baseline": "base", "target": -10, "floor": 0},
        {"cur": [90, 95, 100], "base": [100, 100, 100]})
    check(recs, [100, 50, 0])


def test_growth_target_equal_to_floor_is_a_load_error(tmp_path):
    load_error(tmp_path,
               {"kind": "growth", "current": "c", "baseline": "b", "target": 5, "floor": 5})
