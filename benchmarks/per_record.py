"""fortress_score against scoring one record at a time, as per-record rules engines do.

    python benchmarks/per_record.py --rows 1000000 --sample 5000

Same rules and data as ``run.py``. The per-record scorer is the scoring model written the
obvious way, one branch at a time in plain Python (a `rank` compares the record with its
peers, looked up by group). It is timed on a sample of records and extrapolated linearly
to all rows; its totals are checked against ``fs.score`` on the sample. With
``--zen`` (needs ``pip install zen-engine``) the same per-record arithmetic also runs as a
GoRules ZEN decision graph, one ``evaluate`` call a record.
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from typing import Any

import numpy as np
from run import BANDS, DIMENSIONS, PER_DIMENSION, RATINGS, build_data, build_rules, indicator

import fortress_score as fs


def half_up(value: float, precision: int = 2) -> float:
    scaled = round(value * 10**precision, 6)
    return math.floor(scaled + 0.5) / 10**precision


def score_one(record: dict[str, float], peers: dict[int, list[float]] | None = None,
              rank_inputs: dict[str, list[float]] | None = None) -> tuple[float, int]:
    """The scoring model for one record: (reported total, stars)."""
    total = 0.0
    weight_sum = 0.0
    for d in range(DIMENSIONS):
        earned = possible = 0.0
        for i in range(PER_DIMENSION):
            column, evaluate = indicator(d, i)
            x = record[column]
            points = 5 + i
            kind = evaluate["kind"]
            if kind == "target":
                a = min(max((x - 10.0) / 80.0, 0.0), 1.0)
            elif kind == "bands":
                a = next((b["score"] for b in BANDS if x >= b["min"] and x < b.get("max", math.inf)), 0.0)
            elif kind == "ratio":
                planned = record["planned"]
                a = math.nan if planned == 0 else min(max(x / planned, 0.0), 1.0)
            else:  # rank among the record's peers
                assert rank_inputs is not None
                group = rank_inputs[column]
                better = sum(1 for other in group if other > x)
                a = 1.0 if len(group) == 1 else (len(group) - (better + 1)) / (len(group) - 1)
            if not math.isnan(a):
                earned += a * points
                possible += points
        weight = 10 + 5 * d
        total += weight * (100.0 * earned / possible)
        weight_sum += weight
    total = total / weight_sum - min(record["violations"] * 2.0 / 10.0, 1.0) * 10.0
    reported = half_up(min(max(total, 0.0), 100.0))
    stars = max((s for s, m in RATINGS if reported >= m), default=0)
    if record["incidents"] > 0:
        stars = min(stars, 2)
    return reported, stars


def zen_graph() -> dict[str, Any]:
    """The same arithmetic as a ZEN decision graph (ranks are given as inputs: a
    per-record engine cannot see the peers)."""
    expressions = []
    for d in range(DIMENSIONS):
        earned, possible = [], []
        for i in range(PER_DIMENSION):
            column, evaluate = indicator(d, i)
            points = 5 + i
            kind = evaluate["kind"]
            if kind == "target":
                a = f"min([max([({column} - 10) / 80, 0]), 1])"
            elif kind == "bands":
                a = f"({column} >= 80 ? 1 : ({column} >= 50 ? 0.6 : ({column} >= 20 ? 0.3 : 0)))"
            elif kind == "ratio":
                a = f"(planned == 0 ? 0 : min([max([{column} / planned, 0]), 1]))"
            else:
                a = f"rank_{column}"
            applies = f"(planned == 0 ? 0 : 1)" if kind == "ratio" else "1"
            earned.append(f"{a} * {points} * {applies}")
            possible.append(f"{points} * {applies}")
        expressions.append({"id": f"d{d}", "key": f"d{d}",
                            "value": f"100 * ({' + '.join(earned)}) / ({' + '.join(possible)})"})
    weights = [10 + 5 * d for d in range(DIMENSIONS)]
    weighted = " + ".join(f"{w} * d{d}" for d, w in enumerate(weights))
    second = [{"id": "total", "key": "total",
               "value": f"min([max([({weighted}) / {sum(weights)} - min([violations * 2 / 10, 1]) * 10, 0]), 100])"}]
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
            {"id": "dims", "type": "expressionNode", "name": "dims", "position": {"x": 0, "y": 0},
             "content": {"expressions": expressions, "passThrough": True}},
            {"id": "total", "type": "expressionNode", "name": "total", "position": {"x": 0, "y": 0},
             "content": {"expressions": second, "passThrough": True}},
            {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 0, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "dims", "type": "edge"},
                  {"id": "e2", "sourceId": "dims", "targetId": "total", "type": "edge"},
                  {"id": "e3", "sourceId": "total", "targetId": "out", "type": "edge"}],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--zen", action="store_true", help="also time GoRules ZEN (zen-engine)")
    args = parser.parse_args()

    data = build_data(args.rows, args.groups)
    engine = fs.Engine(entry_points=False)
    rules = engine.load_rules(build_rules())
    started = time.perf_counter()
    card = engine.score(rules, data)
    engine_seconds = time.perf_counter() - started

    rank_columns = [indicator(d, PER_DIMENSION - 1)[0] for d in range(DIMENSIONS)]
    members: dict[int, list[int]] = defaultdict(list)
    for row, group in enumerate(data["peer"].tolist()):
        members[group].append(row)
    columns = {name: values.tolist() for name, values in data.items()}
    sample = range(min(args.sample, args.rows))
    records = [{name: values[row] for name, values in columns.items()} for row in sample]

    started = time.perf_counter()
    results = []
    for row, record in zip(sample, records):
        peers = members[columns["peer"][row]]
        rank_inputs = {c: [columns[c][p] for p in peers] for c in rank_columns}
        results.append(score_one(record, rank_inputs=rank_inputs))
    loop_seconds = (time.perf_counter() - started) / len(sample) * args.rows

    got = card.to_columns()
    assert [t for t, _ in results] == got["total"][: len(results)].tolist(), "totals differ"
    assert [s for _, s in results] == got["stars"][: len(results)].tolist(), "stars differ"

    print(f"rows {args.rows:,}; per-record timings on the first {len(sample):,} rows, extrapolated")
    print(f"fs.score (all rows)           {engine_seconds:9.3f} s")
    print(f"per-record Python loop        {loop_seconds:9.1f} s   fs.score is {loop_seconds / engine_seconds:,.0f}x faster")
    if args.zen:
        import json

        import zen  # type: ignore[import-not-found]  # pip install zen-engine

        decision = zen.ZenEngine().create_decision(json.dumps(zen_graph()))
        ids = [i.id for _, i in rules.indicators]
        attainment = {c: card.figures.attainment[ids.index(c)] for c in rank_columns}
        inputs = [dict(record, **{f"rank_{c}": float(attainment[c][row]) for c in rank_columns})
                  for row, record in zip(sample, records)]
        started = time.perf_counter()
        zen_totals = [decision.evaluate(item)["result"]["total"] for item in inputs]
        zen_seconds = (time.perf_counter() - started) / len(sample) * args.rows
        unrounded = card.figures.total[: len(sample)]
        agree = np.allclose(np.array(zen_totals, dtype=float), unrounded, atol=1e-6)
        print(f"GoRules ZEN, one evaluate a record {zen_seconds:9.1f} s   fs.score is "
              f"{zen_seconds / engine_seconds:,.0f}x faster (totals agree: {'yes' if agree else 'NO'})")


if __name__ == "__main__":
    main()
