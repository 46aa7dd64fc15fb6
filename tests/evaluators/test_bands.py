from __future__ import annotations

import numpy as np
from evaluate_helper import check, params_error, run, score_rows

NAN = np.nan
MEETINGS = {"input": "x", "bands": [{"min": 3, "score": 1.0}, {"min": 2, "max": 3, "score": 0.6},
                                    {"min": 1, "max": 2, "score": 0.3}]}


def test_min_inclusive_max_exclusive_and_otherwise() -> None:
    got = run("bands", MEETINGS, x=[0, 1, 1.5, 2, 2.99, 3, 10, NAN])
    np.testing.assert_allclose(got, [0, 0.3, 0.3, 0.6, 0.6, 1.0, 1.0, NAN])


def test_first_band_in_file_order_wins_where_bands_overlap() -> None:
    params = {"input": "x", "otherwise": 0.1,
              "bands": [{"max": 10, "score": 0.2}, {"min": 5, "score": 0.9}]}
    np.testing.assert_allclose(run("bands", params, x=[7, 12, -100]), [0.2, 0.9, 0.2])


def test_otherwise_where_no_band_holds() -> None:
    params = {"input": "x", "bands": [{"min": 0, "max": 1, "score": 1}], "otherwise": 0.25}
    np.testing.assert_allclose(run("bands", params, x=[-1, 0.5, 1]), [0.25, 1, 0.25])


def test_scores_outside_unit_interval_and_empty_bands_are_refused() -> None:
    assert "less than or equal to 1" in params_error("bands", {"input": "x", "bands": [{"score": 2}]})
    assert "at least 1" in params_error("bands", {"input": "x", "bands": []})
    assert "min must be below max" in params_error("bands", {"input": "x", "bands": [{"min": 3, "max": 3, "score": 1}]})


# ------------------------------------------ through the public API: a one-indicator rule file
def test_bands_open_bounds_half_open_intervals(tmp_path):
    bands = [{"max": 10, "score": 0.2}, {"min": 10, "max": 20, "score": 0.6},
             {"min": 20, "score": 1.0}]
    # -100 -> open lower bound -> 0.2 ; 9.99 -> 0.2 ; 10 -> min inclusive -> 0.6 ;
    # 19.99 -> 0.6 ; 20 -> max exclusive -> 1.0 ; 1e6 -> open upper bound -> 1.0
    recs = score_rows(tmp_path, {"kind": "bands", "input": "x", "bands": bands},
                      {"x": [-100, 9.99, 10, 19.99, 20, 1e6]})
    check(recs, [20, 20, 60, 60, 100, 100])


def test_bands_otherwise(tmp_path):
    bands = [{"min": 0, "max": 10, "score": 0.5}]
    recs = score_rows(tmp_path, {"kind": "bands", "input": "x", "bands": bands, "otherwise": 0.1},
                      {"x": [5, 10, -1]})
    # 5 -> 0.5 ; 10 not < 10 -> otherwise 0.1 ; -1 -> otherwise 0.1
    check(recs, [50, 10, 10])


def test_bands_otherwise_defaults_to_zero(tmp_path):
    bands = [{"min": 0, "max": 10, "score": 0.5}]
    recs = score_rows(tmp_path, {"kind": "bands", "input": "x", "bands": bands}, {"x": [5, 50]})
    check(recs, [50, 0])


def test_bands_first_match_in_file_order(tmp_path):
    bands = [{"min": 0, "max": 100, "score": 0.3}, {"min": 50, "max": 60, "score": 0.9}]
    recs = score_rows(tmp_path, {"kind": "bands", "input": "x", "bands": bands}, {"x": [55, 150]})
    # 55 is in both bands: the first (0.3) wins ; 150 in none -> 0
    check(recs, [30, 0])
