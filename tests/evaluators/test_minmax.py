from __future__ import annotations

import numpy as np
from evaluate_helper import run

NAN = np.nan


def test_position_between_worst_and_best_of_peers() -> None:
    got = run("minmax", {"input": "x"}, groups=[1, 1, 1, 2, 2, 1], x=[10, 20, 15, 5, 5, NAN])
    # group 1: min 10 max 20; group 2: all equal -> 1
    np.testing.assert_allclose(got, [0, 1, 0.5, 1, 1, NAN])


def test_reversed_when_lower_is_better() -> None:
    got = run("minmax", {"input": "x", "higher_is_better": False}, x=[10, 20, 15])
    np.testing.assert_allclose(got, [1, 0, 0.5])
