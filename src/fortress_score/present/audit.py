"""The audit workbook: the data and every step of the scoring model as live formulas.

``card.to_excel(path, formulas=True)`` writes two sheets with one line a scored row, in
the same order: 数据 (the data: keys and every column the rules read; an empty cell is no
value) and 计算 (the model): each indicator's attainment (the evaluator's own
:meth:`~fortress_score.Evaluator.formula`; a plug-in that gives none has its attainment
written as values, shaded and marked "值"), its points, each dimension's possible and
earned points and score, the weight of the dimensions that apply, the base total, the
adjustments, the clamp, the vetoes, the total rounded half up, the stars and the rank
within period and peer group (COUNTIFS). Change a data cell and recalculate: the row's
figures move as the library's would. A third sheet, 说明, says how to read it.

Rounding: a spreadsheet's ROUND works on the decimal digits it shows (15), the library on
the float itself with a tolerance of 2⁻⁴⁰ of the figure (:func:`round_half_up`). The
formula here is the library's, written out: ``SIGN(t)*(INT(|t|·10ᵖ) + (frac ≥ 0.5 −
tol))/10ᵖ`` with ``tol = MIN(2⁻⁴⁰·MAX(|t|,1)·10ᵖ, 2⁻¹²)``, so that 85.275, stored as
85.27499999999999, reports 85.28 in both. Sums are written term by term in the library's
order (never SUM, which may add in another order), so the figures agree to the last bit
wherever the spreadsheet's arithmetic is IEEE double arithmetic.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import FortressScoreError, PeriodError, PluginError, Problem, shown
from ..periods import wanted_period
from ..plugins.formulas import Cells, number
from ..rules.model import Adjustment, EvaluatorCall
from ..scoring.missing import applicable
from ..scoring.model import HALF_TOLERANCE, HALF_TOLERANCE_CAP
from ..scoring.result import Result
from ..sheets import column_letters, missing_extra

__all__ = ["write_audit_workbook"]

DATA, MODEL, NOTES = "数据", "计算", "说明"
_FIRST = 3  # spreadsheet row of the first scored row: headings for people, then for programs


class _Sheet:
    """Columns of the model sheet, added left to right, each with one formula a row."""

    def __init__(self) -> None:
        self.headings: list[str] = []
        self.names: list[str] = []
        self.columns: list[list[tuple[str | None, Any]]] = []
        self.kinds: list[str] = []

    def add(self, heading: str, name: str, formulas: Sequence[str | None],
            cached: Sequence[Any], kind: str) -> str:
        """Add a column headed ``heading`` for people and ``name`` for programs (the
        ``to_pandas()`` column where there is one); returns its letter. ``None`` formulas
        write the cached value."""
        self.headings.append(heading)
        self.names.append(name)
        self.columns.append(list(zip(formulas, cached)))
        self.kinds.append(kind)
        return column_letters(len(self.headings) - 1)


def _cached(values: npt.NDArray[Any]) -> list[Any]:
    """Library figures as a spreadsheet's cached values: "" where there is none."""
    out: list[Any] = []
    for value in values.tolist():
        if isinstance(value, bool):
            out.append(int(value))
        elif isinstance(value, float) and math.isnan(value):
            out.append("")
        else:
            out.append(value)
    return out


