"""Run one built-in evaluator directly on arrays, the way the engine does."""

from __future__ import annotations

from typing import Any

import numpy as np

import fortress_score as fs

ENGINE = fs.Engine(entry_points=False)


def run(name: str, params: dict[str, Any], *, groups: Any = None, points: float = 10.0,
        **columns: Any) -> np.ndarray:
    evaluator = ENGINE.evaluators()[name]
    validated = evaluator.Params.model_validate(params)
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in columns.items()}
    n = len(next(iter(arrays.values())))
    codes = np.zeros(n, dtype=np.int64) if groups is None else np.unique(groups, return_inverse=True)[1]
    context = fs.Context(points=points, groups=codes.astype(np.int64),
                         n_groups=int(codes.max()) + 1, rule="i")
    return evaluator.evaluate(arrays, validated, context)


def params_error(name: str, params: dict[str, Any]) -> str:
    """The validation message for bad params (the test fails if they validate)."""
    evaluator = ENGINE.evaluators()[name]
    try:
        evaluator.Params.model_validate(params)
    except Exception as exc:  # pydantic.ValidationError
        return str(exc)
    raise AssertionError(f"{params} validated")
