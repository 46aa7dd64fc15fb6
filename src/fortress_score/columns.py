"""The caller's data as columns: read without copying where possible, checked against the rules.

Accepts a pandas or polars DataFrame, a mapping of column name -> array-like, or a list of
dicts. Evaluator inputs become read-only float64 arrays (NaN = empty); the entity, period
and group columns keep the caller's values. Every problem of the data set is collected and
raised together as one :class:`DataError`; the caller's data is never modified.
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import DataError, Problem
from .evaluator import FloatArray
from .rules import FieldSpec, RuleSet

__all__ = ["Table", "describe_rows", "read_table"]

MAX_ROWS_SHOWN = 5
"""How many offending rows a problem lists before it says "and N more"."""

RowsText = Callable[[npt.NDArray[np.bool_]], tuple[str, ...]]


@dataclass(frozen=True)
class Table:
    """The scored rows: keys as the caller gave them, evaluator inputs as float64."""

    n_rows: int
    entity: npt.NDArray[Any]
    period: npt.NDArray[Any] | None
    group: npt.NDArray[Any] | None
    columns: dict[str, FloatArray]
    groups: npt.NDArray[np.int64]
    """Peer population code a row: same period and same group value."""
    n_groups: int


def describe_rows(
    rows: npt.NDArray[np.intp],
    entity_values: npt.NDArray[Any] | None,
    period_values: npt.NDArray[Any] | None,
    entity: str,
    period: str | None,
) -> tuple[str, ...]:
    """``row 3 (branch=A, month=2024-01)`` for the first few rows; positions count from 0."""
    shown = []
    for row in rows[:MAX_ROWS_SHOWN]:
        keys = []
        if entity_values is not None:
            keys.append(f"{entity}={_text(entity_values[row])}")
        if period_values is not None and period is not None:
            keys.append(f"{period}={_text(period_values[row])}")
        shown.append(f"row {int(row)} ({', '.join(keys)})" if keys else f"row {int(row)}")
    if len(rows) > MAX_ROWS_SHOWN:
        shown.append(f"and {len(rows) - MAX_ROWS_SHOWN} more")
    return tuple(shown)


def _text(value: Any) -> str:
    return "None" if _is_empty(value) else str(value)


def read_table(data: Any, rules: RuleSet) -> Table:
    """Columns for scoring ``rules``, or a DataError listing every problem of ``data``."""
    raw = _RawColumns.of(data)
    if raw.n_rows == 0:
        raise DataError(Problem("the data has no rows; there is nothing to score"))
    problems: list[Problem] = []

    keys: dict[str, npt.NDArray[Any] | None] = {}
    for role, name in (("entity", rules.entity), ("period", rules.period),
                       ("group_by", rules.group_by)):
        keys[role] = None if name is None else raw.get(name, key=True)
        if name is not None and keys[role] is None:
            problems.append(Problem(f"is missing (the rule set's {role} column)", column=name))
    entity, period, group = keys["entity"], keys["period"], keys["group_by"]

    def rows_text(mask: npt.NDArray[np.bool_]) -> tuple[str, ...]:
        return describe_rows(np.flatnonzero(mask), entity, period, rules.entity, rules.period)

    for name, values in ((rules.entity, entity), (rules.period, period), (rules.group_by, group)):
        if values is not None and name is not None:
            empty = _empty_mask(values)
            if empty.any():
                problems.append(Problem("must have a value in every row", column=name,
                                        rows=rows_text(empty)))

    needed = rules.columns_needed()
    columns: dict[str, FloatArray] = {}
    for name, readers in needed.items():
        values = raw.get(name)
        if values is None:
            spec = rules.fields.get(name)
            title = f"; declared as {spec.title!r}" if spec is not None and spec.title else ""
            problems.append(Problem(f"is missing (needed by {', '.join(readers)}){title}",
                                    column=name))
            continue
        numbers = _numbers(name, values, rows_text, problems)
        if numbers is None:
            continue
        infinite = np.isinf(numbers)
        if infinite.any():
            problems.append(Problem("must be finite; found infinity", column=name,
                                    rows=rows_text(infinite)))
        view = numbers.view()  # never the caller's array object itself
        view.flags.writeable = False  # evaluators must not write into the inputs
        columns[name] = view

    for name, spec in rules.fields.items():
        if name in needed:
            if name in columns:
                problems.extend(_field_problems(name, spec, columns[name], rows_text))
            continue  # else already reported missing or unreadable
        given = raw.get(name)
        if given is None:
            if not spec.optional:
                problems.append(Problem("is missing (declared under fields)", column=name))
        elif spec.type != "str":
            numbers = _numbers(name, given, rows_text, problems)
            if numbers is not None:
                problems.extend(_field_problems(name, spec, numbers, rows_text))

    if entity is not None and not problems:
        duplicated = _duplicated(entity, period)
        if duplicated.any():
            what = f"({rules.entity}, {rules.period})" if rules.period else rules.entity
            problems.append(Problem(f"each {what} must appear once; found repeats",
                                    column=rules.entity, rows=rows_text(duplicated)))
    if problems:
        raise DataError(problems)
    assert entity is not None
    groups, n_groups = _population_codes(raw.n_rows, period, group)
    return Table(raw.n_rows, entity, period, group, columns, groups, n_groups)


def _numbers(
    name: str, values: npt.NDArray[Any], rows_text: RowsText, problems: list[Problem]
) -> FloatArray | None:
    """float64 values of a column, or None after recording why it has none."""
    numbers, bad, found = _as_float(values)
    if bad.any():
        problems.append(Problem(f"must hold numbers; found {found}", column=name,
                                rows=rows_text(bad)))
        return None
    return numbers


def _field_problems(
    name: str, spec: FieldSpec, numbers: FloatArray, rows_text: RowsText
) -> list[Problem]:
    problems = []
    empty = np.isnan(numbers)
    if not spec.optional and empty.any():
        problems.append(Problem("must have a value in every row (not declared optional)",
                                column=name, rows=rows_text(empty)))
    with np.errstate(invalid="ignore"):
        if spec.min is not None and (numbers < spec.min).any():
            problems.append(Problem(f"must be >= {spec.min:g}", column=name,
                                    rows=rows_text(numbers < spec.min)))
        if spec.max is not None and (numbers > spec.max).any():
            problems.append(Problem(f"must be <= {spec.max:g}", column=name,
                                    rows=rows_text(numbers > spec.max)))
        if spec.type == "int":
            fraction = ~empty & (numbers != np.floor(numbers))
            if fraction.any():
                problems.append(Problem("must hold whole numbers (type int)", column=name,
                                        rows=rows_text(fraction)))
        if spec.type == "bool":
            not_bool = ~empty & (numbers != 0) & (numbers != 1)
            if not_bool.any():
                problems.append(Problem("must hold 0/1 or true/false (type bool)", column=name,
                                        rows=rows_text(not_bool)))
    return problems


class _RawColumns:
    """Column access over the accepted input shapes, without importing pandas or polars."""

    def __init__(self, getter: Callable[[str, bool], npt.NDArray[Any]], names: Iterable[str],
                 n_rows: int) -> None:
        self._getter = getter
        self.names = set(names)
        self.n_rows = n_rows

    def get(self, name: str, *, key: bool = False) -> npt.NDArray[Any] | None:
        """A column's values; ``key=True`` keeps the caller's values (no float conversion)."""
        return self._getter(name, key) if name in self.names else None

    @classmethod
    def of(cls, data: Any) -> _RawColumns:
        module = type(data).__module__.split(".")[0]
        if module == "pandas" and hasattr(data, "columns"):
            labels = {str(c): c for c in data.columns}
            if len(labels) != len(data.columns):
                names = [str(c) for c in data.columns]
                repeated = sorted({n for n in names if names.count(n) > 1})
                raise DataError(Problem(f"column names must be unique; repeated: {repeated}"))
            return cls(lambda n, key: _pandas_column(data[labels[n]], key), labels, len(data))
        if module == "polars" and hasattr(data, "get_column"):
            return cls(lambda n, key: data.get_column(n).to_numpy(), list(data.columns), data.height)
        if module == "pyarrow" and hasattr(data, "column_names"):
            return cls(lambda n, key: data.column(n).to_numpy(zero_copy_only=False),
                       list(data.column_names), data.num_rows)
        if isinstance(data, Mapping):
            arrays = {str(k): _as_array(str(k), v) for k, v in data.items()}
            lengths = {k: a.shape[0] for k, a in arrays.items()}
            if len(set(lengths.values())) > 1:
                raise DataError(Problem(f"columns must have one length; got {lengths}"))
            return cls(lambda n, key: arrays[n], arrays, next(iter(lengths.values()), 0))
        if isinstance(data, Sequence) and not isinstance(data, str | bytes):
            bad = [i for i, record in enumerate(data) if not isinstance(record, Mapping)]
            if bad:
                raise DataError(Problem(
                    f"a list of records must hold mappings; rows {bad[:MAX_ROWS_SHOWN]} do not"))
            names = list(dict.fromkeys(str(k) for record in data for k in record))
            return cls(lambda n, key: _as_array(n, [_field(record, n) for record in data]), names,
                       len(data))
        raise DataError(Problem(
            "data must be a pandas or polars DataFrame, an Arrow table, a mapping of column -> "
            f"values, or a list of records; got {type(data).__name__}"))


def _field(record: Mapping[Any, Any], name: str) -> Any:
    if name in record:
        return record[name]
    return next((v for k, v in record.items() if str(k) == name), None)


def _as_array(name: str, values: Any) -> npt.NDArray[Any]:
    """A 1-d array of a column's values; text and scalars are not columns."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise DataError(Problem(f"must be a sequence of values, one a row; got "
                                f"{type(values).__name__}", column=name))
    if not isinstance(values, np.ndarray | Sequence):
        values = list(values)  # generators, pandas/polars series handled as sequences
    array = np.asarray(values) if not isinstance(values, np.ndarray) else values
    mixed_text = array.dtype.kind in "US" and not all(isinstance(v, str) for v in values)
    if array.ndim != 1 or mixed_text:
        array = np.empty(len(values), dtype=object)  # [1.5, "n/a"] must not become all text
        array[:] = list(values)
    return array


