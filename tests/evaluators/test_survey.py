from __future__ import annotations

import numpy as np
import pytest
from evaluate_helper import params_error, run

import fortress_score as fs

NAN = np.nan
PARAMS = {
    "levels": {"satisfied": 1.0, "basic": 0.6, "dissatisfied": 0.0},
    "groups": [
        {"name": "masses", "fields": {"satisfied": "ms", "basic": "mb", "dissatisfied": "md"}},
        {"name": "members", "fields": {"satisfied": "ps", "basic": "pb", "dissatisfied": "pd"}},
    ],
    "min_responses": 3,
}


def test_masses_speak_first_members_when_there_are_no_masses() -> None:
    got = run("survey", PARAMS,
              ms=[8, 0, 1, 0], mb=[2, 0, 1, 0], md=[0, 0, 0, 0],
              ps=[1, 4, 3, 0], pb=[0, 1, 0, 0], pd=[0, 0, 1, 0])
    # row 0: masses (8 + 0.6*2)/10 = 0.92; row 1: no masses -> members (4 + 0.6)/5 = 0.92
    # row 2: 2 mass answers < 3 -> members 3/4 = 0.75; row 3: nobody answered -> NaN
    np.testing.assert_allclose(got, [0.92, 0.92, 0.75, NAN])


def test_empty_counts_are_no_answers() -> None:
    got = run("survey", PARAMS, ms=[NAN], mb=[NAN], md=[NAN], ps=[3], pb=[NAN], pd=[NAN])
    np.testing.assert_allclose(got, [1.0])


def test_negative_counts_are_a_data_error() -> None:
    with pytest.raises(fs.DataError) as info:
        run("survey", PARAMS, ms=[5], mb=[-1], md=[0], ps=[0], pb=[0], pd=[0])
    assert info.value.column == "mb"


def test_groups_may_only_name_declared_levels() -> None:
    bad = {"levels": {"yes": 1.0}, "groups": [{"name": "all", "fields": {"no": "n"}}]}
    assert "not among levels" in params_error("survey", bad)
    assert "[0, 1]" in params_error("survey", {"levels": {"yes": 2.0}, "groups": [{"name": "a", "fields": {"yes": "y"}}]})
