"""analysis/commendations.py: the 点赞台 declared in the rule file."""

from __future__ import annotations

import pytest

import fortress_score as fs

RULES = {"ruleset": "r", "entity": "branch", "dimensions": [{"id": "d", "weight": 1, "indicators": [
    {"id": "i", "points": 10, "title": "回收率",
     "evaluate": {"kind": "target", "input": "x", "target": 10, "floor": 0}}]}],
    "commendations": [{"id": "full", "title": "满分", "kind": "full_attainment", "indicator": "i"}]}


def test_full_attainment_needs_no_time_order() -> None:
    card = fs.score(RULES, {"branch": ["A", "B"], "x": [10.0, 4.0]})  # no period column at all
    assert card.commendations() == [{"entity": "A", "period": None, "id": "full", "title": "满分",
                                     "reason": "full attainment on 回收率"}]
    labels = dict(RULES, period="half")  # labels that are no periods: still fine for this kind
    card = fs.score(labels, {"branch": ["A", "A"], "half": ["H1", "H2"], "x": [10.0, 4.0]})
    assert [c["period"] for c in card.commendations()] == ["H1"]


def test_kinds_that_need_time_order_say_so() -> None:
    rules = dict(RULES, period="half", ratings=[{"stars": 1, "min": 50}], commendations=[
        {"id": "first", "kind": "first_stars", "stars": 1}])
    card = fs.score(rules, {"branch": ["A", "A"], "half": ["H1", "H2"], "x": [10.0, 4.0]})
    with pytest.raises(fs.PeriodError, match="must be a period"):
        card.commendations()
