"""Headings as the office writes them: field ids or the rule file's titles, below a title line.

A heading names a field when, after full-width forms are folded (NFKC), spaces removed and
case set aside, it equals the field's id, its ``title``, or its title followed by its unit
in brackets (``售电量（万千瓦时）``). The heading row is the first of the top
:data:`MAX_TOP_ROWS` rows that names at least half of the columns the rules read (the
entity, period and group columns included), unless the caller gives its number; without
rules, the first row that fills two cells or more and at least half as many as the fullest.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from ..errors import DataError, Problem, shorten, shown
from ..rules.model import RuleSet
from .grid import Grid

__all__ = ["MAX_TOP_ROWS", "find_heading_row", "heading_key", "heading_names", "renamed",
           "wanted_columns"]

MAX_TOP_ROWS = 30
"""How many rows from the top are searched for the heading row."""


def heading_key(name: str) -> str:
    """A heading as people mean it: full-width forms, spaces and case set aside."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def wanted_columns(rules: RuleSet) -> list[str]:
    """The columns a rule set reads: its keys, its evaluators' inputs, its declared fields."""
    keys = [name for name in (rules.entity, rules.period, rules.group_by) if name is not None]
    declared = [name for name, spec in rules.fields.items() if spec.formula is None]
    return list(dict.fromkeys([*keys, *rules.data_columns_needed(), *declared]))


def _names_of(rules: RuleSet, file: str | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Heading key → column id for every way a column may be headed; clashes as problems."""
    names: dict[str, str] = {}
    clashes: list[Problem] = []
    for column in wanted_columns(rules):
        spec = rules.fields.get(column)
        forms = [column]
        if spec is not None and spec.title:
            forms.append(spec.title)
            if spec.unit:
                forms += [f"{spec.title}({spec.unit})", f"{spec.title}[{spec.unit}]"]
        for form in forms:
            key = heading_key(form)
            if names.setdefault(key, column) != column:
                clashes.append(Problem(
                    f"the heading {shown(form)} would name both {shown(names[key])} and "
                    f"{shown(column)}; give the fields different titles",
                    file=file, path=f"fields.{column}.title"))
    return names, clashes


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell)


def find_heading_row(grid: Grid, rules: RuleSet | None, header_row: int | None) -> int:
    """Index in ``grid.rows`` of the heading row."""
    if header_row is not None:
        if header_row in grid.row_numbers:
            return grid.row_numbers.index(header_row)
        raise DataError(Problem(f"header_row {header_row} is not a {grid.row_word.split()[-1]} "
                                f"of the data (it has {len(grid.rows)})", file=grid.file))
    top = grid.rows[:MAX_TOP_ROWS]
    if rules is None:  # a title line fills one cell; the heading row half as many as any row
        filled = [sum(_text(c).strip() != "" for c in row) for row in top]
        most = max(filled, default=0)
        least = min(2, most)  # a title line fills one cell; a table's heading two or more
        return next((i for i, n in enumerate(filled) if n >= least and 2 * n >= most), 0)
    names, _ = _names_of(rules)
    wanted = wanted_columns(rules)
    read = rules.data_columns_needed().keys() | {rules.entity, rules.period, rules.group_by}
    needed = [c for c in wanted if c in read]  # worked out once, not a column at a time
    enough = max(1, (len(needed) + 1) // 2)
    for index, row in enumerate(top):
        named = {names.get(heading_key(_text(c))) for c in row} & set(needed)
        if len(named) >= enough:
            return index
    examples = [_title(rules, c) for c in needed[:4]]
    first = next((row for row in top if any(_text(c).strip() for c in row)), [])
    holds = [shorten(_text(c)) for c in first if _text(c).strip()][:6]
    raise DataError(Problem(
        f"no heading row found in the top {MAX_TOP_ROWS} rows: a heading row names at least "
        f"{enough} of the {len(needed)} columns the rules read, by id or title (such as "
        f"{', '.join(examples)}); the first filled row holds {holds}; or give header_row",
        file=grid.file))


def _title(rules: RuleSet, column: str) -> str:
    spec = rules.fields.get(column)
    return f"{column} ({spec.title})" if spec is not None and spec.title else column


def heading_names(grid: Grid, index: int, rules: RuleSet | None) -> list[str | None]:
    """The column id each cell of the heading row names: the rule file's id where the heading
    is an id or a title of one, else the heading as written; None for an empty heading.

    Raises:
        DataError: two headings name one column, or one title would name two fields.
    """
    names, problems = _names_of(rules, grid.file) if rules is not None else ({}, [])
    result: list[str | None] = []
    seen: dict[str, int] = {}
    for col, cell in enumerate(grid.rows[index]):
        text = _text(cell).strip()
        if not text:
            result.append(None)
            continue
        name = names.get(heading_key(text), text)
        if name in seen:
            first = seen[name]
            problems.append(grid.problem(
                f"the heading {shown(text)} names {shown(name)}, as does the heading of "
                f"{_where(grid, index, first)}; a column may be given once", index, col))
        seen.setdefault(name, col)
        result.append(name)
    if problems:
        raise DataError(problems)
    return result


def _where(grid: Grid, row: int, col: int) -> str:
    return grid.cell(row, col) or f"column {col + 1}"


def renamed(names: Iterable[str], rules: RuleSet | None, file: str) -> dict[str, str]:
    """Column name → field id for names that are a title of a field (files other than grids:
    JSON records, Parquet); names that are ids already are left out.

    Raises:
        DataError: one title would name two fields.
    """
    if rules is None:
        return {}
    known, clashes = _names_of(rules, file)
    if clashes:
        raise DataError(clashes)
    found = {name: known.get(heading_key(name), name) for name in names}
    return {name: field for name, field in found.items() if field != name}
