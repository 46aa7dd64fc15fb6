"""The 评分细则 as a workbook: a rule set as the table a committee reviews, and back.

:func:`export_rules` writes one sheet a part of the rule set — 评分细则 (one row an
indicator), 加减分, 一票否决, 星级, 标杆, 点赞台, 字段 and 设置 — with Chinese headings, the
method of each rule put in words beside its machine-readable parameters (the evaluator's
table as a one-line YAML flow mapping). :func:`import_rules` reads such a workbook back into
a validated :class:`RuleSet` from the machine columns only (words, field titles and units
are for people and are not read back), and names the cell of every problem
(``评分细则!H7``), all at once. Export then import gives the same ``digest``;
:func:`rules_yaml` writes the rule file a workbook came back as.

XlsxWriter writes and python-calamine reads: the ``excel`` extra, imported when used.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import Problem, RuleFileError, did_you_mean, shown
from ..plugins.evaluator import Evaluator
from ..plugins.manager import default_registry
from ..sheets import column_letters, missing_extra, text_width
from .file import Loc, format_path, read_yaml_text
from .model import EvaluatorCall, RuleSet

__all__ = [
    "SheetError",
    "export_rules",
    "import_rules",
    "rules_yaml",
    "write_rules_yaml",
]

Evaluators = Mapping[str, Evaluator[Any]]

EXCEL_CELL_CHARACTERS = 32_767
"""The most text an Excel cell holds; a longer parameters table cannot be exported."""

MAX_WORKBOOK_BYTES = 16 * 1024 * 1024
"""A rule workbook larger than this is refused: a 500-indicator one is about 100 kB."""


class SheetError(RuleFileError):
    """A rule workbook that does not give a rule set (each problem names its cell, such as
    ``评分细则!H7``), or a rule set that does not fit in one."""


class _Unreadable(Exception):
    """A cell whose value is not what its column holds (the message says what was expected)."""


# --- what a cell holds ---------------------------------------------------------------------

_YES, _NO = "是", "否"
_DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_EMPTY_TEXT = '""'
"""A text cell holding two quotes: the empty text, where an empty cell would mean "none"."""


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _number_value(value: float) -> int | float:
    """A whole number as an int (a whole-number key is refused as a float); -0.0 kept."""
    if value.is_integer() and not (value == 0 and math.copysign(1.0, value) < 0):
        return int(value)
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = float(value.strip())  # a number stored as text keeps every digit
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Unreadable(f"must be a number; got {shown(value)}")
    return _number_value(float(value)) if isinstance(value, float) else value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return "" if value == _EMPTY_TEXT else value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(_number_value(float(value)))  # Excel made a number of "2021"
    raise _Unreadable(f"must be text; got {shown(value)}")


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    words = {_YES: True, _NO: False, "true": True, "false": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise _Unreadable(f"must be {_YES} or {_NO}; got {shown(value)}")


def _choice(words: Mapping[str, str]) -> Callable[[Any], str]:
    """A reader of a value written in words (加分) or as the rule file writes it (bonus)."""

    def read(value: Any) -> str:
        if isinstance(value, str) and value.strip() in words:
            return words[value.strip()]
        if isinstance(value, str) and value.strip() in words.values():
            return value.strip()
        hint = did_you_mean(value, [*words, *words.values()]) if isinstance(value, str) else ""
        raise _Unreadable(f"must be one of {', '.join(words)}; got {shown(value)}{hint}")

    return read


def _table(value: Any) -> dict[str, Any]:
    example = "{kind: target, input: rate, target: 100, floor: 98}"
    if not isinstance(value, str):
        raise _Unreadable(f"must be a YAML mapping such as {example}; got {shown(value)}")
    try:
        data = read_yaml_text(value).data
    except RuleFileError as exc:
        found = "; ".join(p.message + (f" at line {p.line}, column {p.col}" if p.line else "")
                          for p in exc.problems)
        raise _Unreadable(f"is not a YAML mapping such as {example}: {found}") from None
    if not isinstance(data, dict):
        raise _Unreadable(f"must be a YAML mapping such as {example}; got {shown(value)}")
    return data


def _raw(value: Any) -> Any:
    return value


# --- the sheets ----------------------------------------------------------------------------

_WORDS_NOTE = "由参数生成，供阅读；导入时不读取"
_PARAMS_NOTE = ("评估器参数，YAML 流式映射，kind 为评估器名称；导入时据此重建规则。"
                "例：{kind: target, input: bill_recovery_rate, target: 100.0, floor: 98.0}")
_ADJUSTMENT_KINDS = {"加分": "bonus", "扣分": "deduction"}
_COMMENDATION_KINDS = {"首次达星": "first_stars", "进步最快": "biggest_rise",
                       "指标满分": "full_attainment"}
_FIELD_TYPES = {"数值": "float", "整数": "int", "是否": "bool", "文本": "str"}


@dataclass(frozen=True)
class _Column:
    heading: str
    key: str | None = None
    """Dotted key in the row's mapping; None: words for people, not read back."""
    read: Callable[[Any], Any] = _raw
    choices: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class _Sheet:
    name: str
    columns: tuple[_Column, ...]

    @property
    def read(self) -> tuple[_Column, ...]:
        return tuple(c for c in self.columns if c.key is not None)


