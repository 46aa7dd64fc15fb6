"""What an .xlsx sheet says of its cells beyond their values: percentages and errors.

A number cell formatted as a percentage is shown as ``85%`` and stored as 0.85; the rule
file's field may be in ``%`` (85 meaning 85 %). The reader (python-calamine) gives stored
values only, so the number formats are looked up here: the workbook's styles name the cell
formats whose number format is a percentage (built-in formats 9 and 10, or a custom format
with ``%`` outside quotes, brackets and escapes), and the sheet's XML says which cells use
them. A workbook without percentage formats costs one read of its small styles part.

A formula whose result is an error (``#DIV/0!``, ``#N/A``) is stored as an error cell,
which the reader gives as an empty value; such cells are found here too, so that they are
refused rather than read as "no value".
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

__all__ = ["CellMarks", "cell_marks", "is_percent_format"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PERCENT_BUILT_IN = {9, 10}
_TAG = re.compile(rb"<(row|c)\b([^>]*)>")
_REFERENCE = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_ERROR_TYPE = b't="e"'
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@dataclass(frozen=True)
class CellMarks:
    """(row, column) cells, both 0-based from A1, shown as percentages or holding errors."""

    percent: frozenset[tuple[int, int]] = frozenset()
    errors: frozenset[tuple[int, int]] = frozenset()


def cell_marks(path: str, sheet: str) -> CellMarks:
    """The marks of ``sheet``'s cells; none for files that are not Open XML workbooks
    (.xls, .ods, .xlsb), which are not looked into."""
    try:
        with zipfile.ZipFile(path) as book:
            styles = _percent_styles(book.read("xl/styles.xml"))
            part = _sheet_part(book, sheet)
            xml = book.read(part) if part is not None else b""
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return CellMarks()
    if not styles and _ERROR_TYPE not in xml:  # the usual workbook: nothing to look for
        return CellMarks()
    return _cells_in(xml, styles)


def is_percent_format(code: str) -> bool:
    """Whether an Excel number format code shows its number as a percentage."""
    return "%" in _LITERAL.sub("", code)


def _percent_styles(xml: bytes) -> set[int]:
    root = ElementTree.fromstring(xml)
    codes = {int(f.get("numFmtId", "-1")): f.get("formatCode", "")
             for f in root.iter(f"{_MAIN}numFmt")}
    cell_formats = root.find(f"{_MAIN}cellXfs")
    if cell_formats is None:
        return set()
    percent = set()
    for index, xf in enumerate(cell_formats.iter(f"{_MAIN}xf")):
        number_format = int(xf.get("numFmtId", "0"))
        if number_format in _PERCENT_BUILT_IN or is_percent_format(codes.get(number_format, "")):
            percent.add(index)
    return percent


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    wanted = next((s.get(_RELATIONSHIP) for s in workbook.iter(f"{_MAIN}sheet")
                   if s.get("name") == sheet), None)
    relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for relation in relations:
        if relation.get("Id") == wanted:
            target = relation.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    return None


def _cells_in(xml: bytes, styles: set[int]) -> CellMarks:
    percent, errors = set(), set()
    row, column = -1, -1
    for tag in _TAG.finditer(xml):
        attributes = tag.group(2)
        if tag.group(1) == b"row":
            number = _ROW_NUMBER.search(attributes)
            row, column = (int(number.group(1)) - 1 if number else row + 1), -1
            continue
        reference = _REFERENCE.search(attributes)
        if reference:  # the reference is optional: without one a cell follows the last
            column = _column_index(reference.group(1))
            row = int(reference.group(2)) - 1
        else:
            column += 1
        style = _STYLE.search(attributes)
        if style and int(style.group(1)) in styles:
            percent.add((row, column))
        if _ERROR_TYPE in attributes:
            errors.add((row, column))
    return CellMarks(frozenset(percent), frozenset(errors))


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - ord("A") + 1
    return index - 1
