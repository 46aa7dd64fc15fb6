"""Rank uncertainty: all draws scored together against re-scoring the card once a draw.

    python benchmarks/uncertainty.py --branches 50000 --groups 10 --draws 10000 --loop 20

Builds a rule set of three dimensions (four indicators each) and one period of data for
``--branches`` branches in ``--groups`` peer groups, scores it, then times
``card.uncertainty(draws)`` against the way composite-indicator toolkits work: a loop that
builds the rule set of each draw and scores the whole card again. The loop runs ``--loop``
draws (timed per draw, then scaled to ``--draws``) and each of its ranks is checked
against the same draw of ``card.uncertainty``. Prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any

import numpy as np

import fortress_score as fs

PER_DIMENSION = 4


def build(branches: int, groups: int, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = np.random.default_rng(seed)
    dimensions = []
    data: dict[str, Any] = {"branch": np.array([f"B{i:07d}" for i in range(branches)]),
                            "peer": rng.integers(0, groups, branches).astype(str)}
    for d in range(3):
        indicators = []
        for i in range(PER_DIMENSION):
            column = f"x{d}_{i}"
            data[column] = rng.uniform(40, 100, branches).round(2)
            indicators.append({"id": column, "points": 5 + 5 * i, "evaluate": {
                "kind": "target", "input": column, "target": 95.0, "floor": 50.0}})
        dimensions.append({"id": f"d{d}", "weight": (40, 30, 30)[d], "indicators": indicators})
    rules = {"ruleset": "uncertainty-benchmark", "entity": "branch", "group_by": "peer",
             "dimensions": dimensions,
             "ratings": [{"stars": s, "min": m} for s, m in ((5, 90), (4, 80), (3, 70))]}
    return rules, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--branches", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--loop", type=int, default=20, help="draws the loop runs")
    args = parser.parse_args()

    rules, data = build(args.branches, args.groups)
    card = fs.score(rules, data)
    start = time.perf_counter()
    together = card.uncertainty(args.draws, weights=0.2, points=0.1, seed=1)
    vectorised = time.perf_counter() - start

    start = time.perf_counter()
    for k in range(args.loop):
        again = fs.score(together.samples.rules(card.rules, k), data)
        if not np.array_equal(again.figures.rank.astype(int), together.ranks[k]):
            raise SystemExit(f"draw {k}: the loop's ranks differ from card.uncertainty's")
    per_draw = (time.perf_counter() - start) / args.loop
    looped = per_draw * args.draws

    cells = args.draws * args.branches
    print(f"{platform.python_implementation()} {platform.python_version()}, numpy "
          f"{np.__version__}; {args.branches:,} branches in {args.groups} peer groups, "
          f"{3 * PER_DIMENSION} indicators, {args.draws:,} draws "
          f"(weights ± 20 %, points ± 10 %)")
    print(f"card.uncertainty, all draws together: {vectorised:8.2f} s "
          f"({cells / vectorised / 1e6:.0f} M branch-draws/s)")
    print(f"re-scoring the card once a draw:      {looped:8.2f} s "
          f"({per_draw * 1e3:.1f} ms a draw × {args.draws:,}; {args.loop} draws run, "
          "ranks identical)")
    print(f"ratio (loop / together): {looped / vectorised:.1f}×")


if __name__ == "__main__":
    main()
