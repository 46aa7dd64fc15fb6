from __future__ import annotations

import numpy as np
from evaluate_helper import params_error, run


def test_points_an_event_up_to_the_cap() -> None:
    # 2 points a violation, at most 10: 0, 1, 3, 5 and 6 violations
    got = run("per_event", {"input": "v", "each": 2}, points=10, v=[0, 1, 3, 5, 6])
    np.testing.assert_allclose(got, [0, 0.2, 0.6, 1.0, 1.0])


def test_each_must_be_positive() -> None:
    assert "greater than 0" in params_error("per_event", {"input": "v", "each": 0})
