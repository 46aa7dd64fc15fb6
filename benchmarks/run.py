"""fortress_score against the same arithmetic hand-written in numpy, in one run.

    python benchmarks/run.py --rows 1000000 --repeat 5

Builds a rule set of 40 indicators in four dimensions (target, bands, ratio and a `rank`
inside peer groups in each), a deduction and a veto, and data for it; runs `fs.score`
and a hand-written numpy version of the same scoring model in turn, checks that both give
the same totals, stars and ranks, and prints the medians, the ratio and the peak memory
each needs beyond its input.
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import time
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

import fortress_score as fs

DIMENSIONS = 4
PER_DIMENSION = 10  # 3 target, 3 bands, 3 ratio, 1 rank
BANDS = [{"min": 80, "score": 1.0}, {"min": 50, "max": 80, "score": 0.6}, {"min": 20, "max": 50, "score": 0.3}]
RATINGS = [(5, 90.0), (4, 80.0), (3, 70.0), (2, 60.0), (1, 50.0)]


def indicator(d: int, i: int) -> tuple[str, dict[str, Any]]:
    column = f"x{d}_{i}"
    kind = ("target", "bands", "ratio")[i % 3] if i < PER_DIMENSION - 1 else "rank"
    if kind == "target":
        return column, {"kind": "target", "input": column, "target": 90.0, "floor": 10.0}
    if kind == "bands":
        return column, {"kind": "bands", "input": column, "bands": BANDS}
    if kind == "ratio":
        return column, {"kind": "ratio", "numerator": column, "denominator": "planned"}
    return column, {"kind": "rank", "input": column}


def build_rules() -> dict[str, Any]:
    dimensions = []
    for d in range(DIMENSIONS):
        indicators = []
        for i in range(PER_DIMENSION):
            column, evaluate = indicator(d, i)
            indicators.append({"id": column, "points": 5 + i, "evaluate": evaluate})
        dimensions.append({"id": f"d{d}", "weight": 10 + 5 * d, "indicators": indicators})
    return {
        "ruleset": "benchmark", "entity": "unit", "group_by": "peer", "dimensions": dimensions,
        "adjustments": [{"id": "violations", "kind": "deduction", "cap": 10,
                         "evaluate": {"kind": "per_event", "input": "violations", "each": 2}}],
        "vetoes": [{"id": "safety", "when": {"kind": "threshold", "input": "incidents", "op": ">", "value": 0},
                    "effect": {"max_stars": 2}}],
        "ratings": [{"stars": s, "min": m} for s, m in RATINGS],
    }


def big_rule_file(path: Path, indicators: int = 500) -> Path:
    """A YAML rule pack of ``indicators`` indicators in ten dimensions, with titles and fields."""
    per = indicators // 10
    kinds = [
        lambda c: {"kind": "target", "input": c, "target": 90.0, "floor": 10.0},
        lambda c: {"kind": "bands", "input": c, "bands": BANDS},
        lambda c: {"kind": "ratio", "numerator": c, "denominator": "planned"},
        lambda c: {"kind": "rank", "input": c},
    ]
    dimensions = [{"id": f"d{d}", "title": f"维度{d}", "weight": 10, "indicators": [
        {"id": f"i{d}_{i}", "title": f"指标{d}-{i}", "points": 5, "evaluate": kinds[i % 4](f"x{d}_{i}")}
        for i in range(per)]} for d in range(10)]
    rules = {"ruleset": "big", "entity": "unit", "dimensions": dimensions,
             "fields": {f"x{d}_{i}": {"title": "输入", "min": 0, "max": 100} for d in range(10) for i in range(per)},
             "ratings": [{"stars": s, "min": m} for s, m in RATINGS]}
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return path


def build_data(rows: int, groups: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {"unit": np.arange(rows), "peer": rng.integers(0, groups, rows)}
    data["planned"] = rng.integers(0, 12, rows).astype(np.float64)
    for d in range(DIMENSIONS):
        for i in range(PER_DIMENSION):
            column, evaluate = indicator(d, i)
            if evaluate["kind"] == "ratio":
                data[column] = np.minimum(rng.integers(0, 13, rows), data["planned"]).astype(np.float64)
            else:
                data[column] = np.round(rng.random(rows) * 100, 1)
    data["violations"] = rng.poisson(0.3, rows).astype(np.float64)
    data["incidents"] = (rng.random(rows) < 0.002).astype(np.float64)
    return data


def numpy_baseline(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The scoring model for exactly these rules, by hand, in plain numpy."""
    n = data["unit"].shape[0]
    peer = data["peer"]
    total = np.zeros(n)
    weight_sum = 0.0
    for d in range(DIMENSIONS):
        earned = np.zeros(n)
        possible = np.zeros(n)
        for i in range(PER_DIMENSION):
            column, evaluate = indicator(d, i)
            x = data[column]
            points = 5 + i
            if evaluate["kind"] == "target":
                a = np.clip((x - 10.0) / 80.0, 0.0, 1.0)
            elif evaluate["kind"] == "bands":
                a = np.where(x >= 80, 1.0, np.where(x >= 50, 0.6, np.where(x >= 20, 0.3, 0.0)))
            elif evaluate["kind"] == "ratio":
                planned = data["planned"]
                with np.errstate(divide="ignore", invalid="ignore"):
                    a = np.where(planned == 0, np.nan, np.clip(x / planned, 0.0, 1.0))
            else:
                a = baseline_rank(x, peer)
            applies = ~np.isnan(a)
            earned += np.where(applies, a * points, 0.0)
            possible += applies * points
        score = 100.0 * earned / possible
        weight = 10 + 5 * d
        total += weight * score
        weight_sum += weight
    total = total / weight_sum
    total -= np.minimum(data["violations"] * 2.0 / 10.0, 1.0) * 10.0
    total = np.clip(total, 0.0, 100.0)
    scaled = np.round(total * 100.0, 6)
    reported = np.floor(scaled + 0.5) / 100.0
    stars = np.zeros(n, dtype=np.int64)
    for s, m in RATINGS:
        stars = np.where(reported >= m, np.maximum(stars, s), stars)
    stars = np.where(data["incidents"] > 0, np.minimum(stars, 2), stars)
    rank = baseline_competition_rank(-reported, peer)
    return {"total": reported, "stars": stars, "rank": rank}


