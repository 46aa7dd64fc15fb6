"""plugins/evaluator.py: the contract a plug-in implements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

import fortress_score as fs


class Half(fs.Params):
    input: fs.Column
    spare: fs.Column | None = None
    more: tuple[fs.Column, ...] = ()


class Halving(fs.Evaluator[Half]):
    """Half the input, capped at 1."""

    name = "halving"
    Params = Half

    def evaluate(self, columns: Mapping[str, fs.FloatArray], params: Half,
                 context: fs.Context) -> fs.FloatArray:
        return np.minimum(columns[params.input] / 2.0, 1.0)


def test_params_are_strict_frozen_and_closed() -> None:
    params = Half(input="x")
    with pytest.raises(ValidationError):
        params.input = "y"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Half(input="x", surplus=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Half(input=3)  # type: ignore[arg-type]


def test_inputs_default_to_the_column_fields() -> None:
    evaluator = Halving()
    assert evaluator.inputs(Half(input="x")) == ["x"]
    assert evaluator.inputs(Half(input="x", spare="y", more=("z", "w"))) == ["x", "y", "z", "w"]
    assert evaluator.description == "Half the input, capped at 1."


def test_describe_and_inverse_are_optional() -> None:
    evaluator = Halving()
    assert evaluator.describe(Half(input="x"), {"x": 1.0}) is None
    assert evaluator.inverse(Half(input="x"), 0.5, {"x": 1.0}) is None


def test_the_generic_evaluator_scores_like_any_other() -> None:
    rules: dict[str, Any] = {"ruleset": "r", "entity": "b", "dimensions": [
        {"id": "d", "weight": 1, "indicators": [
            {"id": "i", "points": 10, "evaluate": {"kind": "halving", "input": "x"}}]}]}
    card = fs.score(rules, {"b": ["A", "B"], "x": [1.0, 4.0]}, plugins=[Halving()])
    assert [r["total"] for r in card.to_records()] == [50.0, 100.0]
