"""`decision_table`: rules of conditions on columns, each with a score, as DMN and GoRules write them.

```yaml
evaluate:
  kind: decision_table
  hit: first            # first | collect_sum | collect_max (collected scores capped at 1)
  rules:
    - {when: {meetings_held: ">= 3", violations: "0"}, score: 1.0}
    - {when: {meetings_held: "[2..3)"}, score: 0.6}
    - {when: {meetings_held: "-"}, score: 0.0}
  otherwise: 0.0        # when no rule matches; left out: does not apply (NaN)
```

A condition is ``-`` (anything, an empty cell too), a comparison (``>= 3``, ``< 2.5``,
``= 0``, ``!= 0``, or a bare number, which means ``=``), an interval (``[2..3)``,
``(0..10]``; a square bracket includes its end), or a list of values (``"1, 2, 5"``). A
condition other than ``-`` does not hold on an empty cell; a row whose inputs are all empty
does not apply. Conditions that cannot be read, and under ``hit: first`` a rule that can
never fire because one earlier rule already takes every row it would, are rule-file problems
at their place. Evaluated one rule at a time over whole columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, Field, model_validator

from fortress_score import Column, Context, Evaluator, FloatArray, Params, hookimpl
from fortress_score.plugins.formulas import Cells, number

__all__ = ["ANY", "Condition", "DecisionTable", "DecisionTableParams", "condition_of"]

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_COMPARISON = re.compile(rf"(>=|<=|!=|>|<|=)?\s*({_NUMBER})")
_INTERVAL = re.compile(rf"([\[(])\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*([\])])")


@dataclass(frozen=True)
class Condition:
    """A condition as a set of numbers: anything, an interval, the complement of a point,
    or a finite set of values."""

    text: str
    kind: Literal["any", "interval", "not", "values"]
    low: float = -math.inf
    high: float = math.inf
    low_closed: bool = False
    high_closed: bool = False
    values: frozenset[float] = frozenset()

    def holds(self, x: FloatArray) -> Any:
        """Where the condition holds on ``x`` (False on an empty value, but for ``-``)."""
        if self.kind == "any":
            return np.ones(x.shape, dtype=bool)
        if self.kind == "values":
            return np.isin(x, list(self.values))
        if self.kind == "not":
            return ~np.isnan(x) & (x != self.low)
        above = x >= self.low if self.low_closed else x > self.low
        below = x <= self.high if self.high_closed else x < self.high
        return above & below

    def covers(self, other: Condition) -> bool:
        """Whether every value ``other`` holds on, this one holds on too."""
        if self.kind == "any":
            return True
        if other.kind == "any":
            return False
        if other.kind == "values":
            return all(bool(self.holds(np.array([v]))[0]) for v in other.values)
        if other.kind == "not":
            return self.kind == "not" and self.low == other.low
        if self.kind == "values":
            return other.low == other.high and other.low in self.values
        if self.kind == "not":  # every value but one: covers what never holds on that one
            return not bool(other.holds(np.array([self.low]))[0])
        low_ok = self.low < other.low or (self.low == other.low and
                                          (self.low_closed or not other.low_closed))
        high_ok = self.high > other.high or (self.high == other.high and
                                             (self.high_closed or not other.high_closed))
        return low_ok and high_ok


ANY = Condition("-", "any")
"""The condition a rule sets on a column it does not name."""


def condition_of(written: str | float) -> Condition:
    """The condition a table cell writes.

    Raises:
        ValueError: the text is no condition (the message says what one looks like).
    """
    if isinstance(written, bool) or not isinstance(written, str | int | float):
        raise ValueError(f"a condition is text or a number; got {written!r}")
    text = str(written).strip()
    if text == "-":
        return Condition(text, "any")
    if isinstance(written, int | float):
        return _point(text, float(written))
    found = _COMPARISON.fullmatch(text)
    if found:
        op, value = found.group(1) or "=", _finite(text, found.group(2))
        if op == "=":
            return _point(text, value)
        if op == "!=":
            return Condition(text, "not", value, value, True, True)
        return Condition(text, "interval",
                         low=value if op in (">", ">=") else -math.inf,
                         high=value if op in ("<", "<=") else math.inf,
                         low_closed=op == ">=", high_closed=op == "<=")
    found = _INTERVAL.fullmatch(text)
    if found:
        low, high = _finite(text, found.group(2)), _finite(text, found.group(3))
        if low > high or (low == high and (found.group(1) == "(" or found.group(4) == ")")):
            raise ValueError(f"interval {text!r} holds no value: its low end must be below "
                             "its high end")
        return Condition(text, "interval", low, high, found.group(1) == "[",
                         found.group(4) == "]")
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > 1 and all(re.fullmatch(_NUMBER, p) for p in parts):
        return Condition(text, "values", values=frozenset(_finite(text, p) for p in parts))
    raise ValueError(f"{text!r} is not a condition: write -, a comparison (>= 3, < 2.5, = 0, "
                     "!= 0, or a number), an interval ([2..3), (0..10]) or values (1, 2, 5)")


def _finite(text: str, written: str) -> float:
    value = float(written)
    if not math.isfinite(value):
        raise ValueError(f"{text!r}: a condition compares with finite numbers")
    return value


def _point(text: str, value: float) -> Condition:
    if not math.isfinite(value):
        raise ValueError(f"{text!r}: a condition compares with finite numbers")
    return Condition(text, "interval", value, value, True, True)


def _checked(written: str | float) -> str | float:
    condition_of(written)
    return written


class DecisionRule(Params):
    when: dict[Column, Annotated[str | float, AfterValidator(_checked)]] = Field(min_length=1)
    """Column → condition; every condition must hold for the rule to fire."""
    score: float = Field(ge=0.0, le=1.0)


MAX_RULES = 1000
"""Rules a decision table may have: checking that each can fire compares every pair."""


class DecisionTableParams(Params):
    rules: list[DecisionRule] = Field(min_length=1, max_length=MAX_RULES)
    hit: Literal["first", "collect_sum", "collect_max"] = "first"
    otherwise: float | None = Field(default=None, ge=0.0, le=1.0)
    """The score where no rule fires; None: the row does not apply."""

    @model_validator(mode="after")
    def _every_rule_can_fire(self) -> DecisionTableParams:
        if self.hit != "first":
            return self
        conditions = [{c: condition_of(w) for c, w in r.when.items()} for r in self.rules]
        for j, later in enumerate(conditions):
            for i, earlier in enumerate(conditions[:j]):
                if all(earlier[c].covers(later.get(c, ANY)) for c in earlier):
                    raise ValueError(f"rules[{j}] can never fire: rules[{i}] comes first and "
                                     "takes every row it would (hit: first)")
        return self


class DecisionTable(Evaluator[DecisionTableParams]):
    """Rules of conditions on columns, each with a score (DMN/GoRules decision tables)."""

    name = "decision_table"
    Params = DecisionTableParams

    def inputs(self, params: DecisionTableParams) -> list[str]:
        return list(dict.fromkeys(c for rule in params.rules for c in rule.when))

    def evaluate(self, columns: Mapping[str, FloatArray], params: DecisionTableParams,
                 context: Context) -> FloatArray:
        n = context.n_rows
        decided = np.zeros(n, dtype=bool)
        result = np.zeros(n)
        for rule in params.rules:  # one pass a rule, never a row
            fires = np.ones(n, dtype=bool)
            for column, written in rule.when.items():
                fires &= condition_of(written).holds(columns[column])
            if params.hit == "first":
                result = np.where(fires & ~decided, rule.score, result)
            elif params.hit == "collect_sum":
                result = np.where(fires, np.minimum(result + rule.score, 1.0), result)
            else:
                result = np.where(fires, np.maximum(result, rule.score), result)
            decided |= fires
        otherwise = np.nan if params.otherwise is None else params.otherwise
        result = np.where(decided, result, otherwise)
        all_empty = np.logical_and.reduce([np.isnan(columns[c]) for c in self.inputs(params)])
        return np.asarray(np.where(all_empty, np.nan, result), dtype=np.float64)

    def formula(self, params: DecisionTableParams, cells: Cells) -> str:
        def test(column: str, written: str | float) -> str:
            x, c = cells.row[column], condition_of(written)
            if c.kind == "any":
                return "TRUE"
            if c.kind == "values":
                return f'AND({x}<>"",OR({",".join(f"{x}={number(v)}" for v in sorted(c.values))}))'
            if c.kind == "not":
                return f'AND({x}<>"",{x}<>{number(c.low)})'
            parts = [f'{x}<>""']
            if math.isfinite(c.low):
                parts.append(f"{x}{'>=' if c.low_closed else '>'}{number(c.low)}")
            if math.isfinite(c.high):
                parts.append(f"{x}{'<=' if c.high_closed else '<'}{number(c.high)}")
            return f"AND({','.join(parts)})"

        fires = [f"AND({','.join(test(c, w) for c, w in r.when.items())})" for r in params.rules]
        otherwise = '""' if params.otherwise is None else number(params.otherwise)
        if params.hit == "first":
            body = otherwise
            for rule, fire in reversed(list(zip(params.rules, fires))):
                body = f"IF({fire},{number(rule.score)},{body})"
        else:
            combine = "MIN(1,0" + "".join(f"+IF({f},{number(r.score)},0)" for r, f in
                                          zip(params.rules, fires)) + ")" \
                if params.hit == "collect_sum" else \
                "MAX(0" + "".join(f",IF({f},{number(r.score)},0)" for r, f in
                                  zip(params.rules, fires)) + ")"
            body = f"IF(OR({','.join(fires)}),{combine},{otherwise})"
        empty = [f'{cells.row[c]}=""' for c in self.inputs(params)]
        return f'IF(AND({",".join(empty)}),"",{body})'


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [DecisionTable()]
