"""`reading.headings`: headings by id or title, found below a title line."""

from __future__ import annotations

import pytest

import fortress_score as fs
from fortress_score.reading.grid import Grid
from fortress_score.reading.headings import find_heading_row, heading_key, heading_names

RULES = fs.load_rules({
    "ruleset": "h", "entity": "branch", "period": "month",
    "fields": {"branch": {"title": "党支部", "type": "str"}, "month": {"title": "月份", "type": "str"},
               "rate": {"title": "电费回收率", "unit": "%"}, "loss": {"title": "综合线损率", "unit": "%"}},
    "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "r", "points": 1, "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}},
        {"id": "l", "points": 1, "evaluate": {"kind": "target", "input": "loss", "target": 2, "floor": 4}}]}]})


def test_heading_key_folds_full_width_spaces_and_case() -> None:
    assert heading_key(" 电费 回收率（％） ") == heading_key("电费回收率(%)")
    assert heading_key("ＲＡＴＥ") == "rate"


def test_titles_ids_and_titles_with_units_name_fields_below_a_title_line() -> None:
    grid = Grid([["2024年党支部考核", "", "", "", ""], ["", "", "", "", ""],
                 ["党支部", " month ", "电费回收率（％）", "综合线损率", "备注"], ["A", "2024-01", 99, 2.1, ""]],
                [1, 2, 3, 4], "d.xlsx", "Sheet1")
    index = find_heading_row(grid, RULES, None)
    assert index == 2
    assert heading_names(grid, index, RULES) == ["branch", "month", "rate", "loss", "备注"]
    assert find_heading_row(grid, RULES, 3) == 2


def test_a_column_given_twice_is_refused_at_its_cell() -> None:
    grid = Grid([["党支部", "month", "rate", "电费回收率", "loss"]], [5], "d.xlsx", "数据")
    with pytest.raises(fs.DataError) as info:
        heading_names(grid, 0, RULES)
    assert info.value.problems[0].cell == "数据!D5"
    assert "as does the heading of 数据!C5" in info.value.problems[0].message


def test_no_heading_row_says_what_a_heading_row_names() -> None:
    grid = Grid([["标题"], ["x", "y", "z"]], [1, 2], "d.csv")
    with pytest.raises(fs.DataError, match=r"no heading row found .* \(such as branch \(党支部\)"):
        find_heading_row(grid, RULES, None)
    with pytest.raises(fs.DataError, match="header_row 9 is not a line"):
        find_heading_row(grid, RULES, 9)
