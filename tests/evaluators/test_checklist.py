from __future__ import annotations

import numpy as np
from evaluate_helper import check, params_error, run, score_rows

NAN = np.nan


def test_weighted_share_of_items_met() -> None:
    # 6+2: six goods weigh 1, the two lists weigh 2; all goods met, one list missing: 8 / 10
    cols = {f"g{i}": [1] for i in range(6)} | {"l1": [1], "l2": [0]}
    params = {"inputs": list(cols), "weights": [1, 1, 1, 1, 1, 1, 2, 2]}
    np.testing.assert_allclose(run("checklist", params, **cols), [0.8])


def test_equal_weights_by_default_and_an_empty_item_is_not_met() -> None:
    got = run("checklist", {"inputs": ["a", "b", "c"]},
              a=[1, 0, NAN, 1], b=[3, 0, NAN, NAN], c=[0, NAN, NAN, NAN])
    # the share is always over all items; only a row with every item empty does not apply
    np.testing.assert_allclose(got, [2 / 3, 0.0, NAN, 1 / 3])


def test_weights_must_fit_the_inputs() -> None:
    assert "one entry an input" in params_error("checklist", {"inputs": ["a", "b"], "weights": [1]})
    assert "not all 0" in params_error("checklist", {"inputs": ["a"], "weights": [0]})


# ------------------------------------------ through the public API: a one-indicator rule file
def test_checklist_unweighted(tmp_path):
    cols = {"c1": [1, 0, 1, -1], "c2": [0, 0, 1, 0], "c3": [2, 0, 1, 0], "c4": [0, 0, 1, 0]}
    # share of non-zero: 2/4, 0/4, 4/4, 1/4 (negative is non-zero)
    recs = score_rows(tmp_path, {"kind": "checklist", "inputs": ["c1", "c2", "c3", "c4"]}, cols)
    check(recs, [50, 0, 100, 25])


def test_checklist_weighted(tmp_path):
    cols = {"c1": [1, 0, 0], "c2": [0, 0, 3], "c3": [1, 0, 0], "c4": [0, 5, 0]}
    # weights 1,1,2,4 (sum 8): (1+2)/8 = 0.375 ; 4/8 = 0.5 ; 1/8 = 0.125
    recs = score_rows(
        tmp_path,
        {"kind": "checklist", "inputs": ["c1", "c2", "c3", "c4"], "weights": [1, 1, 2, 4]},
        cols)
    check(recs, [37.5, 50, 12.5])
