"""scoring/run.py: evaluators called over a table, and what they return checked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import fortress_score as fs


class Input(fs.Params):
    input: fs.Column


def rules(kind: str) -> dict[str, Any]:
    return {"ruleset": "r", "entity": "b", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 10, "evaluate": {"kind": kind, "input": "x"}}]}]}


def plugin(body: Any) -> fs.Evaluator[Any]:
    @fs.evaluator("odd", params=Input)
    def odd(columns, params, context):  # type: ignore[no-untyped-def]
        return body(columns[params.input])
    return odd


DATA = {"b": ["A", "B"], "x": [0.25, 1.0]}


@pytest.mark.parametrize(("body", "dtype"), [
    (lambda x: (x * 4).astype(np.int64), "int64"),
    (lambda x: x > 0.5, "bool"),
    (lambda x: [1, 0], "int64"),
])
def test_attainment_must_be_floats(body: Any, dtype: str) -> None:
    with pytest.raises(fs.PluginError, match=f"must return float attainment .*got dtype {dtype}") as info:
        fs.score(rules("odd"), DATA, plugins=[plugin(body)])
    assert info.value.evaluator == "odd"


def test_float32_attainment_is_taken_as_float64() -> None:
    card = fs.score(rules("odd"), DATA, plugins=[plugin(lambda x: x.astype(np.float32))])
    assert [r["total"] for r in card.to_records()] == [25.0, 100.0]


class Stop(BaseException):
    """A plug-in's own BaseException."""


def raising(error: BaseException) -> Any:
    def body(x: Any) -> Any:
        raise error
    return body


@pytest.mark.parametrize("error", [SystemExit(0), Stop("stop")])
def test_a_plugin_cannot_end_the_run(error: BaseException) -> None:
    with pytest.raises(fs.PluginError, match=f"raised {type(error).__name__}") as info:
        fs.score(rules("odd"), DATA, plugins=[plugin(raising(error))])
    assert info.value.evaluator == "odd"


def test_ctrl_c_still_stops_the_run() -> None:
    with pytest.raises(KeyboardInterrupt):
        fs.score(rules("odd"), DATA, plugins=[plugin(raising(KeyboardInterrupt()))])


def test_the_callers_column_cannot_be_written_by_a_plugin() -> None:
    def vandal(x: Any) -> Any:
        x.flags.writeable = True  # refused: the column sits over a read-only buffer
        x[:] = 0.0
        return x
    given = np.array([0.25, 1.0])
    with pytest.raises(fs.PluginError, match="cannot set WRITEABLE flag"):
        fs.score(rules("odd"), {"b": ["A", "B"], "x": given}, plugins=[plugin(vandal)])
    assert given.tolist() == [0.25, 1.0] and given.flags.writeable
