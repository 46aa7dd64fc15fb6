"""analysis/rollup.py: quarters and years as means of the months."""

from __future__ import annotations

import fortress_score as fs

RULES = {"ruleset": "r", "entity": "branch", "period": "month", "dimensions": [
    {"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 10,
                                                "floor": 0}}]}],
    "ratings": [{"stars": 1, "min": 30}]}


def test_a_rule_set_without_adjustments_or_vetoes_rolls_up() -> None:
    card = fs.score(RULES, {"branch": ["A", "A", "B"], "month": ["2024-01", "2024-02", "2024-01"],
                            "x": [2.0, 5.0, 10.0]})
    quarter = card.roll_up("quarter")
    records = {r["entity"]: r for r in quarter.to_records()}
    assert records["A"]["total"] == 35.0  # (20 + 50) / 2
    assert records["A"]["stars"] == 1 and records["A"]["adjustments"] == {}
    assert records["B"]["total"] == 100.0 and records["A"]["rank"] == 2
    assert quarter.sub_periods is not None and quarter.sub_periods.tolist() == [2, 1]
