from __future__ import annotations

import numpy as np
import pytest
from evaluate_helper import check, params_error, run, score_rows

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


# ------------------------------------------ through the public API: a one-indicator rule file
SURVEY_LEVELS = {"satisfied": 1.0, "basic": 0.5, "unsatisfied": 0.0}
SURVEY_GROUPS = [
    {"name": "masses", "fields": {"satisfied": "m_s", "basic": "m_b", "unsatisfied": "m_u"}},
    {"name": "members", "fields": {"satisfied": "p_s", "basic": "p_b", "unsatisfied": "p_u"}},
]


def _survey(**extra):
    return {"kind": "survey", "levels": SURVEY_LEVELS, "groups": SURVEY_GROUPS, **extra}


def test_survey_first_group_and_fallback(tmp_path):
    cols = {
        "m_s": [6, 0, 0], "m_b": [2, 0, 0], "m_u": [2, 0, 0],
        "p_s": [1, 3, 0], "p_b": [0, 1, 0], "p_u": [0, 0, 0],
    }
    # row 0: masses (6,2,2): (6*1 + 2*0.5 + 0)/10 = 0.7
    # row 1: no masses -> members (3,1,0): (3 + 0.5)/4 = 0.875
    # row 2: nobody answered -> NaN
    recs = score_rows(tmp_path, _survey(), cols, anchor=True)
    check(recs, [70, 87.5, None])


def test_survey_min_responses(tmp_path):
    cols = {
        "m_s": [2, 5, 1], "m_b": [1, 0, 0], "m_u": [0, 5, 0],
        "p_s": [4, 0, 2], "p_b": [2, 0, 0], "p_u": [0, 0, 0],
    }
    # min_responses 5:
    # row 0: masses 3 answers < 5 -> members (4,2,0): (4 + 1)/6 = 0.8333 -> 83.33
    # row 1: masses exactly 10 >= 5: (5 + 0 + 0)/10 = 0.5 -> 50
    # row 2: masses 1, members 2, both < 5 -> NaN
    recs = score_rows(tmp_path, _survey(min_responses=5), cols, anchor=True)
    check(recs, [83.33, 50, None])


def test_counts_near_the_float_limit_give_the_same_share() -> None:
    import numpy as np

    import fortress_score as fs

    evaluator = fs.Engine(entry_points=False).evaluators()["survey"]
    params = evaluator.Params.model_validate(
        {"levels": {"good": 1.0, "fair": 0.5, "bad": 0.0},
         "groups": [{"name": "all", "fields": {"good": "g", "fair": "f", "bad": "b"}}]})
    columns = {"g": np.array([1e308, 3.0, 0.0]), "f": np.array([0.0, 0.0, 0.0]),
               "b": np.array([1e308, 1.0, 0.0])}
    context = fs.Context(points=1.0, groups=np.zeros(3, dtype=np.int64), n_groups=1, rule="s")
    result = evaluator.evaluate(columns, params, context)
    assert result[:2].tolist() == [0.5, 0.75] and np.isnan(result[2])  # nobody answered


def test_min_responses_counts_whole_answers_exactly() -> None:
    import numpy as np

    import fortress_score as fs

    evaluator = fs.Engine(entry_points=False).evaluators()["survey"]
    params = evaluator.Params.model_validate(
        {"levels": {"yes": 1.0, "mid": 0.5, "no": 0.0}, "min_responses": 15,
         "groups": [{"name": "masses", "fields": {"yes": "y", "mid": "m", "no": "n"}},
                    {"name": "members", "fields": {"yes": "y2"}}]})
    columns = {"y": np.array([0.0]), "m": np.array([2.0]), "n": np.array([13.0]),
               "y2": np.array([15.0])}
    context = fs.Context(points=1.0, groups=np.zeros(1, dtype=np.int64), n_groups=1, rule="s")
    # 0 + 2 + 13 = 15 answers: the masses speak (1/15), the members are not asked
    assert evaluator.evaluate(columns, params, context).tolist() == [pytest.approx(1.0 / 15.0)]