def baseline_competition_rank(key: np.ndarray, peer: np.ndarray) -> np.ndarray:
    order = np.lexsort((key, peer))
    k, g = key[order], peer[order]
    n = key.shape[0]
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_run = new_group | np.r_[True, k[1:] != k[:-1]]
    idx = np.arange(n)
    rank = np.empty(n)
    rank[order] = np.maximum.accumulate(np.where(new_run, idx, 0)) - np.maximum.accumulate(np.where(new_group, idx, 0)) + 1
    return rank


def baseline_rank(x: np.ndarray, peer: np.ndarray) -> np.ndarray:
    r = baseline_competition_rank(-x, peer)
    count = np.bincount(peer)[peer].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 1, (count - r) / (count - 1), 1.0)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def peak_extra_bytes(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    return peak - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    data = build_data(args.rows, args.groups)
    input_bytes = sum(v.nbytes for v in data.values() if v.dtype.kind in "fiu")
    engine = fs.Engine(entry_points=False)
    rules = engine.load_rules(build_rules())
    with tempfile.TemporaryDirectory() as folder:
        big = big_rule_file(Path(folder) / "big.yaml")
        load_seconds, big_rules = timed(lambda: engine.load_rules(big), args.repeat)
    assert len(big_rules.indicators) == 500

    engine_seconds, card = timed(lambda: engine.score(rules, data), args.repeat)
    numpy_seconds, expected = timed(lambda: numpy_baseline(data), args.repeat)
    got = card.to_columns()
    assert np.array_equal(got["total"], expected["total"]), "totals differ"
    assert np.array_equal(got["stars"], expected["stars"]), "stars differ"
    assert np.array_equal(got["rank"], expected["rank"]), "ranks differ"
    records_seconds, _ = timed(card.to_records, 1)
    columns_seconds, _ = timed(card.to_columns, args.repeat)

    engine_peak = peak_extra_bytes(lambda: engine.score(rules, data))
    numpy_peak = peak_extra_bytes(lambda: numpy_baseline(data))

    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, Python {platform.python_version()}, "
          f"numpy {np.__version__}, fortress-score {card.provenance.library_version}")
    print(f"rows {args.rows:,}, peer groups {args.groups:,}, indicators {DIMENSIONS * PER_DIMENSION}, "
          f"input {input_bytes / 2**20:,.0f} MiB numeric; median of {args.repeat}")
    print(f"load_rules, 500 indicators {load_seconds * 1000:7.1f} ms (YAML file, {yaml.__with_libyaml__ and 'libyaml' or 'pure-Python'} parser)")
    print(f"numpy by hand             {numpy_seconds:8.3f} s")
    print(f"fs.score                  {engine_seconds:8.3f} s   ratio {engine_seconds / numpy_seconds:5.2f}x")
    print(f"card.to_columns()         {columns_seconds:8.3f} s")
    print(f"card.to_records()         {records_seconds:8.3f} s")
    print(f"peak extra memory: fs.score {engine_peak / 2**20:,.0f} MiB = {engine_peak / input_bytes:.2f}x input; "
          f"numpy by hand {numpy_peak / 2**20:,.0f} MiB = {numpy_peak / input_bytes:.2f}x input")
    print("totals, stars and ranks identical: yes")


if __name__ == "__main__":
    main()
