"""The caller's data as columns: read without copying where possible, checked against the rules.

Accepts any DataFrame narwhals reads (pandas, polars, pyarrow, modin, and subclasses of
them), a mapping of column name -> array-like, or a list of dicts. Evaluator inputs become read-only float64 arrays (NaN = empty); the entity, period
and group columns keep the caller's values. Every problem of the data set is collected and
raised together as one :class:`DataError`; the caller's data is never modified.
"""

from __future__ import annotations

import dataclasses
import decimal
import math
import numbers
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import numpy.typing as npt
from narwhals.dependencies import is_pandas_like_series
from narwhals.exceptions import DuplicateError

from ..errors import DataError, PeriodError, Problem, did_you_mean, shorten, shown
from ..keys import MAX_ROWS_SHOWN, describe_rows, duplicated, empty_mask, population_codes
from ..periods import normalise_periods
from ..plugins.evaluator import FloatArray
from ..rules.model import FieldSpec, RuleSet
from ..values import is_empty

__all__ = ["Table", "field_problems", "read_only", "read_table"]

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
    source: str | None = None
    """The file the rows were read from, where they were."""
    lines: npt.NDArray[np.int64] | None = None
    """The file line each row starts on, where the rows come from a file."""

    def describe_rows(self, mask: npt.NDArray[np.bool_], entity: str,
                      period: str | None) -> tuple[str, ...]:
        """``line 7 (branch=A, month=2024-01)`` (or ``row 5 (...)``) for the first rows."""
        return describe_rows(np.flatnonzero(mask), self.entity, self.period, entity, period,
                             self.lines)


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
            problems.append(Problem(f"is missing (the rule set's {role} column)"
                                    f"{_near_heading(name, raw.names)}", column=name))
    entity, period, group = keys["entity"], keys["period"], keys["group_by"]

    source, lines = _origin(data, raw.n_rows)

    def rows_text(mask: npt.NDArray[np.bool_]) -> tuple[str, ...]:
        return describe_rows(np.flatnonzero(mask), entity, period, rules.entity, rules.period,
                             lines)

    for name, values in ((rules.entity, entity), (rules.period, period), (rules.group_by, group)):
        if values is not None and name is not None:
            nested = _nested(values)
            if nested.any():
                problems.append(Problem("must hold one value a row; found lists or tables",
                                        column=name, rows=rows_text(nested)))
                continue
            empty = empty_mask(values)
            if empty.any():
                problems.append(Problem("must have a value in every row", column=name,
                                        rows=rows_text(empty)))
            elif values is period:  # one month is one period however it was written
                try:
                    period = normalise_periods(period, rows_text, name)
                except PeriodError as exc:
                    problems.extend(exc.problems)
            else:
                problems.extend(_lookalike_keys(name, values, rows_text))

    needed = rules.columns_needed()
    columns: dict[str, FloatArray] = {}
    for name, readers in needed.items():
        values = raw.get(name)
        if values is None:
            spec = rules.fields.get(name)
            title = f"; declared as {spec.title!r}" if spec is not None and spec.title else ""
            problems.append(Problem(f"is missing (needed by {', '.join(readers)}){title}"
                                    f"{_near_heading(name, raw.names)}",
                                    column=name))
            continue
        absent = raw.absent(name)
        if absent.any():  # a key left out of a record is no "no value": a misspelt key, say
            problems.append(Problem("is left out of some records; write null (None) where a "
                                    "record has no value", column=name, rows=rows_text(absent)))
            continue
        spec = rules.fields.get(name)
        numbers = _numbers(name, values, rows_text, problems,
                           flags=spec is not None and spec.type == "bool")
        if numbers is None:
            continue
        infinite = np.isinf(numbers)
        if infinite.any():
            problems.append(Problem("must be finite; found infinity", column=name,
                                    rows=rows_text(infinite)))
        columns[name] = read_only(numbers)  # evaluators must not write into the inputs

    for name, spec in rules.fields.items():
        if name in needed:
            if name in columns:
                problems.extend(field_problems(name, spec, columns[name], rows_text))
            continue  # else already reported missing or unreadable
        given = raw.get(name)
        if given is None:
            if not spec.optional:
                problems.append(Problem("is missing (declared under fields)"
                                        f"{_near_heading(name, raw.names)}", column=name))
        elif spec.type != "str":
            numbers = _numbers(name, given, rows_text, problems, flags=spec.type == "bool")
            if numbers is not None:
                problems.extend(field_problems(name, spec, numbers, rows_text))

    if entity is not None and not problems:
        repeated = duplicated(entity, period)
        if repeated.any():
            what = f"({rules.entity}, {rules.period})" if rules.period else rules.entity
            problems.append(Problem(f"each {what} must appear once; found repeats",
                                    column=rules.entity, rows=rows_text(repeated)))
    if problems:
        raise DataError([p if p.file is not None else dataclasses.replace(p, file=source)
                         for p in problems])
    assert entity is not None
    groups, n_groups = population_codes(raw.n_rows, period, group)
    groups = read_only(groups, np.int64)  # evaluators see them: nobody may regroup the rows
    return Table(raw.n_rows, entity, period, group, columns, groups, n_groups, source, lines)


