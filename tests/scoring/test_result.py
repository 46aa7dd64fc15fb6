"""scoring/result.py: the frozen Result every analysis takes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import fortress_score as fs
from fortress_score.scoring.result import result_of

RULES = {"ruleset": "r", "entity": "branch", "period": "month", "dimensions": [
    {"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 10,
                                                "floor": 0}}]}]}
DATA = {"branch": ["A", "A", "B"], "month": ["2024-02", "2024-01", "2024-01"],
        "x": [5.0, 2.0, 10.0]}


def test_a_result_is_frozen_and_what_the_card_holds() -> None:
    card = fs.score(RULES, DATA)
    result = card.result
    assert isinstance(result, fs.Result)
    assert result_of(card) is result and result_of(result) is result
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.rules = result.rules  # type: ignore[misc]
    assert len(result) == 3 and result.periods() == ["2024-01", "2024-02"]
    with pytest.raises(TypeError, match="expected a Scorecard or a Result"):
        result_of(object())  # type: ignore[arg-type]


def test_rows_are_found_by_entity_and_period() -> None:
    result = fs.score(RULES, DATA).result
    assert result.row_of("A") == 0  # the latest period by default
    assert result.row_of("A", "2024-01") == 1
    with pytest.raises(fs.PeriodError, match="no row for period '2024-03'"):
        result.row_of("A", "2024-03")
    with pytest.raises(fs.DataError, match="no row for entity 'C'"):
        result.row_of("C")
    assert result.describe_rows(np.array([False, False, True])) == ("row 2 (branch=B, month=2024-01)",)


def test_rescore_scores_a_changed_table_by_the_same_rules_and_evaluators() -> None:
    result = fs.score(RULES, DATA).result
    assert result.rescore is not None and not result.rolled_up
    changed = dict(result.table.columns, x=np.array([10.0, 2.0, 10.0]))
    again = result.rescore(dataclasses.replace(result.table, columns=changed))
    assert again.figures.total.tolist() == [100.0, 20.0, 100.0]
    assert result.figures.total.tolist() == [50.0, 20.0, 100.0]  # the first is untouched
    assert again.provenance == result.provenance and again.evaluators == result.evaluators


def test_a_roll_up_cannot_be_rescored() -> None:
    rolled = fs.score(RULES, DATA).roll_up("quarter").result
    assert rolled.rolled_up and rolled.rescore is None
    assert rolled.sub_periods is not None and rolled.sub_periods.tolist() == [2, 1]
