"""A cell of a column the rules read as numbers, by one stated rule for every file kind.

- A number cell (a workbook's) is taken as stored, except that a cell Excel *shows* as a
  percentage (``85%``, stored 0.85) is read as shown, 85, in a field whose unit is ``%``
  (.xlsx and .xlsm; :mod:`.formats`).
- Text is read after full-width forms are folded (``１２３`` is 123; nothing else is folded:
  ``10²`` is no number) and spaces trimmed: a plain decimal (``1234.5``, ``-3``, ``1e3``) as
  that number (``inf`` too, which scoring then refuses as not finite); thousands separated
  by commas in groups of three (``1,234.5``, never ``0,125``) without them — except in a file
  delimited by semicolons, where a comma may be a decimal comma and is refused; a percentage
  (``85%``) as 85 where the rule file gives the field the unit ``%`` (or ``％``), and refused
  elsewhere (0.85 or 85 would be a guess); ``true``/``false`` (and a workbook's TRUE/FALSE)
  as 1/0 in a ``type: bool`` field.
- An empty cell is no value (None). Anything else — ``n/a``, ``-``, a date, a spreadsheet
  error such as ``#DIV/0!`` — is refused with its cell or line: no value is ever guessed.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from ..bounded import whole_number

__all__ = ["Unreadable", "fold_full_width", "is_percent_unit", "number_of"]

_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_THOUSANDS = re.compile(r"[+-]?([1-9][0-9]{0,2})(,[0-9]{3})+(\.[0-9]*)?")
_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_PERCENT = re.compile(r"(.+?)\s*%")
_INFINITY = re.compile(r"[+-]?inf(inity)?", re.IGNORECASE)
_ERROR = re.compile(r"#(DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)")


def fold_full_width(text: str) -> str:
    """Full-width ASCII forms (``８５．５％``) and the ideographic space as plain ASCII."""
    return text.translate(_FULL_WIDTH)


def is_percent_unit(unit: str | None) -> bool:
    """Whether a field's declared unit is per cent (``%`` or the full-width ``％``)."""
    return unit is not None and fold_full_width(unit).strip() == "%"


class Unreadable(ValueError):
    """A cell that is not a number by the rule; the message says what it holds."""


def number_of(cell: Any, *, unit: str | None = None, flag: bool = False,
              thousands: bool = True) -> int | float | None:
    """The number ``cell`` holds by the module's rule; None for an empty cell
    (``thousands=False``: commas are no thousands separators, in a ``;`` file).

    Raises:
        Unreadable: the cell holds something that is not a number by the rule.
    """
    if cell is None:
        return None
    if isinstance(cell, bool):
        if flag:
            return int(cell)
        raise Unreadable(f"holds {str(cell).upper()}; true/false are numbers only in a field "
                         "declared `type: bool`")
    if isinstance(cell, int | float):
        return cell  # a workbook's number cell, as stored
    if isinstance(cell, datetime.date | datetime.time | datetime.timedelta):
        raise Unreadable(f"holds the date or time {cell}; a number was expected")
    if not isinstance(cell, str):
        raise Unreadable(f"holds {type(cell).__name__} {cell!r}; a number was expected")
    return _number_in_text(cell, unit, flag, thousands)


def _number_in_text(cell: str, unit: str | None, flag: bool,
                    thousands: bool) -> int | float | None:
    text = fold_full_width(cell).strip()
    if not text:
        return None
    if flag and text.lower() in ("true", "false"):
        return int(text.lower() == "true")
    if _INTEGER.fullmatch(text):
        return whole_number(text)
    if _NUMBER.fullmatch(text) or _INFINITY.fullmatch(text):
        return float(text)
    if _THOUSANDS.fullmatch(text):
        if not thousands:
            raise Unreadable(f"holds {cell!r}: in a file delimited by semicolons a comma may be "
                             "a decimal comma; write the number without separators")
        return float(text.replace(",", ""))
    percent = _PERCENT.fullmatch(text)
    if percent:
        inner = percent.group(1).replace(",", "") if thousands and _THOUSANDS.fullmatch(
            percent.group(1)) else percent.group(1)
        if not _NUMBER.fullmatch(inner):
            raise Unreadable(f"holds {cell!r}, which is not a number")
        if is_percent_unit(unit):
            return float(inner)
        declared = f"its unit is {unit!r}" if unit else "it declares no unit"
        raise Unreadable(f"holds the percentage {cell!r}, but the rule file's field is not in % "
                         f"({declared}); write the number in the field's unit, or declare "
                         "`unit: \"%\"` to read 85% as 85")
    if _ERROR.fullmatch(text.upper()):
        raise Unreadable(f"holds the spreadsheet error {text}; fix the formula or leave the "
                         "cell empty for no value")
    raise Unreadable(f"holds {cell!r}, which is not a number; leave the cell empty for no value")