def write_audit_workbook(result: Result, path: str | os.PathLike[str], *,
                         period: Any = None) -> None:
    """Write the audit workbook of ``result`` (all rows, or those of ``period``)."""
    try:
        import xlsxwriter  # type: ignore[import-untyped]
        from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the extra is installed for the tests
        raise missing_extra("writing a workbook", "XlsxWriter", "excel") from None
    if result.sub_periods is not None:
        raise FortressScoreError(Problem(
            "the audit workbook shows how data rows are scored; a rolled-up card holds means "
            "of scored periods: write the audit workbook of the card before roll_up"))
    if result.figures.by_data:
        raise FortressScoreError(Problem(
            "the audit workbook writes each weight as a number in its formulas; this rule set "
            "weighs by the data (weighting method entropy or critic), a set of weights a "
            "period: write the printed workbook (formulas=False) instead"))
    rows = _chosen_rows(result, period)
    rules, table, figures = result.rules, result.table, result.figures
    n = rows.shape[0]
    lines = list(range(_FIRST, _FIRST + n))
    last = _FIRST + n - 1

    data_columns = list(table.columns)
    keys: list[tuple[str, npt.NDArray[Any]]] = [
        (name, values) for name, values in ((rules.entity, table.entity),
                                            (rules.period, table.period),
                                            (rules.group_by, table.group))
        if name is not None and values is not None]
    data_letter = {name: column_letters(i) for i, (name, _) in enumerate(keys)}
    data_letter |= {name: column_letters(len(keys) + i) for i, name in enumerate(data_columns)}

    def data_cell(name: str, line: int) -> str:
        return f"'{DATA}'!${data_letter[name]}{line}"

    sheet = _Sheet()
    for (name, _), role in zip(keys, ("entity", "period", "group")):
        sheet.add(_title(result, name), role, [f"{data_cell(name, line)}&\"\"" for line in lines],
                  [str(v) for v in dict(keys)[name][rows].tolist()], "key")
    peer_letter = sheet.add("同期同组编号", "peer_population", [None] * n,
                            table.groups[rows].tolist(), "code")
    peer_codes = f"'{MODEL}'!${peer_letter}${_FIRST}:${peer_letter}${last}"
    whole = {name: f"'{DATA}'!${data_letter[name]}${_FIRST}:${data_letter[name]}${last}"
             for name in data_columns}

    def attainment_column(heading: str, name: str, call: EvaluatorCall, points: float,
                          values: npt.NDArray[Any], policy: str = "skip",
                          withheld: bool = False, applies: str | None = None) -> str:
        formulas = [None if withheld or policy not in ("skip", "zero", "error") else
                    _formula_of(result, call, Cells(
                        {c: data_cell(c, line) for c in call.inputs}, whole, peer_codes,
                        f"${peer_letter}{line}", points)) for line in lines]
        given = all(f is not None for f in formulas)
        if given and applies is not None and any(
                peer_codes in f or any(r in f for r in whole.values())
                for f in formulas if f is not None):
            # the library leaves rows outside applies_to out of the peers; a formula over
            # whole columns would count them in: written as values instead
            formulas, given = [None] * n, False
        if given and policy == "zero":
            formulas = [f'IF(({f})="",0,{f})' for f in formulas]
        if given and applies is not None:
            formulas = [f'IF(${applies}{line}=1,{f},"")' for f, line in zip(formulas, lines)]
        kind = "attainment" if given else "values"
        return sheet.add(heading + ("" if given else "（值）"), name,
                         formulas if given else [None] * n, _cached(values[rows]), kind)

    precision = rules.precision
    points_letters: list[tuple[str, str, float]] = []  # attainment, points, P_i
    by_rule = applicable(rules, table)
    for i, (dim, ind) in enumerate(rules.indicators):
        title = ind.title or ind.id
        applies = None  # where the rule says: a 1/0 column of the library's reading, marked
        if ind.applies_to is not None or dim.applies_to is not None:
            applies = sheet.add(f"{title} 适用（值）", f"applies.{ind.id}", [None] * n,
                                by_rule[i][rows].astype(int).tolist(), "flag")
        # imputed figures and withheld dimensions are written as values, marked
        a = attainment_column(f"{title} 达成度", f"attainment.{ind.id}", ind.evaluate,
                              ind.points, figures.attainment[i], ind.missing or rules.missing,
                              dim.min_available is not None, applies)
        p = sheet.add(f"{title} 得分（{number(ind.points)}分）", f"indicators.{ind.id}",
                      [f'IF({a}{line}="","",{a}{line}*{number(ind.points)})' for line in lines],
                      _cached(figures.indicator_points(i)[rows]), "points")
        points_letters.append((a, p, ind.points))

    score_letters: list[tuple[str, float]] = []
    i = 0
    for d, dim in enumerate(rules.dimensions):
        mine = points_letters[i:i + len(dim.indicators)]
        i += len(dim.indicators)
        title = dim.title or dim.id
        possible = sheet.add(f"{title} 应得分", f"possible.{dim.id}", [
            "0+" + "+".join(f'IF({a}{line}="",0,{number(p)})' for a, _, p in mine)
            for line in lines], _cached(figures.possible_points[d, rows]), "points")
        earned = sheet.add(f"{title} 实得分", f"earned.{dim.id}", [
            "0+" + "+".join(f'IF({a}{line}="",0,{a}{line}*{number(p)})' for a, _, p in mine)
            for line in lines], [""] * n, "points")
        parts = [(a, "", p) for a, _, p in mine]
        score = sheet.add(f"{title} 维度得分（权重{number(dim.weight)}）", f"dimensions.{dim.id}", [
            f'IF({possible}{line}>0,100*{earned}{line}/{possible}{line},"")'
            if dim.aggregate in (None, "weighted_mean") else
            f'IF({possible}{line}>0,100*{_whole(dim.aggregate, parts, f"{possible}{line}", line)},"")'
            for line in lines], _cached(figures.dimension_scores[d, rows]), "score")
        score_letters.append((score, dim.weight))

    weights = sheet.add("参与维度权重之和", "weight_sum", [
        "0+" + "+".join(f'IF({s}{line}="",0,{number(w)})' for s, w in score_letters)
        for line in lines], [""] * n, "points")
    dimension_parts = [(s, "/100", w) for s, w in score_letters]
    base = sheet.add("基础分", "base_total", [
        f"IF({weights}{line}>0,{number(rules.scale)}*(0+" + "+".join(
            f'IF({s}{line}="",0,{number(w)}/{weights}{line}*{s}{line})'
            for s, w in score_letters) + ')/100,"")'
        if rules.aggregate in (None, "weighted_mean") else
        f"IF({weights}{line}>0,{number(rules.scale)}*"
        f'{_whole(rules.aggregate, dimension_parts, f"{weights}{line}", line)},"")'
        for line in lines], _cached(figures.base_total[rows]), "score")

    adjustment_letters = []
    for a_index, adj in enumerate(rules.adjustments):
        title = adj.title or adj.id
        a = attainment_column(f"{title} 达成度", f"adjustment_attainment.{adj.id}",
                              adj.evaluate, adj.cap,
                              _raw_attainment(figures.adjustment_points[a_index], adj))
        signed = adj.cap if adj.kind == "bonus" else -adj.cap
        adjustment_letters.append(sheet.add(
            f"{title} {'加分' if adj.kind == 'bonus' else '扣分'}", f"adjustments.{adj.id}",
            [f'IF({a}{line}="",0,{a}{line}*{number(signed)})' for line in lines],
            _cached(figures.adjustment_points[a_index, rows]), "score"))
    adjusted = sheet.add("加减分后", "adjusted_total", [
        f'IF({base}{line}="","",{base}{line}+(0' + "".join(
            f"+{x}{line}" for x in adjustment_letters) + "))" for line in lines],
        _cached(figures.adjusted_total[rows]), "score")
    total = sheet.add("限幅后" if rules.clamp else "总分（否决前）", "clamped_total", [
        (f'IF({adjusted}{line}="","",MIN(MAX({adjusted}{line},0),{number(rules.scale)}))'
         if rules.clamp else f"{adjusted}{line}")
        for line in lines], [""] * n, "score")

    veto_letters = []
    for v, veto in enumerate(rules.vetoes):
        title = veto.title or veto.id
        trigger = attainment_column(f"否决：{title}", f"vetoes.{veto.id}", veto.when, 1.0,
                                    figures.vetoed[v].astype(np.float64))
        veto_letters.append((trigger, veto))
        if veto.effect.total is not None:
            cap = number(veto.effect.total)
            total = sheet.add(f"否决后（{title}）", f"capped_total.{veto.id}", [
                f'IF({trigger}{line}=1,IF({total}{line}="",{cap},MIN({total}{line},{cap})),'
                f"{total}{line})" for line in lines], [""] * n, "score")
    unrounded = sheet.add("总分（未舍入）", "unrounded_total", [f"{total}{line}" for line in lines],
                          _cached(figures.total[rows]), "exact")

    factor = number(10.0 ** precision)
    reported = sheet.add("总分", "total",
                         [_half_up(f"{unrounded}{line}", factor) for line in lines],
                         _cached(figures.reported_total[rows]), "score")
    top = max(max((r.stars for r in rules.ratings), default=0), 1)

    def stars(line: int) -> str:
        bands = "".join(f",IF({reported}{line}>={number(r.min)},{r.stars},0)"
                        for r in rules.ratings)
        caps = "".join(f",IF({t}{line}=1,{veto.effect.max_stars},{top})"
                       for t, veto in veto_letters if veto.effect.max_stars is not None)
        return f'IF({reported}{line}="",0,MIN(MAX(0{bands}){caps}))'

    sheet.add("星级", "stars", [stars(line) for line in lines], figures.stars[rows].tolist(),
              "whole")
    column = f"${reported}${_FIRST}:${reported}${last}"
    sheet.add("名次", "rank", [
        f'IF({reported}{line}="","",COUNTIFS({column},">"&{reported}{line},'
        f"{peer_codes},${peer_letter}{line})+1)" for line in lines],
        _cached(figures.rank[rows]), "whole")

    book = xlsxwriter.Workbook(os.fspath(path))
    try:
        _write(book, result, rows, keys, data_columns, sheet)
    finally:
        try:
            book.close()
        except FileCreateError as exc:  # no such folder, or the file is open in Excel
            raise FortressScoreError(Problem(f"cannot write the workbook: {exc}",
                                             file=os.fspath(path))) from None


