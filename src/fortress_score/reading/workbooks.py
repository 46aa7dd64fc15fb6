"""Workbooks (.xlsx, .xlsm, .xls, .ods) read into a :class:`Grid`, cells as Excel stores them.

Read with python-calamine (the ``excel`` extra): one Rust reader for the Open XML and the
old binary formats alike (openpyxl reads neither .xls nor .ods), about ten times faster
than openpyxl on large sheets, and it reads the cached values of formulas, never running
them. Numbers arrive as floats, dates as dates, TRUE/FALSE as booleans, an empty cell as "".
"""

from __future__ import annotations

from typing import Any

from ..errors import DataError, Problem, did_you_mean, shown
from ..sheets import column_letters, missing_extra
from .formats import CellMarks, cell_marks
from .grid import Grid

__all__ = ["WORKBOOK_SUFFIXES", "sheet_grid"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def sheet_grid(path: str, sheet: str | int | None) -> Grid:
    """The cells of one sheet from A1 (the first sheet when ``sheet`` is None; a name or a
    0-based position otherwise)."""
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - the extra is installed for the tests
        raise missing_extra("reading a workbook", "python-calamine", "excel") from None
    try:
        book = python_calamine.CalamineWorkbook.from_path(path)
    except Exception as exc:  # noqa: BLE001 - the reader's errors are not one class
        raise DataError(Problem(f"cannot read the workbook: {exc}", file=path)) from None
    names = list(book.sheet_names)
    if sheet is None:
        name = names[0] if names else None
    elif isinstance(sheet, int):
        name = names[sheet] if -len(names) <= sheet < len(names) else None
    else:
        name = sheet if sheet in names else None
    if name is None:
        raise DataError(Problem(f"has no sheet {shown(sheet)}; its sheets are {names}"
                                f"{did_you_mean(str(sheet), names)}", file=path))
    try:
        table = book.get_sheet_by_name(name)
        rows: list[list[Any]] = table.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001
        raise DataError(Problem(f"cannot read sheet {shown(name)}: {exc}", file=path)) from None
    finally:
        book.close()
    marks = cell_marks(path, name) if path.lower().endswith((".xlsx", ".xlsm")) else CellMarks()
    merged = _fill_merged(rows, table.merged_cell_ranges or [])
    return Grid(rows, list(range(1, len(rows) + 1)), path, name,  # rows from A1, as Excel counts
                marks, merged)


def _fill_merged(rows: list[list[Any]],
                 ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> dict[tuple[int, int], str]:
    """Give every cell of a merged range its first cell's value, as the sheet shows it
    (a 支部类别 merged over its branches); returns those cells → the range's name."""
    filled: dict[tuple[int, int], str] = {}
    for (top, left), (bottom, right) in ranges:
        if top >= len(rows):
            continue
        name = f"{column_letters(left)}{top + 1}:{column_letters(right)}{bottom + 1}"
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom + 1, len(rows))):
            for c in range(left, right + 1):
                if (r, c) != (top, left) and c < len(rows[r]):
                    rows[r][c] = value
                    filled[(r, c)] = name
    return filled
