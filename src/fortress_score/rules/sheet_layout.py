"""The layout of the 评分细则 workbook: its sheets, their columns, and what each cell holds.

A :class:`Sheet` is a sheet's name and its :class:`Column` specs, in order; a column with a
``key`` is read back (by its cell reader, which raises :class:`Unreadable` with what was
expected), one without is words for people. Export (:mod:`.sheet`) writes these sheets and
import (:mod:`.sheet_import`) reads them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import RuleFileError, did_you_mean, shown
from .file import read_yaml_text

__all__ = [
    "ADJUSTMENTS",
    "ADJUSTMENT_KINDS",
    "AGGREGATES",
    "MISSING",
    "BENCHMARK",
    "COMMENDATIONS",
    "COMMENDATION_KINDS",
    "EMPTY_TEXT",
    "FIELDS",
    "FIELD_TYPES",
    "MAIN",
    "NO",
    "RATINGS",
    "SETTINGS",
    "SETTING_ROWS",
    "SHEETS",
    "VETOES",
    "YES",
    "Column",
    "Sheet",
    "SheetError",
    "Unreadable",
    "is_empty",
    "number_value",
]


class SheetError(RuleFileError):
    """A rule workbook that does not give a rule set (each problem names its cell, such as
    ``评分细则!H7``), or a rule set that does not fit in one."""


class Unreadable(Exception):
    """A cell whose value is not what its column holds (the message says what was expected)."""


# --- what a cell holds ---------------------------------------------------------------------

YES, NO = "是", "否"
_DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
EMPTY_TEXT = '""'
"""A text cell holding two quotes: the empty text, where an empty cell would mean "none"."""


def is_empty(value: Any) -> bool:
    return value is None or value == ""


def number_value(value: float) -> int | float:
    """A whole number as an int (a whole-number key is refused as a float); -0.0 kept."""
    if value.is_integer() and not (value == 0 and math.copysign(1.0, value) < 0):
        return int(value)
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = float(value.strip())  # a number stored as text keeps every digit
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Unreadable(f"must be a number; got {shown(value)}")
    return number_value(float(value)) if isinstance(value, float) else value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return "" if value == EMPTY_TEXT else value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(number_value(float(value)))  # Excel made a number of "2021"
    raise Unreadable(f"must be text; got {shown(value)}")


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    words = {YES: True, NO: False, "true": True, "false": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise Unreadable(f"must be {YES} or {NO}; got {shown(value)}")


def _choice(words: Mapping[str, str]) -> Callable[[Any], str]:
    """A reader of a value written in words (加分) or as the rule file writes it (bonus)."""

    def read(value: Any) -> str:
        if isinstance(value, str) and value.strip() in words:
            return words[value.strip()]
        if isinstance(value, str) and value.strip() in words.values():
            return value.strip()
        hint = did_you_mean(value, [*words, *words.values()]) if isinstance(value, str) else ""
        raise Unreadable(f"must be one of {', '.join(words)}; got {shown(value)}{hint}")

    return read


def _yaml(value: Any, shape: type[dict[str, Any]] | type[list[Any]], example: str) -> Any:
    """One line of YAML in a cell, which must read as a ``shape`` (a mapping or a list)."""
    kind = "mapping" if shape is dict else "list"
    if not isinstance(value, str):
        raise Unreadable(f"must be a YAML {kind} such as {example}; got {shown(value)}")
    try:
        data = read_yaml_text(value).data
    except RuleFileError as exc:
        found = "; ".join(p.message + (f" at line {p.line}, column {p.col}" if p.line else "")
                          for p in exc.problems)
        raise Unreadable(f"is not a YAML {kind} such as {example}: {found}") from None
    if not isinstance(data, shape):
        raise Unreadable(f"must be a YAML {kind} such as {example}; got {shown(value)}")
    return data


def _table(value: Any) -> dict[str, Any]:
    table: dict[str, Any] = _yaml(value, dict, "{kind: target, input: rate, target: 100, floor: 98}")
    return table


def _list(value: Any) -> list[Any]:
    """A YAML list, as one line of text."""
    items: list[Any] = _yaml(value, list, "[{id: five_star, stars: 5}]")
    return items


def _applies(value: Any) -> Any:
    """``applies_to``: a 0/1 column's name (quoted if it starts like YAML), a YAML mapping
    of column → values, or a YAML list of these."""
    if isinstance(value, str) and value.strip().startswith('"'):
        try:
            name = json.loads(value.strip())
        except ValueError:
            raise Unreadable(f"is not a quoted column name: {shown(value)}") from None
        if not isinstance(name, str):
            raise Unreadable(f"is not a quoted column name: {shown(value)}")
        return name
    if isinstance(value, str) and value.strip().startswith("["):
        return _yaml(value, list, "[{category: [甲类]}, has_customers]")
    if isinstance(value, str) and not value.strip().startswith("{"):
        return value.strip()
    return _table(value)


def _raw(value: Any) -> Any:
    return value


# --- the sheets ----------------------------------------------------------------------------

_WORDS_NOTE = "由参数生成，供阅读；导入时不读取"
_PARAMS_NOTE = ("评估器参数，YAML 流式映射，kind 为评估器名称；导入时据此重建规则。"
                "例：{kind: target, input: bill_recovery_rate, target: 100.0, floor: 98.0}")
ADJUSTMENT_KINDS = {"加分": "bonus", "扣分": "deduction"}
AGGREGATES = {"加权平均": "weighted_mean", "几何平均": "geometric", "取最低": "min"}
MISSING = {"不计入": "skip", "计零分": "zero", "同组均值": "peer_mean", "同组中位数": "peer_median",
           "沿用上期": "carry_forward", "报错": "error"}
COMMENDATION_KINDS = {"首次达星": "first_stars", "进步最快": "biggest_rise",
                       "指标满分": "full_attainment"}
FIELD_TYPES = {"数值": "float", "整数": "int", "是否": "bool", "文本": "str"}


@dataclass(frozen=True)
class Column:
    heading: str
    key: str | None = None
    """Dotted key in the row's mapping; None: words for people, not read back."""
    read: Callable[[Any], Any] = _raw
    choices: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]

    @property
    def read(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.key is not None)


