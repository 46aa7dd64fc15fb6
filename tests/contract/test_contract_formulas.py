"""Contract tests: derived fields by a safe formula language (the formulas issue).

Written from the issue's contract and the implementer's stated API alone, before the code:

- ``fields: {chart_rate: {formula: "tasks_done / tasks_planned * 100", unit: "%"}}`` is a
  derived column that evaluators read like any column; ``fs.score`` computes it from the data
  columns it names (declared fields, other derived fields or plain data columns);
- the language: numbers, column names, ``+ - * / ** %``, comparisons, ``and or not``,
  ``where(c, a, b)``, ``min max abs round clip log sqrt`` — nothing else; at most 1000
  characters and 32 levels of nesting; no cycles between derived fields;
- ``fortress_score.rules.formula``: ``parse(text) -> Formula`` or ``FormulaError`` (a
  ``ValueError``) with ``offset``; ``Formula.names``; ``Formula.evaluate(columns)`` —
  vectorised, never raises, never warns, never writes to its inputs; division or modulo by
  zero, log of x <= 0, sqrt of x < 0 and non-finite results give NaN; comparisons and
  ``and``/``or``/``not`` give 1.0/0.0 (NaN where an operand is NaN); ``round`` rounds half away
  from zero;
- a bad formula in a rule file is a RuleFileError placed at ``fields.<id>.formula`` and, from a
  YAML file, at the line of the formula and the column of the offending token.

Every expected figure is worked out by hand next to it. Attributes of errors (offset, path,
line, col) are asserted first; wording only where the contract names it (the offending token,
the fields of a cycle).
"""

from __future__ import annotations

import importlib
import math
import time
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fortress_score as fs

NAN = math.nan

SETTINGS = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# =========================================================================== helpers
def fm() -> Any:
    """The formula module, imported inside each test so that its absence fails test by test."""
    return importlib.import_module("fortress_score.rules.formula")


def parse(text: str) -> Any:
    return fm().parse(text)


