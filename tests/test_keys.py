"""keys.py: key columns as codes, peer populations, repeats, lookups and row names."""

from __future__ import annotations

import numpy as np

from fortress_score.keys import (
    describe_rows,
    duplicated,
    empty_mask,
    key_codes,
    matching,
    population_codes,
)


def test_codes_are_dense_and_ordered_by_value_or_text() -> None:
    codes, n = key_codes(np.array([10, 9, 10, 2]))
    assert codes.tolist() == [2, 1, 2, 0] and n == 3  # numbers by value: 9 before 10
    codes, n = key_codes(np.array(["b", 1, "a"], dtype=object))
    assert codes.tolist() == [2, 0, 1] and n == 3  # mixed: as text, "1" < "a" < "b"


def test_populations_are_period_and_group_together() -> None:
    period = np.array(["2024-01", "2024-01", "2024-02", "2024-01"])
    group = np.array(["县区", "生产", "县区", "县区"])
    codes, n = population_codes(4, period, group)
    assert n == 3
    assert codes[0] == codes[3] and len({codes[0], codes[1], codes[2]}) == 3
    assert population_codes(3, None, None)[0].tolist() == [0, 0, 0]
    assert population_codes(3, None, np.array(["x", "y", "x"]))[0].tolist() == [0, 1, 0]


def test_repeats_are_the_later_rows() -> None:
    entity = np.array(["A", "B", "A", "A"])
    assert duplicated(entity, None).tolist() == [False, False, True, True]
    period = np.array(["1", "1", "2", "1"])
    assert duplicated(entity, period).tolist() == [False, False, False, True]


def test_empty_and_matching() -> None:
    assert empty_mask(np.array(["a", " ", ""])).tolist() == [False, True, True]
    assert empty_mask(np.array([1.0, np.nan])).tolist() == [False, True]
    assert empty_mask(np.array(["a", None, float("nan")], dtype=object)).tolist() == [False, True, True]
    assert matching(np.array([202402.0, 202403.0]), 202402).tolist() == [True, False]
    assert matching(np.array(["2024-02", "2024-03"]), "2024-03").tolist() == [False, True]
    assert matching(np.array([1.0, 2.0]), True).tolist() == [False, False]  # a bool is no key


def test_rows_are_described_with_their_keys_and_counted_past_five() -> None:
    entity = np.array(list("ABCDEFG"))
    period = np.array(["2024-01"] * 7)
    shown = describe_rows(np.arange(7), entity, period, "branch", "month")
    assert shown[0] == "row 0 (branch=A, month=2024-01)"
    assert shown[-1] == "and 2 more" and len(shown) == 6
    assert describe_rows(np.array([1]), np.array(["A", None], dtype=object), None, "branch",
                         None) == ("row 1 (branch=None)",)
