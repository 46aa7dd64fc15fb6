from __future__ import annotations

import numpy as np
from evaluate_helper import params_error, run

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
