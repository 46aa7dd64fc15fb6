"""Cells as a file shows them: rows of cells, each with the line or sheet row a person sees.

Text files (CSV, TSV) and workbooks (xlsx, xls, ods) are both read into a :class:`Grid`
first, so that finding the heading row, matching headings and reading numbers follow one
rule whatever the file, and every problem names the place in the file's own terms: the
file line of a CSV, the cell (``Sheet1!D7``) of a workbook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..sheets import column_letters
from .formats import CellMarks

__all__ = ["Grid"]


@dataclass(frozen=True)
class Grid:
    """The rows of one table in a file (a sheet's from A1), cells as read (text from text files; numbers, text,
    booleans and dates from workbooks; ``None`` or ``""`` for an empty cell)."""

    rows: list[list[Any]]
    row_numbers: list[int]
    """Each row's number as a person sees it: the file line it starts on, or the sheet row."""
    file: str
    sheet: str | None = None
    """The sheet's name for a workbook; None for a text file."""
    marks: CellMarks = CellMarks()
    """(row, column) indexes of cells shown as percentages or holding spreadsheet errors."""
    merged: Mapping[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) of each cell of a merged range but its first → the range (``A2:A4``);
    such cells hold the first cell's value, as the sheet shows it."""
    delimiter: str | None = None
    """The delimiter of a text file (``;`` files may write decimal commas)."""

    @property
    def row_word(self) -> str:
        """How a row is named in messages: ``line`` (text file) or ``Sheet1 row``."""
        return "line" if self.sheet is None else f"{self.sheet} row"

    def cell(self, row: int, col: int) -> str | None:
        """``Sheet1!D7`` for a workbook cell; None for a text file."""
        if self.sheet is None:
            return None
        return f"{self.sheet}!{column_letters(col)}{self.row_numbers[row]}"

    def problem(self, message: str, row: int, col: int | None = None,
                column: str | None = None) -> Problem:
        """A problem placed at a row (and cell) of this grid."""
        if self.sheet is None or col is None:
            line = self.row_numbers[row] if self.sheet is None else None
            where = "" if self.sheet is None else f"{self.row_word} {self.row_numbers[row]}: "
            return Problem(where + message, file=self.file, line=line, column=column)
        return Problem(message, file=self.file, cell=self.cell(row, col), column=column)
