"""Data files as the office has them — CSV (UTF-8 or GBK), workbooks, JSON, Parquet — read
into what :func:`score` takes.

Text files and workbooks go one way: cells into a grid, the heading row found, headings
matched to the rule file's ids or titles, cells read by the rules; entity codes such as
``0101`` stay text. Every problem of a file is named with its line or cell.
"""

from __future__ import annotations

import bisect
import datetime
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..bounded import check_file, decode_utf8, read_bytes, whole_number
from ..errors import DataError, Problem, shown
from ..rules.model import RuleSet
from ..sheets import missing_extra
from .delimited import decode_text, text_grid
from .grid import Grid
from .headings import find_heading_row, heading_names, renamed
from .numbers import Unreadable, is_percent_unit, number_of
from .workbooks import WORKBOOK_SUFFIXES, sheet_grid

__all__ = ["Columns", "Records", "read_data"]


def read_data(
    path: str | os.PathLike[str],
    rules: RuleSet | None = None,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
) -> Records | Columns | Any:
    """A data file as the office has it, read into what :func:`fortress_score.score` takes.

    - ``.csv``, ``.tsv`` (and ``.txt``): the encoding by a BOM, else strict UTF-8, else
      GB18030/GBK (``encoding`` forces one); the delimiter found from the first lines.
    - ``.xlsx``, ``.xlsm``, ``.xls``, ``.xlsb``, ``.ods`` (the ``excel`` extra): ``sheet`` by
      name or 0-based position, default the first; cells as Excel stores them.
    - ``.json``: a list of records or a mapping of columns. ``.parquet`` (pyarrow): a table.

    Headings may be the rule file's field ids or their titles (``售电量``, or with the unit:
    ``售电量（万千瓦时）``), compared with full-width forms, spaces and case set aside; a
    title line or blank rows above the heading row are skipped: it is the first row naming
    at least half the columns the rules read, or the row (file line or sheet row, as shown)
    ``header_row`` gives. Blank rows below it are skipped.

    Cells of the columns ``rules`` reads as numbers become numbers by the rule of
    :mod:`fortress_score.reading.numbers` (``1,234.5``; ``85%`` in a field in %), else are
    refused with their line or cell; every other cell, entity codes such as ``0101``
    included, stays text (a workbook's whole number in a text column as ``101``, a date as
    ``2024-01-31``). Without ``rules`` every cell that reads as a number is one.

    Returns:
        Records (a list of dicts, each remembering its line or sheet row) for text files and
        workbooks; Records or Columns for JSON; a pyarrow Table for Parquet.

    Raises:
        DataError: every problem of the file at once, each with its line or cell.

    Examples:
        >>> import fortress_score as fs
        >>> rules = fs.load_rules("rules/three-dimensions.yaml")
        >>> data = fs.read_data("examples/branches-2024.csv", rules)
        >>> len(data), data[0]["month"], data[0]["line_loss_rate"]
        (360, '2024-01', 1.89)
    """
    path = os.fspath(path)
    suffix = Path(path).suffix.lower()
    workbook = suffix in WORKBOOK_SUFFIXES
    if sheet is not None and not workbook:
        raise DataError(Problem(f"sheet is given, but a {suffix or 'plain'} file has no "
                                "sheets", file=path))
    if encoding is not None and suffix not in _TEXT_SUFFIXES:
        raise DataError(Problem(f"encoding is given, but a {suffix or 'plain'} file is not "
                                "read as text in an encoding of choice", file=path))
    if workbook:
        check_file(path, MAX_DATA_BYTES, DataError, "data file")
        return _records(sheet_grid(path, sheet), rules, header_row)
    if header_row is not None and suffix in (".json", ".parquet"):
        raise DataError(Problem(f"header_row is given, but a {suffix} file has named columns, "
                                "no heading row", file=path))
    if suffix == ".parquet":
        return _read_parquet(path, rules)
    if suffix not in (*_TEXT_SUFFIXES, ".json"):
        raise DataError(Problem(
            f"data files are .csv, .tsv, .xlsx, .xls, .ods, .json or .parquet; got "
            f"{suffix or 'no suffix'!r}", file=path))
    raw = read_bytes(path, MAX_DATA_BYTES, DataError, "data file")
    if suffix == ".json":
        text = decode_utf8(raw, path, DataError, "a JSON data file")
        return _json_data(text, path, rules)
    grid = text_grid(decode_text(raw, path, encoding), path, tab=suffix == ".tsv")
    return _records(grid, rules, header_row)


_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


