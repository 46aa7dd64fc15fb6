"""Data files as the office has them: CSV and JSON read into what :func:`score` takes.

CSV cells are text unless the rules read their column as numbers, so branch codes such as
``0101`` survive; every problem of a file is named with the file and its line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

from ..bounded import decode_utf8, read_bytes, whole_number
from ..errors import DataError, Problem, shorten, shown
from ..rules.model import RuleSet

__all__ = ["Columns", "Records", "read_data"]


_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_INFINITY = re.compile(r"^[+-]?inf(inity)?$", re.IGNORECASE)


def read_data(path: str | os.PathLike[str], rules: RuleSet | None = None) -> Records | Columns:
    """A UTF-8 CSV or JSON data file as records (JSON may also be a mapping of columns).

    CSV cells are text; empty cells become None. Cells of the columns ``rules`` reads as
    numbers (evaluator inputs and declared non-text fields) become numbers where they are
    written as plain decimal numbers, and ``true``/``false`` become 1/0 in ``bool`` fields;
    every other cell, entity codes such as ``0101`` included, stays text. Without ``rules``
    every plain decimal number is read as one.

    Returns what :func:`fortress_score.score` takes: a list of records (or, from JSON, a
    mapping of columns).

    Raises:
        DataError: the file cannot be read, is not UTF-8, is not valid JSON, or CSV lines
            have more cells than the header names (every such line, with its number).

    Examples:
        >>> import fortress_score as fs
        >>> rules = fs.load_rules("rules/three-dimensions.yaml")
        >>> data = fs.read_data("examples/branches-2024.csv", rules)
        >>> len(data), data[0]["month"], data[0]["line_loss_rate"]
        (360, '2024-01', 1.89)
    """
    path = os.fspath(path)
    suffix = Path(path).suffix.lower()
    text = decode_utf8(read_bytes(path, MAX_DATA_BYTES, DataError, "data file"), path,
                       DataError, "data file",
                       "; save it as UTF-8 (in Excel: Save As, CSV UTF-8)")
    if suffix == ".json":
        try:
            data = json.loads(text, parse_constant=_refuse_constant, parse_int=whole_number,
                              object_pairs_hook=_refuse_repeats)
        except json.JSONDecodeError as exc:
            raise DataError(Problem(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno,
                                    col=exc.colno)) from exc
        except _NonStandard as exc:
            line, col = _place_of(text, exc.token)
            raise DataError(Problem(
                f"{exc.token} is not JSON (a JavaScript extension); write null for no value",
                file=path, line=line, col=col)) from None
        except _Repeated as exc:
            raise DataError(Problem(f"key {shown(exc.key)} is given twice in one record; a "
                                    "record holds each column once", file=path)) from None
        if isinstance(data, list):
            return Records(data, file=path)  # no lines: JSON rows are named by position
        if isinstance(data, dict):
            return Columns(data, file=path)
        raise DataError(Problem("JSON data must be a list of records or a mapping of "
                                "columns", file=path))
    if suffix != ".csv":
        raise DataError(Problem(f"data files must end in .csv or .json; got {suffix!r}", file=path))
    return _read_csv(text, path, rules)


MAX_DATA_BYTES = 2 * 1024**3
"""A data file larger than this is refused (a province's year of monthly rows is ~1 GB)."""


class Records(list[dict[str, Any]]):
    """Records read from a file, each remembering the file line it starts on, so that a
    problem found when scoring names the line a person sees (``line 7``), not a position —
    also after the list is filtered or reordered (lines go with the records themselves)."""

    def __init__(self, records: Any = (), *, file: str | None = None) -> None:
        super().__init__(records)
        self.file = file
        self._line_of: dict[int, tuple[dict[str, Any], int]] = {}

    def add(self, record: dict[str, Any], line: int) -> None:
        """Append ``record``, read from ``line``."""
        self.append(record)
        self._line_of[id(record)] = (record, line)

    @property
    def lines(self) -> list[int] | None:
        """Each record's file line, in the list's order now; None when a record in it was
        not read from the file."""
        found = []
        for record in self:
            entry = self._line_of.get(id(record))
            if entry is None or entry[0] is not record:
                return None
            found.append(entry[1])
        return found


class Columns(dict[str, Any]):
    """Columns read from a file, remembering the file for the problems found in them."""

    def __init__(self, columns: Any = (), *, file: str | None = None) -> None:
        super().__init__(columns)
        self.file = file


class _NonStandard(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


class _Repeated(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose key comes twice would keep its last value silently: refused."""
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            raise _Repeated(key)
        record[key] = value
    return record


def _refuse_constant(token: str) -> Any:
    """NaN and Infinity are not JSON: Python's reader takes them; a data file may not."""
    raise _NonStandard(token)


def _place_of(text: str, token: str) -> tuple[int | None, int | None]:
    """Line and column of the first ``token`` outside a string (for the message)."""
    tokens = re.finditer(rf'"(?:\\.|[^"\\])*"|(?<![\w]){re.escape(token)}(?![\w])', text)
    found = next((t for t in tokens if not t.group().startswith('"')), None)  # not in a string
    if found is None:
        return None, None
    before = text[: found.start()]
    return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1


def _read_csv(text: str, path: str, rules: RuleSet | None) -> Records:
    reader = csv.reader(io.StringIO(text, newline=""))  # \r, \n and \r\n end lines alike
    try:
        return _records(reader, path, rules)
    except csv.Error as exc:  # a quote left open at the end, a NUL byte, ...
        raise DataError(Problem(f"not valid CSV: {exc}", file=path,
                                line=reader.line_num or None)) from None


def _records(reader: Any, path: str, rules: RuleSet | None) -> Records:
    header: list[str] = next(reader, [])
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise DataError(Problem(f"the header repeats columns {[shorten(r) for r in repeated]}", file=path, line=1))
    numeric: set[str] | None = None
    flags: set[str] = set()
    if rules is not None:
        numeric = set(rules.columns_needed())
        numeric |= {name for name, spec in rules.fields.items() if spec.type != "str"}
        flags = {name for name, spec in rules.fields.items() if spec.type == "bool"}
    records, problems = Records(file=path), []
    first_line = reader.line_num + 1
    for cells in reader:
        if len(cells) > len(header):
            problems.append(Problem(f"has {len(cells)} cells for {len(header)} columns",
                                    file=path, line=reader.line_num))
        else:
            cells += [""] * (len(header) - len(cells))
            records.add({name: _cell(cell, numeric is None or name in numeric, name in flags)
                         for name, cell in zip(header, cells)}, first_line)
        first_line = reader.line_num + 1  # a quoted cell may span lines
    if problems:
        raise DataError(problems)
    return records


def _cell(text: str, numeric: bool, flag: bool) -> Any:
    stripped = text.strip()
    if not stripped:
        return None
    if flag and stripped.lower() in ("true", "false"):
        return int(stripped.lower() == "true")
    if numeric:
        if _INTEGER.match(stripped):
            return whole_number(stripped)
        if _NUMBER.match(stripped):
            return float(stripped)
        if _INFINITY.match(stripped):
            return float(stripped)
    return text
