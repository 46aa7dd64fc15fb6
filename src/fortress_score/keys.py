"""Key columns (entity, period, group): dense integer codes, peer populations, row names.

Whatever groups rows — the engine's peer populations, roll-ups, time order, boards — turns
key values into codes here, by one ``np.unique``; nothing loops per row.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import shorten
from .values import is_empty

__all__ = [
    "MAX_ROWS_SHOWN",
    "describe_rows",
    "duplicated",
    "empty_mask",
    "key_codes",
    "matching",
    "population_codes",
]

MAX_ROWS_SHOWN = 5
"""How many offending rows a problem lists before it says "and N more"."""

IntArray = npt.NDArray[np.int64]

_STRINGS: Any = getattr(np, "strings", np.char)
"""numpy's vectorised string functions (``np.strings`` from numpy 2, else ``np.char``)."""

_EMPTY_TEXTS = ["None", "nan", "NaN", "<NA>", "NaT"]
"""How None, NaN, pandas' NA and NaT read as text: the rows worth a closer look."""


def key_codes(values: npt.NDArray[Any]) -> tuple[IntArray, int]:
    """Dense codes 0..n-1 a row (numbers by value, anything else as text) and n."""
    keys = values if values.dtype.kind in "iufUSb" else values.astype(str)
    uniques, codes = np.unique(keys, return_inverse=True)
    return codes.astype(np.int64).reshape(-1), int(uniques.shape[0])


def population_codes(
    n_rows: int, period: npt.NDArray[Any] | None, group: npt.NDArray[Any] | None
) -> tuple[IntArray, int]:
    """A code a row for its peer population (same period and same group), and how many."""
    present = [values for values in (period, group) if values is not None]
    if not present:
        return np.zeros(n_rows, dtype=np.int64), 1
    if len(present) == 1:
        return key_codes(present[0])  # already dense: no second sort
    period_codes, _ = key_codes(present[0])
    group_codes, n_group = key_codes(present[1])
    uniques, dense = np.unique(period_codes * n_group + group_codes, return_inverse=True)
    return dense.astype(np.int64).reshape(-1), int(uniques.shape[0])


def duplicated(entity: npt.NDArray[Any], period: npt.NDArray[Any] | None) -> npt.NDArray[np.bool_]:
    """Rows whose (entity, period) appeared in an earlier row."""
    codes, n_entity = key_codes(entity)
    if period is not None:
        period_codes, _ = key_codes(period)
        codes = period_codes * n_entity + codes
    _, first = np.unique(codes, return_index=True)
    repeated = np.ones(codes.shape[0], dtype=bool)
    repeated[first] = False
    return repeated


def empty_mask(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Rows with no value: NaN, None, NA, blank text."""
    if values.dtype.kind == "f":
        return np.asarray(np.isnan(values))
    if values.dtype.kind in "mM":
        return np.asarray(np.isnat(values))
    if values.dtype.kind == "U":
        return np.asarray(np.char.strip(values) == "")
    if values.dtype.kind == "O":
        # as text in C; only rows whose text could be an empty value are looked at one by one
        text = values.astype(str)
        maybe = np.flatnonzero(np.isin(text, _EMPTY_TEXTS) | (_STRINGS.strip(text) == ""))
        empty = np.zeros(len(values), dtype=bool)
        empty[maybe] = [is_empty(v) for v in values[maybe].tolist()]
        return empty
    return np.zeros(len(values), dtype=bool)


def matching(values: npt.NDArray[Any], wanted: Any) -> npt.NDArray[np.bool_]:
    """Rows whose key equals ``wanted``: as text, and by value in a numeric column (so
    that 202402 finds 202402.0)."""
    if values.dtype.kind in "iuf" and isinstance(wanted, Real) and not isinstance(wanted, bool):
        return np.asarray(values == wanted)
    return np.asarray(values.astype(str) == str(wanted))


def describe_rows(
    rows: npt.NDArray[np.intp],
    entity_values: npt.NDArray[Any] | None,
    period_values: npt.NDArray[Any] | None,
    entity: str,
    period: str | None,
    lines: npt.NDArray[np.int64] | None = None,
    line_word: str = "line",
) -> tuple[str, ...]:
    """``row 3 (branch=A, month=2024-01)`` for the first few rows (positions count from 0),
    or ``line 5 (...)`` where the rows' file lines are known (``Sheet1 row 5 (...)`` with
    ``line_word="Sheet1 row"``)."""
    shown = []
    for row in rows[:MAX_ROWS_SHOWN]:
        keys = []
        if entity_values is not None:
            keys.append(f"{entity}={_text(entity_values[row])}")
        if period_values is not None and period is not None:
            keys.append(f"{period}={_text(period_values[row])}")
        where = f"{line_word} {int(lines[row])}" if lines is not None else f"row {int(row)}"
        shown.append(f"{where} ({', '.join(keys)})" if keys else where)
    if len(rows) > MAX_ROWS_SHOWN:
        shown.append(f"and {len(rows) - MAX_ROWS_SHOWN} more")
    return tuple(shown)


def _text(value: Any) -> str:
    return "None" if is_empty(value) else shorten(str(value))
