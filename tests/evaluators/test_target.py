from __future__ import annotations

import numpy as np
from evaluate_helper import check, load_error, params_error, run, score_rows
from hypothesis import given
from hypothesis import strategies as st

NAN = np.nan


def test_linear_between_floor_and_target_and_clipped() -> None:
    got = run("target", {"input": "x", "target": 100, "floor": 80}, x=[70, 80, 90, 95, 100, 120, NAN])
    np.testing.assert_allclose(got, [0, 0, 0.5, 0.75, 1, 1, NAN])


def test_lower_is_better_when_target_below_floor() -> None:
    # line loss: 2.0 % earns everything, 4.0 % nothing, 2.5 % three quarters
    got = run("target", {"input": "x", "target": 2.0, "floor": 4.0}, x=[1.5, 2.0, 2.5, 4.0, 5.0])
    np.testing.assert_allclose(got, [1, 1, 0.75, 0, 0])


def test_target_equal_to_floor_is_refused() -> None:
    assert "target must differ from floor" in params_error("target", {"input": "x", "target": 2, "floor": 2})


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6), st.floats(-1e3, 1e3), st.floats(0.001, 1e3))
def test_raising_a_higher_is_better_input_never_lowers_attainment(x: float, step: float, floor: float, span: float) -> None:
    params = {"input": "x", "target": floor + span, "floor": floor}
    low, high = run("target", params, x=[x, x + step])
    assert low <= high
    assert 0.0 <= low <= 1.0 and 0.0 <= high <= 1.0


# ------------------------------------------ through the public API: a one-indicator rule file
def test_target_higher_is_better(tmp_path):
    # clip((x - 60)/(100 - 60), 0, 1): 50 -> 0, 60 -> 0, 80 -> 0.5, 100 -> 1, 120 -> 1
    recs = score_rows(tmp_path, {"kind": "target", "input": "x", "target": 100, "floor": 60},
                      {"x": [50, 60, 80, 100, 120]})
    check(recs, [0, 0, 50, 100, 100])


def test_target_lower_is_better(tmp_path):
    # target 2 < floor 4: clip((x - 4)/(2 - 4), 0, 1): 1 -> 1, 2 -> 1, 3 -> 0.5, 4 -> 0, 5 -> 0
    recs = score_rows(tmp_path, {"kind": "target", "input": "x", "target": 2, "floor": 4},
                      {"x": [1, 2, 3, 4, 5]})
    check(recs, [100, 100, 50, 0, 0])


def test_target_equal_to_floor_is_a_load_error(tmp_path):
    load_error(tmp_path, {"kind": "target", "input": "x", "target": 3, "floor": 3})