def _pandas_column(series: Any, key: bool = False) -> npt.NDArray[Any]:
    dtype = series.dtype
    kind = getattr(dtype, "kind", "O")
    if kind in "fiub" and not hasattr(dtype, "na_value"):
        return series.to_numpy(copy=False)  # plain numpy dtype: a view, no copy
    if key:  # entity codes 101, 102 in a nullable Int64 column stay 101, 102
        return series.to_numpy(dtype=object, na_value=None)
    if kind in "fiub":  # nullable Int64, Float64, boolean
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return series.to_numpy(dtype=object)


def _empty_mask(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "U":
        return np.char.strip(values) == ""
    if values.dtype.kind == "O":
        return np.fromiter((_is_empty(v) for v in values), dtype=bool, count=len(values))
    return np.zeros(len(values), dtype=bool)


def _is_empty(value: Any) -> bool:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def _as_float(values: npt.NDArray[Any]) -> tuple[FloatArray, npt.NDArray[np.bool_], str]:
    """float64 values (NaN where empty), a mask of rows that are not numbers, and what they are."""
    n = values.shape[0]
    kind = values.dtype.kind
    if kind in "fiub":
        return values.astype(np.float64, copy=False), np.zeros(n, dtype=bool), ""
    if kind in "US":
        return np.full(n, np.nan), np.ones(n, dtype=bool), "text"
    if kind == "c":
        return np.full(n, np.nan), np.ones(n, dtype=bool), "complex numbers"
    result = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    for i, value in enumerate(values):  # object columns only: lists of records, mixed input
        if isinstance(value, numbers.Real | decimal.Decimal):
            try:
                result[i] = float(value)
            except OverflowError:  # an int beyond the float range
                result[i] = math.inf if value > 0 else -math.inf  # type: ignore[operator]
        elif not (value is None or type(value).__name__ in ("NAType", "NaTType")):
            bad[i] = True
    return result, bad, "text"


def _key_codes(values: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], int]:
    keys = values if values.dtype.kind in "iufUSb" else values.astype(str)
    uniques, codes = np.unique(keys, return_inverse=True)
    return codes.astype(np.int64).reshape(-1), int(uniques.shape[0])


def _population_codes(
    n_rows: int, period: npt.NDArray[Any] | None, group: npt.NDArray[Any] | None
) -> tuple[npt.NDArray[np.int64], int]:
    present = [values for values in (period, group) if values is not None]
    if not present:
        return np.zeros(n_rows, dtype=np.int64), 1
    if len(present) == 1:
        return _key_codes(present[0])  # already dense: no second sort
    period_codes, _ = _key_codes(present[0])
    group_codes, n_group = _key_codes(present[1])
    uniques, dense = np.unique(period_codes * n_group + group_codes, return_inverse=True)
    return dense.astype(np.int64).reshape(-1), int(uniques.shape[0])


def _duplicated(entity: npt.NDArray[Any], period: npt.NDArray[Any] | None) -> npt.NDArray[np.bool_]:
    """Rows whose (entity, period) appeared in an earlier row."""
    codes, n_entity = _key_codes(entity)
    if period is not None:
        period_codes, _ = _key_codes(period)
        codes = period_codes * n_entity + codes
    _, first = np.unique(codes, return_index=True)
    repeated = np.ones(codes.shape[0], dtype=bool)
    repeated[first] = False
    return repeated
