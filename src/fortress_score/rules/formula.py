"""The formula language of derived fields: checked when the rules load, evaluated on columns.

``fields: {chart_rate: {formula: "tasks_done / tasks_planned * 100", unit: "%"}}``. A formula
holds numbers, column names (declared fields, derived fields, data columns), ``+ - * / ** %``,
comparisons, ``and or not``, ``where(cond, a, b)`` and ``min max abs round clip log sqrt`` —
nothing else. It is read with Python's own parser (``ast``, an expression only) and every
node is checked against that list, so no attribute, subscript, other call, string, lambda or
dunder name can reach the evaluator; the text is bounded (:data:`MAX_LENGTH` characters,
:data:`MAX_DEPTH` levels of nesting) before it is parsed.

Evaluation walks the checked tree once over whole numpy columns (no Python loop a row),
under ``np.errstate(all="ignore")``: a missing value (NaN) stays missing, division or
modulo by zero, ``log`` of x ≤ 0, ``sqrt`` of x < 0 and any non-finite result are missing
(NaN), never an error or a warning. Comparisons and ``and or not`` give 1.0 or 0.0 (NaN
where an operand is missing); ``where`` takes its branch where the condition is non-zero;
``round`` rounds half away from zero, as the library reports figures. An AST walk over
numpy was chosen over numexpr: numexpr has no NaN-on-zero division, no half-up rounding
and would be one more compiled dependency, for expressions that cost one pass a node.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..plugins.evaluator import FloatArray
from ..rounding import round_half_up

__all__ = ["FUNCTIONS", "MAX_DEPTH", "MAX_DERIVED", "MAX_LENGTH", "Formula", "FormulaError",
           "parse"]

MAX_LENGTH = 1000
"""Characters a formula may have."""

MAX_DEPTH = 32
"""Levels of nesting (brackets, calls, operators) a formula may have."""

MAX_DERIVED = 1000
"""Derived fields a rule set may have: bounds the work of checking them for circles."""

FUNCTIONS: dict[str, tuple[int, int]] = {
    "where": (3, 3), "min": (2, 32), "max": (2, 32), "abs": (1, 1), "round": (1, 2),
    "clip": (3, 3), "log": (1, 1), "sqrt": (1, 1),
}
"""The functions a formula may call: name → (fewest, most) arguments."""


class FormulaError(ValueError):
    """A formula outside the language; ``offset`` is the 0-based place of the offending
    token in the formula's text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, the column names it reads, and its tree."""

    text: str
    names: frozenset[str]
    tree: ast.expr

    def evaluate(self, columns: Mapping[str, FloatArray], n_rows: int | None = None) -> FloatArray:
        """The formula over whole columns (float64, one value a row; NaN = missing); the
        inputs are not changed. ``n_rows`` is needed only when ``columns`` is empty."""
        n = len(next(iter(columns.values()))) if columns else (n_rows or 1)
        with np.errstate(all="ignore"):
            result = _significant(np.array(_value(self.tree, columns, n), dtype=np.float64))
        return result


SIGNIFICANT_DIGITS = 15
"""A formula's result is kept to this many significant digits, as a spreadsheet keeps a
number: 29 / 50 * 100 is 58, not 57.99999999999999, so that ``>= 58`` holds as a reader
(and the audit workbook) expects."""


def _significant(values: FloatArray) -> FloatArray:
    """``values`` rounded to :data:`SIGNIFICANT_DIGITS` significant digits (NaN kept; the
    tiniest magnitudes, below 1e-290, left as they are)."""
    size = np.abs(values)
    usable = np.isfinite(values) & (size > 1e-290)
    digits = np.where(usable, SIGNIFICANT_DIGITS - 1 - np.floor(
        np.log10(np.where(usable, size, 1.0))), 0.0)
    scale = 10.0 ** digits
    rounded = np.where(usable, np.rint(values * scale) / scale, values)
    return np.asarray(np.where(np.isfinite(rounded), rounded, np.nan), dtype=np.float64)