def _words_column(heading: str) -> _Column:
    return _Column(heading, note=_WORDS_NOTE)


_EVALUATED = (_words_column("计分方法"), _Column("参数", "evaluate", _table, note=_PARAMS_NOTE),
              _words_column("数据字段"), _words_column("单位"))

MAIN = _Sheet("评分细则", (
    _Column("维度", "dimension.title", _text,
            note="一个维度的各行合并为一格；留空的行属于上一维度，写出的须与第一行一致"),
    _Column("维度编号", "dimension.id", _text, note="留空或与上一行相同：同一维度"),
    _Column("维度权重", "dimension.weight", _number),
    _Column("指标编号", "id", _text),
    _Column("指标名称", "title", _text),
    _Column("分值", "points", _number),
    *_EVALUATED,
))
ADJUSTMENTS = _Sheet("加减分", (
    _Column("编号", "id", _text),
    _Column("名称", "title", _text),
    _Column("类型", "kind", _choice(_ADJUSTMENT_KINDS), tuple(_ADJUSTMENT_KINDS)),
    _Column("上限", "cap", _number, note="最多加（扣）的分数"),
    *_EVALUATED,
))
VETOES = _Sheet("一票否决", (
    _Column("编号", "id", _text),
    _Column("名称", "title", _text),
    _words_column("触发条件"),
    _Column("参数", "when", _table, note=_PARAMS_NOTE.replace("重建规则", "重建触发条件")),
    _Column("总分封顶", "effect.total", _number, note="触发时总分最高为此数（0 即否决）"),
    _Column("最高星级", "effect.max_stars", _number),
    _Column("取消标杆资格", "effect.no_benchmark", _flag, (_YES, _NO)),
    _words_column("数据字段"),
    _words_column("单位"),
))
RATINGS = _Sheet("星级", (
    _Column("星级", "stars", _number),
    _Column("最低总分", "min", _number),
    _Column("名称", "title", _text),
))
BENCHMARK = _Sheet("标杆", (
    _Column("星级", "stars", _number, note="每期至少达到的星级"),
    _Column("连续期数", "consecutive", _number),
    _Column("名称", "title", _text),
))
COMMENDATIONS = _Sheet("点赞台", (
    _Column("编号", "id", _text),
    _Column("名称", "title", _text),
    _Column("类型", "kind", _choice(_COMMENDATION_KINDS), tuple(_COMMENDATION_KINDS)),
    _Column("星级", "stars", _number),
    _Column("前几名", "top", _number),
    _Column("最少进步", "min_rise", _number),
    _Column("指标", "indicator", _text),
    _words_column("说明"),
))
FIELDS = _Sheet("字段", (
    _Column("字段", "column", _text, note="数据表的列名"),
    _Column("名称", "title", _text, note=f"{_EMPTY_TEXT} 为空名称；留空为未设"),
    _Column("单位", "unit", _text),
    _Column("类型", "type", _choice(_FIELD_TYPES), tuple(_FIELD_TYPES)),
    _Column("最小值", "min", _number),
    _Column("最大值", "max", _number),
    _Column("可空", "optional", _flag, (_YES, _NO)),
))
SETTINGS = _Sheet("设置", (
    _Column("设置项", "key", _text),
    _Column("取值", "value", _raw),
    _words_column("说明"),
))
SHEETS = (MAIN, ADJUSTMENTS, VETOES, RATINGS, BENCHMARK, COMMENDATIONS, FIELDS, SETTINGS)

