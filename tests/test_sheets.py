"""`sheets`: spreadsheet basics shared by readers and writers."""

from __future__ import annotations

import fortress_score as fs
from fortress_score.sheets import column_letters, missing_extra, text_width


def test_column_letters() -> None:
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_text_width_counts_chinese_as_two() -> None:
    assert text_width("党支部") == 6
    assert text_width("91.50") == 5
    assert text_width("支部类别：A") == 11
    assert text_width("") == 0 and text_width("ab\n党支部书记") == 10  # the longest line


def test_a_missing_extra_says_what_to_install() -> None:
    error = missing_extra("reading a workbook", "python-calamine")
    assert isinstance(error, fs.MissingExtraError) and isinstance(error, fs.FortressScoreError)
    assert str(error) == 'reading a workbook needs the package python-calamine: pip install "fortress-score[excel]"'
