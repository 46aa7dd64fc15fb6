"""`card.sensitivity`: Sobol indices by the Saltelli/Jansen estimators, checked on a model
whose indices are known by hand and on cases built so that a weight can or cannot move a rank."""

from __future__ import annotations

import numpy as np
import pytest

import fortress_score as fs
from fortress_score.analysis.sensitivity import sobol_indices


def test_the_estimators_on_a_linear_model_by_hand() -> None:
    # Y = 3·X1 + 1·X2 + 0·X3, X uniform on [0, 1]: Var(Y) = (9 + 1)/12, so
    # S1 = ST1 = 9/10, S2 = ST2 = 1/10, S3 = ST3 = 0 (no interactions)
    rng = np.random.default_rng(0)
    n, k = 40_000, 3
    a, b = rng.uniform(size=(n, k)), rng.uniform(size=(n, k))
    coef = np.array([3.0, 1.0, 0.0])
    mixed = np.repeat(a[None], k, axis=0)
    for i in range(k):
        mixed[i, :, i] = b[:, i]
    first, total = sobol_indices(a @ coef, b @ coef, mixed @ coef)
    assert first == pytest.approx([0.9, 0.1, 0.0], abs=0.03)
    assert total == pytest.approx([0.9, 0.1, 0.0], abs=0.03)


def test_the_estimators_see_an_interaction() -> None:
    # Y = X1·X2 with X uniform on [-1, 1]: E[Y|X1] = 0, so S1 = S2 = 0, and ST1 = ST2 = 1
    rng = np.random.default_rng(1)
    n = 40_000
    a, b = rng.uniform(-1, 1, size=(n, 2)), rng.uniform(-1, 1, size=(n, 2))
    mixed = np.stack([np.column_stack([b[:, 0], a[:, 1]]), np.column_stack([a[:, 0], b[:, 1]])])
    first, total = sobol_indices(a.prod(axis=1), b.prod(axis=1), mixed.prod(axis=2))
    assert first == pytest.approx([0.0, 0.0], abs=0.03)
    assert total == pytest.approx([1.0, 1.0], abs=0.05)


def _three(rows: dict[str, list[float]]) -> fs.Scorecard:
    rules = {"ruleset": "three", "entity": "branch", "dimensions": [
        {"id": d, "weight": w, "indicators": [{"id": d + "_x", "points": 1, "evaluate": {
            "kind": "target", "input": d, "target": 1, "floor": 0}}]}
        for d, w in (("p", 1), ("a", 1), ("r", 1))]}
    return fs.score(rules, {"branch": ["A", "B", "C"], **rows})


def test_a_weight_every_row_shares_cannot_move_a_rank() -> None:
    # r is the same for everyone: its weight scales all totals alike and moves no rank;
    # A (p strong) and B (a strong) swap as the p and a weights move, C is always last
    card = _three({"p": [0.9, 0.5, 0.1], "a": [0.5, 0.9, 0.1], "r": [0.7, 0.7, 0.7]})
    s = card.sensitivity(512, weights=0.3, seed=4)
    assert s.parameters == ("weight.p", "weight.a", "weight.r")
    a, b, c = range(3)
    assert np.isnan(s.first_order[c]).all() and np.isnan(s.total[c]).all()  # never moves
    for row in (a, b):
        assert s.total[row, 0] > 0.3 and s.total[row, 1] > 0.3
        assert s.total[row, 2] == pytest.approx(0.0, abs=0.02)
        assert (s.first_order[row] <= s.total[row] + 0.1).all()
    again = card.sensitivity(512, weights=0.3, seed=4)
    assert np.array_equal(s.total, again.total, equal_nan=True)
    frame = s.to_pandas()
    assert len(frame) == 3 * 3 + 3 and frame["entity"].isna().sum() == 3


def test_points_are_parameters_when_drawn() -> None:
    card = _three({"p": [0.9, 0.5, 0.1], "a": [0.5, 0.9, 0.1], "r": [0.7, 0.7, 0.7]})
    s = card.sensitivity(64, weights=0.2, points=0.2, seed=1)
    assert s.parameters[3:] == ("points.p_x", "points.a_x", "points.r_x")
    # one indicator a dimension: its points cancel in the dimension score
    assert np.nan_to_num(s.total[:, 3:]) == pytest.approx(0.0, abs=1e-12)


def test_refusals() -> None:
    card = _three({"p": [0.9, 0.5, 0.1], "a": [0.5, 0.9, 0.1], "r": [0.7, 0.7, 0.7]})
    with pytest.raises(fs.FortressScoreError, match="independent"):
        card.sensitivity(10, weights=fs.Dirichlet(5))  # type: ignore[arg-type]
    with pytest.raises(fs.FortressScoreError, match="samples"):
        card.sensitivity(1)
