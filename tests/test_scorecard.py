"""The Scorecard: records, columns, frames, explanations and provenance."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fortress_score as fs

RULES: dict[str, Any] = {
    "ruleset": "card", "title": "测试细则", "entity": "branch", "period": "month",
    "dimensions": [
        {"id": "perf", "title": "生产经营业绩", "weight": 40, "indicators": [
            {"id": "loss", "title": "综合线损率", "points": 20,
             "evaluate": {"kind": "target", "input": "loss", "target": 2, "floor": 4}},
            {"id": "red", "title": "红榜指标占比", "points": 10,
             "evaluate": {"kind": "ratio", "numerator": "on_list", "denominator": "kpis"}},
        ]},
        {"id": "team", "title": "支部工作氛围", "weight": 60, "indicators": [
            {"id": "tasks", "points": 50, "evaluate": {"kind": "ratio", "numerator": "done", "denominator": "planned"}},
        ]},
    ],
    "adjustments": [{"id": "viol", "title": "违章", "kind": "deduction", "cap": 10,
                     "evaluate": {"kind": "per_event", "input": "viol", "each": 2}}],
    "vetoes": [{"id": "safety", "title": "安全事件", "when": {"kind": "threshold", "input": "safety", "op": ">", "value": 0},
                "effect": {"max_stars": 2}}],
    "ratings": [{"stars": s, "min": m} for s, m in ((5, 90), (4, 80), (3, 70), (2, 60), (1, 50))],
}

DATA: dict[str, list[Any]] = {
    "branch": ["甲", "乙", "甲", "乙"],
    "month": ["2024-01", "2024-01", "2024-02", "2024-02"],
    "loss": [2.5, None, 3.0, 2.0],
    "on_list": [13, 10, 16, 8],
    "kpis": [16, 16, 16, 16],
    "done": [9, 0, 10, 4],
    "planned": [10, 0, 10, 8],
    "viol": [1, 0, 0, 0],
    "safety": [0, 0, 0, 1],
}


@pytest.fixture
def card() -> fs.Scorecard:
    return fs.score(RULES, DATA)


def test_explain_is_checkable_by_hand(card: fs.Scorecard) -> None:
    why = card.explain("甲", "2024-01")
    lines = {line.indicator: line for line in why.indicators}
    # loss: (2.5-4)/(2-4) = 0.75 -> 15 of 20; red: 13/16 = 0.8125 -> 8.125 of 10; perf = 100*23.125/30
    assert lines["loss"].inputs == {"loss": 2.5}
    assert lines["loss"].attainment == pytest.approx(0.75) and lines["loss"].points == 15.0
    assert lines["red"].points == 8.13 and lines["red"].max_points == 10
    assert lines["tasks"].attainment == pytest.approx(0.9)
    # weights 40/60 apply; contributions: 100 * 0.4 * 15/30 = 20 ; 100 * 0.4 * 8.125/30 = 10.83 ; 100*0.6*45/50 = 54
    assert (lines["loss"].weight, lines["tasks"].weight) == (pytest.approx(0.4), pytest.approx(0.6))
    assert (lines["loss"].contribution, lines["red"].contribution, lines["tasks"].contribution) == (20.0, 10.83, 54.0)
    assert why.adjustments == {"viol": -2.0}
    assert why.total == 82.83  # 20 + 10.8333 + 54 - 2 = 82.8333
    assert (why.stars, why.next_star, why.gap_to_next_star) == (4, 5, 7.17)
    text = str(why)
    for fragment in ("甲", "2024-01", "综合线损率", "loss=2.5", "82.83", "5 stars needs 7.17 more points"):
        assert fragment in text


def test_explain_without_period_takes_the_latest_and_notes_vetoes(card: fs.Scorecard) -> None:
    why = card.explain("乙")
    assert why.period == "2024-02"
    assert why.vetoes == [("safety", "安全事件")]
    assert why.next_star is None and "capped at 2 stars by veto 'safety'" in why.next_star_note
    lines = {line.indicator: line for line in card.explain("乙", "2024-01").indicators}
    assert lines["loss"].attainment is None and lines["loss"].contribution is None
    assert lines["tasks"].inputs == {"done": 0.0, "planned": 0.0} and lines["tasks"].points is None


def test_explain_of_unknown_rows_says_what_exists(card: fs.Scorecard) -> None:
    with pytest.raises(fs.DataError, match="no row for entity '丙'"):
        card.explain("丙")
    with pytest.raises(fs.PeriodError, match=r"has no row for period '2024-03' \(its periods: 2024-01, 2024-02\)"):
        card.explain("甲", "2024-03")


def test_records_columns_and_frame_agree(card: fs.Scorecard) -> None:
    records = card.to_records()
    columns = card.to_columns()
    assert list(records[0]) == ["entity", "period", "group", "total", "stars", "rank", "vetoes",
                                "dimensions", "indicators", "adjustments", "imputed"]
    assert [r["total"] for r in records] == columns["total"].tolist()
    assert [r["vetoes"] for r in records] == [[], [], [], ["safety"]]
    assert columns["vetoes.safety"].tolist() == [False, False, False, True]
    pd = pytest.importorskip("pandas")
    frame = card.to_pandas()
    assert len(frame) == 4 and frame["vetoes"].tolist() == [[], [], [], ["safety"]]
    flat = pd.json_normalize(records)
    for name in ("total", "dimensions.perf", "indicators.red", "adjustments.viol"):
        assert frame[name].tolist() == pytest.approx(flat[name].astype(float).tolist(), nan_ok=True)


def test_provenance_is_stable_and_changes_with_the_data(card: fs.Scorecard) -> None:
    record = card.to_records(provenance=True)[0]["provenance"]
    assert record["ruleset"] == "card" and len(record["rules_digest"]) == 64
    assert record["evaluators"] == {"per_event": "module fortress_score.evaluators.per_event",
                                    "ratio": "module fortress_score.evaluators.ratio",
                                    "target": "module fortress_score.evaluators.target",
                                    "threshold": "module fortress_score.evaluators.threshold"}
    again = fs.score(RULES, {k: list(v) for k, v in DATA.items()})
    assert again.data_digest == card.data_digest and again.provenance == card.provenance
    changed = dict(DATA, loss=[2.5, None, 3.0, 2.01])
    assert fs.score(RULES, changed).data_digest != card.data_digest


def test_repr_summarises(card: fs.Scorecard) -> None:
    assert repr(card) == "<Scorecard card: 4 rows, 2 entities, 2 periods>"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(1.0, 5.0), st.integers(0, 16), st.integers(0, 10), st.integers(0, 10),
                          st.integers(0, 8)), min_size=1, max_size=8))
def test_contributions_add_up_to_the_total_before_adjustments(rows: list[tuple[float, int, int, int, int]]) -> None:
    data = {"branch": [f"b{i}" for i in range(len(rows))], "month": ["2024-01"] * len(rows),
            "loss": [r[0] for r in rows], "on_list": [r[1] for r in rows], "kpis": [16] * len(rows),
            "done": [min(r[2], r[3]) for r in rows], "planned": [r[3] for r in rows],
            "viol": [r[4] for r in rows], "safety": [0] * len(rows)}
    card = fs.score(RULES, data)
    for i in range(len(rows)):
        why = card.explain(f"b{i}")
        contributions = sum(line.contribution or 0.0 for line in why.indicators)
        before_adjustments = card.figures.base_total[i]
        assert contributions == pytest.approx(before_adjustments, abs=0.005 * len(why.indicators))
        expected_total = min(max(before_adjustments + sum(why.adjustments.values()), 0), 100)
        assert why.total == pytest.approx(expected_total, abs=0.011)
        assert np.isfinite(card.figures.total[i])


def test_explain_says_when_the_total_was_clamped() -> None:
    bonus = [{"id": "honours", "kind": "bonus", "cap": 5,
              "evaluate": {"kind": "per_event", "input": "viol", "each": 5}}]
    rules = dict(RULES, adjustments=bonus, vetoes=[])
    data = dict(DATA, loss=[2.0] * 4, on_list=[16] * 4, done=[10, 10, 10, 8], planned=[10] * 4)
    card = fs.score(rules, data)
    clamped = card.explain("甲", "2024-01")     # 100 + 5 -> 100
    assert (clamped.total, clamped.unclamped_total) == (100.0, 105.0)
    assert "give 105; clamped to [0, 100]" in str(clamped)
    assert card.explain("乙", "2024-02").unclamped_total is None   # 88, nothing clamped


def test_data_digest_is_the_same_for_every_shape_of_the_same_data() -> None:
    records = [dict(zip(DATA, row)) for row in zip(*DATA.values())]
    digests = {fs.score(RULES, DATA).data_digest, fs.score(RULES, records).data_digest}
    pd = pytest.importorskip("pandas")
    digests.add(fs.score(RULES, pd.DataFrame(DATA)).data_digest)
    assert len(digests) == 1


def test_explain_knows_a_total_veto_blocks_the_next_star() -> None:
    vetoes = [{"id": "discipline", "title": "严重违纪", "when": {"kind": "threshold", "input": "safety", "op": ">", "value": 0},
               "effect": {"total": 0}}]
    card = fs.score(dict(RULES, vetoes=vetoes), DATA)
    why = card.explain("乙", "2024-02")
    assert why.total == 0.0 and why.next_star is None
    assert why.next_star_note == "total held at 0 by veto 'discipline'"
    assert why.total_held_by_veto and "held by a veto" in str(why)


def test_latest_period_is_by_value_for_numeric_periods() -> None:
    rules = dict(RULES, vetoes=[])
    months = list(range(1, 13))
    data = {k: [v[0]] * 12 for k, v in DATA.items()} | {"branch": ["甲"] * 12, "month": months,
                                                         "loss": [2.0 + m / 10 for m in months]}
    card = fs.score(rules, data)
    assert card.periods() == months
    assert card.explain("甲").period == 12            # not 9, as text order would give
    assert card.explain("甲", 3.0).period == 3         # numbers match by value
    text = fs.score(rules, DATA)
    assert text.periods() == ["2024-01", "2024-02"]


def test_explain_gives_dimension_contributions_and_why_vetoes_fired(card: fs.Scorecard) -> None:
    why = card.explain("甲", "2024-01")
    # perf 77.08 x 0.4 = 30.83 ; team 90 x 0.6 = 54 ; together the base total 84.83
    assert why.dimension_contributions == {"perf": 30.83, "team": 54.0}
    assert sum(why.dimension_contributions.values()) == pytest.approx(
        sum(line.contribution for line in why.indicators), abs=0.01)
    vetoed = card.explain("乙", "2024-02")
    assert vetoed.veto_reasons == {"safety": "safety = 1 > 0"}
    assert "veto safety (安全事件): fired because safety = 1 > 0" in str(vetoed)


def test_notebook_views(card: fs.Scorecard) -> None:
    page = card._repr_html_()
    assert page.startswith("<div>") and "测试细则 · 2024-02" in page
    first_row = page.split("<tbody><tr>")[1].split("</tr>")[0]
    assert f"<td>{card.leaderboard(period='2024-02')[0]['entity']}</td>" in first_row
    why = card.explain("甲", "2024-01")
    assert repr(why) == "<Explanation 甲 · 2024-01: total 82.83, stars 4, rank 1, 3 indicators>"
    page = why._repr_html_()
    assert "<td>loss 综合线损率</td>" in page and "<p>total: 82.83 of 100" in page
    change = card.what_if("甲", "2024-01", changes={"loss": 2.0})
    assert repr(change).startswith("<WhatIf 甲 {'loss': 2.0}: total 82.83 -> ")


def test_to_polars_matches_to_pandas(card: fs.Scorecard) -> None:
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    polars_frame = card.to_polars()
    pandas_frame = card.to_pandas()
    assert isinstance(polars_frame, pl.DataFrame)
    assert polars_frame.columns == list(pandas_frame.columns)
    assert polars_frame["vetoes"].to_list() == pandas_frame["vetoes"].tolist()
    assert polars_frame["dimensions.perf"].to_list() == pytest.approx(
        pandas_frame["dimensions.perf"].tolist(), nan_ok=True)
    assert polars_frame["indicators.loss"].null_count() == 1  # 乙's January: no line loss
    assert pd is not None
