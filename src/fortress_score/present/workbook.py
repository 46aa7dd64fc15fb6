"""The printable workbook of a result: a board a period, indicator points, explanations, provenance.

Laid out for an office printer (A4 landscape, one page wide, headings repeated on every
page, a page a peer group) and written with XlsxWriter, the ``[excel]`` extra. Every figure
is the Result's own reported figure, written as a number with the rule set's decimals; the
explanations are :func:`~fortress_score.analysis.explain.explain_row`'s, in words.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from ..analysis.explain import explain_row
from ..analysis.explanation import Explanation
from ..analysis.records import fired_vetoes, to_columns
from ..errors import FortressScoreError, PeriodError, Problem, did_you_mean, shown
from ..keys import matching
from ..periods import wanted_period
from ..scoring.result import Result
from ..sheets import missing_extra
from ..text import figure, star_text
from ..values import to_scalar
from .printing import Column, PrintedBook, PrintedTable
from .tables import column_title

__all__ = ["WORDS", "write_workbook"]

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "board": "榜单", "indicators": "指标得分", "explanations": "得分说明", "provenance": "来源",
        "rank": "名次", "stars": "星级", "total": "总分", "vetoes": "否决",
        "period": "期间", "band": "{title}：{value}",
        "points": "{title}（{points}分）", "points_by_period": "{title}（分值逐期按数据定权）", "contribution": "{title}贡献",
        "gap": "距下一星级（分）", "note": "说明", "veto_reasons": "否决及原因",
        "veto_reason": "{title}（{reason}）", "sep": "；",
        "path": "升星路径：{steps}",
        "step": "{title} 达成度 {now:.4f} → {needed:.4f}（+{points}分）", "reach": "，即 {inputs}",
        "no_total": "无总分：没有适用的指标", "top": "已达最高星级",
        "capped": "受否决项限制，无下一星级", "held": "贡献与加扣分合计 {sum}，受否决项封顶",
        "clamped": "贡献与加扣分合计 {sum}，按 0–{scale} 截取",
        "mean": "贡献与加扣分合计 {sum}；总分为各子期间（截取后）总分的均值",
        "sub_periods": "{of} 个子期间中 {n} 个触发",
        "footer": "&L&A&C第 &P 页，共 &N 页", "item": "项目", "value": "内容",
        "ruleset": "规则集", "title": "规则标题", "rules_digest": "规则摘要（sha256）",
        "data_digest": "数据摘要（sha256）", "library_version": "程序版本",
        "rows": "数据行数", "periods": "期间数", "chosen": "本工作簿期间",
        "evaluators": "评价器来源", "all": "全部", "derived_weights": "按方法得出的权重",
    },
    "en": {
        "board": "Board", "indicators": "Indicator points", "explanations": "Explanations",
        "provenance": "Provenance",
        "rank": "Rank", "stars": "Stars", "total": "Total", "vetoes": "Vetoes",
        "period": "Period", "band": "{title}: {value}",
        "points": "{title} ({points} pts)", "points_by_period": "{title} (points from each period's data)", "contribution": "{title} contribution",
        "gap": "Points to next star", "note": "Note", "veto_reasons": "Vetoes and why",
        "veto_reason": "{title} ({reason})", "sep": "; ",
        "path": "path to the next star: {steps}",
        "step": "raise {title}: attainment {now:.4f} -> {needed:.4f} (+{points} points)",
        "reach": " at {inputs}",
        "no_total": "", "top": "", "capped": "",
        "held": "contributions and adjustments give {sum}; held by a veto",
        "clamped": "contributions and adjustments give {sum}; clamped to [0, {scale}]",
        "mean": "contributions and adjustments give {sum}; the total is the mean of the "
                "sub-periods' clamped totals",
        "sub_periods": "",
        "footer": "&L&A&CPage &P of &N", "item": "Item", "value": "Value",
        "ruleset": "Rule set", "title": "Title", "rules_digest": "Rules digest (sha256)",
        "data_digest": "Data digest (sha256)", "library_version": "Library version",
        "rows": "Rows scored", "periods": "Periods", "chosen": "Periods in this workbook",
        "evaluators": "Evaluator sources", "all": "all", "derived_weights": "Weights derived by a method",
    },
}
"""The workbook's fixed words in each language; titles from the rule file stay as written."""


