"""The audit workbook recalculated by LibreOffice gives the library's figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from spreadsheets import recalculated

import fortress_score as fs

ROOT = Path(__file__).resolve().parents[2]
RULES = fs.load_rules(ROOT / "rules/three-dimensions.yaml")


def _model(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path, data_only=True)["计算"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][rows[0].index("总分")] == "total"  # a heading for programs below each
    return [dict(zip(rows[0], row)) for row in rows[2:]]


def _blank(value: object) -> object:
    return None if value in ("", None) else value


def test_the_seed_pack_recalculates_to_the_library_figures(tmp_path: Path) -> None:
    card = fs.score(RULES, fs.read_data(ROOT / "examples/branches-2024.csv", RULES))
    card.to_excel(tmp_path / "audit.xlsx", formulas=True)
    rows = _model(recalculated(tmp_path / "audit.xlsx", tmp_path / "out"))
    records = card.to_records()
    assert len(rows) == len(records) == 360
    scores = card.figures.dimension_scores
    for n, (row, record) in enumerate(zip(rows, records)):
        assert (row["党支部"], row["月份"]) == (record["entity"], record["period"])
        assert _blank(row["总分"]) == record["total"], record
        assert row["星级"] == record["stars"], record
        assert _blank(row["名次"]) == record["rank"], record
        for d, dim in enumerate(RULES.dimensions):  # unrounded (the file keeps 15 digits)
            heading = next(h for h in row if str(h).startswith(f"{dim.title} 维度得分"))
            if record["dimensions"][dim.id] is None:
                assert _blank(row[heading]) is None
            else:
                assert row[heading] == pytest.approx(float(scores[d, n]), rel=1e-14, abs=0)
    halves = [r for r in records if r["entity"] == "办公室党支部" and r["period"] == "2024-12"]
    assert halves[0]["total"] == 85.28  # 85.275 unrounded: the spreadsheet agrees above


def test_an_input_changed_in_the_sheet_moves_the_score_as_the_library_would(tmp_path: Path) -> None:
    data = fs.read_data(ROOT / "examples/branches-2024.csv", RULES)
    card = fs.score(RULES, data)
    card.to_excel(tmp_path / "audit.xlsx", period="2024-03", formulas=True)
    book = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    sheet = book["数据"]
    headings = [c.value for c in sheet[1]]
    column = [c.value for c in sheet[2]].index("meetings_held") + 1
    assert headings[column - 1] == "“三会”召开次数"
    sheet.cell(row=3, column=column).value = 0  # the first branch held no meeting
    book.save(tmp_path / "changed.xlsx")
    rows = _model(recalculated(tmp_path / "changed.xlsx", tmp_path / "out"))
    first = rows[0]["党支部"]
    changed = [dict(r, meetings_held=0) if r["branch"] == first and r["month"] == "2024-03" else r
               for r in data]
    expected = {(r["entity"], r["period"]): r for r in fs.score(RULES, changed).to_records()}
    for row in rows:
        record = expected[(row["党支部"], row["月份"])]
        assert (_blank(row["总分"]), row["星级"], _blank(row["名次"])) == \
            (record["total"], record["stars"], record["rank"])
    assert rows[0]["总分"] != card.to_records()[[r["entity"] for r in card.to_records()].index(first) + 2]["total"]


def test_a_rolled_up_card_is_refused(tmp_path: Path) -> None:
    card = fs.score(RULES, fs.read_data(ROOT / "examples/branches-2024.csv", RULES))
    with pytest.raises(fs.FortressScoreError, match="before roll_up"):
        card.roll_up("quarter").to_excel(tmp_path / "a.xlsx", formulas=True)


def _every_kind(missing: str = "skip", clamp: bool = True,
                aggregates: dict[str, str] | None = None, total: str | None = None) -> dict[str, object]:
    def ind(i: str, points: float, evaluate: dict[str, object]) -> dict[str, object]:
        return {"id": i, "title": i, "points": points, "evaluate": evaluate}
    rules = {
        "ruleset": "every-kind", "entity": "unit", "period": "month", "group_by": "kind",
        "missing": missing, "clamp": clamp, "precision": 2,
        "dimensions": [
            {"id": "a", "title": "甲", "weight": 0.4, "indicators": [
                ind("t_up", 10, {"kind": "target", "input": "x", "target": 100, "floor": 60}),
                ind("t_down", 7.5, {"kind": "target", "input": "y", "target": 2, "floor": 4.5}),
                ind("grow", 10, {"kind": "growth", "current": "x", "baseline": "z", "target": 8, "floor": -3}),
                ind("share", 5, {"kind": "ratio", "numerator": "n", "denominator": "d"}),
                ind("share0", 5, {"kind": "ratio", "numerator": "n", "denominator": "d", "empty": 0.25}),
            ]},
            {"id": "b", "title": "乙", "weight": 0.35, "indicators": [
                ind("steps", 20, {"kind": "bands", "input": "y", "bands": [
                    {"min": 3, "score": 1.0}, {"min": 1.5, "max": 3, "score": 0.55},
                    {"max": 0.5, "score": 0.2}], "otherwise": 0.1}),
                ind("list", 30, {"kind": "checklist", "inputs": ["c1", "c2", "c3"], "weights": [1, 2, 0.5]}),
                ind("poll", 25, {"kind": "survey", "levels": {"good": 1.0, "fair": 0.6, "bad": 0.0},
                                 "groups": [{"name": "m", "fields": {"good": "g1", "fair": "f1", "bad": "b1"}},
                                            {"name": "p", "fields": {"good": "g2", "bad": "b2"}}],
                                 "min_responses": 4}),
            ]},
            {"id": "c", "title": "丙", "weight": 0.25, "indicators": [
                ind("mm_up", 10, {"kind": "minmax", "input": "x"}),
                ind("mm_down", 10, {"kind": "minmax", "input": "y", "higher_is_better": False}),
                ind("rk_up", 10, {"kind": "rank", "input": "n"}),
                ind("rk_down", 10, {"kind": "rank", "input": "y", "higher_is_better": False}),
                ind("events", 6, {"kind": "per_event", "input": "e", "each": 1.5}),
                ind("flag", 4, {"kind": "threshold", "input": "c1", "op": "==", "value": 1}),
                ind("table", 8, {"kind": "decision_table", "hit": "first", "rules": [
                    {"when": {"x": ">= 88.8", "e": "0"}, "score": 1.0},
                    {"when": {"x": "[60..88.8)", "y": "2, 3, 4.5"}, "score": 0.7},
                    {"when": {"y": "!= 6"}, "score": 0.3}], "otherwise": 0.05}),
                ind("collect", 8, {"kind": "decision_table", "hit": "collect_sum", "rules": [
                    {"when": {"c1": "1"}, "score": 0.5}, {"when": {"c2": "> 0"}, "score": 0.75}]}),
                ind("most", 8, {"kind": "decision_table", "hit": "collect_max", "rules": [
                    {"when": {"g1": "(0..3]"}, "score": 0.4}, {"when": {"g2": "-"}, "score": 0.2}]}),
            ]},
        ],
        "adjustments": [
            {"id": "plus", "kind": "bonus", "cap": 5, "evaluate": {"kind": "per_event", "input": "e", "each": 2}},
            {"id": "minus", "kind": "deduction", "cap": 30, "evaluate": {"kind": "per_event", "input": "v", "each": 12.5}},
        ],
        "vetoes": [
            {"id": "stop", "title": "停", "when": {"kind": "threshold", "input": "v", "op": ">=", "value": 2},
             "effect": {"total": 50, "max_stars": 1}},
            {"id": "cap", "when": {"kind": "threshold", "input": "e", "op": ">", "value": 3},
             "effect": {"max_stars": 3}},
        ],
        "ratings": [{"stars": 5, "min": 80}, {"stars": 4, "min": 65}, {"stars": 3, "min": 50},
                    {"stars": 2, "min": 35}, {"stars": 1, "min": 20}],
    }
    for dimension in rules["dimensions"]:  # type: ignore[attr-defined]
        if dimension["id"] in (aggregates or {}):
            dimension["aggregate"] = (aggregates or {})[dimension["id"]]
    if total is not None:
        rules["aggregate"] = total
    return rules


def _random_rows(seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    rows = []
    for month in ("2024-01", "2024-02", "2024-03"):
        for u in range(14):
            def pick(values: list[float], blank: float = 0.15) -> float | None:
                return None if rng.random() < blank else float(rng.choice(values))
            rows.append({
                "unit": f"单位{u:02d}", "month": month, "kind": "甲类" if u % 2 else "乙类",
                "x": pick([55.0, 60.0, 71.25, 88.8, 100.0, 104.5, 71.25]),
                "y": pick([0.3, 1.5, 2.0, 2.99, 3.0, 4.5, 6.0]),
                "z": pick([0.0, 50.0, 66.6, 80.0, 100.0]),
                "n": pick([0.0, 1.0, 3.0, 7.0, 7.0]), "d": pick([0.0, 3.0, 7.0, 10.0]),
                "c1": pick([0.0, 1.0]), "c2": pick([0.0, 1.0, 2.0]), "c3": pick([0.0, 1.0]),
                "g1": pick([0.0, 1.0, 3.0, 9.0]), "f1": pick([0.0, 2.0]), "b1": pick([0.0, 1.0]),
                "g2": pick([0.0, 4.0, 5.0]), "b2": pick([0.0, 1.0]),
                "e": pick([0.0, 1.0, 2.0, 4.0], 0.3), "v": pick([0.0, 0.0, 1.0, 2.0], 0.3),
            })
    return rows


@pytest.mark.parametrize(("seed", "missing", "clamp", "aggregates", "total"), [
    (1, "skip", True, None, None), (2, "zero", False, None, None),
    (3, "skip", True, {"b": "geometric", "c": "min"}, "geometric"),
    (4, "zero", True, {"a": "min", "b": "geometric"}, "min"),
])
def test_every_built_in_formula_recalculates_to_its_evaluate(
        tmp_path: Path, seed: int, missing: str, clamp: bool, aggregates: dict[str, str] | None,
        total: str | None) -> None:
    rules = fs.load_rules(_every_kind(missing, clamp, aggregates, total))
    card = fs.score(rules, _random_rows(seed))
    card.to_excel(tmp_path / "audit.xlsx", formulas=True)
    rows = _model(recalculated(tmp_path / "audit.xlsx", tmp_path / "out"))
    assert not any(str(h).endswith("（值）") for h in rows[0])  # every built-in gives a formula
    figures = card.figures
    for n, (row, record) in enumerate(zip(rows, card.to_records())):
        for i, (_, indicator) in enumerate(rules.indicators):
            expected = float(figures.attainment[i][n])
            got = _blank(row[f"{indicator.id} 达成度"])
            if np.isnan(expected):
                assert got is None, (indicator.id, record)
            else:
                assert got == pytest.approx(expected, rel=1e-14, abs=1e-15), (indicator.id, record)
        assert (_blank(row["总分"]), row["星级"], _blank(row["名次"])) == \
            (record["total"], record["stars"], record["rank"]), record
    assert {r["total"] for r in card.to_records()} - {None}  # the data gave totals at all
    assert any(r["vetoes"] for r in card.to_records())


def test_a_plug_in_without_a_formula_is_written_as_marked_values(tmp_path: Path) -> None:
    class Half(fs.Params):
        input: fs.Column

    @fs.evaluator("half", params=Half)
    def half(columns, params, context):  # type: ignore[no-untyped-def]
        return np.clip(columns[params.input] / 2.0, 0.0, 1.0)

    engine = fs.Engine(plugins=[half], entry_points=False)
    rules = engine.load_rules({"ruleset": "p", "entity": "unit", "dimensions": [
        {"id": "d", "weight": 1, "indicators": [
            {"id": "h", "points": 10, "evaluate": {"kind": "half", "input": "x"}},
            {"id": "t", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 2, "floor": 0}}]}]})
    card = engine.score(rules, {"unit": ["a", "b", "c"], "x": [0.5, 1.0, None]})
    card.to_excel(tmp_path / "audit.xlsx", formulas=True)
    rows = _model(recalculated(tmp_path / "audit.xlsx", tmp_path / "out"))
    assert [_blank(r["h 达成度（值）"]) for r in rows] == [0.25, 0.5, None]
    assert [_blank(r["总分"]) for r in rows] == [r["total"] for r in card.to_records()]


def test_inputs_a_spreadsheet_cannot_hold_are_shaded_and_told(tmp_path: Path) -> None:
    rules = fs.load_rules({"ruleset": "p", "entity": "unit", "dimensions": [{"id": "d", "weight": 1,
        "indicators": [{"id": "t", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}}]}]})
    card = fs.score(rules, {"unit": ["a", "b"], "x": [0.1 + 0.2, 0.5]})  # 0.30000000000000004
    card.to_excel(tmp_path / "a.xlsx", formulas=True)
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book["数据"]["B3"].fill.fgColor.rgb.endswith("FFF2CC")
    assert book["数据"]["B4"].fill.fgColor.rgb in (None, "00000000")
    notes = [c.value for c in book["说明"]["A"] if c.value]
    assert any("1 个输入" in n and "数据!B3" in n for n in notes)


def test_a_plug_in_whose_formula_fails_is_named(tmp_path: Path) -> None:
    class Broken(fs.Params):
        input: fs.Column

    @fs.evaluator("broken", params=Broken)
    def broken(columns, params, context):  # type: ignore[no-untyped-def]
        return np.clip(columns[params.input], 0.0, 1.0)

    def fails(params: object, cells: object) -> str:
        raise RuntimeError("no formula today")

    broken.formula = fails  # type: ignore[method-assign]
    ok = fs.score(fs.load_rules({"ruleset": "q", "entity": "unit", "dimensions": [{"id": "d", "weight": 1,
        "indicators": [{"id": "t", "points": 1, "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}}]}]}),
        {"unit": ["a"], "x": [0.5]})
    with pytest.raises(fs.PeriodError, match="no period column"):
        ok.to_excel(tmp_path / "b.xlsx", period="2024-01", formulas=True)
    with pytest.raises(fs.FortressScoreError, match="cannot write the workbook"):
        ok.to_excel(tmp_path / "no" / "such" / "a.xlsx", formulas=True)
    engine = fs.Engine(plugins=[broken], entry_points=False)
    rules = engine.load_rules({"ruleset": "p", "entity": "unit", "dimensions": [{"id": "d", "weight": 1,
        "indicators": [{"id": "b", "points": 10, "evaluate": {"kind": "broken", "input": "x"}}]}]})
    card = engine.score(rules, {"unit": ["a"], "x": [0.5]})
    with pytest.raises(fs.PluginError, match="formula\\(\\) raised RuntimeError: no formula today"):
        card.to_excel(tmp_path / "a.xlsx", formulas=True)


def test_declared_applicability_is_a_marked_column_and_filled_values_are_marked_values(
        tmp_path: Path) -> None:
    rules = _every_kind()
    dims = rules["dimensions"]  # type: ignore[index]
    dims[0]["indicators"][0]["applies_to"] = {"kind": ["甲类"]}
    # peers: the library leaves rows outside applies_to out of a rank or min-max
    dims[2]["indicators"][0]["applies_to"] = {"kind": ["甲类"]}
    dims[2]["indicators"][2]["applies_to"] = [{"kind": ["乙类"]}]
    dims[0]["indicators"][1]["missing"] = "peer_mean"
    dims[1]["min_available"] = 0.9
    card = fs.score(fs.load_rules(rules), _random_rows(5))
    card.to_excel(tmp_path / "audit.xlsx", formulas=True)
    rows = _model(recalculated(tmp_path / "audit.xlsx", tmp_path / "out"))
    headings = list(rows[0])
    # by rule: a marked 1/0 column, and the attainment stays a formula gated by it
    assert "t_up 适用（值）" in headings and "t_up 达成度" in headings
    assert "t_down 达成度（值）" in headings  # imputed from peers
    assert "steps 达成度（值）" in headings and "grow 达成度" in headings  # b's, then a plain one
    assert "mm_up 达成度（值）" in headings and "rk_up 达成度（值）" in headings
    assert "mm_down 达成度" in headings and "rk_down 达成度" in headings
    records = card.to_records()
    assert {r["indicators"]["t_up"] is None for r in records} == {True, False}
    for row, record in zip(rows, records):
        assert row["t_up 适用（值）"] == (record["group"] == "甲类")
        points = record["indicators"]["t_up"]  # rounded to the pack's precision
        assert _blank(row["t_up 达成度"]) == (None if points is None
                                            else pytest.approx(points / 10, abs=0.0005 + 1e-12))
        assert (_blank(row["总分"]), row["星级"], _blank(row["名次"])) == \
            (record["total"], record["stars"], record["rank"]), record


def test_a_formula_beyond_excel_s_limits_is_written_as_marked_values(tmp_path: Path) -> None:
    many = [{"when": {"x": f"[{k}..{k + 1})"}, "score": k / 100} for k in range(80)]
    rules = fs.load_rules({"ruleset": "t", "entity": "unit", "dimensions": [{"id": "d", "weight": 1,
        "indicators": [{"id": "t", "points": 10, "evaluate": {"kind": "decision_table", "rules": many}}]}]})
    card = fs.score(rules, {"unit": ["a", "b"], "x": [3.5, 70.0]})
    card.to_excel(tmp_path / "a.xlsx", formulas=True)
    rows = _model(recalculated(tmp_path / "a.xlsx", tmp_path / "out"))
    assert [_blank(r["t 达成度（值）"]) for r in rows] == [0.03, 0.7]
    assert [_blank(r["总分"]) for r in rows] == [r["total"] for r in card.to_records()]