def parse(text: str) -> Formula:
    """The checked formula of ``text``.

    Raises:
        FormulaError: the text is too long, too deep, not an expression, or uses anything
            outside the language (with the offset of the offending token).
    """
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("a formula must be an expression, such as `a / b * 100`", 0)
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"a formula may have at most {MAX_LENGTH} characters; this has "
                           f"{len(text):,}", MAX_LENGTH)
    _check_brackets(text)
    one_line = "".join(" " if c in "\r\n\f\v" else c for c in text)  # offsets stay as they are
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" in `1if x`: an error here
            warnings.simplefilter("error")
            tree = ast.parse(one_line.lstrip(), mode="eval")
    except (SyntaxError, SyntaxWarning) as exc:
        lead = len(one_line) - len(one_line.lstrip())
        offset = lead + max((getattr(exc, "offset", None) or 1) - 1, 0)
        reason = getattr(exc, "msg", None) or str(exc)
        raise FormulaError(f"not a formula: {reason}", min(offset, len(text))) from None
    except (ValueError, MemoryError, RecursionError):
        raise FormulaError("not a formula", 0) from None
    names: set[str] = set()
    try:
        _check(tree.body, names, 1)
    except _Refused as exc:  # node offsets count UTF-8 bytes of the parsed line: as characters
        lead = len(one_line) - len(one_line.lstrip())
        body = one_line.lstrip().encode("utf-8")
        offset = lead + len(body[:exc.byte_offset].decode("utf-8", "ignore"))
        raise FormulaError(exc.message, min(offset, len(text))) from None
    return Formula(text, frozenset(names), tree.body)


class _Refused(Exception):
    def __init__(self, message: str, node: ast.AST, shift: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.byte_offset = max(getattr(node, "col_offset", 0) + shift, 0)


def _check_brackets(text: str) -> None:
    depth = 0
    for offset, char in enumerate(text):
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise FormulaError(f"a formula may nest at most {MAX_DEPTH} brackets deep",
                                   offset)
        elif char in ")]}":
            depth -= 1


_BINARY: dict[type[ast.operator], Callable[[FloatArray, FloatArray], FloatArray]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
    ast.Div: lambda a, b: np.where(b == 0, np.nan, np.true_divide(a, b)),
    ast.Mod: lambda a, b: np.where(b == 0, np.nan, np.mod(a, b)),
    ast.Pow: np.power,
}
_COMPARE: dict[type[ast.cmpop], Callable[[FloatArray, FloatArray], FloatArray]] = {
    ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
    ast.Eq: np.equal, ast.NotEq: np.not_equal,
}
_WORDS = {ast.Attribute: "attributes (a.b)", ast.Subscript: "subscripts (a[0])",
          ast.Lambda: "lambda", ast.IfExp: "`x if c else y` (write where(c, x, y))",
          ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
          ast.NamedExpr: ":=", ast.Starred: "starred arguments", ast.JoinedStr: "text",
          ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "mappings", ast.Set: "sets"}


def _check(node: ast.expr, names: set[str], depth: int) -> None:
    """Refuse anything outside the language; collect the column names read."""
    if depth > MAX_DEPTH:
        raise _Refused(f"a formula may nest at most {MAX_DEPTH} levels deep", node)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _Refused(f"{node.value!r} is not a number; a formula holds numbers and "
                           "column names", node)
        if isinstance(node.value, int) and node.value.bit_length() > 1023:
            raise _Refused("a number too large for a float", node)
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("__"):
            raise _Refused(f"{node.id!r}: names starting with __ are not allowed", node)
        if node.id in FUNCTIONS:
            raise _Refused(f"{node.id} is a function: call it, {node.id}(...)", node)
        names.add(node.id)
        return
    children: list[ast.expr]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        children = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
        children = [node.operand]
    elif isinstance(node, ast.BoolOp):
        children = list(node.values)
    elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.Call):
        children = _call_arguments(node)
    else:
        what = _WORDS.get(type(node), type(node).__name__)
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Compare):
            what = "this operator"
        raise _Refused(f"{what} not allowed in a formula; it may hold numbers, column names, "
                       "+ - * / ** %, comparisons, and or not, and the functions "
                       f"{', '.join(FUNCTIONS)}", node)
    for child in children:
        _check(child, names, depth + 1)


