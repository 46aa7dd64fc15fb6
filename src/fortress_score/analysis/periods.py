"""Periods: ``YYYY-MM`` (month), ``YYYY-Qn`` (quarter), ``YYYY`` (year), read into numbers.

Scoring takes any period labels (they only group rows into populations); what needs
time order — roll-ups, trends, the benchmark title — reads them here, and a label that is
not one of the three forms is a :class:`PeriodError` naming the rows. Parsing runs once a
distinct label, never once a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..errors import PeriodError, Problem

__all__ = ["GRANULARITIES", "Granularity", "PeriodIndex", "parse_periods", "period_label"]

Granularity = Literal["year", "quarter", "month"]
GRANULARITIES: tuple[Granularity, ...] = ("year", "quarter", "month")
"""Coarse to fine; a granularity's code is its position here."""

PER_YEAR = np.array([1, 4, 12])
"""Periods a year, by granularity code."""

_PERIOD = re.compile(r"^\s*(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?\s*$")


@dataclass(frozen=True)
class PeriodIndex:
    """Each row's period as numbers: granularity code and an ordinal that counts periods.

    ``ordinal`` is year × periods-a-year + index within the year, so consecutive periods of
    one granularity differ by exactly 1 (2024-12 and 2025-01 included).
    """

    granularity: npt.NDArray[np.int8]
    ordinal: npt.NDArray[np.int64]

    def coarsened(self, to: Granularity) -> npt.NDArray[np.int64]:
        """Each row's ordinal at the coarser granularity ``to``."""
        target = GRANULARITIES.index(to)
        year = self.ordinal // PER_YEAR[self.granularity]
        within = self.ordinal % PER_YEAR[self.granularity]
        shrink = PER_YEAR[self.granularity] // PER_YEAR[target]
        return np.asarray(year * PER_YEAR[target] + within // shrink, dtype=np.int64)


def parse_periods(
    values: npt.NDArray[Any], describe: Callable[[npt.NDArray[np.bool_]], tuple[str, ...]],
    column: str | None = None,
) -> PeriodIndex:
    """Read a period column; PeriodError naming the rows whose label is not a period."""
    text = values.astype(str)
    labels, inverse = np.unique(text, return_inverse=True)
    granularity = np.zeros(labels.shape[0], dtype=np.int8)
    ordinal = np.zeros(labels.shape[0], dtype=np.int64)
    bad = np.zeros(labels.shape[0], dtype=bool)
    for k, label in enumerate(labels.tolist()):  # one pass a distinct label
        found = _PERIOD.match(label)
        if found is None:
            bad[k] = True
            continue
        year, month, quarter = found.groups()
        if month:
            granularity[k], ordinal[k] = 2, int(year) * 12 + int(month) - 1
        elif quarter:
            granularity[k], ordinal[k] = 1, int(year) * 4 + int(quarter) - 1
        else:
            granularity[k], ordinal[k] = 0, int(year)
    inverse = inverse.reshape(-1)
    if bad.any():
        raise PeriodError(Problem(
            "must be a period written YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year); "
            f"found {', '.join(repr(v) for v in labels[bad][:5].tolist())}",
            column=column, rows=describe(bad[inverse])))
    return PeriodIndex(granularity[inverse], ordinal[inverse])


def period_label(granularity: int, ordinal: int) -> str:
    """The label of a period: ``2024-03``, ``2024-Q1`` or ``2024``."""
    year, within = divmod(int(ordinal), int(PER_YEAR[granularity]))
    if granularity == 2:
        return f"{year:04d}-{within + 1:02d}"
    if granularity == 1:
        return f"{year:04d}-Q{within + 1}"
    return f"{year:04d}"