def evaluate(text: str, **columns: Any) -> np.ndarray:
    """Parse ``text`` and evaluate it on read-only float64 copies of ``columns``, asserting on
    the way that nothing warns, the result is a float64 array of the rows' length and the
    inputs are untouched."""
    arrays = {name: np.array(values, dtype=np.float64) for name, values in columns.items()}
    before = {name: array.copy() for name, array in arrays.items()}
    for array in arrays.values():
        array.flags.writeable = False
    formula = parse(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = formula.evaluate(arrays)
    assert isinstance(result, np.ndarray), type(result)
    assert result.dtype == np.float64, result.dtype
    rows = {len(a) for a in arrays.values()}
    if rows:
        assert result.shape == (rows.pop(),), result.shape
    for name, array in arrays.items():
        assert np.array_equal(array, before[name], equal_nan=True), f"input {name!r} changed"
    return result


def same(actual: np.ndarray, expected: list[float]) -> None:
    wanted = np.array(expected, dtype=np.float64)
    assert actual.shape == wanted.shape, (actual, wanted)
    np.testing.assert_allclose(actual, wanted, rtol=1e-12, atol=1e-300, equal_nan=True)


def refused(text: str) -> Any:
    """The FormulaError ``parse(text)`` raises, checked to be a ValueError with an offset."""
    module = fm()
    with pytest.raises(module.FormulaError) as info:
        module.parse(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert isinstance(error.offset, int) and not isinstance(error.offset, bool), error.offset
    assert 0 <= error.offset <= len(text), (error.offset, len(text), str(error))
    return error


def describe(exc: BaseException) -> str:
    problems = getattr(exc, "problems", [])
    return f"{type(exc).__name__}: " + "; ".join(
        f"path={p.path!r} file={p.file!r} line={p.line!r} col={p.col!r} {p.message}"
        for p in problems)


# =========================================================================== the module
def test_the_module_exports_parse_formula_and_formula_error() -> None:
    module = fm()
    assert callable(module.parse)
    assert issubclass(module.FormulaError, ValueError)
    assert isinstance(module.parse("a + 1"), module.Formula)


@pytest.mark.parametrize(("text", "names"), [
    ("tasks_done / tasks_planned * 100", {"tasks_done", "tasks_planned"}),
    ("a + a * a", {"a"}),
    ("where(c > 0, min(a, b), abs(d)) + round(e, 1) - clip(f, 0, 1)", set("abcdef")),
    ("sqrt(x) + log(y) + max(x, y, z) ** 2 % 3", {"x", "y", "z"}),
    ("not p and q or r", {"p", "q", "r"}),
    ("1 + 2 * 3", set()),
])
def test_names_are_the_columns_a_formula_reads_and_no_function_names(
        text: str, names: set[str]) -> None:
    formula = parse(text)
    assert isinstance(formula.names, frozenset)
    assert formula.names == frozenset(names)


# =========================================================================== arithmetic
A = [6.0, -3.0, 0.0, NAN, 2.5]
B = [4.0, 0.0, 0.0, 1.0, -2.0]


@pytest.mark.parametrize(("text", "expected"), [
    # 6+4, -3+0, 0+0, NaN, 2.5-2
    ("a + b", [10.0, -3.0, 0.0, NAN, 0.5]),
    ("a - b", [2.0, -3.0, 0.0, NAN, 4.5]),
    ("a * b", [24.0, 0.0, 0.0, NAN, -5.0]),
    # 6/4 = 1.5; -3/0 and 0/0 are NaN, never inf; NaN/1; 2.5/-2 = -1.25
    ("a / b", [1.5, NAN, NAN, NAN, -1.25]),
    ("-a", [-6.0, 3.0, 0.0, NAN, -2.5]),
    ("a ** 2", [36.0, 9.0, 0.0, NAN, 6.25]),
    # 6**4 = 1296; (-3)**0 = 1; 0**0 = 1; NaN**1; 2.5**-2 = 1/6.25 = 0.16
    ("a ** b", [1296.0, 1.0, 1.0, NAN, 0.16]),
    ("a * 100 / b", [150.0, NAN, NAN, NAN, -125.0]),
    ("2.5 * a + 1e2", [115.0, 92.5, 100.0, NAN, 106.25]),
])
def test_arithmetic_by_hand(text: str, expected: list[float]) -> None:
    same(evaluate(text, a=A, b=B), expected)


def test_modulo_by_hand_and_modulo_by_zero_is_nan() -> None:
    # 7 % 3 = 1; 7.5 % 2 = 1.5; 5 % 0 -> NaN; 0 % 4 = 0; NaN % 2 -> NaN
    same(evaluate("c % d", c=[7.0, 7.5, 5.0, 0.0, NAN], d=[3.0, 2.0, 0.0, 4.0, 2.0]),
         [1.0, 1.5, NAN, 0.0, NAN])


def test_division_by_zero_gives_nan_without_a_warning_also_inside_a_larger_formula() -> None:
    # x/0 and 0/0 are NaN, and NaN stays NaN through the rest: (1/0)*0 + 5 is NaN, not 5
    same(evaluate("n / d * 0 + 5", n=[1.0, 0.0, -1.0, 4.0], d=[0.0, 0.0, 0.0, 2.0]),
         [NAN, NAN, NAN, 5.0])


def test_a_guarded_division_gives_the_other_branch_where_the_denominator_is_zero() -> None:
    # where(d != 0, n/d, 0): 1/2 = 0.5; d = 0 -> 0 (the NaN of n/d does not matter there)
    same(evaluate("where(d != 0, n / d, 0)", n=[1.0, 2.0, 0.0], d=[2.0, 0.0, 0.0]),
         [0.5, 0.0, 0.0])


def test_fractional_power_of_a_negative_number_is_nan() -> None:
    # 4**0.5 = 2; (-4)**0.5 -> NaN; 0**0.5 = 0; 2.25**0.5 = 1.5
    same(evaluate("a ** 0.5", a=[4.0, -4.0, 0.0, 2.25]), [2.0, NAN, 0.0, 1.5])


@pytest.mark.parametrize(("text", "x", "expected"), [
    # 1e200 * 1e200 overflows -> NaN; 1e-200 squared underflows to 0 (finite); 3*3 = 9
    ("x * x", [1e200, 1e-200, 3.0], [NAN, 0.0, 9.0]),
    # 10**1000 overflows; 1**1000 = 1; 0.5**1000 = 9.332636185032189e-302 (finite)
    ("x ** 1000", [10.0, 1.0, 0.5], [NAN, 1.0, 0.5 ** 1000]),
    # 1e308 * 10 overflows whatever the sign; 0 stays 0
    ("x * 1e308 * 10", [1.0, -1.0, 0.0], [NAN, NAN, 0.0]),
])
def test_non_finite_results_are_nan(text: str, x: list[float], expected: list[float]) -> None:
    result = evaluate(text, x=x)
    assert not np.isinf(result).any(), result
    same(result, expected)


@pytest.mark.parametrize(("text", "expected"), [
    # x * 1e308 * 10 overflows for x = 1 and -1 (a non-finite result: NaN, missing), and a
    # missing operand keeps the rest missing: min, max, comparisons and clip of it are NaN
    # there too, never the other operand or a 1/0 from comparing infinity
    ("min(x * 1e308 * 10, 5)", [NAN, NAN, 0.0]),
    ("max(x * 1e308 * 10, 5)", [NAN, NAN, 5.0]),
    ("x * 1e308 * 10 > 0", [NAN, NAN, 0.0]),
    ("clip(x * 1e308 * 10, 0, 1)", [NAN, NAN, 0.0]),
    ("where(x * 1e308 * 10 != 0, 1, 2)", [NAN, NAN, 2.0]),
])
def test_an_overflow_inside_a_formula_is_missing_for_the_rest_of_it(
        text: str, expected: list[float]) -> None:
    same(evaluate(text, x=[1.0, -1.0, 0.0]), expected)


@pytest.mark.parametrize(("text", "x", "expected"), [
    ("x + 2 * 3 ** 2", [1.0], [19.0]),          # 1 + 2*9
    ("-x ** 2", [3.0], [-9.0]),                  # -(3**2): ** binds tighter than unary minus
    ("(-x) ** 2", [3.0], [9.0]),
    ("2 ** 3 ** 2 * x", [1.0], [512.0]),         # 2**(3**2): ** is right-associative
    ("x / 2 * 4", [3.0], [6.0]),                 # (3/2)*4: left to right
    ("x - 1 - 1", [3.0], [1.0]),
    ("x % 4 * 2", [7.0], [6.0]),                 # (7%4)*2
    ("x > 1 and x < 5", [0.0, 3.0, 6.0], [0.0, 1.0, 0.0]),   # comparisons bind tighter
    ("not x > 1", [0.0, 3.0], [1.0, 0.0]),       # not (x > 1)
    ("x > 1 or x < -1 and x > 0", [-2.0, 2.0], [0.0, 1.0]),  # and binds tighter than or
    ("(x + 1) * (x - 1)", [3.0, NAN], [8.0, NAN]),
])
def test_precedence_by_hand(text: str, x: list[float], expected: list[float]) -> None:
    same(evaluate(text, x=x), expected)


# =========================================================================== comparisons, logic
P = [1.0, 2.0, 3.0, NAN]
Q = [2.0, 2.0, 2.0, 2.0]


@pytest.mark.parametrize(("text", "expected"), [
    ("p < q", [1.0, 0.0, 0.0, NAN]),
    ("p <= q", [1.0, 1.0, 0.0, NAN]),
    ("p > q", [0.0, 0.0, 1.0, NAN]),
    ("p >= q", [0.0, 1.0, 1.0, NAN]),
    ("p == q", [0.0, 1.0, 0.0, NAN]),
    ("p != q", [1.0, 0.0, 1.0, NAN]),
    ("p == p", [1.0, 1.0, 1.0, NAN]),            # NaN == NaN is missing, not 0
    ("p != p", [0.0, 0.0, 0.0, NAN]),
    ("p / 0 < 1", [NAN, NAN, NAN, NAN]),        # a zero denominator stays missing
])
def test_comparisons_give_one_zero_or_nan(text: str, expected: list[float]) -> None:
    same(evaluate(text, p=P, q=Q), expected)


U = [0.0, 0.0, 1.0, 1.0, NAN, 0.0, 2.0]
V = [0.0, 1.0, 0.0, 1.0, 1.0, NAN, -0.5]
W = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(("text", "expected"), [
    # truth is "non-zero"; the result is 1.0/0.0, NaN where an operand is NaN
    ("u and v", [0.0, 0.0, 0.0, 1.0, NAN, NAN, 1.0]),
    ("u or v", [0.0, 1.0, 1.0, 1.0, NAN, NAN, 1.0]),
    ("not u", [1.0, 1.0, 0.0, 0.0, NAN, 1.0, 0.0]),
    ("not v", [1.0, 0.0, 1.0, 0.0, 0.0, NAN, 0.0]),
    ("u or v or w", [1.0, 1.0, 1.0, 1.0, NAN, NAN, 1.0]),
    ("u and v and w", [0.0, 0.0, 0.0, 0.0, NAN, NAN, 0.0]),
    ("not not u", [0.0, 0.0, 1.0, 1.0, NAN, 0.0, 1.0]),
])
def test_and_or_not_by_hand(text: str, expected: list[float]) -> None:
    same(evaluate(text, u=U, v=V, w=W), expected)


def test_where_picks_a_where_the_condition_is_non_zero_b_where_zero_and_nan_where_nan() -> None:
    c = [1.0, 0.0, NAN, 2.0, -1.0, 0.0]
    a = [10.0, 20.0, 30.0, NAN, 50.0, NAN]
    b = [-1.0, -2.0, -3.0, -4.0, NAN, -6.0]
    # row 0: c=1 -> 10; row 1: c=0 -> -2; row 2: c NaN -> NaN; row 3: c=2 -> a = NaN;
    # row 4: c=-1 -> 50 (b's NaN does not matter); row 5: c=0 -> -6 (a's NaN does not matter)
    same(evaluate("where(c, a, b)", c=c, a=a, b=b), [10.0, -2.0, NAN, NAN, 50.0, -6.0])


def test_where_with_constants_and_a_comparison() -> None:
    # where(x >= 60, 1, 0.5): 59 -> 0.5, 60 -> 1, NaN -> NaN
    same(evaluate("where(x >= 60, 1, 0.5)", x=[59.0, 60.0, NAN]), [0.5, 1.0, NAN])


# =========================================================================== functions
X = [1.0, 5.0, NAN, -2.0]
Y = [3.0, 4.0, 1.0, -2.0]
Z = [2.0, 6.0, 0.0, -3.0]


@pytest.mark.parametrize(("text", "expected"), [
    ("min(x, y)", [1.0, 4.0, NAN, -2.0]),
    ("max(x, y)", [3.0, 5.0, NAN, -2.0]),
    ("min(x, y, z)", [1.0, 4.0, NAN, -3.0]),
    ("max(x, y, z)", [3.0, 6.0, NAN, -2.0]),
    ("min(y, 2)", [2.0, 2.0, 1.0, -2.0]),
    ("max(z, 0, 1)", [2.0, 6.0, 1.0, 1.0]),
])
def test_min_and_max_take_two_or_more_arguments_elementwise(
        text: str, expected: list[float]) -> None:
    same(evaluate(text, x=X, y=Y, z=Z), expected)


def test_abs() -> None:
    same(evaluate("abs(x)", x=[-2.5, 0.0, 3.0, NAN]), [2.5, 0.0, 3.0, NAN])


def test_round_to_whole_numbers_rounds_half_away_from_zero() -> None:
    x = [2.5, -2.5, 1.5, 0.5, -0.5, 2.4, -2.6, NAN, 2.4999, 3.5]
    same(evaluate("round(x)", x=x), [3.0, -3.0, 2.0, 1.0, -1.0, 2.0, -3.0, NAN, 2.0, 4.0])


def test_round_to_digits_rounds_half_away_from_zero() -> None:
    s = [0.125, -0.125, 0.375, 2.5, 1.234, NAN]   # 0.125 and 0.375 are exact in binary
    same(evaluate("round(s, 2)", s=s), [0.13, -0.13, 0.38, 2.5, 1.23, NAN])
    same(evaluate("round(s, 1)", s=s), [0.1, -0.1, 0.4, 2.5, 1.2, NAN])
    same(evaluate("round(s, 0)", s=s), [0.0, 0.0, 0.0, 3.0, 1.0, NAN])


def test_clip() -> None:
    same(evaluate("clip(x, 0, 10)", x=[-5.0, 5.0, 15.0, NAN, 10.0]), [0.0, 5.0, 10.0, NAN, 10.0])


def test_log_is_natural_and_nan_at_or_below_zero() -> None:
    same(evaluate("log(x)", x=[1.0, math.e, 0.0, -1.0, NAN, 100.0]),
         [0.0, 1.0, NAN, NAN, NAN, math.log(100.0)])


def test_sqrt_is_nan_below_zero() -> None:
    same(evaluate("sqrt(x)", x=[4.0, 0.0, -1.0, NAN, 2.25]), [2.0, 0.0, NAN, NAN, 1.5])


def test_functions_nest_and_combine() -> None:
    # clip(round(done / planned * 100, 1), 0, 100):
    #   1/3*100 = 33.33.. -> 33.3; 5/4*100 = 125 -> 100; 0/0 -> NaN; 2/8*100 = 25
    same(evaluate("clip(round(done / planned * 100, 1), 0, 100)",
                  done=[1.0, 5.0, 0.0, 2.0], planned=[3.0, 4.0, 0.0, 8.0]),
         [33.3, 100.0, NAN, 25.0])
    # sqrt(abs(x)) + log(max(x, 1)): x=-4 -> 2 + 0; x=e**2 -> e + 2
    same(evaluate("sqrt(abs(x)) + log(max(x, 1))", x=[-4.0, math.e ** 2]),
         [2.0, math.e + 2.0])


def test_a_formula_whose_every_row_is_missing_is_all_nan_not_an_error() -> None:
    same(evaluate("a / b + sqrt(a)", a=[NAN, NAN], b=[0.0, NAN]), [NAN, NAN])


def test_evaluation_is_vectorised() -> None:
    rows = 1_000_000
    rng = np.random.default_rng(7)
    done = rng.integers(0, 20, rows).astype(np.float64)
    planned = rng.integers(0, 20, rows).astype(np.float64)
    formula = parse("where(planned > 0, clip(done / planned * 100, 0, 100), 0) + round(done, 1)")
    start = time.perf_counter()
    result = formula.evaluate({"done": done, "planned": planned})
    elapsed = time.perf_counter() - start
    assert result.shape == (rows,)
    # numpy does this in tens of milliseconds; a Python loop over a million rows takes seconds
    assert elapsed < 3.0, elapsed


@pytest.mark.parametrize("text", [
    "a + b", "where(b != 0, a / b, 0)", "min(a, b) + max(a, 1) + abs(a) + round(a, 1)",
    "clip(a, 0, 1) + log(b) + sqrt(a) + a ** 2 % 3", "not a and b or a < b",
])
def test_nothing_reaches_eval_exec_or_open(text: str) -> None:
    columns = {"a": np.array([1.0, 0.0, NAN]), "b": np.array([2.0, 0.0, 1.0])}
    parse(text).evaluate(columns)       # imports and first-use set-up happen outside the trap
    trap = mock.Mock(side_effect=AssertionError("the formula language reached a builtin"))
    with mock.patch("builtins.eval", trap), mock.patch("builtins.exec", trap), \
            mock.patch("builtins.open", trap):
        formula = parse(text)
        formula.evaluate(columns)
    trap.assert_not_called()


# =========================================================================== refused
def _span(text: str, part: str) -> tuple[str, int, int]:
    start = text.index(part)
    return text, start, start + len(part)


REFUSED = [
    # attributes and subscripts
    ("attribute", "x + a.b", "a.b"),
    ("dunder-attribute", "a.__class__", "a.__class__"),
    ("module-attribute", "np.sqrt(x)", "np.sqrt"),
    ("subscript", "x + a[0]", "a[0]"),
    ("slice", "x + a[0:1]", "a[0:1]"),
    # calls of other functions
    ("exec", "exec(x)", "exec"),
    ("open", "1 + open(x)", "open"),
    ("import", "x * __import__(x)", "__import__"),
    ("eval", "eval(x) + 1", "eval"),
    ("sum", "x + sum(x, y)", "sum(x, y)"),
    ("column-call", "x + y(1)", "y(1)"),
    ("call-of-call", "sqrt(x)(y)", "sqrt(x)(y)"),
    # dunder names
    ("dunder-name", "__x + 1", "__x"),
    ("builtins", "a + __builtins__", "__builtins__"),
    ("dunder-dunder", "a * __class__", "__class__"),
    # lambda, comprehensions, displays
    ("lambda", "lambda: 1", "lambda: 1"),
    ("lambda-inside", "x + (lambda y: y)", "lambda y: y"),
    ("list-comp", "[y for y in x]", "[y for y in x]"),
    ("generator", "max(y for y in x)", "max(y for y in x)"),
    ("dict-comp", "{y: 1 for y in x}", "{y: 1 for y in x}"),
    ("list", "[x]", "[x]"),
    ("tuple", "(x, y)", "(x, y)"),
    ("set", "{x}", "{x}"),
    ("dict", "{x: 1}", "{x: 1}"),
    # strings, booleans, None, other constants
    ("string", "x + 'abc'", "'abc'"),
    ("double-string", 'x + "abc"', '"abc"'),
    ("bytes", "x + b'abc'", "b'abc'"),
    ("f-string", "x + f'{x}'", "f'{x}'"),
    ("true", "True", "True"),
    ("false", "x + False", "False"),
    ("none", "x * None", "None"),
    ("ellipsis", "x + ...", "..."),
    ("complex", "x + 1j", "1j"),
    # walrus, starred, keyword arguments
    ("walrus", "(y := x)", "(y := x)"),
    ("starred", "max(x, *y)", "max(x, *y)"),
    ("keyword", "clip(x, lo=0, hi=1)", "clip(x, lo=0, hi=1)"),
    ("keyword-round", "round(x, ndigits=1)", "round(x, ndigits=1)"),
    # wrong arity
    ("clip-1", "clip(x)", "clip(x)"),
    ("clip-2", "1 + clip(x, 0)", "clip(x, 0)"),
    ("where-2", "where(a, b)", "where(a, b)"),
    ("where-4", "where(a, b, c, d)", "where(a, b, c, d)"),
    ("sqrt-2", "sqrt(a, b)", "sqrt(a, b)"),
    ("abs-0", "abs()", "abs()"),
    ("log-0", "log()", "log()"),
    ("min-1", "min(x)", "min(x)"),
    ("max-1", "x + max(x)", "max(x)"),
    ("round-0", "round()", "round()"),
    ("round-3", "round(x, 1, 2)", "round(x, 1, 2)"),
    # operators outside the language
    ("ternary", "x if y else 0", "x if y else 0"),
    ("floordiv", "x // 2", "x // 2"),
    ("matmul", "x @ y", "x @ y"),
    ("shift", "x << 1", "x << 1"),
    ("bitand", "x & y", "x & y"),
    ("bitor", "x | y", "x | y"),
    ("xor", "x ^ y", "x ^ y"),
    ("invert", "~x", "~x"),
    ("is", "x is y", "x is y"),
    ("in", "x in y", "x in y"),
    ("not-in", "x not in y", "x not in y"),
]


@pytest.mark.parametrize(("text", "part"), [pytest.param(t, p, id=i) for i, t, p in REFUSED])
def test_refused_with_the_offset_of_the_offending_part(text: str, part: str) -> None:
    _, start, end = _span(text, part)
    error = refused(text)
    assert start <= error.offset < end, (text, error.offset, (start, end), str(error))


def test_the_offset_counts_characters_not_bytes() -> None:
    # Python's own parser counts UTF-8 bytes; the formula's offset counts characters. Either
    # the Chinese names are refused (offset 0) or the attribute is (offset in "a.b" = 12..14);
    # as bytes the attribute would be at 24, past the end of the 15-character text.
    text = "完成数 / 计划数 + a.b"
    assert (len(text), text.index("a.b"), text.encode().index(b"a.b")) == (15, 12, 24)
    error = refused(text)
    assert error.offset == 0 or 12 <= error.offset < 15, (error.offset, str(error))


@pytest.mark.parametrize("text", [
    "", "   ", "x +", "(x", "x)", "x y", "x + * y", "import os", "y = x", "x; exec(x)",
    "x = = y", "x $ y", "x ? y", "x +\x00 y", "\\", "'unterminated", "1 +\n", ")", ",",
    "def f(): pass", "x.", "where(", "min(x,,y)", "1..2", "0x", "\n", "x\n+ y\nimport os",
])
def test_syntax_errors_are_formula_errors_with_an_offset(text: str) -> None:
    refused(text)


def test_empty_text_is_refused_at_offset_zero() -> None:
    assert refused("").offset == 0


@pytest.mark.parametrize(("text", "start", "part"), [
    ("x + * y", 4, "*"),
    ("x $ y", 2, "$"),
    ("x ? y", 2, "?"),
    ("x + 1 )", 6, ")"),
    ("min(x,,y)", 6, ","),
    ("a + b c", 4, "b c"),
    ("a + 1if", 4, "1if"),          # an invalid decimal literal, which Python only warns about
])
def test_a_syntax_error_is_placed_at_the_offending_token(text: str, start: int, part: str) -> None:
    # as a user runs it: warnings shown, not turned into errors as in this test run
    assert text[start:start + len(part)] == part
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        error = refused(text)
    assert start <= error.offset < start + len(part), (text, error.offset, str(error))


@pytest.mark.parametrize("text", [
    "1if x else 2", "a + 1if", "1jor a", "1e308if x else y", "x + 0x1for y", "x + 1_000if",
    "a is 1", "where(1is a, 1, 2)",
])
def test_parsing_never_warns(text: str) -> None:
    # Python's compiler warns (SyntaxWarning) about some of these and then refuses or accepts
    # them; a rule file's formula is refused or accepted in silence.
    module = fm()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module.parse(text)
        except module.FormulaError as error:
            assert 0 <= error.offset <= len(text)
    assert [str(w.message) for w in caught] == []


# =========================================================================== limits
def test_a_formula_of_1000_characters_is_accepted_and_of_1001_refused() -> None:
    name = "x" * 996
    text = name + " + 1"
    assert len(text) == 1000
    same(evaluate(text, **{name: [1.0, NAN]}), [2.0, NAN])
    longer = "x" * 997 + " + 1"
    assert len(longer) == 1001
    refused(longer)


def test_shallow_nesting_is_accepted() -> None:
    text = "abs(" * 12 + "-x" + ")" * 12
    same(evaluate(text, x=[-3.0, 2.0]), [3.0, 2.0])
    text = "(" * 10 + "x" + " + 1) * 2" * 10   # ((((x + 1) * 2 + 1) * 2 ... + 1) * 2
    assert eval(text, {"x": 0.0}) == 2046.0          # v -> 2v + 2 ten times from 0 (by Python)
    same(evaluate(text, x=[0.0, 1.0]), [2046.0, 3070.0])


@pytest.mark.parametrize("text", [
    pytest.param("abs(" * 100 + "x" + ")" * 100, id="100-calls"),
    pytest.param("-(" * 40 + "x" + ")" * 40, id="40-negations"),
    pytest.param("(1 + " * 60 + "x" + ")" * 60, id="60-sums-in-parentheses"),
    pytest.param("where(x, " * 50 + "x" + ", 0)" * 50, id="50-wheres"),
    pytest.param("-" * 999 + "x", id="999-minus"),       # Python's own compiler recurses out
    pytest.param("not " * 249 + "x", id="249-nots"),
])
def test_deep_nesting_is_refused_with_an_offset_not_a_crash(text: str) -> None:
    assert len(text) <= 1000
    refused(text)


@pytest.mark.parametrize("text", [
    pytest.param("1" + "0" * 400 + " * x", id="400-digit-integer"),
    pytest.param("9" * 1000, id="1000-digit-integer"),
    pytest.param("x + 1e999", id="1e999"),
    pytest.param("x * 1" + "0" * 320 + ".5", id="320-digit-float"),
    pytest.param("9 ** 9 ** 9 ** 9 + x", id="power-tower"),
    pytest.param("10 ** 400 * x", id="10**400"),
])
def test_huge_numbers_are_refused_or_missing_never_a_crash_or_a_hang(text: str) -> None:
    module = fm()
    start = time.perf_counter()
    try:
        formula = module.parse(text)
    except module.FormulaError as error:
        assert 0 <= error.offset <= len(text)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = formula.evaluate({"x": np.array([1.0, 0.0, NAN])})
        assert result.dtype == np.float64
        assert np.isnan(result).all(), result       # non-finite results are NaN
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("text", [
    pytest.param("(" * 250 + "x" + ")" * 250, id="250-parentheses"),   # Python: too many
    pytest.param("(" * 150 + "x" + ")" * 150, id="150-parentheses"),
    pytest.param("x" + " + x" * 249, id="250-terms"),
    pytest.param("x" + "**x" * 333, id="334-powers"),
])
def test_long_or_parenthesised_formulas_are_refused_or_evaluated_never_a_crash(
        text: str) -> None:
    module = fm()
    try:
        formula = module.parse(text)
    except module.FormulaError as error:
        assert 0 <= error.offset <= len(text)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = formula.evaluate({"x": np.array([1.0, 0.0, NAN])})
    assert result.dtype == np.float64 and result.shape == (3,)


# =========================================================================== rule files
RULES: dict[str, Any] = {
    "ruleset": "formulas", "title": "派生字段", "entity": "branch", "period": "month",
    "fields": {
        "tasks_done": {"type": "int", "min": 0},
        "chart_rate": {"title": "计划完成率", "formula": "tasks_done / tasks_planned * 100",
                       "unit": "%"},
    },
    "dimensions": [
        {"id": "perf", "title": "业绩", "weight": 60, "indicators": [
            {"id": "chart", "title": "完成率", "points": 10,
             "evaluate": {"kind": "target", "input": "chart_rate", "target": 100, "floor": 60}}]},
        {"id": "atm", "title": "氛围", "weight": 40, "indicators": [
            {"id": "meet", "title": "会议", "points": 10,
             "evaluate": {"kind": "threshold", "input": "meetings", "op": ">=", "value": 1}}]},
    ],
    "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}, {"stars": 3, "min": 60}],
}

DATA = {
    "branch": ["A", "B", "C", "D", "E"],
    "month": ["2024-03"] * 5,
    "tasks_done": [9, 12, 5, 3, 0],
    "tasks_planned": [10, 10, 10, 0, 0],
    "meetings": [1, 0, 2, 1, 0],
}

# chart_rate = done / planned * 100; chart attainment = clip((rate - 60) / 40, 0, 1)
# total = (60 S_perf + 40 S_atm) / 100 over the dimensions that apply
# A: 90 -> 0.75 -> 7.5 pts, S_perf 75; meetings 1 -> S_atm 100; total 45 + 40 = 85 -> 4 stars
# B: 120 -> 1 -> 10 pts, S_perf 100; meetings 0 -> 0; total 60 -> 3 stars
# C: 50 -> 0 -> 0 pts; meetings 2 -> 100; total 40 -> 0 stars
# D: 3/0 -> NaN: chart does not apply, perf does not apply; total = S_atm = 100 -> 5 stars
# E: 0/0 -> NaN: as D, but meetings 0 -> total 0
EXPECTED = {
    "A": (85.0, 4, 2, 7.5, 75.0),
    "B": (60.0, 3, 3, 10.0, 100.0),
    "C": (40.0, 0, 4, 0.0, 0.0),
    "D": (100.0, 5, 1, None, None),
    "E": (0.0, 0, 5, None, None),
}


def _check_card(card: Any) -> None:
    got = {r["entity"]: (r["total"], r["stars"], r["rank"], r["indicators"]["chart"],
                         r["dimensions"]["perf"]) for r in card.to_records()}
    assert got == EXPECTED


def test_an_indicator_reads_a_derived_field_computed_from_the_data() -> None:
    _check_card(fs.score(fs.load_rules(RULES), DATA))


def test_a_derived_field_from_a_yaml_rule_file_and_a_csv_data_file(tmp_path: Path) -> None:
    import yaml

    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump(RULES, allow_unicode=True, sort_keys=False),
                          encoding="utf-8")
    data_file = tmp_path / "data.csv"
    lines = ["branch,month,tasks_done,tasks_planned,meetings"]
    for i in range(5):
        lines.append(",".join(str(DATA[k][i]) for k in
                              ("branch", "month", "tasks_done", "tasks_planned", "meetings")))
    data_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rules = fs.load_rules(str(rules_file))
    _check_card(fs.score(rules, fs.read_data(str(data_file), rules)))


def test_the_issue_s_own_flow_mapping_loads(tmp_path: Path) -> None:
    text = YAML_TEMPLATE.replace(
        "  chart_rate:\n    formula: FORMULA\n    unit: \"%\"\n",
        '  chart_rate: {formula: "tasks_done / tasks_planned * 100", unit: "%"}\n')
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    card = fs.score(fs.load_rules(str(path)),
                    {"branch": ["A", "B"], "tasks_done": [9, 1], "tasks_planned": [10, 0]})
    # 90 -> (90 - 60) / 40 = 0.75 -> total 75; 1/0 -> NaN -> no total
    assert [(r["entity"], r["total"]) for r in card.to_records()] == [("A", 75.0), ("B", None)]


def test_derived_fields_may_read_derived_fields_declared_in_any_order() -> None:
    rules = {
        "ruleset": "chain", "entity": "branch",
        "fields": {
            # declared before the field it reads; diamond: share reads rate twice over
            "share": {"formula": "clip(rate, 0, 100) / 100 * where(late > 0, 0.5, 1)"},
            "late": {"formula": "max(rate - 100, 0) * 0"},
            "rate": {"formula": "done / planned * 100"},
        },
        "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "s", "points": 10,
             "evaluate": {"kind": "target", "input": "share", "target": 1, "floor": 0}}]}],
        "ratings": [{"stars": 5, "min": 90}],
    }
    card = fs.score(rules, {"branch": ["A", "B", "C", "D"],
                            "done": [9.0, 12.0, 0.0, 1.0], "planned": [10.0, 10.0, 0.0, 4.0]})
    # A: rate 90 -> share 0.9 -> 90; B: 120 -> clip 100 -> 1 -> 100 (late = 20 * 0 = 0);
    # C: 0/0 -> NaN -> no total; D: 25 -> 0.25 -> 25
    got = [(r["entity"], r["total"]) for r in card.to_records()]
    assert got == [("A", 90.0), ("B", 100.0), ("C", None), ("D", 25.0)]