def _formula_of(result: Result, call: EvaluatorCall, cells: Cells) -> str | None:
    """The evaluator's formula for one row; a plug-in that fails is named, as in scoring."""
    source = result.provenance.evaluators.get(call.kind, "?")
    try:
        formula = result.evaluators[call.kind].formula(call.params, cells)
    except (FortressScoreError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # SystemExit too: a plug-in never ends the caller's run
        raise PluginError(f"evaluator {call.kind!r} from {source}, writing its formula: "
                          f"formula() raised {type(exc).__name__}: {exc}",
                          evaluator=call.kind, source=source) from exc
    if formula is not None and not isinstance(formula, str):
        raise PluginError(f"evaluator {call.kind!r} from {source}: formula() must return a "
                          f"formula as text or None; got {shown(formula)}",
                          evaluator=call.kind, source=source)
    if formula is not None and (len(formula) > MAX_FORMULA_CHARACTERS
                                or _nesting(formula) > MAX_FORMULA_NESTING):
        return None  # beyond what Excel opens: the values, marked, instead
    return formula


MAX_FORMULA_CHARACTERS = 8000
"""Excel's limit is 8,192 characters a formula; the model sheet's wrappers add a few."""

MAX_FORMULA_NESTING = 60
"""Excel nests functions 64 levels deep at most; the model sheet's wrappers add a few."""


def _nesting(formula: str) -> int:
    depth = deepest = 0
    for char in formula:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def _whole(rule: str, parts: list[tuple[str, str, float]], weight_sum: str, line: int) -> str:
    """A geometric mean (a product of powers, in rule order) or the least of ``parts`` —
    (column letter, what divides its value, weight) — as :func:`scoring.model._aggregate`."""
    cells = [(f"{letter}{line}", f"({letter}{line}{divided})", w) for letter, divided, w in parts]
    if rule == "geometric":
        return "(1" + "".join(f'*IF({cell}="",1,{value}^({number(w)}/{weight_sum}))'
                              for cell, value, w in cells) + ")"
    return "MIN(" + ",".join(f'IF({cell}="",2,{value})' for cell, value, _ in cells) + ")"


def _raw_attainment(points: npt.NDArray[Any], adjustment: Adjustment) -> npt.NDArray[Any]:
    """An adjustment's attainment back from its signed points (cached values only)."""
    signed = adjustment.cap if adjustment.kind == "bonus" else -adjustment.cap
    return np.asarray(points / signed, dtype=np.float64)


def _half_up(cell: str, factor: str) -> str:
    """The library's half-up rounding (:func:`round_half_up`) as a formula."""
    magnitude = f"ABS({cell})*{factor}"
    tolerance = (f"MIN({number(HALF_TOLERANCE)}*MAX(ABS({cell}),1)*{factor},"
                 f"{number(HALF_TOLERANCE_CAP)})")
    return (f'IF({cell}="","",SIGN({cell})*(INT({magnitude})+'
            f"({magnitude}-INT({magnitude})>=0.5-{tolerance}))/{factor})")


def _title(result: Result, column: str) -> str:
    spec = result.rules.fields.get(column)
    return spec.title if spec is not None and spec.title else column


def _chosen_rows(result: Result, period: Any) -> npt.NDArray[np.intp]:
    table = result.table
    if period is None:
        return np.arange(table.n_rows)
    if table.period is None:
        raise PeriodError(Problem(f"period {shown(period)} is asked for, but the rule set has "
                                  "no period column"))
    wanted = wanted_period(period, table.period)
    rows = np.flatnonzero(table.period.astype(str) == str(wanted))
    if rows.shape[0] == 0:
        raise PeriodError(Problem(f"no row has period {shown(period)}",
                                  column=result.rules.period))
    return rows


def _write(book: Any, result: Result, rows: npt.NDArray[np.intp],
           keys: list[tuple[str, npt.NDArray[Any]]], data_columns: list[str],
           sheet: _Sheet) -> None:
    precision = result.rules.precision
    heading = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                               "bg_color": "#DDEBF7", "border": 1})
    ids = book.add_format({"font_color": "#7F7F7F", "font_size": 9})
    formats = {
        "key": None, "code": book.add_format({"num_format": "0"}),
        "attainment": book.add_format({"num_format": "0.0000"}),
        "values": book.add_format({"num_format": "0.0000", "bg_color": "#FCE4D6"}),
        "flag": book.add_format({"num_format": "0", "bg_color": "#FCE4D6"}),
        "points": book.add_format({"num_format": "0." + "0" * precision if precision else "0"}),
        "score": book.add_format({"num_format": "0." + "0" * precision if precision else "0"}),
        "exact": book.add_format({"num_format": "0.000000000"}),
        "whole": book.add_format({"num_format": "0"}),
    }
    data = book.add_worksheet(DATA)
    names = [name for name, _ in keys] + data_columns
    first = _FIRST - 1  # 0-based row of the first scored row
    derived = result.rules.derived_fields()
    for c, name in enumerate(names):
        data.write_string(0, c, _title(result, name) + ("（公式值）" if name in derived else ""),
                          heading)
        data.write_string(1, c, name, ids)
        data.set_column(c, c, 14)
    for c, (_, values) in enumerate(keys):
        for r, value in enumerate(values[rows].tolist(), start=first):
            data.write_string(r, c, str(value))
    long_digits = book.add_format({"bg_color": "#FFF2CC"})
    too_long: list[str] = []
    for c, name in enumerate(data_columns, start=len(keys)):
        for r, value in enumerate(result.table.columns[name][rows].tolist(), start=first):
            if math.isnan(value):
                continue
            if float(f"{value:.15g}") != value:  # a spreadsheet keeps 15 digits, not 17
                too_long.append(f"{DATA}!{column_letters(c)}{r + 1}")
                data.write_number(r, c, value, long_digits)
            else:
                data.write_number(r, c, value)
    data.freeze_panes(first, len(keys))

    model = book.add_worksheet(MODEL)
    for c, (title, name, column, kind) in enumerate(zip(sheet.headings, sheet.names,
                                                        sheet.columns, sheet.kinds)):
        model.write_string(0, c, title, heading)
        model.write_string(1, c, name, ids)
        model.set_column(c, c, 16 if kind != "key" else 18)
        for r, (formula, cached) in enumerate(column, start=first):
            if formula is None:
                if isinstance(cached, str):
                    model.write_string(r, c, cached, formats[kind])
                else:
                    model.write_number(r, c, cached, formats[kind])
            else:
                model.write_formula(r, c, "=" + formula, formats[kind], cached)
    model.set_row(0, 48)
    model.freeze_panes(first, len(keys))

    notes = book.add_worksheet(NOTES)
    notes.set_column(0, 0, 100)
    lines = list(_NOTES)
    if too_long:
        lines.append(f"注意：{len(too_long)} 个输入（底色标出，如 {'、'.join(too_long[:3])}）的有效数字多于"
                     " 15 位，电子表格只保留 15 位，由其算出的数值可能与本库在末位不同，恰在分界处时星级或"
                     "名次亦可能不同。")
    for r, text in enumerate(lines):
        notes.write_string(r, 0, text)


