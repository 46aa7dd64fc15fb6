"""The caller's data as columns: read without copying where possible, checked against the rules.

Accepts any DataFrame narwhals reads (pandas, polars, pyarrow, modin, and subclasses of
them), a mapping of column name -> array-like, or a list of dicts. Evaluator inputs become read-only float64 arrays (NaN = empty); the entity, period
and group columns keep the caller's values. Every problem of the data set is collected and
raised together as one :class:`DataError`; the caller's data is never modified.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import numpy.typing as npt
from narwhals.exceptions import DuplicateError

from ..errors import DataError, PeriodError, Problem, did_you_mean, shown
from ..keys import MAX_ROWS_SHOWN, describe_rows, duplicated, empty_mask, population_codes
from ..periods import normalise_periods
from ..plugins.evaluator import FloatArray
from ..rules.model import FieldSpec, RuleSet
from .cells import (
    aligned,
    as_array,
    as_float,
    field_of,
    frame_column,
    has_key,
    lookalike_keys,
    nested,
    read_only,
    repeated,
)
from .headings import heading_key

__all__ = ["Table", "field_problems", "read_table"]

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
    """The file line each row starts on (or its sheet row), where the rows come from a file."""
    line_word: str = "line"
    """How :attr:`lines` are named: ``line``, or ``Sheet1 row`` for a workbook's rows."""
    labels: dict[str, npt.NDArray[Any]] = dataclasses.field(default_factory=dict)
    """Columns ``applies_to`` compares with listed values, as the caller gave them."""

    def describe_rows(self, mask: npt.NDArray[np.bool_], entity: str,
                      period: str | None) -> tuple[str, ...]:
        """``line 7 (branch=A, month=2024-01)`` (or ``row 5 (...)``) for the first rows."""
        return describe_rows(np.flatnonzero(mask), self.entity, self.period, entity, period,
                             self.lines, self.line_word)


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
    line_word = str(getattr(data, "line_word", "line"))

    def rows_text(mask: npt.NDArray[np.bool_]) -> tuple[str, ...]:
        return describe_rows(np.flatnonzero(mask), entity, period, rules.entity, rules.period,
                             lines, line_word)

    for name, values in ((rules.entity, entity), (rules.period, period), (rules.group_by, group)):
        if values is not None and name is not None:
            holds_many = nested(values)
            if holds_many.any():
                problems.append(Problem("must hold one value a row; found lists or tables",
                                        column=name, rows=rows_text(holds_many)))
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
                problems.extend(lookalike_keys(name, values, rows_text))

    needed = rules.data_columns_needed()  # derived fields: the columns their formulas read
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

    labels: dict[str, npt.NDArray[Any]] = {}
    for name, readers in rules.label_columns().items():
        values = raw.get(name, key=True)
        if values is None:
            problems.append(Problem(f"is missing (needed by applies_to of {', '.join(readers)})"
                                    f"{_near_heading(name, raw.names)}", column=name))
            continue
        empty = empty_mask(values)
        if empty.any():
            problems.append(Problem("must have a value in every row: applies_to reads it",
                                    column=name, rows=rows_text(empty)))
        labels[name] = values

    for name, formula in rules.derived_fields().items():
        if raw.get(name) is not None:
            problems.append(Problem("is derived by its formula (under fields), and the data "
                                    "gives it too; rename one of them", column=name))
        elif formula.names <= columns.keys():  # else a column it reads is reported above
            columns[name] = read_only(formula.evaluate(
                {used: columns[used] for used in formula.names}, raw.n_rows))

    for name, spec in rules.fields.items():
        if spec.formula is not None:
            continue  # derived, not read
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
    return Table(raw.n_rows, entity, period, group, columns, groups, n_groups, source, lines,
                 line_word, labels)


def _near_heading(name: str, headings: Iterable[str]) -> str:
    """"; the data has ' Rate ' (…)" for a heading that differs only in spaces, full-width
    forms or case; else a did-you-mean for a near miss; else nothing."""
    same = [h for h in headings if heading_key(h) == heading_key(name)]
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
    numbers, bad, found = as_float(values, flags=flags)
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
                                    f"{repeated([str(n) for n in names])}")) from None
        if isinstance(frame, nw.DataFrame):  # pandas, polars, pyarrow, modin, ... and subclasses
            labels = {str(c): c for c in frame.columns}
            if len(labels) != len(frame.columns):  # 1 and "1" are one name to a rule file
                raise DataError(Problem(f"column names must be unique; repeated: "
                                        f"{repeated([str(c) for c in frame.columns])}"))
            return cls(lambda n, key: frame_column(n, frame.get_column(labels[n]), key), labels,
                       len(frame))
        if isinstance(data, Mapping):
            arrays = {str(k): as_array(str(k), v) for k, v in aligned(data).items()}
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
            return cls(lambda n, key: as_array(n, [field_of(record, n) for record in data]), names,
                       len(data), lambda n: np.fromiter((not has_key(r, n) for r in data),
                                                        dtype=bool, count=len(data)))
        raise DataError(Problem(
            "data must be a pandas or polars DataFrame (or any frame narwhals reads: Arrow, "
            "modin, ...), a mapping of column -> values, or a list of records; got "
            f"{type(data).__name__}"))


