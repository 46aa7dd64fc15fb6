"""`reading.delimited`: encodings and delimiters of text tables."""

from __future__ import annotations

import codecs

import pytest

import fortress_score as fs
from fortress_score.reading.delimited import decode_text, text_grid

TEXT = "党支部,月份,售电量\n江州供电分局党支部,2024-01,29824.38\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_the_office_encodings_decode_to_the_same_text(encoding: str) -> None:
    assert decode_text(TEXT.encode(encoding), "d.csv", None) == TEXT


def test_a_named_encoding_is_used_and_a_wrong_one_is_placed() -> None:
    raw = TEXT.encode("gbk")
    assert decode_text(raw, "d.csv", "GB18030") == TEXT
    with pytest.raises(fs.DataError) as info:
        decode_text(raw, "d.csv", "utf-8")
    assert (info.value.problems[0].line, info.value.problems[0].col) == (1, 1)
    with pytest.raises(fs.DataError, match="unknown text encoding 'klingon'"):
        decode_text(raw, "d.csv", "klingon")
    with pytest.raises(fs.DataError, match="unknown text encoding 'hex'"):
        decode_text(raw, "d.csv", "hex")  # a codec, but no text encoding
    assert decode_text("\ufeffa,b\n".encode("utf-8"), "d.csv", "utf-8") == "a,b\n"  # BOM dropped


def test_lines_in_two_encodings_are_refused_naming_one_of_each() -> None:
    raw = "a,b\n甲,1\n".encode() + "乙,2\n".encode("gbk")
    with pytest.raises(fs.DataError, match="mixes encodings: line 2 is UTF-8") as info:
        decode_text(raw, "d.csv", None)
    assert info.value.problems[0].line == 3
    assert decode_text(raw[:11] + raw[11:], "d.csv", "latin-1")  # forced: the caller's choice


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_the_delimiter_is_found(delimiter: str) -> None:
    text = f"报表标题\na{delimiter}b{delimiter}c\n1{delimiter}2{delimiter}3\n4{delimiter}5{delimiter}6\n"
    grid = text_grid(text, "d.csv")
    assert grid.rows[1:] == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]]
    assert grid.row_numbers == [1, 2, 3, 4]


def test_decimal_commas_lose_to_the_semicolon_that_gives_more_cells() -> None:
    grid = text_grid("a;b;c\n1,5;2,5;3\n4,5;5,5;6\n", "d.csv")
    assert grid.rows[1] == ["1,5", "2,5", "3"]


def test_an_undecidable_delimiter_is_refused_with_a_hint() -> None:
    with pytest.raises(fs.DataError, match="cannot tell the delimiter"):
        text_grid("a,b;c\n1;2,3,4\n5|6\n7;8;9;1;2\n", "d.csv")


def test_tsv_is_always_tab_and_quoted_cells_keep_their_start_line() -> None:
    grid = text_grid('a\tb\n"x\ny"\t1,5\nz\t2\n', "d.tsv", tab=True)
    assert grid.rows == [["a", "b"], ["x\ny", "1,5"], ["z", "2"]]
    assert grid.row_numbers == [1, 2, 4]
    assert codecs.lookup("gb18030")  # the fallback codec exists on every Python


def test_gbk_whose_characters_happen_to_be_two_byte_utf8_is_not_read_as_utf8() -> None:
    raw = "一,支\n".encode("gbk")  # D2BB and D6A7: valid two-byte UTF-8 (һ, ֧)
    raw.decode("utf-8")
    with pytest.raises(fs.DataError, match="reads as UTF-8 and as GB18030/GBK alike"):
        decode_text(raw, "d.csv", None)
    assert decode_text(raw, "d.csv", "gbk") == "一,支\n"
    mostly = "党支部,月份\n一,2024-01\n".encode("gbk")  # a line of such characters: still GBK
    assert decode_text(mostly, "d.csv", None) == "党支部,月份\n一,2024-01\n"
    with pytest.raises(fs.DataError, match="alike"):  # ü is C3BC, which GB18030 reads as 眉
        decode_text("Müller,1\n".encode(), "d.csv", None)
    assert decode_text("Müller,江州\n".encode(), "d.csv", None) == "Müller,江州\n"
