"""Periods: every way an office writes one, read into ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``.

One parser for every path. When data is read, a period column whose labels are all
periods — months ``2024-03``, ``2024-3``, ``2024/3``, ``2024-3月``, ``2024.03``, ``202403``,
``2024M03``, ``2024年3月``, ``24年3月``, ``Mar 2024``; dates (their month, in their own zone)
``2024-03-15``, ``2024/3/15``, ``2024年3月15日``, with a time or zone; quarters ``2024-Q1``,
``2024Q1``, ``2024年第一季度``; years ``2024``, ``2024年``; full-width digits anywhere — is
rewritten in the canonical form (``2024.1`` is refused: Excel writes October so), so that one month is one period
however it was written, and periods order by time, never as text. Labels none of which is
a period (``H1``, ``第一期``) stay as given: they group rows, and order as they first
appear. A column mixing the two is refused, naming the rows. Numbers stay numbers and
order by value. Parsing runs once a distinct label, never once a row.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .errors import PeriodError, Problem, shown

__all__ = [
    "GRANULARITIES",
    "Granularity",
    "PeriodIndex",
    "normalise_periods",
    "parse_periods",
    "period_label",
    "period_order",
    "read_label",
    "wanted_period",
]

Granularity = Literal["year", "quarter", "month"]
GRANULARITIES: tuple[Granularity, ...] = ("year", "quarter", "month")
"""Coarse to fine; a granularity's code is its position here."""

PER_YEAR = np.array([1, 4, 12])
"""Periods a year, by granularity code."""

_YEAR = r"(\d{4}|\d{2}(?=\s*年))"
"""A year: four digits, or two before 年 (``24年3月`` is 2024)."""

_MONTH_FORMS = (
    re.compile(r"^(\d{4})\s*[-/]\s*(\d{1,2})\s*月?$"),            # 2024-03, 2024/3, 2024-3月
    re.compile(r"^(\d{4})\.(\d{2})$"),                          # 2024.03 (2024.1 may be October)
    re.compile(r"^(\d{4})[Mm]?(\d{2})$"),                         # 202403, 2024M03
    re.compile(rf"^{_YEAR}\s*年\s*(\d{{1,2}})\s*月份?$"),           # 2024年3月, 24年3月
)
_DATE_FORMS = (  # a date names its month; written in its own zone
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T][\d:.]*(?:Z|[+-]\d{2}:?\d{2})?)?$"),
    re.compile(rf"^{_YEAR}\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*[日号]$"),  # 2024年3月15日
)
_MONTH_NAMES = {name: k for k, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_NAMED_MONTH = re.compile(r"^([A-Za-z]{3})[a-z]*\.?[\s-]*(\d{4})$")  # Mar 2024, March-2024
_QUARTER_FORMS = (
    re.compile(r"^(\d{4})\s*[-/. ]?\s*[Qq]\s*([1-4])$"),           # 2024-Q1, 2024Q1
    re.compile(rf"^{_YEAR}\s*年\s*第?\s*([1-4一二三四])\s*季度?$"),    # 2024年第一季度
)
_YEAR_FORM = re.compile(rf"^{_YEAR}\s*年?度?$")                     # 2024, 2024年, 24年度
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


Describe = Callable[[npt.NDArray[np.bool_]], tuple[str, ...]]


def read_label(label: str) -> tuple[int, int] | None:
    """(granularity code, ordinal) of a period label in any form above; None if it is none."""
    text = unicodedata.normalize("NFKC", label).strip()  # full-width digits and marks
    month = _month_of(text)
    if month is not None:
        year, number = month
        return (2, year * 12 + number - 1) if 1 <= number <= 12 else None
    for form in _QUARTER_FORMS:
        found = form.match(text)
        if found:
            quarter = _CHINESE_DIGITS.get(found.group(2)) or int(found.group(2))
            return 1, _year(found.group(1)) * 4 + quarter - 1
    found = _YEAR_FORM.match(text)
    return (0, _year(found.group(1))) if found else None


def _month_of(text: str) -> tuple[int, int] | None:
    """(year, month number) of a month or a date written in one of the forms above."""
    for form in _MONTH_FORMS:
        found = form.match(text)
        if found:
            return _year(found.group(1)), int(found.group(2))
    for form in _DATE_FORMS:
        found = form.match(text)
        if found:
            year, number, day = _year(found.group(1)), int(found.group(2)), int(found.group(3))
            try:
                datetime.date(year, number, day)  # 2024-02-30 is no date
            except ValueError:
                return None
            return year, number
    found = _NAMED_MONTH.match(text)
    if found and found.group(1).lower() in _MONTH_NAMES:
        return int(found.group(2)), _MONTH_NAMES[found.group(1).lower()]
    return None


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
        found = read_label(label)
        if found is None:
            bad[k] = True
        else:
            granularity[k], ordinal[k] = found
    inverse = inverse.reshape(-1)
    if bad.any():
        raise PeriodError(Problem(
            "must be a period (a month such as 2024-03 or 2024年3月, a quarter such as "
            "2024-Q1, a year such as 2024); "
            f"found {', '.join(shown(v) for v in labels[bad][:5].tolist())}",
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


def normalise_periods(values: npt.NDArray[Any], describe: Describe,
                      column: str | None = None) -> npt.NDArray[Any]:
    """A period column in canonical labels where all its labels are periods; as given where
    none is (or it holds numbers).

    Raises:
        PeriodError: some labels are periods and some are not (naming the rows of those
            that are not).
    """
    if values.dtype.kind in "iuf":
        return values
    text = values.astype(str)
    labels, inverse = np.unique(text, return_inverse=True)
    read = [read_label(label) for label in labels.tolist()]  # one pass a distinct label
    known = np.array([found is not None for found in read], dtype=bool)
    inverse = inverse.reshape(-1)
    if not known.any():
        return values  # free labels: they group rows, nothing reads them as time
    if not known.all():
        raise PeriodError(Problem(
            "mixes periods with labels that are not periods "
            f"({', '.join(shown(v) for v in labels[~known][:5].tolist())}); write every "
            "label as a period (2024-03, 2024年3月, 2024-Q1, 2024) or none",
            column=column, rows=describe(~known[inverse])))
    canonical = np.array([period_label(*found) for found in read if found is not None],
                         dtype=object)
    return np.asarray(canonical[inverse])


def period_order(values: npt.NDArray[Any]) -> list[Any]:
    """The distinct periods of a column, earliest first: numbers by value, periods by
    time (by start, coarser first), free labels as they first appear."""
    if values.dtype.kind in "iuf":
        return list(np.unique(values).tolist())
    text = values.astype(str)
    labels, first = np.unique(text, return_index=True)
    read = [read_label(label) for label in labels.tolist()]
    if all(found is not None for found in read):
        starts = [(found[1] * 12 // int(PER_YEAR[found[0]]), found[0])
                  for found in read if found is not None]
        order = sorted(range(len(read)), key=starts.__getitem__)
    else:
        order = np.argsort(first, kind="stable").tolist()
    return [values[first[k]] for k in order]


def wanted_period(wanted: Any, values: npt.NDArray[Any] | None = None) -> Any:
    """A period asked for (``--period 2024年3月``) as a period column read from the data
    (``values``) holds it: canonical, unless the column holds numbers (``202403`` then
    finds 202403 by value)."""
    if wanted is not None and (values is None or values.dtype.kind not in "iuf"):
        found = read_label(str(wanted))  # text, a date, 202403 asked of labelled periods
        if found is not None:
            return period_label(*found)
    return wanted
