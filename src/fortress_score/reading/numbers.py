"""A cell of a column the rules read as numbers, by one stated rule for every file kind.

- A number cell (a workbook's) is taken as stored, except that a cell Excel *shows* as a
  percentage (``85%``, stored 0.85) is read as shown, 85, in a field whose unit is ``%``
  (.xlsx and .xlsm; :mod:`.formats`).
- Text is read after full-width forms are folded (``１２３`` is 123) and spaces trimmed:
  a plain decimal (``1234.5``, ``-3``, ``1e3``) as that number; thousands separated by
  commas in groups of three (``1,234.5``) without them; a percentage (``85%``) as 85 where
  the rule file gives the field the unit ``%``, and refused elsewhere (0.85 or 85 would be a
  guess); ``true``/``false`` (and a workbook's TRUE/FALSE) as 1/0 in a ``type: bool`` field.
- An empty cell is no value (None). Anything else — ``n/a``, ``-``, a date, a spreadsheet
  error such as ``#DIV/0!`` — is refused with its cell or line: no value is ever guessed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from ..bounded import whole_number

__all__ = ["Unreadable", "number_of"]

_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_PERCENT = re.compile(r"(.+?)\s*%")
_INFINITY = re.compile(r"[+-]?inf(inity)?", re.IGNORECASE)
_ERROR = re.compile(r"#(DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)")


class Unreadable(ValueError):
    """A cell that is not a number by the rule; the message says what it holds."""


def number_of(cell: Any, *, unit: str | None = None, flag: bool = False) -> Any:
    """The number ``cell`` holds by the module's rule; None for an empty cell.

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
        return cell
    if isinstance(cell, datetime.date | datetime.time | datetime.timedelta):
        raise Unreadable(f"holds the date or time {cell}; a number was expected")
    if not isinstance(cell, str):
        raise Unreadable(f"holds {type(cell).__name__} {cell!r}; a number was expected")
    return _number_in_text(cell, unit, flag)


def _number_in_text(cell: str, unit: str | None, flag: bool) -> Any:
    text = unicodedata.normalize("NFKC", cell).strip()
    if not text:
        return None
    if flag and text.lower() in ("true", "false"):
        return int(text.lower() == "true")
    if _INTEGER.fullmatch(text):
        return whole_number(text)
    if _NUMBER.fullmatch(text) or _INFINITY.fullmatch(text):
        return float(text)
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    percent = _PERCENT.fullmatch(text)
    if percent:
        inner = percent.group(1).replace(",", "") if _THOUSANDS.fullmatch(
            percent.group(1)) else percent.group(1)
        if not _NUMBER.fullmatch(inner):
            raise Unreadable(f"holds {cell!r}, which is not a number")
        if unit is not None and unit.strip() == "%":
            return float(inner)
        declared = f"its unit is {unit!r}" if unit else "it declares no unit"
        raise Unreadable(f"holds the percentage {cell!r}, but the rule file's field is not in % "
                         f"({declared}); write the number in the field's unit, or declare "
                         "`unit: \"%\"` to read 85% as 85")
    if _ERROR.fullmatch(text.upper()):
        raise Unreadable(f"holds the spreadsheet error {text}; fix the formula or leave the "
                         "cell empty for no value")
    raise Unreadable(f"holds {cell!r}, which is not a number; leave the cell empty for no value")