def test_a_veto_may_read_a_derived_field() -> None:
    rules = {
        "ruleset": "veto", "entity": "branch",
        "fields": {"late_share": {"formula": "late / max(reports, 1)"}},
        "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "r", "points": 10,
             "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 0}}]}],
        "vetoes": [{"id": "late", "effect": {"max_stars": 1},
                    "when": {"kind": "threshold", "input": "late_share", "op": ">",
                             "value": 0.5}}],
        "ratings": [{"stars": 5, "min": 90}, {"stars": 1, "min": 0}],
    }
    card = fs.score(rules, {"branch": ["A", "B", "C"], "rate": [95.0, 95.0, 95.0],
                            "late": [3.0, 1.0, 1.0], "reports": [4.0, 4.0, 0.0]})
    # A: 3/4 = 0.75 > 0.5 -> veto, 1 star; B: 1/4 -> 5 stars; C: 1/max(0, 1) = 1 -> veto
    got = [(r["entity"], r["total"], r["stars"]) for r in card.to_records()]
    assert got == [("A", 95.0, 1), ("B", 95.0, 5), ("C", 95.0, 1)]


def test_a_column_a_formula_names_that_the_data_lacks_is_a_data_error() -> None:
    data = {k: v for k, v in DATA.items() if k != "tasks_planned"}
    with pytest.raises(fs.FortressScoreError) as info:
        fs.score(fs.load_rules(RULES), data)
    assert "tasks_planned" in str(info.value)


