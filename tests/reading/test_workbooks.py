"""Workbooks and office CSV files score exactly as the UTF-8 CSV of the same rows."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
import xlsxwriter

import fortress_score as fs
from fortress_score.reading.workbooks import sheet_grid

ROOT = Path(__file__).resolve().parents[2]
RULES = fs.load_rules(ROOT / "rules/three-dimensions.yaml")
CSV = ROOT / "examples/branches-2024.csv"


def _rows() -> list[list[str]]:
    with open(CSV, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _titles(header: list[str]) -> list[str]:
    return [RULES.fields[name].title or name for name in header]


def _write_xlsx(path: Path, rows: list[list[str]], *, title: bool = True) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("考核数据")
    top = 0
    if title:
        sheet.write(0, 0, "2024年党支部考核数据")
        top = 2  # a title line, then a blank row
    sheet.write_row(top, 0, _titles(rows[0]))
    numeric = set(RULES.columns_needed()) | {n for n, f in RULES.fields.items() if f.type != "str"}
    for r, row in enumerate(rows[1:], start=top + 1):
        for c, (name, cell) in enumerate(zip(rows[0], row)):
            if cell == "":
                continue
            if name in numeric and cell.replace(".", "").isdigit():
                sheet.write_number(r, c, float(cell))
            else:
                sheet.write_string(r, c, cell)
    book.close()


def _scored(data: object) -> list[dict[str, object]]:
    return fs.score(RULES, data).to_records()


@pytest.fixture(scope="module")
def expected() -> list[dict[str, object]]:
    return _scored(fs.read_data(CSV, RULES))


def test_an_xlsx_with_chinese_titles_and_a_title_line_scores_as_the_csv(
        tmp_path: Path, expected: list[dict[str, object]]) -> None:
    path = tmp_path / "考核.xlsx"
    _write_xlsx(path, _rows())
    data = fs.read_data(path, RULES)
    assert data.lines[:2] == [4, 5]  # sheet rows as Excel numbers them
    assert _scored(data) == expected


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_an_excel_csv_with_titles_scores_as_the_utf8_csv(
        tmp_path: Path, encoding: str, expected: list[dict[str, object]]) -> None:
    rows = _rows()
    path = tmp_path / "data.csv"
    lines = ["2024年党支部考核数据" + "," * (len(rows[0]) - 1), ",".join(_titles(rows[0]))]
    lines += [",".join(row) for row in rows[1:]]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    assert _scored(fs.read_data(path, RULES)) == expected
    assert _scored(fs.read_data(path, RULES, header_row=2)) == expected


def test_a_text_cell_in_a_numeric_column_is_refused_at_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    rows = _rows()[:4]
    rows[2][rows[0].index("line_loss_rate")] = "n/a"
    rows[3][rows[0].index("revenue")] = "1,234.5"
    _write_xlsx(path, rows)
    book_rows = sheet_grid(str(path), None).rows
    assert book_rows[4][rows[0].index("line_loss_rate")] == "n/a"
    with pytest.raises(fs.DataError) as info:
        fs.read_data(path, RULES)
    (problem,) = info.value.problems
    assert problem.cell == "考核数据!I5" and problem.column == "line_loss_rate"
    assert "'n/a'" in str(info.value) and "cell 考核数据!I5" in str(info.value)


def test_sheet_by_name_or_position_and_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write(0, 0, "本表为考核数据")
    data = book.add_worksheet("数据")
    data.write_row(0, 0, ["党支部", "code", "when"])
    data.write_row(1, 0, ["江州", 101.0])
    data.write_datetime(1, 2, datetime.datetime(2024, 1, 31), book.add_format({"num_format": "yyyy/m/d"}))
    book.close()
    by_name = fs.read_data(path, sheet="数据")
    assert list(by_name) == list(fs.read_data(path, sheet=1))
    assert by_name[0] == {"党支部": "江州", "code": 101.0, "when": "2024-01-31"}
    with pytest.raises(fs.DataError, match=r"has no sheet '数剧'; its sheets are \['说明', '数据'\]"):
        fs.read_data(path, sheet="数剧")


def test_sheet_and_encoding_only_where_they_mean_something(tmp_path: Path) -> None:
    with pytest.raises(fs.DataError, match="has no sheets"):
        fs.read_data(CSV, RULES, sheet="Sheet1")
    path = tmp_path / "d.xlsx"
    _write_xlsx(path, _rows()[:3])
    with pytest.raises(fs.DataError, match="encoding is given"):
        fs.read_data(path, RULES, encoding="gbk")
    with pytest.raises(fs.DataError, match="data files are .csv"):
        fs.read_data(tmp_path / "d.docx", RULES)


def test_parquet_and_json_headings_may_be_titles(tmp_path: Path,
                                                expected: list[dict[str, object]]) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    records = fs.read_data(CSV, RULES)
    titled = [{(RULES.fields[k].title or k): v for k, v in r.items()} for r in records]
    pq.write_table(pa.Table.from_pylist(titled), tmp_path / "d.parquet")
    assert _scored(fs.read_data(tmp_path / "d.parquet", RULES)) == expected
    import json
    (tmp_path / "d.json").write_text(json.dumps(titled, ensure_ascii=False), encoding="utf-8")
    assert _scored(fs.read_data(tmp_path / "d.json", RULES)) == expected
    both = [{**r, "branch": r["党支部"]} for r in titled]
    (tmp_path / "both.json").write_text(json.dumps(both, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(fs.DataError, match=r"columns \['branch'\] are each given twice"):
        fs.read_data(tmp_path / "both.json", RULES)


def test_cells_shown_as_percentages_are_read_as_shown_in_a_percent_field(tmp_path: Path) -> None:
    rules = fs.load_rules({
        "ruleset": "p", "entity": "branch",
        "fields": {"rate": {"title": "电费回收率", "unit": "%"}, "share": {"title": "占比"}},
        "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "r", "points": 1, "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}},
            {"id": "s", "points": 1, "evaluate": {"kind": "target", "input": "share", "target": 1, "floor": 0}}]}]})
    path = tmp_path / "p.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    percent, plain = book.add_format({"num_format": "0.00%"}), book.add_format({"num_format": '0.0"%"'})
    sheet.write_row(0, 0, ["branch", "电费回收率", "占比"])
    sheet.write_row(1, 0, ["甲", 0.985, 0.85], None)
    sheet.write_number(1, 1, 0.985, percent)          # shown 98.50%
    sheet.write_number(1, 2, 0.85)
    sheet.write_row(2, 0, ["乙", 97.25, 0.5])          # typed as the number in the field's unit
    sheet.write_number(3, 1, 99.0, plain)             # a literal "%" in the format is no percentage
    sheet.write(3, 0, "丙")
    sheet.write_number(3, 2, 0.1)
    sheet.write_string(4, 0, "丁")
    sheet.write_string(4, 1, "99.5", percent)         # text in a % cell: read as written
    book.close()
    records = fs.read_data(path, rules)
    assert [(r["rate"], r["share"]) for r in records] == \
        [(98.5, 0.85), (97.25, 0.5), (99.0, 0.1), (99.5, None)]
    full_width = rules.model_copy(update={"fields": {
        **rules.fields, "rate": rules.fields["rate"].model_copy(update={"unit": "％"})}})
    assert fs.read_data(path, full_width)[0]["rate"] == 98.5


def test_a_percentage_shown_in_a_field_not_in_percent_is_refused_at_its_cell(tmp_path: Path) -> None:
    rules = fs.load_rules({"ruleset": "p", "entity": "branch", "dimensions": [{"id": "d", "weight": 1,
        "indicators": [{"id": "s", "points": 1, "evaluate": {"kind": "target", "input": "share", "target": 1, "floor": 0}}]}]})
    path = tmp_path / "p.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["branch", "share"])
    sheet.write_row(1, 0, ["甲", 0.5])
    sheet.write(2, 0, "乙")
    sheet.write_number(2, 1, 0.85, book.add_format({"num_format": "0%"}))
    book.close()
    with pytest.raises(fs.DataError) as info:
        fs.read_data(path, rules)
    (problem,) = info.value.problems
    assert problem.cell == "数据!B3" and "shown as the percentage 85%" in problem.message


def test_error_cells_merged_cells_and_fractional_keys_are_refused_at_their_cells(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["党支部", "月份", "电费回收率", "综合线损率"])
    sheet.write_row(1, 0, ["甲", "2024-01", 99.0, 2.0])
    sheet.write_row(2, 0, ["乙", "2024-01"])
    sheet.write_formula(2, 2, "=1/0", None, "#DIV/0!")      # an error cell, read as "" by the reader
    sheet.merge_range("D3:D4", 2.5)                         # a number merged over two rows
    sheet.write_row(3, 0, ["丙", 2024.1, 98.0])             # October typed as a number
    book.close()
    with pytest.raises(fs.DataError) as info:
        fs.read_data(path, RULES_SMALL)
    placed = {(p.cell, p.column): p.message for p in info.value.problems}
    assert set(placed) == {("数据!C3", "bill_recovery_rate"), ("数据!D4", "line_loss_rate"),
                           ("数据!B4", "month"), (None, "category")}  # all problems at once
    assert "spreadsheet error" in placed[("数据!C3", "bill_recovery_rate")]
    assert "merged into D3:D4" in placed[("数据!D4", "line_loss_rate")]
    assert "2024.1" in placed[("数据!B4", "month")]


def test_merged_text_cells_are_read_as_the_sheet_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, ["支部类别", "党支部", "月份", "电费回收率", "综合线损率"])
    sheet.merge_range("A2:A3", "县区供电分局")
    sheet.write_row(1, 1, ["甲", "2024-01", 99.0, 2.0])
    sheet.write_row(2, 1, ["乙", "2024-01", 98.5, 2.5])
    book.close()
    records = fs.read_data(path, RULES_SMALL)
    assert [r["category"] for r in records] == ["县区供电分局", "县区供电分局"]


RULES_SMALL = fs.load_rules({
    "ruleset": "s", "entity": "branch", "period": "month", "group_by": "category",
    "fields": {"branch": {"title": "党支部", "type": "str"}, "month": {"title": "月份", "type": "str"},
               "category": {"title": "支部类别", "type": "str"},
               "bill_recovery_rate": {"title": "电费回收率", "unit": "%", "optional": True},
               "line_loss_rate": {"title": "综合线损率", "unit": "%", "optional": True}},
    "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "b", "points": 1, "evaluate": {"kind": "target", "input": "bill_recovery_rate", "target": 100, "floor": 98}},
        {"id": "l", "points": 1, "evaluate": {"kind": "target", "input": "line_loss_rate", "target": 2, "floor": 4}}]}]})


def test_percent_format_codes() -> None:
    from fortress_score.reading.formats import is_percent_format
    assert [is_percent_format(c) for c in ("0%", "0.00%", '0.0"%"', "0.0\\%", "[Red]0.0%", "0.00")] == \
        [True, True, False, False, True, False]


def test_percent_cells_without_references_follow_the_last_cell() -> None:
    from fortress_score.reading.formats import _cells_in
    xml = (b'<sheetData><row r="2"><c r="B2" s="1"><v>1</v></c><c s="1"><v>2</v></c><c/>'
           b'<c s="3"/></row><row><c s="3"/><c r="AA3" s="1"/></row><cols/></sheetData>')
    assert _cells_in(xml, {1, 3}).percent == {(1, 1), (1, 2), (1, 4), (2, 0), (2, 26)}
    errors = b'<row r="4"><c r="C4" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D4" t="str"/></row>'
    assert _cells_in(errors, set()).errors == {(3, 2)}
