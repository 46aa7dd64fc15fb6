"""A 评分细则 workbook read back into a rule set: the machine columns only, every problem
placed at its cell (``评分细则!H7``), all at once.

python-calamine reads: the ``excel`` extra, imported when used.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, RuleFileError, did_you_mean, shown
from ..sheets import column_letters, missing_extra
from .file import Loc, format_path
from .model import Evaluators, RuleSet
from .sheet_layout import (
    ADJUSTMENTS,
    BENCHMARK,
    COMMENDATIONS,
    FIELDS,
    MAIN,
    RATINGS,
    SETTING_ROWS,
    SETTINGS,
    SHEETS,
    VETOES,
    Sheet,
    SheetError,
    Unreadable,
    is_empty,
)
from .weighting import derived_cells

__all__ = ["import_rules"]

MAX_WORKBOOK_BYTES = 16 * 1024 * 1024
"""A rule workbook larger than this is refused: a 500-indicator one is about 100 kB."""


def import_rules(path: str | os.PathLike[str], *,
                 evaluators: Evaluators | None = None) -> RuleSet:
    """Read a workbook written by :func:`export_rules` (and edited) back into a rule set.

    Only the machine columns are read (ids, numbers, the 参数 tables, the settings); the
    words beside them are not. A dimension is a run of rows with one 维度编号; its name and
    weight may repeat on each row (they must then agree) or be left empty after the first.
    Sheets other than 评分细则 and 设置 may be left out (no adjustments, no vetoes, ...).

    Args:
        path: the workbook (``.xlsx``; whatever python-calamine reads).
        evaluators: the evaluators the rules are checked against (default: the default
            registry's, as :func:`fortress_score.load_rules`).

    Raises:
        MissingExtraError: python-calamine is not installed.
        SheetError: every problem of the workbook, each naming its cell (``评分细则!H7``)
            and, where it is the rule set's, its rule path.
        PluginError: an evaluator's own check of its params raised.
    """
    name = os.fspath(path)
    reader = _Reader(name, _read_book(name))
    data = reader.rule_data()
    context = None if evaluators is None else {"evaluators": evaluators}
    rules = None
    try:
        if not reader.missing:  # else validation would only say it again, key by key
            rules = RuleSet.model_validate(data, context=context)
    except RuleFileError as exc:  # shown with the sheet's own problems, by cell
        reader.problems += [p for p in map(reader.placed, exc.problems)
                            if p.cell is None or p.cell not in reader.bad]
    if rules is not None:
        reader.check_shown(rules)
    if rules is None or reader.problems:
        raise SheetError(sorted(dict.fromkeys(reader.problems), key=_cell_order))
    return rules


def _read_book(name: str) -> dict[str, list[list[Any]]]:
    """The cells of the sheets this module knows, from A1."""
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - the extra is installed for the tests
        raise missing_extra("reading a rule workbook", "python-calamine") from None
    try:
        size = os.path.getsize(name)
    except OSError as exc:
        raise SheetError(Problem(f"cannot read the workbook: {exc.strerror or exc}",
                                 file=name)) from None
    if size > MAX_WORKBOOK_BYTES:
        raise SheetError(Problem(f"is {size:,} bytes; a rule workbook is refused above "
                                 f"{MAX_WORKBOOK_BYTES:,}", file=name))
    try:
        book = python_calamine.CalamineWorkbook.from_path(name)
    except Exception as exc:  # noqa: BLE001 - the reader's errors are not one class
        raise SheetError(Problem(f"cannot read the workbook: {exc}", file=name)) from None
    known = {sheet.name for sheet in SHEETS}
    try:
        return {sheet: book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                for sheet in book.sheet_names if sheet in known}
    except Exception as exc:  # noqa: BLE001
        raise SheetError(Problem(f"cannot read the workbook: {exc}", file=name)) from None
    finally:
        book.close()


_RULE_PATH = re.compile(
    r"\b(?:dimensions|adjustments|vetoes|ratings|commendations)\[\d+\](?:\.[A-Za-z_]+|\[\d+\])*")


@dataclass
class _Row:
    values: dict[str, Any]
    """Dotted key -> value read (empty cells left out)."""
    cells: dict[str, str]
    """Dotted key -> its cell, such as 评分细则!H7."""


class _Reader:
    """Reads the sheets into rule-file data, keeping the cell of every rule path."""

    def __init__(self, file: str, sheets: dict[str, list[list[Any]]]) -> None:
        self.file = file
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.cells: dict[str, str] = {}
        """format_path(loc) -> the cell it was read from."""
        self.bad: set[str] = set()
        """Cells with a problem already: validation's view of them is not shown as well."""
        self.missing = False
        """A sheet (or a heading) the rule set cannot do without is missing."""
        self.shown: dict[tuple[str, str], Any] = {}
        """Weights a ``weighting`` method derives, as the workbook shows them (not read)."""

    def problem(self, cell: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.file, cell=cell))
        self.bad.add(cell)

    def check_shown(self, rules: RuleSet) -> None:
        """A weight a method derives is shown in the workbook, not read: an edited one is a
        problem (it would be ignored), named at its cell."""
        derived = rules.derived_weights()
        for (place, path), value in self.shown.items():
            cell = self.cells.get(path, SETTINGS.name)
            if place not in derived:  # weighed by the data: the cell stays empty
                self.problem(cell, f"is derived from each period's data by the weighting "
                                   f"method, so it is left empty; found {shown(value)}")
            elif not math.isclose(value, round(derived[place], 4), abs_tol=1e-9):
                self.problem(cell, f"is derived by the weighting method "
                                   f"({round(derived[place], 4):g}) and not read back; found "
                                   f"{shown(value)}: change the judgements, or remove the "
                                   "method from the weighting row and write the weights")

    def place(self, loc: Loc, cell: str) -> None:
        self.cells.setdefault(format_path(loc), cell)

    def placed(self, problem: Problem) -> Problem:
        """A validation problem with the cell its rule path was read from."""
        path = problem.path or ""
        best = max((known for known in self.cells
                    if path == known or path.startswith((known + ".", known + "["))),
                   key=len, default=None)
        message = _RULE_PATH.sub(  # "already used by dimensions[0]": and where that is
            lambda m: f"{m[0]} ({self.cells[m[0]]})" if m[0] in self.cells else m[0],
            problem.message)
        if best is None and path in SETTING_ROWS:
            message += f" (a row {path!r} in sheet {SETTINGS.name})"
        return dataclasses.replace(problem, message=message, file=self.file,
                                   cell=self.cells[best] if best is not None else None)

    def rows(self, sheet: Sheet, *, required: bool = False) -> Iterator[_Row]:
        grid = self.sheets.get(sheet.name)
        if grid is None:
            if required:
                self.missing = True
                self.problems.append(Problem(
                    f"has no sheet {sheet.name}; its sheets are {sorted(self.sheets)}",
                    file=self.file))
            return
        headings = [str(h).strip() if not is_empty(h) else "" for h in (grid[0] if grid else [])]
        where: dict[str, int] = {}
        for c, heading in enumerate(headings):
            if heading in where and any(col.heading == heading for col in sheet.read):
                self.problem(f"{sheet.name}!{column_letters(c)}1",
                             f"heading {heading} is given twice (also {column_letters(where[heading])}1)")
            where.setdefault(heading, c)
        absent = [col.heading for col in sheet.read if col.heading not in where]
        if absent:
            self.missing = self.missing or required
            self.problem(f"{sheet.name}!1:1", f"has no column {', '.join(absent)}; the headings "
                         f"must include {', '.join(col.heading for col in sheet.read)}")
            return
        for r, line in enumerate(grid[1:], start=2):
            if all(is_empty(v) for v in line):
                continue
            row = _Row({}, {})
            for column in sheet.read:
                assert column.key is not None
                c = where[column.heading]
                cell = f"{sheet.name}!{column_letters(c)}{r}"
                row.cells[column.key] = cell
                value = line[c] if c < len(line) else None
                if is_empty(value):
                    continue
                try:
                    row.values[column.key] = column.read(value)
                except Unreadable as exc:
                    self.problem(cell, f"{column.heading} {exc}")
            yield row

    def records(self, sheet: Sheet, key: str) -> list[dict[str, Any]]:
        """A list sheet: one rule a row, dotted keys nested."""
        records = []
        for i, row in enumerate(self.rows(sheet)):
            self.place((key, i), next(iter(row.cells.values())))
            record: dict[str, Any] = {}
            for dotted, cell in row.cells.items():
                parts = dotted.split(".")
                for end in range(1, len(parts) + 1):
                    self.place((key, i, *parts[:end]), cell)
                if dotted in row.values:
                    inner = record
                    for part in parts[:-1]:
                        inner = inner.setdefault(part, {})
                    inner[parts[-1]] = row.values[dotted]
            records.append(record)
        return records

    def rule_data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.settings()
        data["dimensions"] = self.dimensions()
        for sheet, key in ((ADJUSTMENTS, "adjustments"), (VETOES, "vetoes"),
                           (RATINGS, "ratings"), (COMMENDATIONS, "commendations")):
            if sheet.name in self.sheets:
                data[key] = self.records(sheet, key)
        benchmark = self.records(BENCHMARK, "benchmark")
        if len(benchmark) > 1:
            self.problem(self.cells["benchmark[1]"],
                         f"only one benchmark is held; found {len(benchmark)} rows")
        if benchmark:
            data["benchmark"] = benchmark[0]
            self.cells = {re.sub(r"^benchmark\[0\]", "benchmark", path): cell
                          for path, cell in self.cells.items()}
        if FIELDS.name in self.sheets:
            data["fields"] = self.fields()
        self.shown = derived_cells(data)
        return data

    def settings(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for row in self.rows(SETTINGS, required=True):
            key, cell = row.values.get("key"), row.cells["value"]
            if key is None:
                self.problem(row.cells["key"], "设置项 is empty; write the setting's name")
            elif key not in SETTING_ROWS:
                self.problem(row.cells["key"], f"unknown setting {shown(key)}"
                             f"{did_you_mean(key, SETTING_ROWS)}; expected one of "
                             f"{', '.join(SETTING_ROWS)}")
            elif key in seen:
                self.problem(row.cells["key"], f"setting {key} is given twice (also {seen[key]})")
            else:
                seen[key] = row.cells["key"]
                self.place((key,), cell)
                if "value" in row.values:
                    try:
                        data[key] = SETTING_ROWS[key][0](row.values["value"])
                    except Unreadable as exc:
                        self.problem(cell, f"{key} {exc}")
        return data

    def dimensions(self) -> list[dict[str, Any]]:
        dimensions: list[dict[str, Any]] = []
        first: dict[str, tuple[Any, str]] = {}  # the dimension's title and weight, and where
        main_cell = f"{MAIN.name}!A2"
        self.place(("dimensions",), main_cell)
        for row in self.rows(MAIN, required=True):
            dim_id = row.values.get("dimension.id")
            if not dimensions or (dim_id is not None and dim_id != dimensions[-1].get("id")):
                d = len(dimensions)
                dimensions.append({"id": dim_id} if dim_id is not None else {})
                dimensions[-1]["indicators"] = []
                first = {}
                self.place(("dimensions", d), row.cells["dimension.id"])
                self.place(("dimensions", d, "id"), row.cells["dimension.id"])
            d, dimension = len(dimensions) - 1, dimensions[-1]
            for key in ("title", "weight", "aggregate", "applies_to", "min_available"):
                dotted = f"dimension.{key}"
                if dotted not in row.values:
                    self.place(("dimensions", d, key), row.cells[dotted])
                elif key not in first:
                    first[key] = (row.values[dotted], row.cells[dotted])
                    dimension[key] = row.values[dotted]
                    self.cells[format_path(("dimensions", d, key))] = row.cells[dotted]
                elif row.values[dotted] != first[key][0]:
                    heading = {"title": "维度", "weight": "维度权重", "aggregate": "维度汇总",
                               "applies_to": "维度适用范围",
                               "min_available": "维度数据最低占比"}[key]
                    self.problem(row.cells[dotted], (
                        f"{heading} differs from the dimension's first row ({first[key][1]}: "
                        f"{shown(first[key][0])}); write it the same on every row of the "
                        f"dimension, or leave it empty; got {shown(row.values[dotted])}"))
            i = len(dimension["indicators"])
            loc = ("dimensions", d, "indicators", i)
            self.place(loc, row.cells["id"])
            keys = ("id", "title", "points", "evaluate", "applies_to", "missing", "max_gap")
            for key in keys:
                self.place((*loc, key), row.cells[key])
            dimension["indicators"].append(
                {key: row.values[key] for key in keys if key in row.values})
        return dimensions

    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for row in self.rows(FIELDS):
            column = row.values.pop("column", None)
            if column is None:
                if row.cells["column"] not in self.bad:
                    self.problem(row.cells["column"], "字段 is empty; write the data column's name")
                continue
            if column in seen:
                self.problem(row.cells["column"],
                             f"field {shown(column)} is declared twice (also {seen[column]})")
                continue
            seen[column] = row.cells["column"]
            self.place(("fields", column), row.cells["column"])
            for key, cell in row.cells.items():
                if key != "column":
                    self.place(("fields", column, key), cell)
            fields[column] = row.values
        return fields


def _cell_order(problem: Problem) -> tuple[int, int, str]:
    """Problems by sheet (in workbook order), then row, then column."""
    if problem.cell is None:
        return (-1, 0, "")
    sheet, _, ref = problem.cell.rpartition("!")
    order = next((i for i, s in enumerate(SHEETS) if s.name == sheet), len(SHEETS))
    found = re.fullmatch(r"([A-Z]*)(\d+)(:\d+)?", ref)
    if found is None:
        return (order, 0, "")
    return (order, int(found.group(2)), found.group(1).rjust(3))
