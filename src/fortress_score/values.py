"""Plain Python values from numpy ones: the one place NaN becomes None."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["is_empty", "to_python", "to_scalar"]


def to_python(values: npt.NDArray[Any]) -> list[Any]:
    """Python scalars a row, float NaN as None; converted in C, never one value at a time."""
    if values.dtype.kind == "f":
        empty = np.isnan(values)
        if empty.any():
            objects = values.astype(object)
            objects[empty] = None
            return list(objects.tolist())
    return list(values.tolist())


def to_scalar(value: Any) -> Any:
    """One value as plain Python: numpy scalars unwrapped, empty values (NaN, NA) as None."""
    if isinstance(value, np.generic):
        value = value.item()
    return None if is_empty(value, text=False) else value


def is_empty(value: Any, *, text: bool = True) -> bool:
    """None, NaN, pandas' NA and NaT; with ``text``, also blank text."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return text and isinstance(value, str) and not value.strip()
