"""values.py: the one place NaN becomes None."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from fortress_score.values import is_empty, to_python, to_scalar


def test_floats_become_python_floats_and_nan_none() -> None:
    converted = to_python(np.array([1.5, np.nan, 2.0]))
    assert converted == [1.5, None, 2.0]
    assert all(type(v) is float for v in converted if v is not None)


def test_other_dtypes_become_python_values() -> None:
    assert to_python(np.array([1, 2], dtype=np.int64)) == [1, 2]
    assert type(to_python(np.array([1], dtype=np.int64))[0]) is int
    assert to_python(np.array(["甲", "乙"])) == ["甲", "乙"]
    assert to_python(np.array([True, False])) == [True, False]


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=False))))
def test_every_nan_and_only_nan_is_none(values: list[float]) -> None:
    converted = to_python(np.array(values, dtype=np.float64))
    assert [v is None for v in converted] == [v != v for v in values]


def test_one_value() -> None:
    assert to_scalar(np.float64("nan")) is None
    assert to_scalar(np.int64(7)) == 7 and type(to_scalar(np.int64(7))) is int
    assert to_scalar(pd.NA) is None
    assert to_scalar("") == ""  # blank text is a value here; keys treat it as empty


def test_empty_values() -> None:
    assert is_empty(None) and is_empty(float("nan")) and is_empty(pd.NA) and is_empty(pd.NaT)
    assert is_empty("  ") and not is_empty("  ", text=False)
    assert not is_empty(0) and not is_empty("0")