def _with_formula(formula: Any, field: str = "chart_rate") -> dict[str, Any]:
    import copy

    rules = copy.deepcopy(RULES)
    rules["fields"][field] = {"formula": formula, "unit": "%"}
    return rules


@pytest.mark.parametrize(("formula", "token"), [
    ("tasks.count + 1", "count"),
    ("exec(tasks_done)", "exec"),
    ("open(tasks_done)", "open"),
    ("__import__(tasks_done)", "__import__"),
    ("tasks_done + __class__", "__class__"),
    ("sqrt(tasks_done, 2)", "sqrt"),
    ("", None),
    ("tasks_done +", None),
])
def test_a_bad_formula_in_a_mapping_is_a_rule_file_error_at_its_path(
        formula: str, token: str | None) -> None:
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(_with_formula(formula))
    placed = [p for p in info.value.problems
              if p.path is not None and p.path.endswith("fields.chart_rate.formula")]
    assert placed, describe(info.value)
    if token is not None:
        assert token in placed[0].message or token in str(info.value), describe(info.value)


def test_score_refuses_a_bad_formula_too() -> None:
    with pytest.raises(fs.RuleFileError):
        fs.score(_with_formula("tasks_done[0]"), DATA)


def test_every_bad_formula_of_a_file_is_reported_together() -> None:
    rules = _with_formula("a.b")
    rules["fields"]["other_rate"] = {"formula": "open(x)"}
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(rules)
    paths = {p.path for p in info.value.problems if p.path}
    assert any(p.endswith("fields.chart_rate.formula") for p in paths), describe(info.value)
    assert any(p.endswith("fields.other_rate.formula") for p in paths), describe(info.value)


