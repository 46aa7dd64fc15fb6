"""`card.uncertainty`: ranks and stars under drawn weights, by hand and by replaying draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fortress_score as fs
from fortress_score.analysis.uncertainty import rank_uncertainty

ROOT = Path(__file__).resolve().parents[2]
PACK = fs.load_rules(ROOT / "rules/three-dimensions.yaml")
SAMPLE = fs.read_data(ROOT / "examples/branches-2024.csv", PACK)


@pytest.fixture(scope="module")
def card() -> fs.Scorecard:
    return fs.score(PACK, SAMPLE)


def _two(x: list[float], y: list[float], **extra: object) -> fs.Scorecard:
    rules = {"ruleset": "two", "entity": "branch", "dimensions": [
        {"id": "a", "weight": 1, "indicators": [{"id": "x", "points": 1, "evaluate": {
            "kind": "target", "input": "x", "target": 1, "floor": 0}}]},
        {"id": "b", "weight": 1, "indicators": [{"id": "y", "points": 1, "evaluate": {
            "kind": "target", "input": "y", "target": 1, "floor": 0}}]}],
        "ratings": [{"stars": 5, "min": 50}, {"stars": 1, "min": 40}], **extra}
    return fs.score(rules, {"branch": [f"B{i}" for i in range(len(x))], "x": x, "y": y})


def test_first_place_by_hand() -> None:
    # A = (x 1, y 0) scores 100·wa/(wa+wb); B = (x 0, y 0.9) scores 90·wb/(wa+wb).
    # wa = 1 + 0.5·u1, wb = 1 + 0.5·u2 with u1, u2 ~ U(-1, 1): A is first when
    # 1 + 0.5·u1 > 0.9·(1 + 0.5·u2), i.e. u1 > t(u2) = 0.9·u2 − 0.2, with chance
    # (1 − clip(t, −1, 1)) / 2 for each u2; averaged over u2 on a fine grid.
    u2 = np.linspace(-1, 1, 200_001)
    expected = float(np.mean((1 - np.clip(0.9 * u2 - 0.2, -1, 1)) / 2))  # ≈ 0.6011
    u = _two([1.0, 0.0], [0.0, 0.9]).uncertainty(40_000, weights=0.5, seed=3)
    assert u.first_place[0] == pytest.approx(expected, abs=0.01)
    # ties on the rounded totals are rare (totals to 2 decimals) and share the first place
    assert 1.0 <= u.first_place[0] + u.first_place[1] <= 1.002
    # stars: A's total is ≥ 50 (5 stars) exactly when wa ≥ wb: chance 1/2 by symmetry;
    # 40 ≤ total < 50 (1 star) when 2/3·wb ≤ wa < wb, that is u1 < u2 and
    # u1 ≥ (2/3)(1 + 0.5·u2)·2 − 2 = (2/3)·u2 − 2/3: averaged over u2 as above
    one = float(np.mean((u2 - np.clip(2 / 3 * u2 - 2 / 3, -1, 1)) / 2))
    assert u.star_probability[0, 5] == pytest.approx(0.5, abs=0.01)
    assert u.star_probability[0, 1] == pytest.approx(one, abs=0.01)
    assert u.star_probability[0].sum() == pytest.approx(1.0)


def test_no_spread_keeps_every_rank(card: fs.Scorecard) -> None:
    u = card.uncertainty(50, weights=0.0, points=0.0)
    ranked = ~np.isnan(card.figures.rank)
    for got in (u.median_rank, u.rank_p05, u.rank_p95):
        assert np.array_equal(got[ranked], card.figures.rank[ranked])
    assert (u.ranks == card.figures.rank.astype(int)).all()
    assert np.all(u.mean_shift == 0)
    expected = np.zeros_like(u.star_probability)
    expected[np.arange(len(card)), card.figures.stars] = 1
    assert np.array_equal(u.star_probability, expected)


@pytest.mark.parametrize("spread", [dict(weights=0.3), dict(weights=0.1, points=0.4),
                                    dict(weights=fs.Dirichlet(30), points=fs.Dirichlet(50))])
def test_a_draw_replays_to_the_same_ranks_and_stars(card: fs.Scorecard, spread: dict) -> None:
    u = card.uncertainty(40, seed=11, **spread)
    for k in (0, 7, 39):
        again = fs.score(u.samples.rules(card.rules, k), SAMPLE)
        assert np.array_equal(u.ranks[k], np.nan_to_num(again.figures.rank).astype(int)), k
    # the drawn points keep each dimension's declared total
    total = 0
    for dim in card.rules.dimensions:
        n = len(dim.indicators)
        declared = sum(ind.points for ind in dim.indicators)
        assert np.allclose(u.samples.points[:, total:total + n].sum(axis=1), declared)
        total += n


def test_same_seed_same_result_and_blocks_do_not_matter(card: fs.Scorecard) -> None:
    a = card.uncertainty(30, weights=0.25, points=0.1, seed=5)
    b = rank_uncertainty(card.result, 30, weights=0.25, points=0.1, seed=5, block=1000)
    assert np.array_equal(a.samples.weights, b.samples.weights)
    assert np.array_equal(a.ranks, b.ranks)
    assert np.array_equal(a.star_probability, b.star_probability)
    c = card.uncertainty(30, weights=0.25, points=0.1, seed=6)
    assert not np.array_equal(a.samples.weights, c.samples.weights)


def test_order_statistics_by_hand(card: fs.Scorecard) -> None:
    u = card.uncertainty(101, weights=0.4, seed=2)
    for row in (0, 100, 359):
        ranks = np.sort(u.ranks[:, row])
        # the smallest rank that at least q of the 101 draws reach: the ⌈q·101⌉-th smallest
        assert u.median_rank[row] == ranks[50]
        assert u.rank_p05[row] == ranks[5]
        assert u.rank_p95[row] == ranks[95]
        assert u.rank_p05[row] <= u.median_rank[row] <= u.rank_p95[row]
    moved = np.abs(u.ranks.astype(float) - card.figures.rank)
    assert np.allclose(u.mean_shift, moved.mean(axis=1))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=2, max_size=8),
       st.floats(0, 0.9), st.integers(0, 2**16))
def test_laws(pairs: list[tuple[float, float]], share: float, seed: int) -> None:
    card = _two([p[0] for p in pairs], [p[1] for p in pairs])
    u = card.uncertainty(20, weights=share, seed=seed)
    assert np.allclose(u.star_probability.sum(axis=1), 1.0)
    assert (u.first_place >= 0).all() and (u.first_place <= 1).all()
    assert u.first_place.sum() >= 1 - 1e-12  # someone is first in every draw (ties: more)
    assert ((u.ranks >= 1) & (u.ranks <= len(pairs))).all()


def test_a_table_view_and_frames(card: fs.Scorecard) -> None:
    u = card.uncertainty(20, seed=1)
    frame = u.to_pandas()
    assert list(frame.columns[:9]) == ["entity", "period", "group", "total", "stars",
                                       "nominal_rank", "median_rank", "rank_p05", "rank_p95"]
    assert len(frame) == len(card)
    html = u._repr_html_()
    assert "江州供电分局党支部" in html and "<table>" in html
    assert "<th>党支部</th>" in html and "<th>中位名次</th>" in html  # the office's words
    assert list(u.samples.to_pandas().columns[:3]) == [
        "weight.performance", "weight.atmosphere", "weight.reputation"]


def test_refusals(card: fs.Scorecard) -> None:
    with pytest.raises(fs.FortressScoreError, match=r"share in \[0, 1\)"):
        card.uncertainty(10, weights=1.5)
    with pytest.raises(fs.FortressScoreError, match="positive"):
        card.uncertainty(10, weights=fs.Dirichlet(0))
    with pytest.raises(fs.FortressScoreError, match="draws"):
        card.uncertainty(0)
    with pytest.raises(fs.FortressScoreError, match="rolled-up"):
        card.roll_up("quarter").uncertainty(10)


def test_ranks_by_counting_agree_with_a_replay() -> None:
    # 600 rows in 2 peer groups, totals to whole points: few steps a group, so the draws
    # are ranked by counting (not sorting); a replayed draw ranks by sorting
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1, 600).round(2), rng.uniform(0, 1, 600).round(2)
    rules = {"ruleset": "count", "entity": "branch", "group_by": "g", "precision": 0,
             "dimensions": [
                 {"id": "a", "weight": 2, "indicators": [{"id": "x", "points": 1, "evaluate": {
                     "kind": "target", "input": "x", "target": 1, "floor": 0}}]},
                 {"id": "b", "weight": 1, "indicators": [{"id": "y", "points": 1, "evaluate": {
                     "kind": "target", "input": "y", "target": 1, "floor": 0}}]}]}
    data = {"branch": [f"B{i}" for i in range(600)], "g": ["p", "q"] * 300, "x": x, "y": y}
    card = fs.score(rules, data)
    u = card.uncertainty(30, weights=0.5, seed=9)
    assert len(np.unique(u.ranks[0])) < 400  # ties: whole-point totals
    for k in (0, 29):
        again = fs.score(u.samples.rules(card.rules, k), data)
        assert np.array_equal(u.ranks[k], again.figures.rank.astype(int))


def _ahp_pack() -> fs.RuleSet:
    import copy

    data = copy.deepcopy(PACK.model_dump(mode="json"))
    for dim in data["dimensions"]:
        dim.pop("weight")
    data["weighting"] = {"dimensions": {"method": "ahp", "judgements": [
        ["performance", "atmosphere", 2], ["performance", "reputation", 3],
        ["atmosphere", "reputation", 1]]}}
    return fs.load_rules(data)


def test_ahp_steps_move_each_judgement_to_a_neighbour_on_saaty_s_scale() -> None:
    import itertools

    from fortress_score.weights import ahp

    rules = _ahp_pack()
    card = fs.score(rules, SAMPLE)
    u = card.uncertainty(400, weights=fs.AHPSteps(1), seed=3)
    # 2 → 1, 2 or 3; 3 → 2, 3 or 4; 1 → 1/2, 1 or 2: 27 matrices, by hand
    expected = []
    for pa, pr, ar in itertools.product((1, 2, 3), (2, 3, 4), (0.5, 1, 2)):
        matrix = [[1, pa, pr], [1 / pa, 1, ar], [1 / pr, 1 / ar, 1]]
        expected.append(100 * np.asarray(ahp(matrix).weights))
    expected_arr = np.array(expected)
    nearest = np.abs(u.samples.weights[:, None, :] - expected_arr[None]).max(axis=2).min(axis=1)
    assert nearest.max() < 1e-9  # every draw is one of the 27
    seen = np.abs(u.samples.weights[:, None, :] - expected_arr[None]).max(axis=2).argmin(axis=1)
    assert len(set(seen.tolist())) == 27
    # and it replays
    again = fs.score(u.samples.rules(card.rules, 5), SAMPLE)
    assert np.array_equal(u.ranks[5], np.nan_to_num(again.figures.rank).astype(int))
    none = card.uncertainty(20, weights=fs.AHPSteps(0), seed=3)
    assert np.allclose(none.samples.weights, [d.weight for d in rules.dimensions], rtol=1e-12)
    with pytest.raises(fs.FortressScoreError, match="not derived by AHP"):
        fs.score(PACK, SAMPLE).uncertainty(10, weights=fs.AHPSteps(1))