_SETTINGS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "ruleset": (_text, "细则编号"),
    "title": (_text, "细则名称"),
    "entity": (_text, "考核对象（如党支部）所在的列"),
    "period": (_text, "考核期（如月份）所在的列；可空"),
    "group_by": (_text, "分组比较（同组排名）所在的列；可空"),
    "scale": (_number, "满分"),
    "precision": (_number, "得分保留的小数位数（四舍五入）"),
    "missing": (_choice({"不计入": "skip", "计零分": "zero", "报错": "error"}),
                "指标不适用时：skip 不计入该维度，zero 计 0 分，error 报错"),
    "clamp": (_flag, "加减分后总分限定在 0 至满分之间（是/否）"),
}


# --- export --------------------------------------------------------------------------------

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


def _write_sheet(sheet: Any, spec: _Sheet, rows: list[list[Any]], formats: dict[str, Any],
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


def _sheet_rows(rules: RuleSet, evaluators: Evaluators) -> list[tuple[_Sheet, list[list[Any]]]]:
    """Each sheet with its rows, one value a column in the sheet's column order."""

    def evaluated(call: EvaluatorCall, points: float | None) -> list[Any]:
        return [_method(call, points, rules, evaluators), _flow(_call_table(call, evaluators)),
                "、".join(_column_name(rules, c) for c in dict.fromkeys(call.inputs)),
                "、".join(dict.fromkeys(u for c in call.inputs
                                        if (u := _unit(rules, c)) is not None))]

    main = [[*([dim.title, dim.id, dim.weight] if i == 0 else [None] * 3), ind.id, ind.title,
             ind.points, *evaluated(ind.evaluate, ind.points)]
            for dim in rules.dimensions for i, ind in enumerate(dim.indicators)]
    adjustments = [[adj.id, adj.title, _word(_ADJUSTMENT_KINDS, adj.kind), adj.cap,
                    *evaluated(adj.evaluate, adj.cap)] for adj in rules.adjustments]
    vetoes = []
    for veto in rules.vetoes:
        method, table, names, units = evaluated(veto.when, None)
        effect = veto.effect
        vetoes.append([veto.id, veto.title, method, table, effect.total, effect.max_stars,
                       _YES if effect.no_benchmark else _NO, names, units])
    ratings = [[r.stars, r.min, r.title] for r in rules.ratings]
    benchmark = [[b.stars, b.consecutive, b.title] for b in [rules.benchmark] if b is not None]
    commendations = [[c.id, c.title, _word(_COMMENDATION_KINDS, c.kind), c.stars, c.top,
                      c.min_rise, c.indicator, _commendation_words(rules, c)]
                     for c in rules.commendations]
    fields = [[column, _EMPTY_TEXT if spec.title == "" else spec.title,
               _EMPTY_TEXT if spec.unit == "" else spec.unit, _word(_FIELD_TYPES, spec.type),
               spec.min, spec.max, _YES if spec.optional else _NO]
              for column, spec in rules.fields.items()]
    settings = []
    for key, (_, words) in _SETTINGS.items():
        value = getattr(rules, key)
        if key == "clamp":
            value = _YES if value else _NO
        settings.append([key, value, words])
    rows = [main, adjustments, vetoes, ratings, benchmark, commendations, fields, settings]
    return list(zip(SHEETS, [[[None if v == "" else v for v in row] for row in table]
                             for table in rows]))


def _word(words: Mapping[str, str], value: str) -> str:
    return next((word for word, meant in words.items() if meant == value), value)


def _column_name(rules: RuleSet, column: str) -> str:
    spec = rules.fields.get(column)
    return f"{spec.title}（{column}）" if spec is not None and spec.title else column


def _unit(rules: RuleSet, column: str) -> str | None:
    spec = rules.fields.get(column)
    return spec.unit if spec is not None and spec.unit else None


def _n(value: float) -> str:
    return f"{value:.12g}"


def _method(call: EvaluatorCall, given: float | None, rules: RuleSet,
            evaluators: Evaluators) -> str:
    """The rule in words, for the committee: own words for the built-ins, the evaluator's
    description for a plug-in. ``given``: the indicator's points or the adjustment's cap;
    None for a veto's condition."""
    p = call.params
    points = 1.0 if given is None else given

    def name(column: str) -> str:
        spec = rules.fields.get(column)
        return spec.title if spec is not None and spec.title else column

    if call.kind in ("target", "growth"):
        lower = "（越低越好）" if p.target < p.floor else ""
        if call.kind == "target":
            return f"达标值 {_n(p.target)}、下限 {_n(p.floor)}{lower}，线性计分"
        return (f"增长率 =（{name(p.current)} − {name(p.baseline)}）÷ {name(p.baseline)} × 100%，"
                f"达标值 {_n(p.target)}%、下限 {_n(p.floor)}%{lower}，线性计分；"
                f"{name(p.baseline)}为 0 时不计")
    if call.kind == "bands":
        parts = []
        for band in p.bands:
            bounds = [f"≥{_n(band.min)}" if band.min is not None else "",
                      f"<{_n(band.max)}" if band.max is not None else ""]
            parts.append(f"{' 且 '.join(b for b in bounds if b) or '任意值'} 得 "
                         f"{_n(band.score * points)} 分")
        return f"分档计分：{'；'.join(parts)}；其余得 {_n(p.otherwise * points)} 分"
    if call.kind == "ratio":
        empty = "不计" if p.empty == "skip" else f"得 {_n(float(p.empty) * points)} 分"
        return (f"{name(p.numerator)} ÷ {name(p.denominator)}，按比例计分（100% 得满分）；"
                f"{name(p.denominator)}为 0 时{empty}")
    if call.kind == "checklist":
        weights = ("，权重 " + "、".join(_n(w) for w in p.weights)) if p.weights else "，各项等权"
        return f"{'、'.join(name(c) for c in p.inputs)} 共 {len(p.inputs)} 项，逐项达标计分{weights}"
    if call.kind == "per_event":
        return f"每项（次）{_n(p.each)} 分，最多 {_n(points)} 分"
    if call.kind == "survey":
        levels = "、".join(f"{level} ×{_n(weight)}" for level, weight in p.levels.items())
        groups = "、".join(group.name for group in p.groups)
        return (f"满意度测评（{levels}，按答卷数加权）：依次取 {groups} 中答卷不少于 "
                f"{p.min_responses} 份的第一组")
    if call.kind in ("rank", "minmax"):
        way = "越高越好" if p.higher_is_better else "越低越好"
        if call.kind == "rank":
            return f"同组排名计分：第一名得满分、最后一名得 0 分，按名次等差（{way}）"
        return f"同组比较：最好者得满分、最差者得 0 分，之间线性（{way}）"
    if call.kind == "threshold":
        met = "" if given is None else f" 时得 {_n(points)} 分，否则 0 分"
        return f"{name(p.input)} {p.op} {_n(p.value)}{met}"
    evaluator = evaluators.get(call.kind)
    described = evaluator.description if evaluator is not None else ""
    return described or f"由评估器 {call.kind} 计分"


def _commendation_words(rules: RuleSet, entry: Any) -> str:
    if entry.kind == "first_stars":
        return f"首次达到 {entry.stars} 星"
    if entry.kind == "biggest_rise":
        return f"每期总分进步最大的前 {entry.top} 名（进步不少于 {_n(entry.min_rise)} 分）"
    titles = {ind.id: ind.title for _, ind in rules.indicators}
    return f"指标“{titles.get(entry.indicator) or entry.indicator}”得满分"


# --- YAML: the parameters cell and the rule file -------------------------------------------

class _Flow(dict[str, Any]):
    """A mapping written on one line, as rule files write evaluator tables."""


class _Dumper(yaml.SafeDumper):
    pass


_NUMBER_LOOKING = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+")
"""1e3: text to PyYAML's writer, a number to the rule-file reader (YAML 1.2); quote it."""


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = '"' if _NUMBER_LOOKING.fullmatch(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_text)


def _dump(data: Any, width: int) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                          width=width)
    return text