def _json_data(text: str, path: str, rules: RuleSet | None) -> Records | Columns:
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
        keys = {key for record in data if isinstance(record, dict) for key in record}
        names = _titles_to_ids(keys, rules, path)
        if names:
            data = [{names.get(k, k): v for k, v in record.items()}
                    if isinstance(record, dict) else record for record in data]
        return Records(data, file=path)  # no lines: JSON rows are named by position
    if isinstance(data, dict):
        names = _titles_to_ids(data, rules, path)
        return Columns({names.get(k, k): v for k, v in data.items()}, file=path)
    raise DataError(Problem("JSON data must be a list of records or a mapping of "
                            "columns", file=path))


def _titles_to_ids(keys: Iterable[str], rules: RuleSet | None, path: str) -> dict[str, str]:
    """Column names that are field titles → the field ids; a column given twice refused."""
    keys = list(keys)
    names = renamed(keys, rules, path)
    targets = [names.get(k, k) for k in keys]
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise DataError(Problem(f"columns {twice} are each given twice, by id and by title "
                                "(or by two titles); give a column once", file=path))
    return names


def _read_parquet(path: str, rules: RuleSet | None) -> Any:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pyarrow is installed for the tests
        raise missing_extra("reading Parquet", "pyarrow", "parquet") from None
    check_file(path, MAX_DATA_BYTES, DataError, "data file")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow's errors are not one class
        raise DataError(Problem(f"cannot read the Parquet file: {exc}", file=path)) from None
    names = _titles_to_ids(table.column_names, rules, path)
    if names:
        table = table.rename_columns([names.get(n, n) for n in table.column_names])
    return table


MAX_DATA_BYTES = 2 * 1024**3
"""A data file larger than this is refused (a province's year of monthly rows is ~1 GB)."""


class Records(list[dict[str, Any]]):
    """Records read from a file, each remembering the file line it starts on, so that a
    problem found when scoring names the line a person sees (``line 7``), not a position —
    also after the list is filtered or reordered (lines go with the records themselves)."""

    def __init__(self, records: Any = (), *, file: str | None = None,
                 line_word: str = "line") -> None:
        super().__init__(records)
        self.file = file
        self.line_word = line_word
        """How a record's place is named: ``line`` (text files) or ``Sheet1 row``."""
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


def _records(grid: Grid, rules: RuleSet | None, header_row: int | None) -> Records:
    """The rows below the heading row as records, cells read by the rules."""
    heading = find_heading_row(grid, rules, header_row)
    names = heading_names(grid, heading, rules)
    body = [i for i in range(heading + 1, len(grid.rows))
            if any(not _blank(cell) for cell in grid.rows[i])]
    width = len(names)
    problems: list[Problem] = []
    if grid.sheet is None:  # a text row with cells dropped or added is no row of the table
        _placed(problems, grid, [
            (i, f"has {_filled(grid.rows[i])} cells for {width} columns") for i in body
            if len(grid.rows[i]) < width or _filled(grid.rows[i]) > width], None, None)
    padded = [row if len(row) >= width else [*row, *[None] * (width - len(row))]
              for row in (grid.rows[i] for i in body)]
    by_column = list(zip(*padded)) if padded else [()] * width
    numeric = _numeric_columns(rules)
    keys = {rules.entity, rules.period, rules.group_by} if rules is not None else set()
    columns: dict[str, list[Any]] = {}
    for col, name in enumerate(names):
        if name is None:
            continue
        cells = by_column[col]
        bad = [(row, "holds a spreadsheet error (its formula gives #DIV/0!, #N/A or the like); "
                "fix the formula or leave the cell empty for no value")
               for row in body if (row, col) in grid.marks.errors] if grid.marks.errors else []
        if numeric is None or name in numeric:
            values = _numbers(grid, name, col, cells, body, rules, bad)
        else:
            values = _texts(grid, col, cells, body, name in keys, bad)
        _placed(problems, grid, bad, col, name)
        columns[name] = values
    if problems:
        raise DataError(problems + _missing(columns, rules))
    records = Records(file=grid.file, line_word=grid.row_word)
    for i, row in zip(body, zip(*columns.values()) if columns else [()] * len(body)):
        records.add(dict(zip(columns, row)), grid.row_numbers[i])
    return records


MAX_CELLS_SHOWN = 5
"""Unreadable cells named a column (lines named a file); the rest are counted."""


def _filled(row: list[Any]) -> int:
    """Cells of a text row, empty cells at its end set aside (``a,b,`` has two)."""
    n = len(row)
    while n and _blank(row[n - 1]):
        n -= 1
    return max(n, 1)