# ----------------------------------------------------------------------- placed in a YAML file
YAML_TEMPLATE = """\
ruleset: formulas
title: 派生字段
entity: branch
fields:
  tasks_done:
    type: int
  chart_rate:
    formula: FORMULA
    unit: "%"
dimensions:
  - id: perf
    weight: 1
    indicators:
      - id: chart
        points: 10
        evaluate: {kind: target, input: chart_rate, target: 100, floor: 60}
ratings:
  - {stars: 5, min: 90}
"""


def _yaml_with(line: str) -> str:
    return YAML_TEMPLATE.replace("    formula: FORMULA\n", line + "\n")


@pytest.mark.parametrize(("line", "part", "token"), [
    pytest.param("    formula: a + foo.bar", "foo.bar", "bar", id="plain-attribute"),
    pytest.param('    formula: "a + foo.bar"', "foo.bar", "bar", id="double-quoted-attribute"),
    pytest.param("    formula: 'a + foo.bar'", "foo.bar", "bar", id="single-quoted-attribute"),
    pytest.param("    formula: a * open(b)", "open", "open", id="plain-open"),
    pytest.param('    formula: "a * __import__(b)"', "__import__", "__import__",
                 id="double-quoted-import"),
    pytest.param("    formula: a + b[0]", "b[0]", None, id="plain-subscript"),
    pytest.param("    formula: tasks_done / sqrt(a, b)", "sqrt(a, b)", "sqrt", id="plain-arity"),
    pytest.param("    formula:   a  +   exec(b)", "exec", "exec", id="plain-extra-spaces"),
    # an escape before the token: the column is the file's, not the decoded text's
    pytest.param('    formula: "\\x61 + foo.bar"', "foo.bar", "bar", id="double-quoted-escape"),
])
def test_a_bad_formula_in_a_yaml_file_is_placed_at_its_line_and_the_offending_column(
        tmp_path: Path, line: str, part: str, token: str | None) -> None:
    text = _yaml_with(line)
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line_no = lines.index(line) + 1
    first = line.index(part) + 1                 # 1-based column of the offending part
    last = first + len(part) - 1
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(path))
    placed = [p for p in info.value.problems
              if p.path is not None and p.path.endswith("fields.chart_rate.formula")]
    assert placed, describe(info.value)
    problem = placed[0]
    assert problem.file is not None and Path(problem.file).name == "rules.yaml"
    assert problem.line == line_no, describe(info.value)
    assert problem.col is not None and first <= problem.col <= last, \
        (f"col {problem.col} not within {first}..{last} of {line!r}", describe(info.value))
    if token is not None:
        assert token in problem.message, describe(info.value)


