from __future__ import annotations

import numpy as np
import pytest
from evaluate_helper import params_error, run

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
