"""Laws over generated rule sets and data: bounds, no NaN where a dimension applies,
row order changes nothing, re-scoring is deterministic."""

from __future__ import annotations

import math
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import data_sets, rule_sets

import fortress_score as fs

ENGINE = fs.Engine(entry_points=False)


def score(rules: dict[str, Any], data: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return ENGINE.score(rules, data).to_records()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_sets(), data_sets(), st.randoms(use_true_random=False))
def test_generated_rules_and_data_obey_the_laws(rules: dict[str, Any], data: dict[str, list[Any]], rnd: random.Random) -> None:
    records = score(rules, data)
    scale = rules["scale"]
    for record in records:
        total = record["total"]
        applying = [v for v in record["dimensions"].values() if v is not None]
        if applying:
            assert total is not None and not math.isnan(total)
            assert 0.0 <= total <= scale
            assert record["rank"] is not None and record["rank"] >= 1
        elif record["vetoes"] and total is not None:  # a fired `total` veto sets even a missing total
            assert total <= scale
        else:
            assert total is None and record["rank"] is None
        for value in applying:
            assert 0.0 <= value <= 100.0
        assert 0 <= record["stars"] <= 3

    order = list(range(len(data["branch"])))
    rnd.shuffle(order)
    shuffled = {k: [v[i] for i in order] for k, v in data.items()}
    again = score(rules, shuffled)
    key = lambda r: (r["entity"], r["period"])  # noqa: E731
    assert sorted(again, key=key) == sorted(records, key=key)
    assert score(rules, data) == records