def write_workbook(result: Result, path: str | os.PathLike[str], *, period: Any = None,
                   lang: str = "zh") -> None:
    """Write the workbook an office prints: a board sheet a period (or ``period`` only),
    the indicator points, an explanation a row, and where the figures came from.

    Raises:
        PeriodError: ``period`` is not in the data (or the rule set has no period column).
        FortressScoreError: XlsxWriter is not installed, ``lang`` is unknown, or the
            file cannot be written.
    """
    if lang not in WORDS:
        raise FortressScoreError(Problem(f"lang must be one of {', '.join(map(repr, WORDS))}; "
                                         f"got {shown(lang)}"))
    try:
        import xlsxwriter  # type: ignore[import-untyped]
        from xlsxwriter.exceptions import FileCreateError  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the extra is installed for the tests
        raise missing_extra("writing a workbook", "XlsxWriter", "excel") from None
    words = WORDS[lang]
    columns = to_columns(result)
    boards = [(label, _ordered(result, columns, rows))
              for label, rows in _chosen_periods(result, period)]
    every_row = np.concatenate([rows for _, rows in boards]) if boards else \
        np.empty(0, dtype=np.intp)
    # explained before anything is written: a plug-in's error leaves no half a workbook
    explanations = [explain_row(result, int(row)) for row in every_row]
    book = xlsxwriter.Workbook(os.fspath(path))
    book.set_properties({"title": result.rules.title or result.rules.ruleset,
                         "subject": result.rules.ruleset})
    writer = _Writer(book, result, columns, words)
    for label, rows in boards:
        writer.board(label, rows)
    labels = [label for label, _ in boards]
    writer.indicators(every_row, labels)
    writer.explanations(every_row, explanations, labels)
    writer.provenance(labels)
    try:
        book.close()
    except FileCreateError as exc:
        raise FortressScoreError(Problem(f"cannot write the workbook: {exc}",
                                         file=os.fspath(path))) from None


def _label(value: Any) -> str:
    """A period as written: 202403, not 202403.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _span(labels: list[str]) -> str:
    """``2024-08``, or ``2024-01 – 2024-12`` for more periods; empty without periods."""
    shown_periods = [label for label in labels if label]
    if len(shown_periods) < 2:
        return "".join(shown_periods)
    return f"{shown_periods[0]} – {shown_periods[-1]}"


def _chosen_periods(result: Result, period: Any) -> list[tuple[str, npt.NDArray[np.intp]]]:
    """(label, rows) a period, in time order: every period, or only ``period``."""
    rules, values = result.rules, result.table.period
    if values is None:
        if period is not None:
            raise PeriodError(Problem(f"the rule set names no period column; cannot choose "
                                      f"period {shown(period)}"))
        return [("", np.arange(len(result), dtype=np.intp))]
    periods = result.periods()
    if period is not None:
        wanted = wanted_period(period, values)
        rows = np.flatnonzero(matching(values, wanted))
        if rows.size == 0:
            known = [_label(p) for p in periods]
            raise PeriodError(Problem(
                f"no row has period {shown(period)}{did_you_mean(str(period), known)}; the "
                f"periods: {', '.join(known[:20])}{', ...' if len(known) > 20 else ''}",
                column=rules.period))
        return [(_label(to_scalar(values[rows[0]])), rows)]
    return [(_label(p), np.flatnonzero(matching(values, p))) for p in periods]


def _ordered(result: Result, columns: dict[str, npt.NDArray[Any]],
             rows: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Rows by peer group, rank (rows without a total last) and entity."""
    rank = columns["rank"][rows]
    keys: list[npt.NDArray[Any]] = [result.entity_text[rows],
                                    np.where(np.isnan(rank), np.inf, rank)]
    if result.group_text is not None:
        keys.append(result.group_text[rows])
    return rows[np.lexsort(keys)]


