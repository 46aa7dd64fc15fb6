from __future__ import annotations

import numpy as np
import pytest
from evaluate_helper import check, params_error, run, score_rows

NAN = np.nan


def test_seed_red_list_share() -> None:
    # 13 of 16 company KPIs on the red list = 81.25 %
    np.testing.assert_allclose(run("ratio", {"numerator": "n", "denominator": "d"}, n=[13], d=[16]), [0.8125])


def test_clipped_to_unit_interval() -> None:
    got = run("ratio", {"numerator": "n", "denominator": "d"}, n=[12, -1, 3, NAN], d=[10, 10, NAN, 4])
    np.testing.assert_allclose(got, [1.0, 0.0, NAN, NAN])


def test_zero_denominator_skips_or_gives_empty() -> None:
    assert np.isnan(run("ratio", {"numerator": "n", "denominator": "d"}, n=[0], d=[0])).all()
    got = run("ratio", {"numerator": "n", "denominator": "d", "empty": 1.0}, n=[0, 1, NAN], d=[0, 2, 0])
    np.testing.assert_allclose(got, [1.0, 0.5, NAN])  # an empty numerator stays "does not apply"


def test_empty_must_be_skip_or_attainment() -> None:
    assert "empty" in params_error("ratio", {"numerator": "n", "denominator": "d", "empty": 2})
    assert "empty" in params_error("ratio", {"numerator": "n", "denominator": "d", "empty": "zero"})


# ------------------------------------------ through the public API: a one-indicator rule file
def test_ratio(tmp_path):
    # clip(n/d, 0, 1): 3/4 -> 0.75 ; 5/4 -> 1 ; 0/4 -> 0 ; -1/4 -> 0
    recs = score_rows(tmp_path, {"kind": "ratio", "numerator": "n", "denominator": "d"},
                      {"n": [3, 5, 0, -1], "d": [4, 4, 4, 4]})
    check(recs, [75, 100, 0, 0])


@pytest.mark.parametrize("empty", [None, "skip"])
def test_ratio_zero_denominator_skip(tmp_path, empty):
    evaluate = {"kind": "ratio", "numerator": "n", "denominator": "d"}
    if empty is not None:
        evaluate["empty"] = empty
    # default `empty` is "skip": den 0 -> NaN -> does not apply
    recs = score_rows(tmp_path, evaluate, {"n": [0, 3, 1], "d": [0, 0, 2]}, anchor=True)
    check(recs, [None, None, 50])


@pytest.mark.parametrize("empty, expected", [(1, 100), (0, 0), (0.5, 50)])
def test_ratio_zero_denominator_number(tmp_path, empty, expected):
    recs = score_rows(tmp_path,
                      {"kind": "ratio", "numerator": "n", "denominator": "d", "empty": empty},
                      {"n": [0, 1], "d": [0, 4]})
    check(recs, [expected, 25])
