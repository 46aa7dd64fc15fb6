"""Spreadsheet basics shared by the readers and the writers of workbooks.

Column letters, the width a text takes in a column (a Chinese character takes two), and
the error for the optional library a workbook needs (the ``excel`` extra).
"""

from __future__ import annotations

import unicodedata

from .errors import MissingExtraError, Problem

__all__ = ["column_letters", "missing_extra", "text_width"]


def column_letters(index: int) -> str:
    """Spreadsheet letters of a 0-based column: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def text_width(text: str) -> int:
    """Columns the longest line of ``text`` takes: East Asian wide, full-width and ambiguous
    characters count two (a Chinese font sets ★ and “” as wide as a character)."""
    return max((sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)
                for line in text.splitlines()), default=0)


def missing_extra(what: str, package: str, extra: str = "excel") -> MissingExtraError:
    """The error for an optional library that is not installed, saying what to install."""
    return MissingExtraError(Problem(
        f"{what} needs the package {package}: pip install \"fortress-score[{extra}]\""))
