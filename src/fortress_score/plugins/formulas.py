"""Spreadsheet formulas of attainment, for the audit workbook (``card.to_excel(formulas=True)``).

An evaluator may give, besides :meth:`~fortress_score.Evaluator.evaluate`, a
:meth:`~fortress_score.Evaluator.formula`: the same attainment for one row as a spreadsheet
formula over that row's data cells, so that an auditor can trace it and change an input to
see the score move. The formula yields a number in [0, 1], or ``""`` where the indicator
does not apply (an empty input, NaN in :meth:`evaluate`). Data cells left empty are the
empty values; remember that a spreadsheet reads an empty cell as 0 in arithmetic, so test
``cell=""`` first. Formulas use English function names and commas, as the file stores them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Cells", "clip01", "empty_if_any", "number"]


@dataclass(frozen=True)
class Cells:
    """Where one row's data and its peers are, for :meth:`Evaluator.formula`.

    Attributes:
        row: data column → this row's cell (``数据!$E5``).
        whole: data column → that column over every row of the sheet (``数据!$E$3:$E$362``),
            for evaluators that compare a row with its peers.
        peer_codes: every row's peer population code over the sheet (``计算!$D$3:$D$362``):
            rows with equal codes are peers (same period and group).
        peer_code: this row's code cell, so that ``MINIFS(whole, peer_codes, peer_code)``
            is the lowest value among the row's peers.
        points: the indicator's points, the adjustment's cap, or 1 for a veto (as
            :class:`~fortress_score.Context` gives them).
    """

    row: Mapping[str, str]
    whole: Mapping[str, str]
    peer_codes: str
    peer_code: str
    points: float


def number(value: float) -> str:
    """A float as a formula literal that reads back to the same float (shortest repr)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def clip01(expression: str) -> str:
    """``expression`` held within [0, 1], as :func:`numpy.clip` does."""
    return f"MAX(0,MIN(1,{expression}))"


def empty_if_any(cells: Iterable[str], expression: str) -> str:
    """``""`` where any of ``cells`` is empty, else ``expression``."""
    tests = [f'{cell}=""' for cell in cells]
    if not tests:
        return expression
    test = tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"
    return f'IF({test},"",{expression})'