class _Writer(PrintedBook):
    """The sheets of one workbook, sharing the styles and the sheet names taken."""

    def __init__(self, book: Any, result: Result, columns: dict[str, npt.NDArray[Any]],
                 words: dict[str, str]) -> None:
        super().__init__(book, result.rules.precision, words["footer"])
        self.result, self.columns, self.words = result, columns, words
        self.rules = result.rules

    @property
    def heading(self) -> str:
        return self.rules.title or self.rules.ruleset

    def _keys(self) -> list[Column]:
        """Period, group and entity columns, where the rule set names them."""
        rules, words = self.rules, self.words
        keys = []
        if rules.period is not None:  # a roll-up's periods are no longer the column's months
            period = words["period"] if self.result.rolled_up else \
                column_title(self.result, rules.period)
            keys.append(Column(period, "text"))
        if rules.group_by is not None:
            keys.append(Column(column_title(self.result, rules.group_by), "text"))
        return [*keys, Column(column_title(self.result, rules.entity), "text")]

    def _key_values(self, row: int) -> list[Any]:
        result = self.result
        values: list[Any] = []
        if result.table.period is not None:
            values.append(_label(to_scalar(result.table.period[row])))
        if result.group_text is not None:
            values.append(result.group_text[row])
        return [*values, result.entity_text[row]]

    def board(self, label: str, rows: npt.NDArray[np.intp]) -> None:
        rules, words, columns = self.rules, self.words, self.columns
        entity = column_title(self.result, rules.entity)
        heads = [Column(words["rank"], "int"), Column(entity, "text"),
                 Column(words["stars"], "text"), Column(words["total"])]
        heads += [Column(d.title or d.id) for d in rules.dimensions]
        heads += [Column(a.title or a.id, "signed") for a in rules.adjustments]
        if rules.vetoes:
            heads.append(Column(words["vetoes"], "long"))
        title = f"{self.heading} · {label}" if label else self.heading
        sheet = PrintedTable(self, f"{words['board']} {label}".strip(), title, heads)
        sheet.headings()
        titles = {v.id: v.title or v.id for v in rules.vetoes}
        fired = fired_vetoes(self.result, rows)
        group_title = column_title(self.result, rules.group_by)
        breaks, current = [], None
        for k, row in enumerate(rows.tolist()):
            if self.result.group_text is not None and self.result.group_text[row] != current:
                current = self.result.group_text[row]
                band = sheet.band(words["band"].format(title=group_title, value=current))
                if k:
                    breaks.append(band)
            values = [columns["rank"][row], self.result.entity_text[row],
                      star_text(int(columns["stars"][row])), columns["total"][row]]
            values += [columns[f"dimensions.{d.id}"][row] for d in rules.dimensions]
            values += [columns[f"adjustments.{a.id}"][row] for a in rules.adjustments]
            if rules.vetoes:
                values.append(words["sep"].join(titles[v] for v in fired[k]))
            sheet.add(values)
        sheet.finish(freeze_columns=2, breaks=breaks)

    def indicators(self, rows: npt.NDArray[np.intp], labels: list[str]) -> None:
        rules, words = self.rules, self.words
        keys = self._keys()
        _, by_data = rules.data_weighting()
        weighed = {ind.id for d in by_data for ind in rules.dimensions[d].indicators}
        heads = keys + [Column(
            words["points_by_period"].format(title=ind.title or ind.id) if ind.id in weighed
            else words["points"].format(title=ind.title or ind.id, points=figure(ind.points)))
            for _, ind in rules.indicators]
        sheet = PrintedTable(self, words["indicators"],
                             self._title(words["indicators"], labels), heads, heading_rows=2)
        col = len(keys)
        for dim in rules.dimensions:  # the dimension over its indicators
            last = col + len(dim.indicators) - 1
            if last > col:
                sheet.ws.merge_range(1, col, 1, last, dim.title or dim.id, self.styles["heading"])
            else:
                sheet.ws.write_string(1, col, dim.title or dim.id, self.styles["heading"])
            col = last + 1
        sheet.headings()
        points = [self.columns[f"indicators.{ind.id}"] for _, ind in rules.indicators]
        for row in rows.tolist():
            sheet.add(self._key_values(row) + [p[row] for p in points])
        sheet.finish(freeze_columns=len(keys))

    def _title(self, what: str, labels: list[str]) -> str:
        span = _span(labels)
        return f"{self.heading} · {what}" + (f" · {span}" if span else "")

    def explanations(self, rows: npt.NDArray[np.intp], explained: list[Explanation],
                     labels: list[str]) -> None:
        """A row an explained row: what its total is made of (each dimension's contribution
        and each adjustment add up to it, unless the note says otherwise), the gap to the
        next star, the vetoes that fired and why, and the cheapest path up."""
        rules, words = self.rules, self.words
        keys = self._keys()
        heads = [*keys, Column(words["rank"], "int"), Column(words["total"]),
                 Column(words["stars"], "text")]
        heads += [Column(words["contribution"].format(title=d.title or d.id))
                  for d in rules.dimensions]
        heads += [Column(a.title or a.id, "signed") for a in rules.adjustments]
        heads.append(Column(words["gap"]))
        if rules.vetoes:
            heads.append(Column(words["veto_reasons"], "long"))
        heads.append(Column(words["note"], "long"))
        sheet = PrintedTable(self, words["explanations"],
                             self._title(words["explanations"], labels), heads)
        sheet.headings()
        for row, why in zip(rows.tolist(), explained):
            values = [*self._key_values(row), why.rank, why.total, star_text(why.stars)]
            values += [why.dimension_contributions[d.id] for d in rules.dimensions]
            values += [why.adjustments[a.id] for a in rules.adjustments]
            values.append(why.gap_to_next_star)
            if rules.vetoes:
                values.append(words["sep"].join(
                    words["veto_reason"].format(title=title or vid,
                                                reason=self._reason(vid, row, why))
                    for vid, title in why.vetoes))
            values.append(self._note(why))
            sheet.add(values)
        sheet.finish(freeze_columns=len(keys))

    def _reason(self, veto: str, row: int, why: Explanation) -> str:
        """Why a veto fired: its test (the evaluator's words), or on a roll-up in how many
        sub-periods it fired, in the workbook's language."""
        result = self.result
        if result.veto_counts is not None and result.sub_periods is not None \
                and self.words["sub_periods"]:
            v = next(k for k, spec in enumerate(self.rules.vetoes) if spec.id == veto)
            return self.words["sub_periods"].format(n=int(result.veto_counts[v, row]),
                                                    of=int(result.sub_periods[row]))
        return why.veto_reasons[veto]

    def _note(self, why: Explanation) -> str:
        """What the figures do not say, a line each, in the workbook's language (the
        explanation's own words where this language has none): why the total is not the
        sum of its parts, why there is no next star, the path to it."""
        words, ratings = self.words, self.rules.ratings
        notes = []
        if why.unclamped_total is not None:
            said = "mean" if self.result.rolled_up else \
                "held" if why.total_held_by_veto else "clamped"
            notes.append(words[said].format(
                sum=figure(why.unclamped_total), scale=figure(why.scale)))
        if why.next_star is None and why.next_star_note:
            if why.total is None and words["no_total"]:
                notes.append(words["no_total"])
            elif ratings and why.stars >= max(r.stars for r in ratings) and words["top"]:
                notes.append(words["top"])
            elif why.vetoes and words["capped"]:
                notes.append(words["capped"])
            else:
                notes.append(why.next_star_note)
        if why.path:
            notes.append(words["path"].format(steps=words["sep"].join(self._steps(why))))
        return "\n".join(notes)

    def _steps(self, why: Explanation) -> Iterator[str]:
        for step in why.path:
            text = self.words["step"].format(title=step.title or step.indicator,
                                             now=step.attainment, needed=step.needed,
                                             points=figure(step.points))
            if step.inputs:
                text += self.words["reach"].format(inputs=", ".join(
                    f"{column_title(self.result, c)} = {v:g}" for c, v in step.inputs.items()))
            yield text

    def provenance(self, labels: list[str]) -> None:
        words, result = self.words, self.result
        p = result.provenance
        heads = [Column(words["item"], "text"), Column(words["value"], "wide")]
        sheet = PrintedTable(self, words["provenance"],
                             f"{self.heading} · {words['provenance']}", heads)
        sheet.headings()
        facts: list[tuple[str, Any]] = [
            (words["ruleset"], p.ruleset), (words["title"], result.rules.title),
            (words["rules_digest"], p.rules_digest), (words["data_digest"], result.data_digest),
            (words["library_version"], p.library_version), (words["rows"], len(result)),
            (words["periods"], len(result.periods())),
            (words["chosen"], _span(labels) or words["all"]),
        ]
        for item, value in facts:
            sheet.add([item, value])
        sheet.band(words["evaluators"])
        for kind, source in p.evaluators.items():
            sheet.add([kind, source])
        if p.derived_weights:
            sheet.band(words["derived_weights"])
            for place, value in p.derived_weights.items():
                sheet.add([place, value])
        sheet.finish(freeze_columns=0)
