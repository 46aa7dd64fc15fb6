"""A rule in Chinese words, for the committee: the method beside its parameters, and a
commendation's condition."""

from __future__ import annotations

from typing import Any

from .model import EvaluatorCall, Evaluators, RuleSet

__all__ = ["commendation_words", "method_words"]


def _n(value: float) -> str:
    return f"{value:.12g}"


def method_words(call: EvaluatorCall, given: float | None, rules: RuleSet,
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


def commendation_words(rules: RuleSet, entry: Any) -> str:
    if entry.kind == "first_stars":
        return f"首次达到 {entry.stars} 星"
    if entry.kind == "biggest_rise":
        return f"每期总分进步最大的前 {entry.top} 名（进步不少于 {_n(entry.min_rise)} 分）"
    titles = {ind.id: ind.title for _, ind in rules.indicators}
    return f"指标“{titles.get(entry.indicator) or entry.indicator}”得满分"
