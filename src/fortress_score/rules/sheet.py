"""The 评分细则 as a workbook: a rule set as the table a committee reviews, and back.

:func:`export_rules` writes one sheet a part of the rule set — 评分细则 (one row an
indicator), 加减分, 一票否决, 星级, 标杆, 点赞台, 字段 and 设置 — with Chinese headings, the
method of each rule put in words beside its machine-readable parameters (the evaluator's
table as a one-line YAML flow mapping). :func:`import_rules` reads such a workbook back into
a validated :class:`RuleSet` from the machine columns only (words, field titles and units
are for people and are not read back), and names the cell of every problem
(``评分细则!H7``), all at once. Export then import gives the same ``digest``;
:func:`rules_yaml` writes the rule file a workbook came back as.

This module writes the workbook and is the front door to the rest: the sheets and their
cells in :mod:`.sheet_layout`, the method in words in :mod:`.words`, the YAML in
:mod:`.dump`, reading back in :mod:`.sheet_import`.

XlsxWriter writes and python-calamine reads: the ``excel`` extra, imported when used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ..errors import Problem
from ..plugins.manager import default_registry
from ..sheets import column_letters, missing_extra, text_width
from .dump import call_table, flow_yaml, rules_yaml, write_rules_yaml
from .model import EvaluatorCall, Evaluators, RuleSet
from .sheet_import import import_rules
from .sheet_layout import (
    ADJUSTMENT_KINDS,
    AGGREGATES,
    COMMENDATION_KINDS,
    EMPTY_TEXT,
    FIELD_TYPES,
    MAIN,
    MISSING,
    NO,
    SETTING_ROWS,
    SHEETS,
    YES,
    Sheet,
    SheetError,
)
from .words import commendation_words, method_words

__all__ = [
    "SheetError",
    "export_rules",
    "import_rules",
    "rules_yaml",
    "write_rules_yaml",
]

EXCEL_CELL_CHARACTERS = 32_767
"""The most text an Excel cell holds; a longer parameters table cannot be exported."""


def export_rules(rules: RuleSet, path: str | os.PathLike[str], *,
                 evaluators: Evaluators | None = None) -> None:
    """Write ``rules`` as the workbook a committee reviews (评分细则 and the sheets beside it).

    Args:
        rules: the rule set.
        path: the ``.xlsx`` file to write (replaced if it exists).
        evaluators: the evaluators whose descriptions word plug-in rules (default: the
            default registry's).

    Raises:
        MissingExtraError: XlsxWriter is not installed.
        SheetError: a value does not fit in a cell, or the file cannot be written.
    """
    try:
        import xlsxwriter  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the extra is installed for the tests
        raise missing_extra("writing a rule workbook", "XlsxWriter") from None
    evaluators = default_registry().evaluators if evaluators is None else evaluators
    tables = _sheet_rows(rules, evaluators)
    too_long = [
        Problem(f"holds {len(value):,} characters; an Excel cell holds at most "
                f"{EXCEL_CELL_CHARACTERS:,}", cell=f"{sheet.name}!{column_letters(c)}{r + 2}")
        for sheet, rows in tables for r, row in enumerate(rows) for c, value in enumerate(row)
        if isinstance(value, str) and len(value) > EXCEL_CELL_CHARACTERS
    ]
    if too_long:
        raise SheetError(too_long)
    name = os.fspath(path)
    book = xlsxwriter.Workbook(name)
    book.set_properties({"title": rules.title or rules.ruleset, "subject": MAIN.name,
                         "comments": f"ruleset {rules.ruleset}; digest {rules.digest}"})
    formats = {
        "heading": book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1,
                                    "text_wrap": True, "valign": "vcenter", "align": "center"}),
        "cell": book.add_format({"text_wrap": True, "valign": "top"}),
        "words": book.add_format({"text_wrap": True, "valign": "top", "font_color": "#595959"}),
    }
    spans, first = [], 1
    for dim in rules.dimensions:  # a dimension's rows, merged in its own columns
        spans.append((first, first + len(dim.indicators) - 1))
        first += len(dim.indicators)
    for sheet, rows in tables:
        _write_sheet(book.add_worksheet(sheet.name), sheet, rows, formats,
                     spans if sheet is MAIN else [])
    try:
        book.close()
    except (OSError, xlsxwriter.exceptions.XlsxWriterException) as exc:
        raise SheetError(Problem(f"cannot write the workbook: {exc}", file=name)) from None


def _write_sheet(sheet: Any, spec: Sheet, rows: list[list[Any]], formats: dict[str, Any],
                 spans: list[tuple[int, int]]) -> None:
    """One sheet: headings (with notes), rows, widths; ``spans`` (first and last row) merge
    the dimension columns of each dimension's rows."""
    for c, column in enumerate(spec.columns):
        sheet.write_string(0, c, column.heading, formats["heading"])
        if column.note:
            sheet.write_comment(0, c, column.note, {"x_scale": 2, "y_scale": 1.5})
        style = formats["cell" if column.key is not None else "words"]
        merged = column.key is not None and column.key.startswith("dimension.")
        for first, last in spans if merged else []:
            if last > first:
                sheet.merge_range(first, c, last, c, "", style)  # its value: written below
        for r, row in enumerate(rows, start=1):
            _put(sheet, r, c, row[c], style)
        widest = max([text_width(column.heading) + 2, *(text_width(str(row[c])) for row in rows
                                                     if row[c] is not None)])
        sheet.set_column(c, c, min(max(widest + 2, 8), 48))
        if column.choices:
            sheet.data_validation(1, c, len(rows) + 200, c, {
                "validate": "list", "source": list(column.choices), "error_type": "warning"})
    sheet.freeze_panes(1, 0)
    if not spans:  # a filter and merged cells do not go together
        sheet.autofilter(0, 0, max(len(rows), 1), len(spec.columns) - 1)


def _put(sheet: Any, r: int, c: int, value: Any, style: Any) -> None:
    if isinstance(value, str):
        sheet.write_string(r, c, value, style)  # never a formula, whatever it starts with
    elif isinstance(value, int | float) and float(f"{value:.16G}") == value:
        sheet.write_number(r, c, value, style)
    elif isinstance(value, int | float):  # Excel keeps 16 digits; text keeps them all
        sheet.write_string(r, c, repr(value), style)
    else:
        sheet.write_blank(r, c, None, style)


def _sheet_rows(rules: RuleSet, evaluators: Evaluators) -> list[tuple[Sheet, list[list[Any]]]]:
    """Each sheet with its rows, one value a column in the sheet's column order."""

    def evaluated(call: EvaluatorCall, points: float | None) -> list[Any]:
        return [method_words(call, points, rules, evaluators), flow_yaml(call_table(call, evaluators)),
                "、".join(_column_name(rules, c) for c in dict.fromkeys(call.inputs)),
                "、".join(dict.fromkeys(u for c in call.inputs
                                        if (u := _unit(rules, c)) is not None))]

    derived = rules.derived_weights()
    by_dims, by_inds = rules.data_weighting()
    by_data = {f"dimensions.{dim.id}.weight" for dim in rules.dimensions if by_dims} | {
        f"indicators.{ind.id}.points" for d in by_inds for ind in rules.dimensions[d].indicators}

    def shown(value: float, place: str) -> float | None:
        """A weight a method derives is shown to 4 decimals, one from the data not at all
        (it is a set a period): neither is read back."""
        return None if place in by_data else round(value, 4) if place in derived else value

    main = [[*([dim.title, dim.id, shown(dim.weight, f"dimensions.{dim.id}.weight")]
               if i == 0 else [None] * 3), ind.id, ind.title,
             shown(ind.points, f"indicators.{ind.id}.points"), *evaluated(ind.evaluate, ind.points),
             None if i or dim.aggregate is None else _word(AGGREGATES, dim.aggregate),
             None if i else _applies_cell(dim.applies_to), _applies_cell(ind.applies_to),
             None if ind.missing is None else _word(MISSING, ind.missing), ind.max_gap,
             None if i else dim.min_available]
            for dim in rules.dimensions for i, ind in enumerate(dim.indicators)]
    adjustments = [[adj.id, adj.title, _word(ADJUSTMENT_KINDS, adj.kind), adj.cap,
                    *evaluated(adj.evaluate, adj.cap)] for adj in rules.adjustments]
    vetoes = []
    for veto in rules.vetoes:
        method, table, names, units = evaluated(veto.when, None)
        effect = veto.effect
        vetoes.append([veto.id, veto.title, method, table, effect.total, effect.max_stars,
                       YES if effect.no_benchmark else NO, names, units])
    ratings = [[r.stars, r.min, r.title] for r in rules.ratings]
    benchmark = [[b.stars, b.consecutive, b.title] for b in [rules.benchmark] if b is not None]
    commendations = [[c.id, c.title, _word(COMMENDATION_KINDS, c.kind), c.stars, c.top,
                      c.min_rise, c.indicator, commendation_words(rules, c)]
                     for c in rules.commendations]
    fields = [[column, EMPTY_TEXT if spec.title == "" else spec.title,
               EMPTY_TEXT if spec.unit == "" else spec.unit, _word(FIELD_TYPES, spec.type),
               spec.min, spec.max, YES if spec.optional else NO, spec.formula]
              for column, spec in rules.fields.items()]
    settings = []
    for key, (_, words) in SETTING_ROWS.items():
        value = getattr(rules, key)
        if key == "clamp":
            value = YES if value else NO
        elif key == "aggregate" and value is not None:
            value = _word(AGGREGATES, value)
        elif key == "missing":
            value = _word(MISSING, value)
        elif key == "weighting" and value is not None:
            value = flow_yaml(value.model_dump(mode="json", exclude_defaults=True))
        elif key == "titles" and value is not None:
            value = flow_yaml([t.model_dump(mode="json", exclude_defaults=True) for t in value])
        settings.append([key, value, words])
    rows = [main, adjustments, vetoes, ratings, benchmark, commendations, fields, settings]
    return list(zip(SHEETS, [[[None if v == "" else v for v in row] for row in table]
                             for table in rows]))


def _applies_cell(applies: Any) -> str | None:
    """``applies_to`` as a cell: a column's name (quoted where it would read as YAML), or
    the mapping or list as one line of YAML."""
    if applies is None:
        return None
    if isinstance(applies, str):
        plain = applies == applies.strip() and not applies.startswith(("[", "{", "'", '"'))
        return applies if plain else json.dumps(applies, ensure_ascii=False)
    return flow_yaml(applies)


def _word(words: Mapping[str, str], value: str) -> str:
    return next((word for word, meant in words.items() if meant == value), value)


def _column_name(rules: RuleSet, column: str) -> str:
    spec = rules.fields.get(column)
    return f"{spec.title}（{column}）" if spec is not None and spec.title else column


def _unit(rules: RuleSet, column: str) -> str | None:
    spec = rules.fields.get(column)
    return spec.unit if spec is not None and spec.unit else None