def _words_column(heading: str) -> Column:
    return Column(heading, note=_WORDS_NOTE)


_EVALUATED = (_words_column("计分方法"), Column("参数", "evaluate", _table, note=_PARAMS_NOTE),
              _words_column("数据字段"), _words_column("单位"))

MAIN = Sheet("评分细则", (
    Column("维度", "dimension.title", _text,
           note="一个维度的各行合并为一格；留空的行属于上一维度，写出的须与第一行一致"),
    Column("维度编号", "dimension.id", _text, note="留空或与上一行相同：同一维度"),
    Column("维度权重", "dimension.weight", _number),
    Column("指标编号", "id", _text),
    Column("指标名称", "title", _text),
    Column("分值", "points", _number),
    *_EVALUATED,
    Column("维度汇总", "dimension.aggregate", _choice(AGGREGATES), tuple(AGGREGATES),
           note="指标如何合成维度得分；留空为加权平均"),
    Column("维度适用范围", "dimension.applies_to", _applies,
           note="留空为全部；0/1 列名，或 {列: [值, ...]}，或其列表（任一相符即适用）"),
    Column("适用范围", "applies_to", _applies,
           note="指标适用的行：留空为全部；0/1 列名，或 {列: [值, ...]}，或其列表（任一相符即适用）"),
    Column("缺失处理", "missing", _choice(MISSING), tuple(MISSING), note="适用而无数据时；留空按设置"),
    Column("沿用期数", "max_gap", _number, note="沿用上期：最多向前几期（默认 1）"),
    Column("维度数据最低占比", "dimension.min_available", _number,
           note="维度适用分值中须有数据（非推补）的最低占比，如 0.6；不足则该维度不计分"),
))
ADJUSTMENTS = Sheet("加减分", (
    Column("编号", "id", _text),
    Column("名称", "title", _text),
    Column("类型", "kind", _choice(ADJUSTMENT_KINDS), tuple(ADJUSTMENT_KINDS)),
    Column("上限", "cap", _number, note="最多加（扣）的分数"),
    *_EVALUATED,
))
VETOES = Sheet("一票否决", (
    Column("编号", "id", _text),
    Column("名称", "title", _text),
    _words_column("触发条件"),
    Column("参数", "when", _table, note=_PARAMS_NOTE.replace("重建规则", "重建触发条件")),
    Column("总分封顶", "effect.total", _number, note="触发时总分最高为此数（0 即否决）"),
    Column("最高星级", "effect.max_stars", _number),
    Column("取消标杆资格", "effect.no_benchmark", _flag, (YES, NO)),
    _words_column("数据字段"),
    _words_column("单位"),
))
RATINGS = Sheet("星级", (
    Column("星级", "stars", _number),
    Column("最低总分", "min", _number),
    Column("名称", "title", _text),
))
BENCHMARK = Sheet("标杆", (
    Column("星级", "stars", _number, note="每期至少达到的星级"),
    Column("连续期数", "consecutive", _number),
    Column("名称", "title", _text),
))
COMMENDATIONS = Sheet("点赞台", (
    Column("编号", "id", _text),
    Column("名称", "title", _text),
    Column("类型", "kind", _choice(COMMENDATION_KINDS), tuple(COMMENDATION_KINDS)),
    Column("星级", "stars", _number),
    Column("前几名", "top", _number),
    Column("最少进步", "min_rise", _number),
    Column("指标", "indicator", _text),
    _words_column("说明"),
))
FIELDS = Sheet("字段", (
    Column("字段", "column", _text, note="数据表的列名"),
    Column("名称", "title", _text, note=f"{EMPTY_TEXT} 为空名称；留空为未设"),
    Column("单位", "unit", _text),
    Column("类型", "type", _choice(FIELD_TYPES), tuple(FIELD_TYPES)),
    Column("最小值", "min", _number),
    Column("最大值", "max", _number),
    Column("可空", "optional", _flag, (YES, NO)),
    Column("公式", "formula", _text, note="派生字段：由其他列计算，如 tasks_done / tasks_planned * 100"),
))
SETTINGS = Sheet("设置", (
    Column("设置项", "key", _text),
    Column("取值", "value", _raw),
    _words_column("说明"),
))
SHEETS = (MAIN, ADJUSTMENTS, VETOES, RATINGS, BENCHMARK, COMMENDATIONS, FIELDS, SETTINGS)

