"""Boards: the leaderboard and the red and black lists, checked against hand-computed orders."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

import fortress_score as fs
from fortress_score.analysis.boards import black_list, leaderboard, red_list
from fortress_score import read_data

ROOT = Path(__file__).parents[2]

# Two equally weighted dimensions of one indicator each, so every figure is easy by hand:
# work = 100 * done/planned, voice = 100 * on_list/kpis, total = (work + voice) / 2
# (renormalised to the one that applies when the other does not).
RULES: dict[str, Any] = {
    "ruleset": "boards", "entity": "branch", "period": "month", "group_by": "cat",
    "dimensions": [
        {"id": "work", "weight": 1, "indicators": [
            {"id": "tasks", "points": 10,
             "evaluate": {"kind": "ratio", "numerator": "done", "denominator": "planned"}}]},
        {"id": "voice", "weight": 1, "indicators": [
            {"id": "kpi", "points": 20,
             "evaluate": {"kind": "ratio", "numerator": "on_list", "denominator": "kpis"}}]},
    ],
    "adjustments": [{"id": "viol", "kind": "deduction", "cap": 10,
                     "evaluate": {"kind": "per_event", "input": "viol", "each": 2}}],
    "vetoes": [{"id": "safety", "when": {"kind": "threshold", "input": "incidents", "op": ">",
                                         "value": 0}, "effect": {"max_stars": 2}}],
    "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}, {"stars": 3, "min": 70}],
}

# Rows deliberately not in entity order, so that ties ordered by entity are a real test.
#   2024-01  work   voice   total        rank (within cat)   kpi points  kpi attainment
#   B 部门    75     100     87.5         1                   20          1.0
#   E 县区    --     93.75   93.75        1                   18.75       0.9375
#   D 部门    100    50      75 (veto)    2                   10          0.5
#   C 县区    50     81.25   65.625→65.63 3                   16.25       0.8125 (13 of 16)
#   A 县区    100    75      87.5         2                   15          0.75
#   2024-02
#   C 县区    100    50      75           1                   10          0.5
#   B 部门    50     50      50           1                   10          0.5
#   A 县区    100    100     100          -> place 1          20          1.0
#   F 直属    --     --      (none)       -                   --          --
DATA: dict[str, list[Any]] = {
    "branch":    ["B", "E", "D", "C", "A", "C", "B", "A", "F"],
    "month":     ["2024-01"] * 5 + ["2024-02"] * 4,
    "cat":       ["部门", "县区", "部门", "县区", "县区", "县区", "部门", "县区", "直属"],
    "done":      [6, 0, 8, 4, 8, 8, 4, 8, 0],
    "planned":   [8, 0, 8, 8, 8, 8, 8, 8, 0],
    "on_list":   [16, 15, 8, 13, 12, 8, 8, 16, 0],
    "kpis":      [16, 16, 16, 16, 16, 16, 16, 16, 0],
    "viol":      [0] * 9,
    "incidents": [0, 0, 1, 0, 0, 0, 0, 0, 0],
}


@pytest.fixture(scope="module")
def card() -> fs.Scorecard:
    return fs.score(RULES, DATA)


def rows(board: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["period"], r["place"], r["entity"], r["value"]) for r in board]


# -- leaderboard -------------------------------------------------------------------------------


def test_leaderboard_by_total_of_one_period_ties_share_a_place_ordered_by_entity(
        card: fs.Scorecard) -> None:
    assert rows(leaderboard(card, period="2024-01")) == [
        ("2024-01", 1, "E", 93.75),
        ("2024-01", 2, "A", 87.5),   # A and B tie at 87.5: both 2nd, A before B
        ("2024-01", 2, "B", 87.5),
        ("2024-01", 4, "D", 75.0),
        ("2024-01", 5, "C", 65.63),  # 65.625 reported half up
    ]


def test_leaderboard_places_span_the_groups_while_rank_stays_the_cards(card: fs.Scorecard) -> None:
    board = {r["entity"]: r for r in leaderboard(card, period="2024-01")}
    # B is 1st of 部门 (the card's rank) but 2nd on the whole period's board
    assert (board["B"]["place"], board["B"]["rank"]) == (2, 1)
    assert (board["D"]["place"], board["D"]["rank"]) == (4, 2)


def test_leaderboard_of_every_period_places_each_period_on_its_own(card: fs.Scorecard) -> None:
    # F has no total (no dimension applies): left out, and takes no place
    assert rows(leaderboard(card)) == [
        ("2024-01", 1, "E", 93.75), ("2024-01", 2, "A", 87.5), ("2024-01", 2, "B", 87.5),
        ("2024-01", 4, "D", 75.0), ("2024-01", 5, "C", 65.63),
        ("2024-02", 1, "A", 100.0), ("2024-02", 2, "C", 75.0), ("2024-02", 3, "B", 50.0),
    ]


def test_leaderboard_of_one_group_places_equal_the_cards_ranks(card: fs.Scorecard) -> None:
    board = leaderboard(card, period="2024-01", group="县区")
    assert rows(board) == [("2024-01", 1, "E", 93.75), ("2024-01", 2, "A", 87.5),
                           ("2024-01", 3, "C", 65.63)]
    assert [r["place"] for r in board] == [r["rank"] for r in board]
    assert rows(leaderboard(card, group="部门")) == [
        ("2024-01", 1, "B", 87.5), ("2024-01", 2, "D", 75.0), ("2024-02", 1, "B", 50.0)]


def test_leaderboard_top_keeps_the_ties_at_the_cut(card: fs.Scorecard) -> None:
    # places 1, 2, 2: top=2 gives three rows; top=1 gives one
    assert [r["entity"] for r in leaderboard(card, period="2024-01", top=2)] == ["E", "A", "B"]
    assert [r["entity"] for r in leaderboard(card, period="2024-01", top=1)] == ["E"]
    assert [(r["period"], r["entity"]) for r in leaderboard(card, top=2)] == [
        ("2024-01", "E"), ("2024-01", "A"), ("2024-01", "B"), ("2024-02", "A"), ("2024-02", "C")]


def test_leaderboard_by_dimension_leaves_out_rows_it_does_not_apply_to(card: fs.Scorecard) -> None:
    # E has no work score (0 tasks planned): left out
    assert rows(leaderboard(card, period="2024-01", by="work")) == [
        ("2024-01", 1, "A", 100.0), ("2024-01", 1, "D", 100.0),
        ("2024-01", 3, "B", 75.0), ("2024-01", 4, "C", 50.0)]
    assert [r["entity"] for r in leaderboard(card, period="2024-01", by="work", top=1)] == ["A", "D"]


def test_leaderboard_by_indicator_ranks_its_points(card: fs.Scorecard) -> None:
    assert rows(leaderboard(card, period="2024-01", by="kpi")) == [
        ("2024-01", 1, "B", 20.0), ("2024-01", 2, "E", 18.75), ("2024-01", 3, "C", 16.25),
        ("2024-01", 4, "A", 15.0), ("2024-01", 5, "D", 10.0)]
    assert rows(leaderboard(card, period="2024-01", by="tasks")) == [
        ("2024-01", 1, "A", 10.0), ("2024-01", 1, "D", 10.0),
        ("2024-01", 3, "B", 7.5), ("2024-01", 4, "C", 5.0)]


def test_board_records_are_the_cards_records_plus_value_and_place(card: fs.Scorecard) -> None:
    records = {(r["entity"], r["period"]): r for r in card.to_records()}
    board = leaderboard(card)
    assert len(board) == len(card) - 1  # all but F
    for row in board:
        plain = {k: v for k, v in row.items() if k not in ("value", "place")}
        assert plain == records[(row["entity"], row["period"])]
        assert list(plain) == list(records[(row["entity"], row["period"])])
        assert isinstance(row["place"], int) and isinstance(row["value"], float)
    d = next(r for r in board if (r["entity"], r["period"]) == ("D", "2024-01"))
    assert d["vetoes"] == ["safety"] and d["stars"] == 2  # 75 is 3 stars, capped at 2


# -- red and black lists -----------------------------------------------------------------------


def test_red_list_ranks_attainment_and_reports_it(card: fs.Scorecard) -> None:
    assert rows(red_list(card, "kpi", period="2024-01")) == [
        ("2024-01", 1, "B", 1.0), ("2024-01", 2, "E", 0.9375), ("2024-01", 3, "C", 0.8125),
        ("2024-01", 4, "A", 0.75), ("2024-01", 5, "D", 0.5)]
    # every period, each placed on its own; F (0 KPIs) does not apply and is left out
    assert rows(red_list(card, "kpi"))[5:] == [
        ("2024-02", 1, "A", 1.0), ("2024-02", 2, "B", 0.5), ("2024-02", 2, "C", 0.5)]


def test_black_list_is_worst_first_with_ties_at_the_cut(card: fs.Scorecard) -> None:
    assert rows(black_list(card, "kpi", period="2024-02", top=1)) == [
        ("2024-02", 1, "B", 0.5), ("2024-02", 1, "C", 0.5)]
    assert rows(black_list(card, "kpi", period="2024-02")) == [
        ("2024-02", 1, "B", 0.5), ("2024-02", 1, "C", 0.5), ("2024-02", 3, "A", 1.0)]


# One indicator, attainment = x itself (target 1, floor 0); no period column.
LIST_RULES: dict[str, Any] = {
    "ruleset": "lists", "entity": "branch",
    "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "rate", "points": 10,
         "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}}]}],
}
LIST_DATA: dict[str, list[Any]] = {
    "branch": ["t", "q", "u", "s", "r", "p"],
    # s holds 0.30000000000000004: float noise that must not split its tie with t's 0.3
    "x": [0.3, 0.9, None, 0.1 + 0.2, 0.7, 0.9],
}


@pytest.fixture(scope="module")
def list_card() -> fs.Scorecard:
    return fs.score(LIST_RULES, LIST_DATA)


def test_red_list_ties_at_the_cut_are_kept(list_card: fs.Scorecard) -> None:
    assert rows(red_list(list_card, "rate")) == [
        (None, 1, "p", 0.9), (None, 1, "q", 0.9), (None, 3, "r", 0.7),
        (None, 4, "s", 0.3), (None, 4, "t", 0.3)]  # u does not apply: left out
    assert [r["entity"] for r in red_list(list_card, "rate", top=1)] == ["p", "q"]
    assert [r["entity"] for r in red_list(list_card, "rate", top=2)] == ["p", "q"]
    assert [r["entity"] for r in red_list(list_card, "rate", top=3)] == ["p", "q", "r"]
    assert [r["entity"] for r in red_list(list_card, "rate", top=4)] == ["p", "q", "r", "s", "t"]


def test_black_list_ties_at_the_cut_despite_float_noise(list_card: fs.Scorecard) -> None:
    assert list_card.figures.attainment[0][3] != list_card.figures.attainment[0][0]  # the noise
    assert rows(black_list(list_card, "rate", top=1)) == [(None, 1, "s", 0.3), (None, 1, "t", 0.3)]
    assert [r["entity"] for r in black_list(list_card, "rate", top=3)] == ["s", "t", "r"]


def test_min_and_max_attainment_keep_rows_at_or_beyond_the_bound(list_card: fs.Scorecard) -> None:
    assert [r["entity"] for r in red_list(list_card, "rate", min_attainment=0.7)] == ["p", "q", "r"]
    assert [r["entity"] for r in red_list(list_card, "rate", min_attainment=0.95)] == []
    # 0.30000000000000004 counts as 0.3, so it is at the bound, not above it
    assert [r["entity"] for r in black_list(list_card, "rate", max_attainment=0.3)] == ["s", "t"]
    assert rows(black_list(list_card, "rate", max_attainment=0.7, top=2)) == [
        (None, 1, "s", 0.3), (None, 1, "t", 0.3)]
    # places are those of the whole list: the bound only removes rows beyond it
    assert [r["place"] for r in red_list(list_card, "rate", min_attainment=0.5)] == [1, 1, 3]


def test_numeric_periods_match_by_value_or_text() -> None:
    rules = {**LIST_RULES, "period": "month"}
    card = fs.score(rules, {"branch": ["a", "b", "a"], "month": [202401, 202401, 202402],
                            "x": [0.5, 0.6, 0.1]})
    assert [r["entity"] for r in red_list(card, "rate", period=202401)] == ["b", "a"]
    assert [r["entity"] for r in red_list(card, "rate", period="202401")] == ["b", "a"]
    assert [(r["period"], r["entity"]) for r in leaderboard(card)] == [
        (202401, "b"), (202401, "a"), (202402, "a")]


# -- errors ------------------------------------------------------------------------------------


def test_unknown_by_names_what_a_board_can_rank_by(card: fs.Scorecard) -> None:
    with pytest.raises(fs.DataError) as caught:
        leaderboard(card, by="totl")
    assert "did you mean 'total'?" in str(caught.value)
    assert "work, voice" in str(caught.value) and "tasks, kpi" in str(caught.value)
    with pytest.raises(fs.DataError, match="did you mean 'kpi'"):
        leaderboard(card, by="kpis")
    with pytest.raises(fs.DataError, match="adjustments and vetoes are not ranked"):
        leaderboard(card, by="viol")


def test_unknown_indicator_names_the_indicators(card: fs.Scorecard) -> None:
    for board in (red_list, black_list):
        with pytest.raises(fs.DataError) as caught:
            board(card, "tsks")
        assert "did you mean 'tasks'?" in str(caught.value)
        assert "the indicators: tasks, kpi" in str(caught.value)
    with pytest.raises(fs.DataError, match="unknown indicator 'work'"):  # a dimension
        red_list(card, "work")


def test_unknown_period_is_a_period_error_naming_the_periods(card: fs.Scorecard) -> None:
    for call in (lambda: leaderboard(card, period="2024-03"),
                 lambda: red_list(card, "kpi", period="2024-3"),
                 lambda: black_list(card, "kpi", period="2024-03")):
        with pytest.raises(fs.PeriodError) as caught:
            call()
        assert caught.value.column == "month"
        assert "the periods: 2024-01, 2024-02" in str(caught.value)
    with pytest.raises(fs.PeriodError, match="no period column"):
        red_list(fs.score(LIST_RULES, LIST_DATA), "rate", period="2024-01")


def test_unknown_group_is_a_data_error_naming_the_groups(card: fs.Scorecard) -> None:
    with pytest.raises(fs.DataError) as caught:
        leaderboard(card, group="县")
    assert not isinstance(caught.value, fs.PeriodError)
    assert caught.value.column == "cat"
    assert "the groups: 县区, 直属, 部门" in str(caught.value)
    with pytest.raises(fs.DataError, match="no group_by column"):
        leaderboard(fs.score(LIST_RULES, LIST_DATA), group="县区")
    # a known group with no row in the period chosen is an empty board, not an error; so is
    # one whose rows have no total (F)
    assert leaderboard(card, period="2024-01", group="直属") == []
    assert leaderboard(card, period="2024-02", group="直属") == []


@pytest.mark.parametrize("top", [0, -1, 1.5, True, "3"])
def test_top_must_be_a_whole_number_of_at_least_one(card: fs.Scorecard, top: Any) -> None:
    with pytest.raises(fs.DataError, match="top must be a whole number"):
        leaderboard(card, top=top)
    with pytest.raises(fs.DataError, match="top must be a whole number"):
        red_list(card, "kpi", top=top)


def test_attainment_bounds_must_be_numbers(card: fs.Scorecard) -> None:
    with pytest.raises(fs.DataError, match="min_attainment must be a finite number"):
        red_list(card, "kpi", min_attainment="high")  # type: ignore[arg-type]
    with pytest.raises(fs.DataError, match="max_attainment must be a finite number"):
        black_list(card, "kpi", max_attainment=float("nan"))


# -- the seed pack -----------------------------------------------------------------------------


def test_seed_pack_red_list_holds_13_of_16_kpis_as_81_25_percent() -> None:
    rules = fs.load_rules(ROOT / "rules/three-dimensions.yaml")
    path = ROOT / "examples/branches-2024.csv"
    card = fs.score(rules, read_data(str(path), rules))
    with path.open(encoding="utf-8-sig") as handle:
        month = [row for row in csv.DictReader(handle) if row["month"] == "2024-04"]
    share = {row["branch"]: int(row["kpis_on_red_list"]) / int(row["kpis_total"]) for row in month}
    daxin = "大新供电分局党支部"
    assert (int(month[[r["branch"] for r in month].index(daxin)]["kpis_on_red_list"]),
            share[daxin]) == (13, 0.8125)

    board = red_list(card, "red_list_share", period="2024-04")
    entry = next(r for r in board if r["entity"] == daxin)
    assert entry["value"] == 0.8125
    assert entry["place"] == 1 + sum(s > share[daxin] for s in share.values())
    assert entry["indicators"]["red_list_share"] == 16.25  # 0.8125 of 20 points
    # the whole list, worked from the CSV: attainment descending, ties by name
    assert [(r["entity"], r["value"]) for r in board] == sorted(
        ((b, s) for b, s in share.items()), key=lambda item: (-item[1], item[0]))
    top = red_list(card, "red_list_share", period="2024-04", top=14)
    assert daxin in [r["entity"] for r in top] and len(top) > 14  # 8 tied at place 14


def test_numeric_entities_tie_in_numeric_order() -> None:
    rules = {"ruleset": "n", "entity": "unit", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "i", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 100, "floor": 0}}]}]}
    board = fs.score(rules, {"unit": [10, 9, 100], "x": [50.0] * 3}).leaderboard()
    assert [r["entity"] for r in board] == [9, 10, 100]
