from __future__ import annotations

import numpy as np
import pytest
from evaluate_helper import check, load_error, params_error, run, score_rows

NAN = np.nan


@pytest.mark.parametrize(("op", "expected"), [
    (">", [0, 0, 1]), (">=", [0, 1, 1]), ("<", [1, 0, 0]),
    ("<=", [1, 1, 0]), ("==", [0, 1, 0]), ("!=", [1, 0, 1]),
])
def test_each_operator(op: str, expected: list[float]) -> None:
    np.testing.assert_array_equal(run("threshold", {"input": "x", "op": op, "value": 1}, x=[0, 1, 2]), expected)


def test_empty_input_does_not_apply() -> None:
    assert np.isnan(run("threshold", {"input": "x", "op": "!=", "value": 1}, x=[NAN])).all()


def test_unknown_operator_is_refused() -> None:
    assert "'>'" in params_error("threshold", {"input": "x", "op": "=>", "value": 1})


# ------------------------------------------ through the public API: a one-indicator rule file
@pytest.mark.parametrize(
    "op, expected",
    [
        (">", [0, 0, 100]),
        (">=", [0, 100, 100]),
        ("<", [100, 0, 0]),
        ("<=", [100, 100, 0]),
        ("==", [0, 100, 0]),
        ("!=", [100, 0, 100]),
    ],
)
def test_threshold_ops(tmp_path, op, expected):
    recs = score_rows(tmp_path, {"kind": "threshold", "input": "x", "op": op, "value": 5},
                      {"x": [4, 5, 6]})
    check(recs, expected)


def test_threshold_unknown_op_is_a_load_error(tmp_path):
    load_error(tmp_path, {"kind": "threshold", "input": "x", "op": "=>", "value": 5})