def test_a_bad_formula_in_a_flow_mapping_is_placed_at_its_column(tmp_path: Path) -> None:
    line = '  chart_rate: {formula: "a + foo.bar", unit: "%"}'
    text = YAML_TEMPLATE.replace("  chart_rate:\n    formula: FORMULA\n    unit: \"%\"\n",
                                 line + "\n")
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    first = line.index("foo.bar") + 1
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(path))
    placed = [p for p in info.value.problems
              if p.path is not None and p.path.endswith("fields.chart_rate.formula")]
    assert placed, describe(info.value)
    assert placed[0].line == text.splitlines().index(line) + 1, describe(info.value)
    assert placed[0].col is not None and first <= placed[0].col <= first + 6, describe(info.value)


# ----------------------------------------------------------------------- cycles
def _cycle_rules(fields: Mapping[str, str], reads: str) -> dict[str, Any]:
    return {
        "ruleset": "cycles", "entity": "branch",
        "fields": {name: {"formula": text} for name, text in fields.items()},
        "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "i", "points": 10,
             "evaluate": {"kind": "target", "input": reads, "target": 100, "floor": 0}}]}],
        "ratings": [{"stars": 5, "min": 90}],
    }


@pytest.mark.parametrize("fields", [
    pytest.param({"alpha_rate": "beta_rate + 1", "beta_rate": "alpha_rate * 2"}, id="two"),
    pytest.param({"gamma_rate": "gamma_rate + 1"}, id="self"),
    pytest.param({"first_step": "second_step + x", "second_step": "third_step * 2",
                  "third_step": "where(y, first_step, 0)"}, id="three"),
    pytest.param({"kappa_rate": "lambda_rate + mu_rate", "lambda_rate": "done / 2",
                  "mu_rate": "kappa_rate - 1"}, id="through-a-branch"),
])
def test_cycles_between_derived_fields_are_refused_at_load_naming_the_fields(
        fields: dict[str, str]) -> None:
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(_cycle_rules(fields, next(iter(fields))))
    message = str(info.value)
    cyclic = [name for name in fields if name != "lambda_rate"]
    for name in cyclic:
        assert name in message, describe(info.value)


