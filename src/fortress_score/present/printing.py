"""Printed tables in an XlsxWriter workbook: a title, headings, rows whose widths follow the
text, frozen and repeated headings, and the page set up for an office printer (A4 landscape,
one page wide, a footer numbering the pages)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..sheets import text_width

__all__ = ["Column", "PrintedBook", "PrintedTable", "sheet_name"]

_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LIMIT = 31
_CAPS = {"int": 8, "figure": 12, "signed": 12, "text": 40, "long": 32, "wide": 70}
"""The widest a column of each kind grows, in characters: headings wrap, and so does the
text of a ``long`` column; ``wide`` holds a digest on one line."""
_LINE_HEIGHT = 16.0
"""Points a line of text needs, Chinese glyphs included."""


def sheet_name(wanted: str, taken: set[str]) -> str:
    """``wanted`` as Excel allows a sheet name (none of ``[]:*?/\\``, at most 31
    characters, no quote at either end), unique among ``taken`` (ignoring case)."""
    name = _NOT_IN_SHEET_NAMES.sub("-", wanted).strip("'").strip() or "Sheet"
    base, n = name, 1
    while (name := name[:_SHEET_NAME_LIMIT]).casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[:_SHEET_NAME_LIMIT - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _lines(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide."""
    return sum(max(1, math.ceil(text_width(part) / max(width, 1))) for part in text.split("\n"))


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = "figure"
    """int, figure, signed (a sign shown), text, long (wrapped) or wide."""


class PrintedBook:
    """A workbook's printed tables: the styles they share (figures with ``precision``
    decimals), the footer they print and the sheet names taken."""

    def __init__(self, book: Any, precision: int, footer: str) -> None:
        self.book, self.precision, self.footer = book, precision, footer
        self.taken: set[str] = set()
        digits = "0" + ("." + "0" * self.precision if self.precision else "")
        cell = {"border": 1, "valign": "vcenter"}
        self.styles = {
            "title": book.add_format({"bold": True, "font_size": 14}),
            "heading": book.add_format({**cell, "bold": True, "text_wrap": True, "align": "center",
                                        "bg_color": "#D9D9D9"}),
            "band": book.add_format({**cell, "bold": True, "bg_color": "#F2F2F2"}),
            "text": book.add_format(cell),
            "long": book.add_format({**cell, "text_wrap": True}),
            "wide": book.add_format(cell),
            "int": book.add_format({**cell, "num_format": "0", "align": "center"}),
            "figure": book.add_format({**cell, "num_format": digits}),
            "signed": book.add_format({**cell, "num_format": f"+{digits};-{digits};{digits}"}),
        }


class PrintedTable:
    """One printed table: a title row, heading rows, then rows; widths follow the text."""

    def __init__(self, writer: PrintedBook, name: str, title: str, columns: Sequence[Column],
                 heading_rows: int = 1) -> None:
        self.writer, self.columns = writer, list(columns)
        self.ws = writer.book.add_worksheet(sheet_name(name, writer.taken))
        self.widths = [0] * len(self.columns)
        self.ws.write_string(0, 0, title, writer.styles["title"])
        self.ws.set_row(0, 24)
        self.row = 1
        self.heading_rows = heading_rows

    def headings(self) -> None:
        """The column headings (the last heading row when there are more)."""
        style = self.writer.styles["heading"]
        self.row = self.heading_rows
        for c, column in enumerate(self.columns):
            if self.heading_rows > 1 and column.kind in ("text", "int"):
                self.ws.merge_range(1, c, self.heading_rows, c, column.heading, style)
            else:
                self.ws.write_string(self.row, c, column.heading, style)
        self.row += 1

    def band(self, text: str) -> int:
        """A row across the table (a peer group's name); returns its row."""
        row, style = self.row, self.writer.styles["band"]
        if len(self.columns) > 1:
            self.ws.merge_range(row, 0, row, len(self.columns) - 1, text, style)
        else:
            self.ws.write_string(row, 0, text, style)
        self.row += 1
        return row

    def add(self, values: Sequence[Any]) -> None:
        styles, lines = self.writer.styles, 1
        for c, (column, value) in enumerate(zip(self.columns, values)):
            style = styles[column.kind]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                self.ws.write_blank(self.row, c, None, style)
            elif column.kind in ("text", "long", "wide") and not isinstance(value, int):
                text = str(value)
                self.ws.write_string(self.row, c, text, style)
                self.widths[c] = max(self.widths[c], *map(text_width, text.split("\n")))
                if column.kind == "long":
                    lines = max(lines, _lines(text, _CAPS["long"]))
            elif column.kind in ("text", "long", "wide"):  # a count among texts
                self.ws.write_number(self.row, c, value, styles["int"])
                self.widths[c] = max(self.widths[c], len(str(value)))
            else:
                self.ws.write_number(self.row, c, float(value), style)
                shown_as = (f"{float(value):+.{self.writer.precision}f}"
                            if column.kind != "int" else str(int(value)))
                self.widths[c] = max(self.widths[c], len(shown_as))
        if lines > 1:
            self.ws.set_row(self.row, _LINE_HEIGHT * lines + 2)
        self.row += 1

    def finish(self, freeze_columns: int, breaks: Sequence[int] = ()) -> None:
        """Widths, frozen headings and the page setup."""
        heading_lines = 1
        for c, column in enumerate(self.columns):
            cap = _CAPS[column.kind]
            width = min(max(self.widths[c], text_width(column.heading)), cap)
            self.ws.set_column(c, c, width + 2)
            heading_lines = max(heading_lines, _lines(column.heading, width))
        self.ws.set_row(self.heading_rows, _LINE_HEIGHT * heading_lines + 4)
        ws, last_heading = self.ws, self.heading_rows
        ws.freeze_panes(last_heading + 1, freeze_columns)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.repeat_rows(0, last_heading)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(self.writer.footer)
        if breaks:
            ws.set_h_pagebreaks(list(breaks))
