"""Rounding half away from zero (四舍五入), as score sheets round, for every figure reported.

One rule for the whole library: reported totals, dimension scores and points, the formula
language's ``round``, and the audit workbook's formula (which writes this rule out).
"""

from __future__ import annotations

import numpy as np

from .plugins.evaluator import FloatArray

__all__ = ["HALF_TOLERANCE", "HALF_TOLERANCE_CAP", "half_up_steps", "round_half_up"]

HALF_TOLERANCE = 2.0**-40
"""How near a half a float counts as the half, relative to the figure (to 1 for figures
below 1): about 4,000 units in the last place of a float64, far above the error of the
scoring arithmetic (tens of units, cancellations in a difference included), far below the
distance from a half of any figure decimal inputs give (89.9949999996745 is 3.3e-10 from
89.995: forty times the tolerance)."""


HALF_TOLERANCE_CAP = 2.0**-12
"""The tolerance never exceeds this share of a unit of the last reported digit, so that a
figure too large for the relative tolerance (10⁸ at 4 decimals) still rounds by its value."""


def round_half_up(values: FloatArray | float, precision: int) -> FloatArray:
    """Round half away from zero (四舍五入) at ``precision`` decimals, as score sheets do.

    A figure such as 89.995 is stored as the float 89.99499999999999, a hair below the
    half. A figure within :data:`HALF_TOLERANCE` × max(|figure|, 1) of a half is therefore
    taken as the half (89.995 reports 90.00), and anything farther is rounded by its value
    (89.9949999996745 reports 89.99). Exact for every figure written in decimal with at
    most 12 significant digits: its distance from a half, when it is not one, is then far
    above the tolerance (a figure of 16 digits may sit within float64's own error of a half).
    """
    return np.asarray(half_up_steps(values, precision) / 10.0**precision, dtype=np.float64)


def half_up_steps(values: FloatArray | float, precision: int) -> FloatArray:
    """:func:`round_half_up` in units of the last digit kept: whole numbers (as float64;
    NaN stays NaN), so that ``round_half_up(v, p) == half_up_steps(v, p) / 10**p``."""
    figures = np.asarray(values, dtype=np.float64)
    factor = 10.0**precision
    magnitude = np.abs(figures) * factor
    whole = np.floor(magnitude)
    tolerance = np.minimum(HALF_TOLERANCE * np.maximum(np.abs(figures), 1.0) * factor,
                           HALF_TOLERANCE_CAP)
    with np.errstate(invalid="ignore"):  # NaN stays NaN
        up = magnitude - whole >= 0.5 - tolerance
    return np.asarray(np.sign(figures) * (whole + up), dtype=np.float64)
