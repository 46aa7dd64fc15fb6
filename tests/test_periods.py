"""Periods, roll-ups, trends and the benchmark title: hand-computed examples."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import fortress_score as fs
from fortress_score.periods import parse_periods, period_label, read_label

RULES: dict[str, Any] = {
    "ruleset": "periods", "entity": "branch", "period": "month", "group_by": "kind",
    "dimensions": [
        {"id": "perf", "weight": 1, "indicators": [
            {"id": "x", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 100, "floor": 0}}]},
        {"id": "team", "weight": 1, "indicators": [
            {"id": "y", "points": 10, "evaluate": {"kind": "target", "input": "y", "target": 100, "floor": 0}}]},
    ],
    "adjustments": [{"id": "v", "kind": "deduction", "cap": 10,
                     "evaluate": {"kind": "per_event", "input": "v", "each": 5}}],
    "vetoes": [{"id": "safety", "when": {"kind": "threshold", "input": "s", "op": ">", "value": 0},
                "effect": {"max_stars": 2, "no_benchmark": True}}],
    "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}, {"stars": 3, "min": 70},
                {"stars": 2, "min": 60}],
    "benchmark": {"stars": 5, "consecutive": 3, "title": "标杆党支部"},
}


def rows(entity: str, months: list[str], x: list[float | None], y: list[float], v: list[int] | None = None,
         s: list[int] | None = None, kind: str = "k") -> dict[str, list[Any]]:
    n = len(months)
    return {"branch": [entity] * n, "month": months, "kind": [kind] * n, "x": x, "y": y,
            "v": v or [0] * n, "s": s or [0] * n}


def join(*parts: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: [v for part in parts for v in part[k]] for k in parts[0]}


def test_period_labels_parse_to_consecutive_ordinals() -> None:
    values = np.array(["2024-12", "2025-01", "2024-Q4", "2025-Q1", "2024", "2025"], dtype=object)
    index = parse_periods(values, lambda mask: ())
    assert index.granularity.tolist() == [2, 2, 1, 1, 0, 0]
    assert np.diff(index.ordinal).tolist()[::2] == [1, 1, 1]
    assert [period_label(g, o) for g, o in zip(index.granularity, index.ordinal)] == values.tolist()
    assert index.coarsened("year").tolist() == [2024, 2025, 2024, 2025, 2024, 2025]


def test_bad_period_labels_name_the_rows() -> None:
    # 2024/03 is a way to write March; 2024-13 is no month: a column mixing periods with
    # labels that are not periods is refused when the data is read
    with pytest.raises(fs.DataError) as info:  # with every other problem of the data
        fs.score(RULES, rows("A", ["2024-01", "2024-13", "2024/03"], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]))
    problem = info.value.problems[0]
    assert problem.column == "month" and "'2024-13'" in problem.message
    assert problem.rows == ("row 1 (branch=A, month=2024-13)",)
    free = fs.score(RULES, rows("A", ["H1", "H2"], [1.0, 2.0], [1.0, 2.0]))  # no periods at all
    with pytest.raises(fs.PeriodError) as info:
        free.roll_up("quarter")
    assert info.value.problems[0].rows == ("row 0 (branch=A, month=H1)", "row 1 (branch=A, month=H2)")


def test_quarter_roll_up_is_the_mean_of_the_months_then_decided_afresh() -> None:
    data = join(rows("A", ["2024-01", "2024-02", "2024-03", "2024-04"], [60, 90, 100, 80], [100, 90, 80, 80],
                     v=[0, 1, 0, 0]),
                rows("B", ["2024-01", "2024-02", "2024-03"], [None, 50, 80], [70, 80, 90], s=[0, 1, 0]))
    quarter = fs.score(RULES, data).roll_up("quarter")
    records = {(r["entity"], r["period"]): r for r in quarter.to_records()}
    a = records[("A", "2024-Q1")]
    # monthly totals: (60+100)/2 = 80 ; (90+90)/2 - 5 = 85 ; (100+80)/2 = 90 -> mean 85
    assert a["total"] == 85.0 and a["stars"] == 4
    assert a["dimensions"] == {"perf": 83.33, "team": 90.0}  # (60+90+100)/3, (100+90+80)/3
    assert a["indicators"] == {"x": 8.33, "y": 9.0}
    assert a["adjustments"] == {"v": -1.67}                   # (0 - 5 + 0) / 3
    b = records[("B", "2024-Q1")]
    # months: 70 (x n/a) ; (50+80)/2 = 65 ; (80+90)/2 = 85 -> mean 73.33 ; x over its 2 months: 65
    assert b["total"] == 73.33 and b["dimensions"]["perf"] == 65.0
    assert b["vetoes"] == ["safety"] and b["stars"] == 2        # 3 stars capped by February's veto
    assert (a["rank"], b["rank"]) == (1, 2)
    assert records[("A", "2024-Q2")]["total"] == 80.0
    assert quarter.sub_periods.tolist() == [3, 1, 3]
    dropped = fs.score(RULES, data).roll_up("quarter", incomplete="drop")
    assert [(r["entity"], r["period"]) for r in dropped.to_records()] == [("A", "2024-Q1"), ("B", "2024-Q1")]


def test_year_roll_up_of_quarters_and_of_months_agree_when_complete() -> None:
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    x = [50.0 + 4 * m for m in range(12)]
    card = fs.score(RULES, rows("A", months, x, [90.0] * 12))
    year = card.roll_up("year").to_records()[0]
    # totals (x + 90)/2 ; mean x = 50 + 4*5.5 = 72 -> (72 + 90) / 2 = 81
    assert (year["period"], year["total"], year["stars"]) == ("2024", 81.0, 4)
    with pytest.raises(fs.PeriodError, match="already a roll-up"):  # quarters would weigh alike
        card.roll_up("quarter").roll_up("year")


def test_rolled_up_explanations_still_add_up() -> None:
    data = rows("A", ["2024-01", "2024-02", "2024-03"], [60, None, 100], [100, 90, 80], v=[0, 1, 0])
    quarter = fs.score(RULES, data).roll_up("quarter")
    why = quarter.explain("A")
    contributions = sum(line.contribution or 0 for line in why.indicators)
    # months: 80 ; 90 (x n/a) - 5 ; 90 -> base totals 80, 90, 90 -> mean 86.67
    assert contributions == pytest.approx(86.67, abs=0.01)
    assert why.total == pytest.approx(86.67 - 5 / 3, abs=0.01)


def test_roll_up_refuses_what_it_cannot_do() -> None:
    card = fs.score(RULES, rows("A", ["2024", "2024-Q1"], [1.0, 2.0], [1.0, 2.0]))
    with pytest.raises(fs.PeriodError, match="mixes"):
        card.roll_up("year")
    card = fs.score(RULES, rows("A", ["2024-Q1"], [1.0], [1.0]))
    with pytest.raises(fs.PeriodError, match="cannot roll quarter rows up to month"):
        card.roll_up("month")
    with pytest.raises(fs.PeriodError, match="cannot roll quarter rows up to quarter"):
        card.roll_up("quarter")
    with pytest.raises(fs.PeriodError, match="one of"):
        card.roll_up("week")  # type: ignore[arg-type]


def test_trend_against_the_previous_period_present() -> None:
    data = rows("A", ["2024-01", "2024-02", "2024-04"], [80, 100, 60], [80, 100, 60])
    trend = fs.score(RULES, data).trend()
    assert [(t["period"], t["previous_period"], t["total_change"], t["stars_change"]) for t in trend] == [
        ("2024-01", None, None, None), ("2024-02", "2024-01", 20.0, 1), ("2024-04", "2024-02", -40.0, -3)]


def test_benchmark_needs_consecutive_five_star_periods_without_a_barring_veto() -> None:
    months = [f"2024-{m:02d}" for m in range(1, 9)]
    good = [95.0] * 8
    a = rows("A", months, good, good)                                   # a clean run of 8
    b = rows("B", months, good, good, s=[0, 0, 0, 1, 0, 0, 0, 0])        # April vetoed
    gap = rows("C", ["2024-01", "2024-02", "2024-04", "2024-05", "2024-06"], [95.0] * 5, [95.0] * 5)
    titles = fs.score(RULES, join(a, b, gap)).benchmarks()
    held = {(t["entity"], t["period"]): t["consecutive"] for t in titles}
    assert [p for e, p in held if e == "A"] == months[2:]
    assert held[("A", "2024-08")] == 8
    assert [p for e, p in held if e == "B"] == ["2024-03", "2024-07", "2024-08"]   # the veto breaks the run
    assert [p for e, p in held if e == "C"] == ["2024-06"]                          # March missing breaks it
    assert all(t["title"] == "标杆党支部" for t in titles)


def test_benchmarks_on_rolled_up_quarters() -> None:
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    card = fs.score(RULES, rows("A", months, [95.0] * 12, [95.0] * 12))
    assert [t["period"] for t in card.roll_up("quarter").benchmarks()] == ["2024-Q3", "2024-Q4"]


def test_commendations_first_five_stars_biggest_rise_and_full_attainment() -> None:
    rules = dict(RULES, commendations=[
        {"id": "first5", "title": "首次五星", "kind": "first_stars", "stars": 5},
        {"id": "riser", "title": "进步最大", "kind": "biggest_rise", "top": 1},
        {"id": "full_x", "title": "满分", "kind": "full_attainment", "indicator": "x"},
    ])
    data = join(rows("A", ["2024-01", "2024-02", "2024-03"], [80, 95, 100], [80, 95, 90]),
                rows("B", ["2024-01", "2024-02", "2024-03"], [60, 70, 95], [60, 70, 95]))
    card = fs.score(rules, data)
    earned = [(c["id"], c["entity"], c["period"], c["reason"]) for c in card.commendations()]
    # A: 80, 95 (first 5 stars), 95 ; B: 60, 70, 95 (first 5 stars). Rises: Feb A +15 > B +10;
    # Mar B +25 > A +0. Full x: A in March (100).
    assert earned == [
        ("first5", "A", "2024-02", "first time at 5 stars"),
        ("first5", "B", "2024-03", "first time at 5 stars"),
        ("riser", "A", "2024-02", "total rose by 15 points since 2024-01"),
        ("riser", "B", "2024-03", "total rose by 25 points since 2024-02"),
        ("full_x", "A", "2024-03", "full attainment on x"),
    ]
    assert [c["id"] for c in card.commendations("2024-03")] == ["first5", "riser", "full_x"]


def test_commendations_are_checked_against_the_rules() -> None:
    rules = dict(RULES, commendations=[{"id": "x", "kind": "full_attainment", "indicator": "xx"},
                                       {"id": "c2", "kind": "first_stars"},
                                       {"id": "c3", "kind": "first_stars", "stars": 1}])
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(rules)
    messages = {p.path: p.message for p in info.value.problems}
    assert "already used by dimensions[0].indicators[0]" in messages["commendations[0].id"]
    assert "did you mean 'x'" in messages["commendations[0].indicator"]
    assert "needs 'stars'" in messages["commendations[1]"]
    assert "rated stars" in messages["commendations[2].stars"]


def test_rolled_up_explanations_sum_by_dimension_and_skip_months_without_a_total() -> None:
    data = join(rows("A", ["2024-01", "2024-02", "2024-03"], [60, 90, 90], [None, 90, 60], s=[3, 0, 0]),
                rows("B", ["2024-01", "2024-02"], [None, 50], [None, 50]))
    quarter = fs.score(RULES, data).roll_up("quarter")
    a = quarter.explain("A")
    # months: 60 (team n/a, perf alone) ; 90 ; 75 -> mean 75 ; x adds (60 + 45 + 45)/3 = 50, y (0+45+30)/3 = 25
    assert a.dimension_contributions == {"perf": 50.0, "team": 25.0}
    assert a.total == 75.0
    assert a.veto_reasons == {"safety": "fired in 1 of 3 sub-periods"}
    b = quarter.explain("B")
    # January has no total: the quarter is February's 50, and its lines add up to it
    assert b.total == 50.0
    assert sum(line.contribution or 0 for line in b.indicators) == pytest.approx(50.0)


def test_commendations_and_titles_refuse_an_unknown_period() -> None:
    rules = dict(RULES, commendations=[{"id": "r", "kind": "biggest_rise"}])
    card = fs.score(rules, rows("A", ["2024-01", "2024-02"], [60, 90], [60, 90]))
    with pytest.raises(fs.PeriodError):
        card.commendations("2099-01")
    assert [c["period"] for c in card.commendations("2024-02")] == ["2024-02"]


CHINESE_MONTHS = [f"2024年{m}月" for m in range(1, 13)]


@pytest.mark.parametrize("written", [
    CHINESE_MONTHS, [f"2024/{m}" for m in range(1, 13)], [f"2024.{m:02d}" for m in range(1, 13)],
    [f"２０２４-{m:02d}" for m in range(1, 13)], [f"2024-{m}" for m in range(1, 13)],
])
def test_months_written_as_offices_write_them_are_one_period_each_in_time_order(
        written: list[str]) -> None:
    card = fs.score(RULES, rows("A", written, [50.0] * 12, [50.0] * 12))
    canonical = [f"2024-{m:02d}" for m in range(1, 13)]
    assert card.periods() == canonical  # time order: December is the latest, not September
    assert card.explain("A").period == "2024-12"
    assert [r["period"] for r in card.to_records()] == canonical
    assert card.explain("A", period=written[2]).period == "2024-03"  # asked as written
    assert [r["period"] for r in card.roll_up("quarter").to_records()] == [
        "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]


def test_one_month_written_two_ways_is_one_period() -> None:
    with pytest.raises(fs.DataError, match="must appear once"):
        fs.score(RULES, rows("A", ["２０２４-03", "2024-03"], [1.0, 2.0], [1.0, 2.0]))


def test_quarters_and_years_in_chinese() -> None:
    assert [read_label(t) for t in ("2024年第三季度", "2024Q3", "2024年3季度")] == [(1, 8098)] * 3
    assert read_label("2024年") == read_label("2024") == (0, 2024)
    assert read_label("2024年13月") is None and read_label("上半年") is None


def test_free_labels_group_rows_and_keep_their_first_order() -> None:
    card = fs.score(RULES, join(rows("A", ["第二期", "第一期"], [1.0, 2.0], [1.0, 2.0]),
                                rows("B", ["第一期", "第二期"], [1.0, 2.0], [1.0, 2.0])))
    assert card.periods() == ["第二期", "第一期"]  # as they first appear, never as text
    assert card.explain("A").period == "第一期"


def test_numbers_stay_numbers_and_order_by_value() -> None:
    card = fs.score(RULES, rows("A", [202410, 202409], [1.0, 2.0], [1.0, 2.0]))  # type: ignore[list-item]
    assert card.periods() == [202409, 202410]
    assert card.explain("A", period="202409").period == 202409


@pytest.mark.parametrize(("written", "month"), [
    ("2024-3月", "2024-03"), ("24年3月", "2024-03"), ("2024 年 3 月", "2024-03"),
    ("2024M03", "2024-03"), ("Mar 2024", "2024-03"), ("2024/3/15", "2024-03"),
    ("2024年3月15日", "2024-03"), ("2024-01-01 00:00:00+08:00", "2024-01"),
    ("24年第2季度", "2024-Q2"), ("24年", "2024"),
])
def test_more_ways_offices_write_a_period(written: str, month: str) -> None:
    found = read_label(written)
    assert found is not None and period_label(*found) == month


@pytest.mark.parametrize("written", ["2024-02-30", "2024-03-32", "2024.1", "2024-13", "13月"])
def test_what_is_no_period(written: str) -> None:
    assert read_label(written) is None  # 2024.1 may be October as Excel writes it


def test_a_date_asks_for_its_month() -> None:
    import datetime

    card = fs.score(RULES, rows("A", ["2024年1月", "2024年2月"], [1.0, 2.0], [1.0, 2.0]))
    assert card.explain("A", period=datetime.date(2024, 1, 20)).period == "2024-01"