def test_a_cycle_in_a_yaml_file_is_refused(tmp_path: Path) -> None:
    text = YAML_TEMPLATE.replace(
        "  chart_rate:\n    formula: FORMULA\n",
        "  chart_rate:\n    formula: other_rate / 2\n  other_rate:\n    formula: chart_rate * 2\n")
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(path))
    assert "chart_rate" in str(info.value) and "other_rate" in str(info.value)


def test_a_chain_without_a_cycle_is_not_a_cycle() -> None:
    rules = _cycle_rules({"alpha_rate": "beta_rate + 1", "beta_rate": "gamma_rate * 2",
                          "gamma_rate": "done"}, "alpha_rate")
    card = fs.score(rules, {"branch": ["A"], "done": [20.0]})
    # gamma 20 -> beta 40 -> alpha 41 -> attainment 0.41 -> total 41
    assert card.to_records()[0]["total"] == 41.0


# =========================================================================== fuzz: any text
TOKENS = [
    "a", "b", "c", "tasks_done", "x1", "完成率", "ｒａｔｅ", "__class__", "__import__", "_",
    "where", "min", "max", "abs", "round", "clip", "log", "sqrt", "exec", "open", "eval",
    "lambda", "for", "in", "if", "else", "not", "and", "or", "is", "True", "None", "import",
    "(", ")", "[", "]", "{", "}", ",", ".", ":", ":=", "=", "==", "!=", "<", "<=", ">", ">=",
    "+", "-", "*", "/", "**", "%", "//", "@", "~", "&", "|", "^", "<<",
    "0", "1", "2.5", "1e308", "1e-308", "0.5", "1j", "0x1f", "'s'", '"s"', "f'{a}'", "b'x'",
    "1" + "0" * 320, "9" * 40, "1e999", "1_0", "0o7", "0b1",
    " ", " ", " ", "\t", "\n", "#", "\\", "...", ";", "$", "?", "\x00", "\u3000", "（", "）",
]

any_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(TOKENS), max_size=25).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join),
)

any_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 5e-324, NAN]),
)


@SETTINGS
@given(text=any_text, data=st.data())
def test_any_text_is_refused_with_a_placed_error_or_evaluates_safely(
        text: str, data: st.DataObject) -> None:
    module = fm()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")          # as a user runs it
        try:
            formula = module.parse(text)
        except module.FormulaError as error:
            formula = None
            assert isinstance(error, ValueError)
            assert isinstance(error.offset, int) and 0 <= error.offset <= len(text), \
                (text, error.offset)
    assert [str(w.message) for w in caught] == [], text
    if formula is None:
        return
    names = formula.names
    assert isinstance(names, frozenset)
    normal = unicodedata.normalize("NFKC", text)
    for name in names:
        assert isinstance(name, str) and name and not name.startswith("__"), name
        assert name in text or name in normal, (name, text)
    rows = data.draw(st.integers(1, 6), label="rows")
    arrays = {name: np.array(data.draw(st.lists(any_number, min_size=rows, max_size=rows),
                                       label=name), dtype=np.float64) for name in names}
    arrays["unrelated_column"] = np.arange(rows, dtype=np.float64)
    before = {name: array.copy() for name, array in arrays.items()}
    for array in arrays.values():
        array.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = formula.evaluate(arrays)
    assert isinstance(result, np.ndarray) and result.dtype == np.float64, type(result)
    if names:
        assert result.shape == (rows,), (text, result.shape)
    else:  # a constant: one value, or one a row
        assert result.shape in ((), (1,), (rows,)), (text, result.shape)
    assert not np.isinf(result).any(), (text, result)
    for name, array in arrays.items():
        assert np.array_equal(array, before[name], equal_nan=True), (text, name)


# =========================================================================== fuzz: reference
# Valid formulas from a small grammar, each with a numpy reference computed here. Inputs are
# quarters in [-10, 10] (exact in binary) and NaN, so that rounding a column meets exact
# halves; `%` is taken of absolute values (Python's and C's remainders agree there); powers
# have exponents 1, 2, 3 and 0.5. Every rule of the contract is applied at each node:
# zero denominators, log x <= 0 and sqrt x < 0 give NaN, and so does any non-finite value.
COLUMNS = ("a", "b", "c", "d")
CONSTANTS = (0.0, 1.0, 2.0, 0.5, 3.0, 10.0)
VALUES = [k / 4 for k in range(-40, 41)]

Ref = Callable[[Mapping[str, np.ndarray], int], np.ndarray]


def _finite(x: np.ndarray, overflow: list[bool]) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if np.isinf(x).any():
        overflow.append(True)
    return np.where(np.isfinite(x), x, NAN)


def _truth(x: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), NAN, (x != 0).astype(np.float64))


def _half_away(x: np.ndarray) -> np.ndarray:
    magnitude = np.abs(x)
    whole = np.floor(magnitude)
    up = (magnitude - whole) >= 0.5
    return np.copysign(whole + up, x)