def _flow(table: Mapping[str, Any]) -> str:
    """An evaluator table as one line of YAML; JSON (YAML too) where YAML would not read back
    the same values."""
    text = _dump(_Flow(table), 10**6).strip()
    try:
        same = _exact(read_yaml_text(text).data) == _exact(table)
    except RuleFileError:
        same = False
    return text if same else json.dumps(table, ensure_ascii=False)


def _exact(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _call_table(call: EvaluatorCall, evaluators: Evaluators) -> dict[str, Any]:
    """The ``evaluate:`` table as a rule file writes it: empty (None) params left out where
    the evaluator's defaults give them back, kept where a default would differ."""
    dumped: dict[str, Any] = call.model_dump(mode="json")
    first = [key for key, value in dumped.items() if isinstance(value, str) and value in call.inputs]
    table = {"kind": dumped.pop("kind"), **{key: dumped.pop(key) for key in first}, **dumped}
    kept = _without_none(table)  # columns first, as rule files write them
    evaluator = evaluators.get(call.kind)
    if evaluator is None:
        return table
    try:
        same = evaluator.Params.model_validate({k: v for k, v in kept.items() if k != "kind"}) \
            == call.params
    except (ValueError, TypeError):
        same = False
    return kept if same else table


_USUAL = {("type", "float"), ("optional", False)}
"""A field's defaults, left out of the rule file."""


def _whole(value: Any) -> Any:
    """Whole floats as ints, everywhere (the evaluator tables are put back afterwards)."""
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return _number_value(value) if isinstance(value, float) else value


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def rules_yaml(rules: RuleSet, *, evaluators: Evaluators | None = None,
               comment: str = "") -> str:
    """``rules`` as a YAML rule file (Chinese as written) that loads back to the same digest.

    Rules are block mappings and evaluator tables, fields and ratings one line each, as
    ``rules/three-dimensions.yaml`` writes them; ``comment`` opens the file, ``# `` a line.
    """
    evaluators = default_registry().evaluators if evaluators is None else evaluators
    data = _whole(rules.to_dict())  # 100, not 100.0: the models make floats of them again
    for loc, call in rules.calls():
        parent: Any = data
        for part in loc[:-1]:
            parent = parent[part]
        parent[loc[-1]] = _Flow(_call_table(call, evaluators))
    data["fields"] = {column: _Flow({k: v for k, v in spec.items() if (k, v) not in _USUAL})
                      for column, spec in data.get("fields", {}).items()}
    for key in ("ratings", "commendations"):
        data[key] = [_Flow(item) for item in data.get(key, [])]
    for veto in data.get("vetoes", []):
        veto["effect"] = _Flow(veto["effect"])
    if "benchmark" in data:
        data["benchmark"] = _Flow(data["benchmark"])
    data = {key: value for key, value in data.items() if value not in ([], {})}
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return head + _dump(data, 100)


def write_rules_yaml(rules: RuleSet, path: str | os.PathLike[str], *,
                     evaluators: Evaluators | None = None, comment: str = "") -> None:
    """Write :func:`rules_yaml` to ``path`` (UTF-8).

    Raises:
        SheetError: the file cannot be written.
    """
    text = rules_yaml(rules, evaluators=evaluators, comment=comment)
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise SheetError(Problem(f"cannot write the rule file: {exc.strerror or exc}",
                                 file=os.fspath(path))) from None


# --- import --------------------------------------------------------------------------------

def import_rules(path: str | os.PathLike[str], *,
                 evaluators: Evaluators | None = None) -> RuleSet:
    """Read a workbook written by :func:`export_rules` (and edited) back into a rule set.

    Only the machine columns are read (ids, numbers, the 参数 tables, the settings); the
    words beside them are not. A dimension is a run of rows with one 维度编号; its name and
    weight may repeat on each row (they must then agree) or be left empty after the first.
    Sheets other than 评分细则 and 设置 may be left out (no adjustments, no vetoes, ...).

    Args:
        path: the workbook (``.xlsx``; whatever python-calamine reads).
        evaluators: the evaluators the rules are checked against (default: the default
            registry's, as :func:`fortress_score.load_rules`).

    Raises:
        MissingExtraError: python-calamine is not installed.
        SheetError: every problem of the workbook, each naming its cell (``评分细则!H7``)
            and, where it is the rule set's, its rule path.
        PluginError: an evaluator's own check of its params raised.
    """
    name = os.fspath(path)
    reader = _Reader(name, _read_book(name))
    data = reader.rule_data()
    context = None if evaluators is None else {"evaluators": evaluators}
    rules = None
    try:
        if not reader.missing:  # else validation would only say it again, key by key
            rules = RuleSet.model_validate(data, context=context)
    except RuleFileError as exc:  # shown with the sheet's own problems, by cell
        reader.problems += [p for p in map(reader.placed, exc.problems)
                            if p.cell is None or p.cell not in reader.bad]
    if rules is None or reader.problems:
        raise SheetError(sorted(dict.fromkeys(reader.problems), key=_cell_order))
    return rules


def _read_book(name: str) -> dict[str, list[list[Any]]]:
    """The cells of the sheets this module knows, from A1."""
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - the extra is installed for the tests
        raise missing_extra("reading a rule workbook", "python-calamine") from None
    try:
        size = os.path.getsize(name)
    except OSError as exc:
        raise SheetError(Problem(f"cannot read the workbook: {exc.strerror or exc}",
                                 file=name)) from None
    if size > MAX_WORKBOOK_BYTES:
        raise SheetError(Problem(f"is {size:,} bytes; a rule workbook is refused above "
                                 f"{MAX_WORKBOOK_BYTES:,}", file=name))
    try:
        book = python_calamine.CalamineWorkbook.from_path(name)
    except Exception as exc:  # noqa: BLE001 - the reader's errors are not one class
        raise SheetError(Problem(f"cannot read the workbook: {exc}", file=name)) from None
    known = {sheet.name for sheet in SHEETS}
    try:
        return {sheet: book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                for sheet in book.sheet_names if sheet in known}
    except Exception as exc:  # noqa: BLE001
        raise SheetError(Problem(f"cannot read the workbook: {exc}", file=name)) from None
    finally:
        book.close()


_RULE_PATH = re.compile(
    r"\b(?:dimensions|adjustments|vetoes|ratings|commendations)\[\d+\](?:\.[A-Za-z_]+|\[\d+\])*")


@dataclass
class _Row:
    values: dict[str, Any]
    """Dotted key -> value read (empty cells left out)."""
    cells: dict[str, str]
    """Dotted key -> its cell, such as 评分细则!H7."""


class _Reader:
    """Reads the sheets into rule-file data, keeping the cell of every rule path."""

    def __init__(self, file: str, sheets: dict[str, list[list[Any]]]) -> None:
        self.file = file
        self.sheets = sheets
        self.problems: list[Problem] = []
        self.cells: dict[str, str] = {}
        """format_path(loc) -> the cell it was read from."""
        self.bad: set[str] = set()
        """Cells with a problem already: validation's view of them is not shown as well."""
        self.missing = False
        """A sheet (or a heading) the rule set cannot do without is missing."""

    def problem(self, cell: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.file, cell=cell))
        self.bad.add(cell)

    def place(self, loc: Loc, cell: str) -> None:
        self.cells.setdefault(format_path(loc), cell)

    def placed(self, problem: Problem) -> Problem:
        """A validation problem with the cell its rule path was read from."""
        path = problem.path or ""
        best = max((known for known in self.cells
                    if path == known or path.startswith((known + ".", known + "["))),
                   key=len, default=None)
        message = _RULE_PATH.sub(  # "already used by dimensions[0]": and where that is
            lambda m: f"{m[0]} ({self.cells[m[0]]})" if m[0] in self.cells else m[0],
            problem.message)
        if best is None and path in _SETTINGS:
            message += f" (a row {path!r} in sheet {SETTINGS.name})"
        return dataclasses.replace(problem, message=message, file=self.file,
                                   cell=self.cells[best] if best is not None else None)

    def rows(self, sheet: _Sheet, *, required: bool = False) -> Iterator[_Row]:
        grid = self.sheets.get(sheet.name)
        if grid is None:
            if required:
                self.missing = True
                self.problems.append(Problem(
                    f"has no sheet {sheet.name}; its sheets are {sorted(self.sheets)}",
                    file=self.file))
            return
        headings = [str(h).strip() if not _empty(h) else "" for h in (grid[0] if grid else [])]
        where: dict[str, int] = {}
        for c, heading in enumerate(headings):
            if heading in where and any(col.heading == heading for col in sheet.read):
                self.problem(f"{sheet.name}!{column_letters(c)}1",
                             f"heading {heading} is given twice (also {column_letters(where[heading])}1)")
            where.setdefault(heading, c)
        absent = [col.heading for col in sheet.read if col.heading not in where]
        if absent:
            self.missing = self.missing or required
            self.problem(f"{sheet.name}!1:1", f"has no column {', '.join(absent)}; the headings "
                         f"must include {', '.join(col.heading for col in sheet.read)}")
            return
        for r, line in enumerate(grid[1:], start=2):
            if all(_empty(v) for v in line):
                continue
            row = _Row({}, {})
            for column in sheet.read:
                assert column.key is not None
                c = where[column.heading]
                cell = f"{sheet.name}!{column_letters(c)}{r}"
                row.cells[column.key] = cell
                value = line[c] if c < len(line) else None
                if _empty(value):
                    continue
                try:
                    row.values[column.key] = column.read(value)
                except _Unreadable as exc:
                    self.problem(cell, f"{column.heading} {exc}")
            yield row

    def records(self, sheet: _Sheet, key: str) -> list[dict[str, Any]]:
        """A list sheet: one rule a row, dotted keys nested."""
        records = []
        for i, row in enumerate(self.rows(sheet)):
            self.place((key, i), next(iter(row.cells.values())))
            record: dict[str, Any] = {}
            for dotted, cell in row.cells.items():
                parts = dotted.split(".")
                for end in range(1, len(parts) + 1):
                    self.place((key, i, *parts[:end]), cell)
                if dotted in row.values:
                    inner = record
                    for part in parts[:-1]:
                        inner = inner.setdefault(part, {})
                    inner[parts[-1]] = row.values[dotted]
            records.append(record)
        return records

    def rule_data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.settings()
        data["dimensions"] = self.dimensions()
        for sheet, key in ((ADJUSTMENTS, "adjustments"), (VETOES, "vetoes"),
                           (RATINGS, "ratings"), (COMMENDATIONS, "commendations")):
            if sheet.name in self.sheets:
                data[key] = self.records(sheet, key)
        benchmark = self.records(BENCHMARK, "benchmark")
        if len(benchmark) > 1:
            self.problem(self.cells["benchmark[1]"],
                         f"only one benchmark is held; found {len(benchmark)} rows")
        if benchmark:
            data["benchmark"] = benchmark[0]
            self.cells = {re.sub(r"^benchmark\[0\]", "benchmark", path): cell
                          for path, cell in self.cells.items()}
        if FIELDS.name in self.sheets:
            data["fields"] = self.fields()
        return data

    def settings(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for row in self.rows(SETTINGS, required=True):
            key, cell = row.values.get("key"), row.cells["value"]
            if key is None:
                self.problem(row.cells["key"], "设置项 is empty; write the setting's name")
            elif key not in _SETTINGS:
                self.problem(row.cells["key"], f"unknown setting {shown(key)}"
                             f"{did_you_mean(key, _SETTINGS)}; expected one of "
                             f"{', '.join(_SETTINGS)}")
            elif key in seen:
                self.problem(row.cells["key"], f"setting {key} is given twice (also {seen[key]})")
            else:
                seen[key] = row.cells["key"]
                self.place((key,), cell)
                if "value" in row.values:
                    try:
                        data[key] = _SETTINGS[key][0](row.values["value"])
                    except _Unreadable as exc:
                        self.problem(cell, f"{key} {exc}")
        return data

    def dimensions(self) -> list[dict[str, Any]]:
        dimensions: list[dict[str, Any]] = []
        first: dict[str, tuple[Any, str]] = {}  # the dimension's title and weight, and where
        main_cell = f"{MAIN.name}!A2"
        self.place(("dimensions",), main_cell)
        for row in self.rows(MAIN, required=True):
            dim_id = row.values.get("dimension.id")
            if not dimensions or (dim_id is not None and dim_id != dimensions[-1].get("id")):
                d = len(dimensions)
                dimensions.append({"id": dim_id} if dim_id is not None else {})
                dimensions[-1]["indicators"] = []
                first = {}
                self.place(("dimensions", d), row.cells["dimension.id"])
                self.place(("dimensions", d, "id"), row.cells["dimension.id"])
            d, dimension = len(dimensions) - 1, dimensions[-1]
            for key in ("title", "weight"):
                dotted = f"dimension.{key}"
                if dotted not in row.values:
                    self.place(("dimensions", d, key), row.cells[dotted])
                elif key not in first:
                    first[key] = (row.values[dotted], row.cells[dotted])
                    dimension[key] = row.values[dotted]
                    self.cells[format_path(("dimensions", d, key))] = row.cells[dotted]
                elif row.values[dotted] != first[key][0]:
                    heading = "维度" if key == "title" else "维度权重"
                    self.problem(row.cells[dotted], (
                        f"{heading} differs from the dimension's first row ({first[key][1]}: "
                        f"{shown(first[key][0])}); write it the same on every row of the "
                        f"dimension, or leave it empty; got {shown(row.values[dotted])}"))
            i = len(dimension["indicators"])
            loc = ("dimensions", d, "indicators", i)
            self.place(loc, row.cells["id"])
            for key in ("id", "title", "points", "evaluate"):
                self.place((*loc, key), row.cells[key])
            dimension["indicators"].append(
                {key: row.values[key] for key in ("id", "title", "points", "evaluate")
                 if key in row.values})
        return dimensions

    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for row in self.rows(FIELDS):
            column = row.values.pop("column", None)
            if column is None:
                if row.cells["column"] not in self.bad:
                    self.problem(row.cells["column"], "字段 is empty; write the data column's name")
                continue
            if column in seen:
                self.problem(row.cells["column"],
                             f"field {shown(column)} is declared twice (also {seen[column]})")
                continue
            seen[column] = row.cells["column"]
            self.place(("fields", column), row.cells["column"])
            for key, cell in row.cells.items():
                if key != "column":
                    self.place(("fields", column, key), cell)
            fields[column] = row.values
        return fields


def _cell_order(problem: Problem) -> tuple[int, int, str]:
    """Problems by sheet (in workbook order), then row, then column."""
    if problem.cell is None:
        return (-1, 0, "")
    sheet, _, ref = problem.cell.rpartition("!")
    order = next((i for i, s in enumerate(SHEETS) if s.name == sheet), len(SHEETS))
    found = re.fullmatch(r"([A-Z]*)(\d+)(:\d+)?", ref)
    if found is None:
        return (order, 0, "")
    return (order, int(found.group(2)), found.group(1).rjust(3))
