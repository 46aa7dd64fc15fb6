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


def test_nothing_a_plugin_holds_reaches_what_others_read() -> None:
    # through .base.obj to the array under the column, into the peer groups, into its own
    # returned buffer, into its params: each would change another rule's score silently
    kept: dict[str, Any] = {}

    class Holder(fs.Params):
        input: fs.Column
        weights: dict[str, float] | None = None

    @fs.evaluator("sly", params=Holder)
    def sly(columns, params, context):  # type: ignore[no-untyped-def]
        column = columns[params.input]
        under = column
        while getattr(under, "base", None) is not None:
            under = under.base
            under = getattr(under, "obj", under)
        if isinstance(under, np.ndarray):
            try:
                under.flags.writeable = True
                under[:] = 100.0
            except (ValueError, TypeError):
                pass
        try:
            context.groups[:] = 0
        except (ValueError, TypeError):
            pass
        if params.weights is not None:
            params.weights["w"] = params.weights["w"] / 2
        out = kept.setdefault("buffer", np.full(context.n_rows, 0.5))
        return out

    rules = {"ruleset": "r", "entity": "b", "period": "m", "dimensions": [{"id": "d", "weight": 1,
             "indicators": [{"id": "s", "points": 1, "evaluate": {"kind": "sly", "input": "x",
                                                                  "weights": {"w": 1.0}}},
                            {"id": "t", "points": 1, "evaluate": {"kind": "target", "input": "x",
                                                                  "target": 100, "floor": 0}}]}]}
    given = np.array([10.0, 20.0])
    data = {"b": ["A", "B"], "m": ["2024-01", "2024-02"], "x": given}
    first = fs.score(rules, data, plugins=[sly])
    kept["buffer"][:] = 1.0  # the plug-in rewrites the buffer it returned before
    second = fs.score(rules, data, plugins=[sly])
    assert given.tolist() == [10.0, 20.0]
    assert [r["indicators"] for r in first.to_records()] == [
        {"s": 0.5, "t": 0.1}, {"s": 0.5, "t": 0.2}]
    assert [r["rank"] for r in first.to_records()] == [1, 1]  # two months: two peer groups
    assert [r["total"] for r in second.to_records()] == [55.0, 60.0]  # (1 + 0.1) / 2, (1 + 0.2) / 2
    assert [r["indicators"]["s"] for r in first.to_records()] == [0.5, 0.5]  # kept as scored
    assert first.rules.dimensions[0].indicators[0].evaluate.params.weights == {"w": 1.0}


def test_a_plugins_params_validator_cannot_end_the_run() -> None:
    import sys

    from pydantic import model_validator

    class Quits(fs.Params):
        input: fs.Column

        @model_validator(mode="after")
        def _quit(self) -> Quits:
            sys.exit(0)

    @fs.evaluator("quits", params=Quits)
    def quits(columns, params, context):  # type: ignore[no-untyped-def]
        return columns[params.input]

    with pytest.raises(fs.PluginError, match="checking its params raised SystemExit") as info:
        fs.load_rules(rules("quits"), plugins=[quits])
    assert info.value.evaluator == "quits"
