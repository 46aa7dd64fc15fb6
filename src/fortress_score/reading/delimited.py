"""Text tables (CSV, TSV) as Excel on Chinese Windows saves them, read into a :class:`Grid`.

Encoding, by one stated rule unless the caller names one: a byte-order mark decides (UTF-8
or UTF-16, as Excel's "Unicode text" saves); else strict UTF-8; else GB18030 (a superset of
GBK and GB2312, what "CSV (comma delimited)" gives on Chinese Windows). A file whose lines
are partly UTF-8 (with characters of three bytes, as Chinese is) and partly not is refused,
naming a line of each: read as GB18030 its UTF-8 lines would become other characters
without any error. A file that reads as UTF-8 with two-byte characters only, and as
GB18030 with Chinese characters, is refused too: the two readings differ and nothing tells
which is meant.

Delimiter: a tab for ``.tsv``; otherwise the one of ``, ; TAB |`` that splits the first
lines into one and the same number (two or more) of cells; where several do, the one that
splits the most lines so, then the one giving the most cells (``1,5;2,3`` is two cells of
decimal commas), comma first among equals.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from typing import Any

from ..errors import DataError, Problem
from .grid import Grid

__all__ = ["decode_text", "text_grid"]

_CANDIDATES = (",", "\t", ";", "|")
_THREE_BYTES = re.compile("[\u0800-\U0010ffff]")  # characters UTF-8 writes in 3 or 4 bytes
_SNIFF_LINES = 50
_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "vertical bar"}


def decode_text(raw: bytes, path: str, encoding: str | None) -> str:
    """The text of a data file by the module's rule, or a DataError at the first bad byte."""
    if encoding is not None:
        try:
            known = codecs.lookup(encoding)._is_text_encoding  # not hex, base64, zlib ...
        except LookupError:
            known = False
        if not known:
            raise DataError(Problem(f"unknown text encoding {encoding!r}; use utf-8, gb18030, "
                                    "gbk, utf-16 or another Python codec name", file=path))
        return _decode(raw, path, encoding, "").removeprefix("\ufeff")  # a BOM is no text
    if raw.startswith(codecs.BOM_UTF8):
        return _decode(raw, path, "utf-8-sig", " after its UTF-8 byte-order mark")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(raw, path, "utf-16", " after its UTF-16 byte-order mark")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    else:
        if text.isascii() or _THREE_BYTES.search(text) or not _also_gb18030(raw):
            return text
        raise DataError(Problem(
            "reads as UTF-8 and as GB18030/GBK alike (its few non-ASCII characters are two "
            "bytes each in both): name the encoding it was saved in", file=path))
    mixed = _utf8_line(raw)
    if mixed is not None:
        line, col = _place(raw, bad)
        raise DataError(Problem(
            f"mixes encodings: line {mixed} is UTF-8 text, but byte {col} of line {line} "
            f"(0x{raw[bad]:02x}) is not UTF-8; save the whole file in one encoding (in Excel: "
            "Save As, CSV UTF-8), or name the encoding to read it in", file=path, line=line,
            col=col))
    return _decode(raw, path, "gb18030", " (not UTF-8, so read as GB18030/GBK)")


def _decode(raw: bytes, path: str, encoding: str, how: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line, col = _place(raw, exc.start)
        raise DataError(Problem(
            f"byte {col} of line {line} (0x{raw[exc.start]:02x}) cannot be read as "
            f"{encoding}{how}; save the file as CSV UTF-8, or name its encoding",
            file=path, line=line, col=col)) from None


def _place(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _utf8_line(raw: bytes) -> int | None:
    """The first line that is UTF-8 text with a character of three bytes or more (Chinese
    is), if any: GBK's two-byte characters can by chance also be two-byte UTF-8 (一 is
    D2 BB, which UTF-8 reads as һ), never a run of three-byte ones."""
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if _THREE_BYTES.search(text):
            return number
    return None


def _also_gb18030(raw: bytes) -> bool:
    try:
        return _THREE_BYTES.search(raw.decode("gb18030")) is not None  # Chinese characters
    except UnicodeDecodeError:
        return False


def text_grid(text: str, path: str, *, tab: bool = False) -> Grid:
    """The rows of a delimited text, each with the file line it starts on."""
    delimiter = "\t" if tab else _delimiter(text, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    start = 1
    try:
        for cells in reader:
            rows.append(cells)
            numbers.append(start)
            start = reader.line_num + 1  # a quoted cell may span lines
    except csv.Error as exc:  # a quote left open at the end, a NUL byte, ...
        raise DataError(Problem(f"not valid CSV: {exc}", file=path,
                                line=reader.line_num or None)) from None
    return Grid(rows, numbers, path, delimiter=delimiter)


def _delimiter(text: str, path: str) -> str:
    head = "\n".join(text.splitlines()[:_SNIFF_LINES]) if len(text) < 1 << 16 else \
        "\n".join(text[: 1 << 16].splitlines()[:_SNIFF_LINES])
    lines = [line for line in head.split("\n") if line.strip()]
    if not lines:
        return ","
    found = []
    for candidate in _CANDIDATES:
        try:
            counts = Counter(len(row) for row in csv.reader(io.StringIO(head, newline=""),
                                                             delimiter=candidate) if row)
        except csv.Error:
            continue
        cells, rows = counts.most_common(1)[0]
        if cells >= 2 and rows * 2 > sum(counts.values()):
            found.append((candidate, rows, cells))
    if not found:
        if len(lines) == 1 or all(not any(c in line for c in _CANDIDATES) for line in lines):
            return ","  # one column, or one line: nothing to tell apart
        raise DataError(Problem(
            "cannot tell the delimiter: no one of comma, tab, semicolon or vertical bar splits "
            "the first lines into the same number of cells; save the sheet as CSV (comma "
            "delimited) or as .xlsx", file=path))
    return max(found, key=lambda f: f[1:])[0]  # max keeps the first of equals