def _placed(problems: list[Problem], grid: Grid, bad: list[tuple[int, str]], col: int | None,
            name: str | None) -> None:
    """The first :data:`MAX_CELLS_SHOWN` of ``bad`` (row, message) as problems, and a count
    of the rest."""
    bad = sorted(bad)
    for row, message in bad[:MAX_CELLS_SHOWN]:
        problems.append(grid.problem(message, row, col, column=name))
    if len(bad) > MAX_CELLS_SHOWN:
        problems.append(grid.problem(f"and {len(bad) - MAX_CELLS_SHOWN} more like it",
                                     bad[MAX_CELLS_SHOWN][0], col, column=name))


def _missing(columns: dict[str, list[Any]], rules: RuleSet | None) -> list[Problem]:
    """The columns the rules need that the file lacks, told with the cells' problems so that
    every problem of the file is seen at once (scoring says the same of a file read well)."""
    if rules is None:
        return []
    keys = [name for name in (rules.entity, rules.period, rules.group_by) if name is not None]
    wanted = [*keys, *rules.data_columns_needed()]
    wanted += [name for name, spec in rules.fields.items()
               if not spec.optional and spec.formula is None]
    return [Problem("is missing", column=name) for name in dict.fromkeys(wanted)
            if name not in columns]


def _numeric_columns(rules: RuleSet | None) -> set[str] | None:
    """The columns read as numbers: evaluator inputs and declared non-text fields (every
    column without rules)."""
    if rules is None:
        return None
    return set(rules.data_columns_needed()) | {name for name, spec in rules.fields.items()
                                               if spec.type != "str"}


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _numbers(grid: Grid, name: str, col: int, cells: Sequence[Any], body: list[int],
             rules: RuleSet | None, bad: list[tuple[int, str]]) -> list[Any]:
    """A numeric column's cells read by the rule of :mod:`.numbers`; unreadable ones added
    to ``bad`` (row, message)."""
    spec = rules.fields.get(name) if rules is not None else None
    unit = spec.unit if spec is not None else None
    flag = spec is not None and spec.type == "bool"
    thousands = grid.delimiter != ";"

    def read(row: int, cell: Any) -> Any:
        try:
            return number_of(cell, unit=unit, flag=flag, thousands=thousands)
        except Unreadable as exc:
            if rules is None:
                return _text(cell)  # no rules: what is no number stays text
            bad.append((row, str(exc)))
            return None

    # a workbook's number cells are floats: taken as they are, the rest read by the rule
    values = [cell if type(cell) is float else read(row, cell)  # noqa: E721
              for row, cell in zip(body, cells)]
    for _, row in _at_column(grid.merged, col, body):
        bad.append((row, f"is merged into {grid.merged[(row, col)]}, whose first cell alone "
                         "holds a number; unmerge it and give each row its own"))
    for k, row in _at_column(grid.marks.percent, col, body):
        if type(cells[k]) is not float:  # text in a cell formatted as %: read as written
            continue
        if is_percent_unit(unit):  # shown as 85% in a field in %: 85, as shown
            values[k] = float(f"{cells[k] * 100:.15g}")  # the 15 digits Excel shows
        elif rules is not None:
            bad.append((row, f"is shown as the percentage {cells[k] * 100:.15g}% (it holds "
                             f"{cells[k]!r}), but the rule file's field is not in % (unit "
                             f"{unit!r}); format the cells as numbers in the field's unit, "
                             "or declare `unit: \"%\"`"))
    return values


def _at_column(cells: Iterable[tuple[int, int]], col: int,
               body: list[int]) -> list[tuple[int, int]]:
    """(index in body, row) of the ``cells`` in column ``col`` that lie in ``body``."""
    found = []
    for row in sorted(r for r, c in cells if c == col):
        k = bisect.bisect_left(body, row)
        if k < len(body) and body[k] == row:
            found.append((k, row))
    return found


def _texts(grid: Grid, col: int, cells: Sequence[Any], body: list[int], key: bool,
           bad: list[tuple[int, str]]) -> list[Any]:
    """A text column's cells; in a key column (entity, period, group) a number that is not
    whole is refused: Excel keeps 2024.10 as 2024.1, the same as January."""
    values = [_text(cell) for cell in cells]
    if key:
        bad.extend((row, f"holds the number {cell!r} in a key column; write it as text "
                         "(2024-10, or the code with its digits)")
                   for row, cell in zip(body, cells)
                   if type(cell) is float and not cell.is_integer())  # noqa: E721
    return values


def _text(cell: Any) -> Any:
    """A cell of a text column: text as written (None when blank); a workbook's whole number
    as its digits (a branch code 101 is stored as 101.0), a date as ISO text."""
    if _blank(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)  # .xls whole numbers arrive as ints
    if isinstance(cell, datetime.date | datetime.time):
        return cell.isoformat()
    return cell
