"""Cells and columns of the caller's data, one column at a time: what a column may be
(ordered, one value a row), what a number is, key values written two ways, and the
immutable copies evaluators read. Whole-array work wherever the values allow it."""

from __future__ import annotations

import decimal
import math
import numbers
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from narwhals.dependencies import is_pandas_like_series

from ..errors import DataError, Problem, shorten, shown
from ..plugins.evaluator import FloatArray
from ..values import is_empty

__all__ = [
    "aligned",
    "as_array",
    "as_float",
    "field_of",
    "frame_column",
    "has_key",
    "lookalike_keys",
    "nested",
    "read_only",
    "repeated",
]

RowsText = Any


def lookalike_keys(name: str, values: npt.NDArray[Any], rows_text: RowsText) -> list[Problem]:
    """Key values that differ only in spaces or full-width forms (``县区`` and ``县区 ``) would
    be two branches or two peer groups: refused, naming the rows of the later spelling.

    Whole-array work on the distinct values; only those holding a space or a full-width
    form are rewritten one by one."""
    if values.dtype.kind not in "OU":
        return []
    text = values.astype(str)
    if text.dtype.itemsize == 0 or not _odd_text(text).any():
        return []  # the common case: no space, no full-width form, nothing sorted
    labels, first, inverse = np.unique(text, return_index=True, return_inverse=True)
    odd = np.flatnonzero(_odd_text(labels))
    keys = labels.astype(object)
    keys[odd] = ["".join(unicodedata.normalize("NFKC", label).split())
                 for label in labels[odd].tolist()]
    _, key_first, key_of = np.unique(keys.astype(str), return_index=True, return_inverse=True)
    key_of = key_of.reshape(-1)
    earliest = np.full(key_first.size, np.iinfo(np.int64).max)
    np.minimum.at(earliest, key_of, first)  # each spelling group's first row
    later = first != earliest[key_of]  # a spelling whose group appeared earlier another way
    if not later.any():
        return []
    shown_pairs = ", ".join(
        f"{shown(str(labels[k]))} and "
        f"{shown(str(labels[np.flatnonzero((key_of == key_of[k]) & ~later)[0]]))}"
        for k in np.flatnonzero(later)[:3].tolist())
    return [Problem(f"holds values that differ only in spaces or full-width forms "
                    f"({shown_pairs}): one branch or group written two ways would be scored "
                    "as two", column=name, rows=rows_text(later[inverse.reshape(-1)]))]


def _odd_text(text: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """Which strings hold a space or a full-width form (their code points, in C)."""
    points = text.view(np.uint32).reshape(text.size, -1)
    return np.asarray((np.isin(points, _SPACES) | ((points >= 0xFF00) & (points <= 0xFFEF)))
                      .any(axis=1))


_SPACES = np.array([9, 10, 11, 12, 13, 32, 0xA0, 0x3000], dtype=np.uint32)
"""Whitespace code points (the ideographic space U+3000 included)."""


def has_key(record: Mapping[Any, Any], name: str) -> bool:
    return name in record or any(str(k) == name for k in record)


def field_of(record: Mapping[Any, Any], name: str) -> Any:
    if name in record:
        return record[name]
    return next((v for k, v in record.items() if str(k) == name), None)


def aligned(data: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A mapping of columns whose pandas Series are in one row order: Series holding the
    same labels in another order are put in the first one's order; Series whose labels
    differ, or that come with unlabelled columns while their orders differ, are refused
    (read by position they would attach scores to the wrong branches)."""
    series = {key: value for key, value in data.items() if is_pandas_like_series(value)}
    if not series:
        return data
    first_key, first = next(iter(series.items()))
    index = first.index
    disagree = [key for key, value in series.items() if not value.index.equals(index)]
    if not disagree:
        return data
    same_labels = index.is_unique and all(
        series[key].index.is_unique and set(series[key].index) == set(index) for key in disagree)
    if not same_labels or len(series) < len(data):
        why = ("hold other labels" if not same_labels else
               "are in another order, and the unlabelled columns cannot follow them")
        raise DataError(Problem(
            f"columns {sorted(map(str, disagree))} are pandas Series whose index labels "
            f"{why} than column {str(first_key)!r}; scores would go to the wrong rows: align "
            "them (pd.DataFrame(...)) or pass a DataFrame"))
    return {key: value.reindex(index) if key in series else value
            for key, value in data.items()}


def as_array(name: str, values: Any) -> npt.NDArray[Any]:
    """A 1-d array of a column's values; text, scalars, sets and mappings are not columns."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise DataError(Problem(f"must be a sequence of values, one a row; got "
                                f"{type(values).__name__}", column=name))
    if isinstance(values, Mapping):
        raise DataError(Problem(
            "must be a sequence of values, one a row; got a mapping (row label -> value, as "
            "pandas' DataFrame.to_json writes by default): pass a list, or records "
            "(to_json(orient='records'))", column=name))
    if isinstance(values, set | frozenset):
        raise DataError(Problem(f"must be an ordered sequence of values, one a row (a list, "
                                f"an array, a Series); got {type(values).__name__}, which "
                                "has no row order", column=name))
    if isinstance(values, np.ma.MaskedArray):
        raise DataError(Problem("must be a plain array: a masked array's mask would be lost; "
                                "write NaN (or None) for no value", column=name))
    if hasattr(values, "columns") and getattr(values, "ndim", 2) == 2:
        raise DataError(Problem(f"must be one column, one value a row; got a table "
                                f"({type(values).__name__})", column=name))
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise DataError(Problem(f"must be one-dimensional, one value a row; got an array of "
                                f"shape {values.shape}", column=name))
    if not isinstance(values, np.ndarray | Sequence):
        values = list(values)  # generators, pandas/polars series handled as sequences
    if isinstance(values, np.ndarray):
        array = values
    else:
        try:
            array = np.asarray(values)
        except (ValueError, TypeError):  # ragged: lists of different lengths inside
            array = np.fromiter(values, dtype=object, count=len(values))
    kinds = set() if isinstance(values, np.ndarray) else set(map(type, values))  # in C
    mixed_text = array.dtype.kind in "US" and not kinds <= {str, np.str_}
    # [True, 95.0] must not become [1.0, 95.0]: a flag among numbers is kept to be judged
    hidden_flags = array.dtype.kind in "fiuc" and bool(kinds & {bool, np.bool_})
    if array.ndim != 1 or mixed_text or hidden_flags:
        # [1.5, "n/a"] must not become all text; [["A"], ["B"]] is two lists, not a table
        array = np.fromiter(values, dtype=object, count=len(values))
    if nested(array).any():
        raise DataError(Problem("must hold one value a row; found lists or tables inside it",
                                column=name))
    return array


