"""`reading.numbers`: a cell of a numeric column, by the stated rule."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fortress_score.reading.numbers import Unreadable, number_of


@pytest.mark.parametrize(("cell", "unit", "expected"), [
    ("1234.5", None, 1234.5), (" -3 ", None, -3), ("1e3", None, 1000.0),
    ("1,234.5", None, 1234.5), ("12,345,678", None, 12345678.0),
    ("８５", None, 85), ("85%", "%", 85.0), ("８５．５％", "%", 85.5), ("1,200%", "%", 1200.0),
    ("", None, None), ("   ", None, None), (None, None, None), (97.25, None, 97.25), (3, None, 3),
])
def test_what_reads_as_a_number(cell: object, unit: str | None, expected: object) -> None:
    assert number_of(cell, unit=unit) == expected


@pytest.mark.parametrize(("cell", "unit", "says"), [
    ("85%", "万元", "percentage"), ("85%", None, "declares no unit"), ("1,23.5", None, "not a number"),
    ("12,34", None, "not a number"), ("n/a", None, "not a number"), ("-", None, "not a number"),
    ("#DIV/0!", None, "spreadsheet error #DIV/0!"), ("#n/a", None, "spreadsheet error"),
    (True, None, "type: bool"), (datetime.date(2024, 1, 31), None, "date"), ("abc%", "%", "not a number"),
])
def test_what_is_refused(cell: object, unit: str | None, says: str) -> None:
    with pytest.raises(Unreadable, match=says.replace("?", r"\?")):
        number_of(cell, unit=unit)


def test_true_and_false_in_a_bool_field() -> None:
    assert [number_of(c, flag=True) for c in (True, False, "TRUE", " false ")] == [1, 0, 1, 0]


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_thousands_separators_read_as_the_number(n: int) -> None:
    assert number_of(f"{n:,}") == n


@given(st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False))
def test_a_percentage_in_a_percent_field_is_the_number_before_the_sign(d: object) -> None:
    assert number_of(f"{d}%", unit="%") == float(str(d))


def test_only_full_width_forms_are_folded_and_semicolon_files_have_no_thousands() -> None:
    for cell in ("10²", "①", "0,125"):
        with pytest.raises(Unreadable):
            number_of(cell)
    with pytest.raises(Unreadable, match="decimal comma"):
        number_of("99,125", thousands=False)
    assert number_of("85％", unit="％") == 85.0


_NUMBERISH = st.text(alphabet="0123456789,.%-+eE ％，．１２３\u3000²①", max_size=12)


@given(_NUMBERISH, st.sampled_from([None, "%", "万元"]), st.booleans())
def test_a_number_read_from_text_is_the_number_written_there(text: str, unit: str | None,
                                                             thousands: bool) -> None:
    """Never a number the text does not spell: what is read equals the text with only full-width
    forms folded, spaces trimmed, a trailing % (in a % field) and thousands commas removed."""
    try:
        value = number_of(text, unit=unit, thousands=thousands)
    except Unreadable:
        return
    plain = text.translate({0xFF05: "%", 0xFF0C: ",", 0xFF0E: ".", 0x3000: " ",
                            0xFF11: "1", 0xFF12: "2", 0xFF13: "3"}).strip()
    if value is None:
        assert plain == ""
        return
    assert "²" not in plain and "①" not in plain
    if plain.endswith("%"):
        assert unit == "%"
        plain = plain[:-1].strip()
    if "," in plain:
        assert thousands
    assert float(plain.replace(",", "")) == value