def _call_arguments(node: ast.Call) -> list[ast.expr]:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        called = node.func.id if isinstance(node.func, ast.Name) else "this"
        raise _Refused(f"{called} is not a function a formula may call; it may call "
                       f"{', '.join(FUNCTIONS)}", node.func)
    if node.keywords:
        keyword = node.keywords[0]
        raise _Refused("functions take their arguments in order, without names",
                       keyword.value, -len(keyword.arg or "") - 1)
    least, most = FUNCTIONS[node.func.id]
    if not least <= len(node.args) <= most:
        wanted = str(least) if least == most else f"{least} to {most}"
        raise _Refused(f"{node.func.id}() takes {wanted} arguments; got {len(node.args)}", node)
    if node.func.id == "round" and len(node.args) == 2:
        digits = node.args[1]
        if not (isinstance(digits, ast.Constant) and type(digits.value) is int
                and 0 <= digits.value <= 12):
            raise _Refused("round(x, n): n must be a whole number from 0 to 12", digits)
    return list(node.args)


def _value(node: ast.expr, columns: Mapping[str, FloatArray], n: int) -> FloatArray:
    """The value of a checked node over whole columns; what is not finite is missing, at
    every step (an overflow inside ``min(…)`` must not turn into a number)."""
    value = np.asarray(_step(node, columns, n), dtype=np.float64)
    return np.where(np.isfinite(value), value, np.nan)


def _step(node: ast.expr, columns: Mapping[str, FloatArray], n: int) -> FloatArray:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # checked when parsed
        return np.full(n, float(node.value))
    if isinstance(node, ast.Name):
        return np.asarray(columns[node.id], dtype=np.float64)
    if isinstance(node, ast.BinOp):
        return np.asarray(_BINARY[type(node.op)](_value(node.left, columns, n),
                                                 _value(node.right, columns, n)))
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, columns, n)
        if isinstance(node.op, ast.Not):
            return _truth(np.equal(operand, 0), operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BoolOp):
        values = [_value(v, columns, n) for v in node.values]
        held = [np.not_equal(v, 0) for v in values]
        truth = np.logical_and.reduce(held) if isinstance(node.op, ast.And) else \
            np.logical_or.reduce(held)
        return _truth(truth, *values)
    if isinstance(node, ast.Compare):
        operands = [_value(v, columns, n) for v in (node.left, *node.comparators)]
        holds = np.logical_and.reduce([_COMPARE[type(op)](a, b) for op, a, b in
                                       zip(node.ops, operands, operands[1:])])
        return _truth(holds, *operands)
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [_value(a, columns, n) for a in node.args]
    return _call(node.func.id, args)


def _truth(holds: FloatArray, *operands: FloatArray) -> FloatArray:
    """1.0 where ``holds``, else 0.0; NaN where an operand is missing."""
    missing = np.logical_or.reduce([np.isnan(o) for o in operands])
    return np.asarray(np.where(missing, np.nan, np.where(holds, 1.0, 0.0)))


def _call(name: str, args: list[FloatArray]) -> FloatArray:
    if name == "where":
        condition, yes, no = args
        return np.asarray(np.where(np.isnan(condition), np.nan,
                                   np.where(condition != 0, yes, no)))
    if name in ("min", "max"):
        combine = np.minimum if name == "min" else np.maximum
        result = args[0]
        for arg in args[1:]:
            result = combine(result, arg)  # NaN wins: a missing part makes the whole missing
        return result
    if name == "abs":
        return np.abs(args[0])
    if name == "round":  # the digits are a whole constant, checked when parsed
        return round_half_up(args[0], int(args[1][0]) if len(args) == 2 else 0)
    if name == "clip":
        x, low, high = args
        return np.asarray(np.where(np.isnan(low) | np.isnan(high) | (low > high), np.nan,
                                   np.clip(x, low, high)))
    if name == "log":
        return np.asarray(np.where(args[0] > 0, np.log(np.where(args[0] > 0, args[0], 1.0)),
                                   np.nan))
    return np.asarray(np.where(args[0] >= 0, np.sqrt(np.where(args[0] >= 0, args[0], 0.0)),
                               np.nan))