def _lookalike_keys(name: str, values: npt.NDArray[Any], rows_text: RowsText) -> list[Problem]:
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


def _heading_key(name: str) -> str:
    """A heading as people mean it: full-width forms, spaces and case set aside."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _near_heading(name: str, headings: Iterable[str]) -> str:
    """"; the data has ' Rate ' (…)" for a heading that differs only in spaces, full-width
    forms or case; else a did-you-mean for a near miss; else nothing."""
    same = [h for h in headings if _heading_key(h) == _heading_key(name)]
    if same:
        return (f"; the data has {shown(same[0])}, which differs only in spaces, full-width "
                "forms or case: headings are matched exactly")
    return did_you_mean(name, headings)


def _origin(data: Any, n_rows: int) -> tuple[str | None, npt.NDArray[np.int64] | None]:
    """The file the data was read from and each row's line, where it says (read_data)."""
    source = getattr(data, "file", None)
    lines = getattr(data, "lines", None)
    if not isinstance(source, str):
        source = None
    if not isinstance(lines, list) or len(lines) != n_rows:
        return source, None
    return source, np.asarray(lines, dtype=np.int64)


def _numbers(
    name: str, values: npt.NDArray[Any], rows_text: RowsText, problems: list[Problem],
    *, flags: bool = False,
) -> FloatArray | None:
    """float64 values of a column, or None after recording why it has none.

    One rule on every path (CSV, JSON, records, mappings, frames): true/false are numbers
    only in a field declared ``type: bool`` (as 1 and 0).
    """
    numbers, bad, found = _as_float(values, flags=flags)
    if bad.any():
        hint = ("; declare the field `type: bool` to read true/false as 1/0"
                if "true/false" in found else "")
        problems.append(Problem(f"must hold numbers; found {found}{hint}", column=name,
                                rows=rows_text(bad)))
        return None
    return numbers


def field_problems(
    name: str, spec: FieldSpec, numbers: FloatArray, rows_text: RowsText
) -> list[Problem]:
    """What a declared field's checks (empty, min, max, int, bool) find in ``numbers``."""
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
                 n_rows: int,
                 absent: Callable[[str], npt.NDArray[np.bool_]] | None = None) -> None:
        self._getter = getter
        self._absent = absent
        self.names = set(names)
        self.n_rows = n_rows

    def absent(self, name: str) -> npt.NDArray[np.bool_]:
        """Rows (records) that do not hold ``name`` at all: only records can lack one."""
        if self._absent is None:
            return np.zeros(self.n_rows, dtype=bool)
        return self._absent(name)

    def get(self, name: str, *, key: bool = False) -> npt.NDArray[Any] | None:
        """A column's values; ``key=True`` keeps the caller's values (no float conversion)."""
        return self._getter(name, key) if name in self.names else None

    @classmethod
    def of(cls, data: Any) -> _RawColumns:
        try:
            frame = nw.from_native(data, eager_only=True, pass_through=True)
        except DuplicateError:  # narwhals refuses repeated names: say which
            names = getattr(data, "column_names", None) or list(data.columns)
            raise DataError(Problem(f"column names must be unique; repeated: "
                                    f"{_repeated([str(n) for n in names])}")) from None
        if isinstance(frame, nw.DataFrame):  # pandas, polars, pyarrow, modin, ... and subclasses
            labels = {str(c): c for c in frame.columns}
            if len(labels) != len(frame.columns):  # 1 and "1" are one name to a rule file
                raise DataError(Problem(f"column names must be unique; repeated: "
                                        f"{_repeated([str(c) for c in frame.columns])}"))
            return cls(lambda n, key: _frame_column(n, frame.get_column(labels[n]), key), labels,
                       len(frame))
        if isinstance(data, Mapping):
            arrays = {str(k): _as_array(str(k), v) for k, v in _aligned(data).items()}
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
                       len(data), lambda n: np.fromiter((not _has(r, n) for r in data),
                                                        dtype=bool, count=len(data)))
        raise DataError(Problem(
            "data must be a pandas or polars DataFrame (or any frame narwhals reads: Arrow, "
            "modin, ...), a mapping of column -> values, or a list of records; got "
            f"{type(data).__name__}"))


def _has(record: Mapping[Any, Any], name: str) -> bool:
    return name in record or any(str(k) == name for k in record)


def _field(record: Mapping[Any, Any], name: str) -> Any:
    if name in record:
        return record[name]
    return next((v for k, v in record.items() if str(k) == name), None)


def _aligned(data: Mapping[Any, Any]) -> Mapping[Any, Any]:
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


def _as_array(name: str, values: Any) -> npt.NDArray[Any]:
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
    if _nested(array).any():
        raise DataError(Problem("must hold one value a row; found lists or tables inside it",
                                column=name))
    return array


def _nested(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
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


def _repeated(names: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return sorted(shorten(name) for name, count in counts.items() if count > 1)


def _frame_column(name: str, series: Any, key: bool = False) -> npt.NDArray[Any]:
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


def _as_float(values: npt.NDArray[Any], *, flags: bool = False
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