_NOTES = [
    "本工作簿以公式重现评分的每一步，供审核：改动“数据”表中的任一输入并重新计算，“计算”表中该行各项随之变化。",
    "“数据”：每行一条被评分的记录；空白单元格表示无数据（该指标不适用）。",
    "“计算”：达成度（0～1，空白为不适用）→ 指标得分 = 达成度 × 分值 → 维度得分 = 100 × 实得分 ÷ 应得分"
    " → 基础分 = 满分 × Σ(维度权重 ÷ 参与维度权重之和 × 维度得分) ÷ 100 → 加减分 → 限幅 → 一票否决 → "
    "四舍五入 → 星级 → 同期同组名次（COUNTIFS）。",
    "四舍五入按本库规则：距“5”在 2^-40 倍以内者视为恰好为“5”并进位（85.275 记 85.28），与库中数值一致。",
    "标有“（值）”并以底色标出的达成度列写入的是结果值：由未提供公式的插件计算，或其指标按缺失处理"
    "（同组均值、同组中位数、沿用上期）推补，或其维度设有数据最低占比。",
    "“适用（值）”列按规则文件的适用范围（applies_to）写明该指标是否适用于该行（1 适用，0 不适用），"
    "按值写入；不适用的行达成度为空白。",
    "“数据”中标有“（公式值）”的列是规则文件中派生字段（formula）的计算结果，按值写入：改动它所依据的输入不会使其随之变化。",
]