@st.composite
def formulas(draw: st.DrawFn, depth: int = 3) -> tuple[str, Any]:
    """(text, reference) where reference(columns, rows, overflow) computes the formula."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            name = draw(st.sampled_from(COLUMNS))
            return name, lambda cols, n, of, name=name: cols[name]
        k = draw(st.sampled_from(CONSTANTS))
        return repr(k), lambda cols, n, of, k=k: np.full(n, k)
    kind = draw(st.sampled_from([
        "arith", "arith", "div", "mod", "pow", "neg", "cmp", "logic", "not", "where",
        "minmax", "abs", "log", "sqrt", "clip", "round"]))
    sub = formulas(depth - 1)
    if kind == "arith":
        (lt, lf), (rt, rf) = draw(sub), draw(sub)
        op = draw(st.sampled_from(["+", "-", "*"]))
        fn = {"+": np.add, "-": np.subtract, "*": np.multiply}[op]
        return f"({lt} {op} {rt})", lambda c, n, of: _finite(fn(lf(c, n, of), rf(c, n, of)), of)
    if kind == "div":
        (lt, lf), (rt, rf) = draw(sub), draw(sub)

        def div(c: Any, n: int, of: list[bool]) -> np.ndarray:
            x, y = lf(c, n, of), rf(c, n, of)
            return _finite(np.where(y == 0, NAN, x / np.where(y == 0, 1.0, y)), of)
        return f"({lt} / {rt})", div
    if kind == "mod":
        (lt, lf), (rt, rf) = draw(sub), draw(sub)

        def mod(c: Any, n: int, of: list[bool]) -> np.ndarray:
            x, y = np.abs(lf(c, n, of)), np.abs(rf(c, n, of))
            return _finite(np.where(y == 0, NAN, np.mod(x, np.where(y == 0, 1.0, y))), of)
        return f"(abs({lt}) % abs({rt}))", mod
    if kind == "pow":
        lt, lf = draw(sub)
        e = draw(st.sampled_from([1, 2, 3, 0.5]))

        def power(c: Any, n: int, of: list[bool]) -> np.ndarray:
            x = lf(c, n, of)
            if e == 0.5:
                return _finite(np.where(x >= 0, np.sqrt(np.abs(x)), NAN), of)
            return _finite(np.power(x, e), of)
        return f"({lt} ** {e})", power
    if kind == "neg":
        lt, lf = draw(sub)
        return f"(-{lt})", lambda c, n, of: -lf(c, n, of)
    if kind == "cmp":
        (lt, lf), (rt, rf) = draw(sub), draw(sub)
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        cmp = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
               "==": np.equal, "!=": np.not_equal}[op]

        def compare(c: Any, n: int, of: list[bool]) -> np.ndarray:
            x, y = lf(c, n, of), rf(c, n, of)
            return np.where(np.isnan(x) | np.isnan(y), NAN, cmp(x, y).astype(np.float64))
        return f"({lt} {op} {rt})", compare
    if kind == "logic":
        (lt, lf), (rt, rf) = draw(sub), draw(sub)
        op = draw(st.sampled_from(["and", "or"]))

        def logic(c: Any, n: int, of: list[bool]) -> np.ndarray:
            x, y = _truth(lf(c, n, of)), _truth(rf(c, n, of))
            value = np.minimum(x, y) if op == "and" else np.maximum(x, y)
            return np.where(np.isnan(x) | np.isnan(y), NAN, value)
        return f"({lt} {op} {rt})", logic
    if kind == "not":
        lt, lf = draw(sub)
        return f"(not {lt})", lambda c, n, of: 1.0 - _truth(lf(c, n, of))
    if kind == "where":
        (ct, cf), (at, af), (bt, bf) = draw(sub), draw(sub), draw(sub)

        def where(c: Any, n: int, of: list[bool]) -> np.ndarray:
            cond, x, y = cf(c, n, of), af(c, n, of), bf(c, n, of)
            return np.where(np.isnan(cond), NAN, np.where(cond != 0, x, y))
        return f"where({ct}, {at}, {bt})", where
    if kind == "minmax":
        args = draw(st.lists(sub, min_size=2, max_size=3))
        name = draw(st.sampled_from(["min", "max"]))
        fn = np.minimum if name == "min" else np.maximum

        def minmax(c: Any, n: int, of: list[bool]) -> np.ndarray:
            values = [f(c, n, of) for _, f in args]
            out = values[0]
            for v in values[1:]:
                out = fn(out, v)
            return out
        return f"{name}({', '.join(t for t, _ in args)})", minmax
    if kind == "abs":
        lt, lf = draw(sub)
        return f"abs({lt})", lambda c, n, of: np.abs(lf(c, n, of))
    if kind == "log":
        lt, lf = draw(sub)

        def log(c: Any, n: int, of: list[bool]) -> np.ndarray:
            x = lf(c, n, of)
            return _finite(np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), NAN), of)
        return f"log({lt})", log
    if kind == "sqrt":
        lt, lf = draw(sub)

        def sqrt(c: Any, n: int, of: list[bool]) -> np.ndarray:
            x = lf(c, n, of)
            return np.where(x >= 0, np.sqrt(np.abs(x)), NAN)
        return f"sqrt({lt})", sqrt
    if kind == "clip":
        lt, lf = draw(sub)
        lo, hi = sorted(draw(st.lists(st.sampled_from(CONSTANTS), min_size=2, max_size=2,
                                      unique=True)))
        return f"clip({lt}, {lo!r}, {hi!r})", lambda c, n, of: np.clip(lf(c, n, of), lo, hi)
    # round: of a column only, so that its argument is an exact quarter
    name = draw(st.sampled_from(COLUMNS))
    if draw(st.booleans()):
        return f"round({name})", lambda c, n, of: _half_away(c[name])
    return (f"round({name}, 1)",
            lambda c, n, of: _half_away(c[name] * 10) / 10)


column_values = st.one_of(st.sampled_from(VALUES), st.sampled_from([0.0, NAN, 1.0, -1.0]))


@SETTINGS
@given(pair=formulas(), data=st.data())
def test_generated_formulas_evaluate_to_the_numpy_reference(
        pair: tuple[str, Any], data: st.DataObject) -> None:
    text, reference = pair
    rows = data.draw(st.integers(1, 6), label="rows")
    columns = {name: np.array(data.draw(st.lists(column_values, min_size=rows, max_size=rows),
                                        label=name), dtype=np.float64) for name in COLUMNS}
    overflow: list[bool] = []
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(reference(columns, rows, overflow), (rows,)).astype(np.float64)
    assume(not overflow)
    formula = parse(text)
    assert formula.names <= frozenset(COLUMNS)
    used = {name: columns[name] for name in formula.names}
    used.setdefault("a", columns["a"])   # a constant formula still gets the rows' length
    before = {name: array.copy() for name, array in used.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = formula.evaluate(used)
    assert result.dtype == np.float64
    result = np.broadcast_to(result, (rows,))
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-12, equal_nan=True,
                               err_msg=f"{text} on {columns}")
    for name, array in used.items():
        assert np.array_equal(array, before[name], equal_nan=True), (text, name)
