"""The printed workbook (present/workbook.py): what an office relies on when it prints it.

A board sheet a period, rows by peer group and rank under a band naming the group, the
reported figures as numbers with the rule set's decimals, vetoes by title; the heading
frozen and repeated on every A4 landscape page, a page a peer group; the indicator points,
the explanations and the provenance on their own sheets; and LibreOffice prints it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import fortress_score as fs
from fortress_score.present.workbook import write_workbook

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2024-08"
VETO_TITLE = "发生四级及以上人身、设备、电力、网络、交通安全事件"
GROUPS = ["县区供电分局", "生产单位", "职能部门"]


@pytest.fixture(scope="module")
def card() -> fs.Scorecard:
    rules = fs.load_rules(str(ROOT / "rules/three-dimensions.yaml"))
    return fs.score(rules, fs.read_data(str(ROOT / "examples/branches-2024.csv"), rules))


@pytest.fixture(scope="module")
def book(card: fs.Scorecard, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("workbook") / "board.xlsx"
    write_workbook(card.result, path)
    return openpyxl.load_workbook(path)


def board_rows(ws: Any) -> list[tuple[Any, ...]]:
    """The rows under the headings (title row 1, headings row 2)."""
    return list(ws.iter_rows(min_row=3, values_only=True))


def test_the_sheets_a_board_a_period_then_points_explanations_provenance(
        card: fs.Scorecard, book: Any) -> None:
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    assert book.sheetnames == [f"榜单 {m}" for m in months] + ["指标得分", "得分说明", "来源"]


def test_the_board_heading_and_columns(book: Any) -> None:
    ws = book[f"榜单 {PERIOD}"]
    assert ws["A1"].value == f'党支部战斗堡垒作用"三个纬度"评价细则 · {PERIOD}'
    headings = [c.value for c in ws[2]]
    assert headings == ["名次", "党支部", "星级", "总分", "生产经营业绩", "支部工作氛围",
                        "党员群众口碑", "获地市级及以上荣誉加分（每项2分，最多5分）",
                        "违章违纪扣分（每起2分，最多10分）", "否决"]


def test_the_page_setup_prints_on_a4_landscape_with_the_heading_on_every_page(book: Any) -> None:
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0  # one page wide, as many pages down as needed
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    board = book[f"榜单 {PERIOD}"]
    assert board.freeze_panes == "C3"  # below the headings, right of the branch
    assert board.print_title_rows == "$1:$2"
    points = book["指标得分"]  # dimension titles above the indicator headings
    assert points.freeze_panes == "D4" and points.print_title_rows == "$1:$3"


def test_figures_are_numbers_with_the_rule_sets_decimals(card: fs.Scorecard, book: Any) -> None:
    ws = book[f"榜单 {PERIOD}"]
    figures = [row for row in ws.iter_rows(min_row=3) if isinstance(row[0].value, int)]
    assert figures
    for row in figures:
        assert isinstance(row[3].value, float | int)
        assert row[3].number_format == "0.00"  # 91.5 shows as 91.50
        assert all(c.number_format == "0.00" for c in row[4:7])
        assert all(c.number_format == "+0.00;-0.00;0.00" for c in row[7:9])  # signed
    assert book["指标得分"]["D4"].number_format == "0.00"


def test_each_group_under_its_band_in_rank_order_totals_as_reported(
        card: fs.Scorecard, book: Any) -> None:
    records = [r for r in card.to_records() if r["period"] == PERIOD]
    by_entity = {r["entity"]: r for r in records}
    ws = book[f"榜单 {PERIOD}"]
    seen: dict[str, list[tuple[Any, ...]]] = {}
    group = None
    for row in board_rows(ws):
        if isinstance(row[0], str):
            assert row[0].startswith("支部类别：")
            group = row[0].removeprefix("支部类别：")
            seen[group] = []
        else:
            assert group is not None
            seen[group].append(row)
    assert list(seen) == GROUPS
    assert sum(len(rows) for rows in seen.values()) == len(records)
    for group, rows in seen.items():
        ranks = [row[0] for row in rows]
        assert ranks == sorted(ranks) and ranks[0] == 1
        for row in rows:
            record = by_entity[row[1]]
            assert record["group"] == group
            assert (row[0], row[3]) == (record["rank"], record["total"])
            assert row[4] == record["dimensions"]["performance"]
            assert row[8] == record["adjustments"]["violations"]


def test_a_page_break_before_each_group_after_the_first(book: Any) -> None:
    ws = book[f"榜单 {PERIOD}"]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(breaks) == len(GROUPS) - 1
    # a break after row n starts the next page with row n + 1: the group's band
    assert [ws.cell(row=b + 1, column=1).value for b in breaks] == \
        [f"支部类别：{g}" for g in GROUPS[1:]]


def test_vetoes_by_title_where_they_fired(card: fs.Scorecard, book: Any) -> None:
    fired = [r for r in card.to_records() if r["vetoes"]]
    assert fired  # the sample has a safety veto
    for record in fired:
        rows = {row[1]: row for row in board_rows(book[f"榜单 {record['period']}"])
                if isinstance(row[0], int)}
        assert rows[record["entity"]][9] == VETO_TITLE  # the title, not "safety"
    quiet = [row for row in board_rows(book[f"榜单 {PERIOD}"]) if isinstance(row[0], int)
             and row[1] != "凭祥供电分局党支部"]
    assert all(row[9] in (None, "") for row in quiet)


def test_the_indicator_sheet_points_per_indicator_blank_where_none_apply(
        card: fs.Scorecard, book: Any) -> None:
    ws = book["指标得分"]
    assert ws["D2"].value == "生产经营业绩"
    headings = [c.value for c in ws[3]]
    assert headings[3] == "售电量同比增长（10分）"
    assert "电费回收率（10分）" in headings and "“三会”召开情况（20分）" in headings
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    records = card.to_records()
    assert len(rows) == len(records)
    ids = [i.id for _, i in card.rules.indicators]
    by_key = {(r["period"], r["entity"]): r for r in records}
    for row in rows:
        record = by_key[(row[0], row[2])]
        assert row[1] == record["group"]
        assert list(row[3:]) == [record["indicators"][i] for i in ids]  # None: blank
    assert any(None in row[3:] for row in rows)  # a KPI a branch does not answer for


def test_the_explanations_add_up_and_name_the_veto_and_the_gap(
        card: fs.Scorecard, book: Any) -> None:
    ws = book["得分说明"]
    headings = [c.value for c in ws[2]]
    for wanted in ("总分", "星级", "距下一星级（分）", "生产经营业绩贡献", "否决及原因", "说明",
                   "违章违纪扣分（每起2分，最多10分）"):
        assert wanted in headings
    col = {h: k for k, h in enumerate(headings)}
    rows = {(row[0], row[2]): row for row in ws.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == len(card.result)
    for (period, entity), row in list(rows.items())[::17]:
        why = card.explain(entity, period=period)
        assert row[col["总分"]] == why.total
        assert row[col["距下一星级（分）"]] == why.gap_to_next_star
        parts = [row[col[f"{t}贡献"]] for t in ("生产经营业绩", "支部工作氛围", "党员群众口碑")]
        parts += [row[col[a.title]] for a in card.rules.adjustments]
        if why.unclamped_total is None:  # the parts add up to the total
            assert sum(parts) == pytest.approx(why.total, abs=0.015)
    vetoed = rows[("2024-08", "凭祥供电分局党支部")]
    assert vetoed[col["否决及原因"]] == f"{VETO_TITLE}（safety_l4_events = 1 > 0）"
    assert vetoed[col["距下一星级（分）"]] is None and "否决" in vetoed[col["说明"]]
    up = rows[("2024-08", "扶绥供电分局党支部")]  # four stars, 87.40: 2.60 short of five
    assert (up[col["总分"]], up[col["星级"]], up[col["距下一星级（分）"]]) == (87.4, "★★★★", 2.6)
    assert up[col["说明"]].startswith("升星路径：电费回收率")


def test_the_note_says_where_the_parts_do_not_add_up(card: fs.Scorecard, book: Any) -> None:
    ws = book["得分说明"]
    headings = [c.value for c in ws[2]]
    note = headings.index("说明")
    clamped = 0
    for row in ws.iter_rows(min_row=3, values_only=True):
        why = card.explain(row[2], period=row[0]) if row[4] == 100 else None
        if why is not None and why.unclamped_total is not None:  # a bonus above 100
            assert row[note].startswith(f"贡献与加扣分合计 {why.unclamped_total:g}，按 0–100 截取")
            clamped += 1
    assert clamped


def test_a_roll_up_prints_its_quarters(card: fs.Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "quarters.xlsx"
    write_workbook(card.roll_up("quarter").result, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:4] == [f"榜单 2024-Q{q}" for q in range(1, 5)]
    ws = book["得分说明"]
    headings = [c.value for c in ws[2]]
    assert headings[0] == "期间"  # quarters, not the column's months
    rows = {(row[0], row[2]): row for row in ws.iter_rows(min_row=3, values_only=True)}
    vetoed = rows[("2024-Q3", "凭祥供电分局党支部")]  # the August veto is carried
    assert vetoed[headings.index("否决及原因")] == f"{VETO_TITLE}（3 个子期间中 1 个触发）"


def test_the_provenance(card: fs.Scorecard, book: Any) -> None:
    facts = {row[0]: row[1] for row in book["来源"].iter_rows(min_row=3, values_only=True)}
    provenance = card.result.provenance
    assert facts["规则集"] == "three-dimensions-2021"
    assert facts["规则摘要（sha256）"] == provenance.rules_digest
    assert facts["数据摘要（sha256）"] == card.result.data_digest
    assert facts["程序版本"] == provenance.library_version
    assert (facts["数据行数"], facts["期间数"]) == (360, 12)
    for kind, source in provenance.evaluators.items():
        assert facts[kind] == source


def test_one_period_asked_for_as_written_anywhere(card: fs.Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "one.xlsx"
    write_workbook(card.result, path, period="2024年8月")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [f"榜单 {PERIOD}", "指标得分", "得分说明", "来源"]
    n = sum(1 for r in card.to_records() if r["period"] == PERIOD)
    assert book["指标得分"].max_row - 3 == n and book["得分说明"].max_row - 2 == n
    assert {row[0] for row in book["指标得分"].iter_rows(min_row=4, values_only=True)} == {PERIOD}


def test_an_unknown_period_is_refused_before_anything_is_written(
        card: fs.Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "none.xlsx"
    with pytest.raises(fs.PeriodError, match="2023-08") as caught:
        write_workbook(card.result, path, period="2023-08")
    assert caught.value.column == "month"
    assert not path.exists()


def test_english_headings_keep_the_rule_files_titles(card: fs.Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "en.xlsx"
    write_workbook(card.result, path, period=PERIOD, lang="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [f"Board {PERIOD}", "Indicator points", "Explanations",
                               "Provenance"]
    ws = book[f"Board {PERIOD}"]
    assert [c.value for c in ws[2]][:5] == ["Rank", "党支部", "Stars", "Total", "生产经营业绩"]
    assert ws["A3"].value == "支部类别: 县区供电分局"
    with pytest.raises(fs.FortressScoreError, match="lang"):
        write_workbook(card.result, tmp_path / "fr.xlsx", lang="fr")


def free_label_rules() -> fs.RuleSet:
    return fs.load_rules({
        "ruleset": "slashes", "entity": "branch", "period": "round",
        "dimensions": [{"id": "d", "title": "业绩", "weight": 1, "indicators": [
            {"id": "i", "title": "完成率", "points": 100,
             "evaluate": {"kind": "target", "input": "x", "target": 100, "floor": 0}}]}],
        "ratings": [{"stars": 1, "min": 50}],
    })


def test_sheet_names_are_made_legal_and_unique(tmp_path: Path) -> None:
    rules = free_label_rules()
    data = {"branch": ["甲", "乙", "甲", "乙"], "round": ["2024/H1", "2024/H1", "2024:H1", "2024:H1"],
            "x": [91.5, 40.0, 70.0, 100.0]}
    card = fs.score(rules, data)
    path = tmp_path / "slashes.xlsx"
    write_workbook(card.result, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["榜单 2024-H1", "榜单 2024-H1 (2)"]
    ws = book["榜单 2024-H1"]
    assert ws["A1"].value == "slashes · 2024/H1"  # the label itself, as written
    assert [row[:4] for row in board_rows(ws)] == [(1, "甲", "★", 91.5), (2, "乙", "-", 40)]
    assert ws["D3"].number_format == "0.00"
    assert ws.row_breaks.brk == []  # no groups, no bands, no breaks


def test_no_period_column_gives_one_board(tmp_path: Path) -> None:
    rules = fs.load_rules({
        "ruleset": "flat", "title": "简表", "entity": "branch",
        "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "i", "points": 10, "evaluate": {"kind": "target", "input": "x",
                                                    "target": 100, "floor": 0}}]}],
        "precision": 1,
    })
    data = {"branch": ["C", "A", "E", "B", "D"], "x": [50.0, 75.0, float("nan"), 50.0, 75.0]}
    card = fs.score(rules, data)
    path = tmp_path / "flat.xlsx"
    write_workbook(card.result, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["榜单", "指标得分", "得分说明", "来源"]
    # ties share a rank and stand by entity; a row without a total comes last, unranked
    assert [row[:4] for row in board_rows(book["榜单"])] == [
        (1, "A", "-", 75), (1, "D", "-", 75), (3, "B", "-", 50), (3, "C", "-", 50),
        (None, "E", "-", None)]
    assert book["榜单"]["D3"].number_format == "0.0"
    points = book["指标得分"]
    assert points["B4"].value == 7.5 and points["B4"].number_format == "0.0"
    assert points["A8"].value == "E" and points["B8"].value is None
    explained = book["得分说明"]
    note = [c.value for c in explained[2]].index("说明") + 1
    assert explained.cell(row=7, column=1).value == "E"
    assert explained.cell(row=7, column=note).value == "无总分：没有适用的指标"
    with pytest.raises(fs.PeriodError, match="no period column"):
        write_workbook(card.result, tmp_path / "x.xlsx", period="2024-01")


def test_an_unwritable_path_is_our_error(card: fs.Scorecard, tmp_path: Path) -> None:
    with pytest.raises(fs.FortressScoreError, match="cannot write the workbook"):
        write_workbook(card.result, tmp_path / "missing" / "board.xlsx", period=PERIOD)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_workbook(card: fs.Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "print.xlsx"
    write_workbook(card.result, path, period=PERIOD)
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180)
    pdf = out / "print.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")
