from __future__ import annotations

import numpy as np
from evaluate_helper import params_error, run

NAN = np.nan


def test_seed_red_list_share() -> None:
    # 13 of 16 company KPIs on the red list = 81.25 %
    np.testing.assert_allclose(run("ratio", {"numerator": "n", "denominator": "d"}, n=[13], d=[16]), [0.8125])


def test_clipped_to_unit_interval() -> None:
    got = run("ratio", {"numerator": "n", "denominator": "d"}, n=[12, -1, 3, NAN], d=[10, 10, NAN, 4])
    np.testing.assert_allclose(got, [1.0, 0.0, NAN, NAN])


def test_zero_denominator_skips_or_gives_empty() -> None:
    assert np.isnan(run("ratio", {"numerator": "n", "denominator": "d"}, n=[0], d=[0])).all()
    got = run("ratio", {"numerator": "n", "denominator": "d", "empty": 1.0}, n=[0, 1, NAN], d=[0, 2, 0])
    np.testing.assert_allclose(got, [1.0, 0.5, NAN])  # an empty numerator stays "does not apply"


def test_empty_must_be_skip_or_attainment() -> None:
    assert "empty" in params_error("ratio", {"numerator": "n", "denominator": "d", "empty": 2})
    assert "empty" in params_error("ratio", {"numerator": "n", "denominator": "d", "empty": "zero"})
