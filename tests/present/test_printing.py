"""`present.printing`: sheet names and widths of printed tables."""

from __future__ import annotations

from fortress_score.present.printing import sheet_name


def test_sheet_name_rules() -> None:
    taken: set[str] = set()
    assert sheet_name("榜单 a[b]:c*d?e/f\\g", taken) == "榜单 a-b--c-d-e-f-g"
    long = "榜单 " + "x" * 40
    assert sheet_name(long, taken) == long[:31]
    assert sheet_name(long, taken) == long[:27] + " (2)"
    assert sheet_name("'来源'", taken) == "来源"
    assert sheet_name("来源", taken) == "来源 (2)"
    assert sheet_name("SHEET", {"sheet"}) == "SHEET (2)"  # Excel ignores case