SETTING_ROWS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "ruleset": (_text, "细则编号"),
    "title": (_text, "细则名称"),
    "entity": (_text, "考核对象（如党支部）所在的列"),
    "period": (_text, "考核期（如月份）所在的列；可空"),
    "group_by": (_text, "分组比较（同组排名）所在的列；可空"),
    "scale": (_number, "满分"),
    "precision": (_number, "得分保留的小数位数（四舍五入）"),
    "missing": (_choice(MISSING),
                "适用的指标无数据时：不计入、计零分、同组均值、同组中位数、沿用上期或报错"),
    "clamp": (_flag, "加减分后总分限定在 0 至满分之间（是/否）"),
    "aggregate": (_choice(AGGREGATES), "维度如何合成总分：加权平均、几何平均或取最低；留空为加权平均"),
    "titles": (_list, "持有的称号（YAML 列表）：[{id: five_star, title: 五星党支部, stars: 5, "
                      "award_after: 2, keep_at: 4, grace: 1, revoke_on: [safety], review_every: 12}]；"
                      "留空为无"),
    "weighting": (_table, "权重如何得出（YAML）：层次分析法 {dimensions: {method: ahp, judgements: "
                          "[[甲, 乙, 2], ...]}} 或等权 equal；由此得出的权重、分值在评分细则表中仅供查看，"
                          "导入时不读；留空为直接填写的权重"),
}