def nested(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Rows holding a list, table or array instead of one value (object columns only).

    A text cell equals its own text, compared in C: only the other cells are looked at
    one by one (all of them when numpy refuses a sequence inside)."""
    nested = np.zeros(values.shape[0], dtype=bool)
    if values.dtype.kind != "O":
        return nested
    try:
        maybe = np.flatnonzero(~np.asarray(values == values.astype(str), dtype=bool))
    except (ValueError, TypeError):
        maybe = np.arange(values.shape[0])
    nested[maybe] = [_holds_many(v) for v in values[maybe].tolist()]
    return nested


def _holds_many(value: Any) -> bool:
    """A cell holding a container (a list, a mapping, an array, a Series), not a value."""
    if isinstance(value, str | bytes):
        return False
    return isinstance(value, Mapping | Iterable | np.ndarray) or hasattr(value, "__len__")


def read_only(values: npt.NDArray[Any], dtype: Any = np.float64) -> npt.NDArray[Any]:
    """A copy of ``values`` over an immutable ``bytes`` buffer: no one can make it
    writeable, reach a writeable array under it (numpy lets any view of a writeable array
    be unlocked, and ``.base.obj`` leads back to it), or change what later evaluators read.
    One copy a column, made once when the data is read."""
    return np.frombuffer(np.ascontiguousarray(values, dtype=dtype).tobytes(), dtype=dtype)


def repeated(names: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return sorted(shorten(name) for name, count in counts.items() if count > 1)


def frame_column(name: str, series: Any, key: bool = False) -> npt.NDArray[Any]:
    """A frame's column as numpy: numbers as float64 (NaN where null), keys as given
    (entity codes 101, 102 in a nullable integer column stay 101, 102; dates stay dates,
    a missing one empty)."""
    if series.dtype.is_temporal():
        values = np.empty(len(series), dtype=object)
        values[:] = series.to_list()
        return values
    if series.dtype.is_nested():  # a struct, list or array column: many values a row
        raise DataError(Problem(f"must hold one value a row; the column is of type "
                                f"{series.dtype}", column=name))
    values = series.to_numpy()
    if key and series.dtype.is_integer() and values.dtype.kind == "f":
        nulls = series.is_null().to_numpy()
        kept = series.fill_null(0).to_numpy().astype(object)
        kept[nulls] = None
        return np.asarray(kept)
    return np.asarray(values)


def as_float(values: npt.NDArray[Any], *, flags: bool = False
              ) -> tuple[FloatArray, npt.NDArray[np.bool_], str]:
    """float64 values (NaN where empty), a mask of rows that are not numbers, and what they
    are; booleans count as numbers only with ``flags``."""
    n = values.shape[0]
    kind = values.dtype.kind
    if kind == "b" and not flags:
        return np.full(n, np.nan), np.ones(n, dtype=bool), "true/false"
    if kind in "fiub":
        return values.astype(np.float64, copy=False), np.zeros(n, dtype=bool), ""
    if kind in "US":
        return np.full(n, np.nan), np.ones(n, dtype=bool), "text"
    if kind == "c":
        return np.full(n, np.nan), np.ones(n, dtype=bool), "complex numbers"
    result = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    found: set[str] = set()
    for i, value in enumerate(values):  # object columns only: lists of records, mixed input
        if isinstance(value, bool | np.bool_) and not flags:
            bad[i] = True
            found.add("true/false")
        elif isinstance(value, numbers.Real | decimal.Decimal):
            try:
                result[i] = float(value)
            except OverflowError:  # an int beyond the float range
                result[i] = math.inf if value > 0 else -math.inf  # type: ignore[operator]
            except ValueError:  # Decimal('sNaN'): no number at all
                bad[i] = True
                found.add("a signalling NaN")
        elif not is_empty(value, text=False):
            bad[i] = True
            found.add("text")
    return result, bad, " and ".join(sorted(found, key=["text", "true/false",
                                                        "a signalling NaN"].index))
