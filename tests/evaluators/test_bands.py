from __future__ import annotations

import numpy as np
from evaluate_helper import params_error, run

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
