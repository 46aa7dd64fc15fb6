"""The audit workbook recalculated by LibreOffice gives the library's figures."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from spreadsheets import recalculated

import fortress_score as fs

ROOT = Path(__file__).resolve().parents[2]
RULES = fs.load_rules(ROOT / "rules/three-dimensions.yaml")


def _model(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path, data_only=True)["计算"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


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
    column = next(i for i, h in enumerate(headings, start=1) if h.endswith("\nmeetings_held"))
    sheet.cell(row=2, column=column).value = 0  # the first branch held no meeting
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
