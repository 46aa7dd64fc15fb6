"""Titles that are held: each state of the README's rules on hand-made sequences of stars.

The rule set turns an input straight into stars (ratings at 10, 20, … 50 on a total that
is the input), so a sequence of stars is written as data; ``s`` marks a safety veto."""

from __future__ import annotations

from typing import Any

import pytest

import fortress_score as fs

TITLE = {"id": "five_star", "title": "五星党支部", "stars": 5, "award_after": 2, "keep_at": 4,
         "grace": 1, "revoke_on": ["safety"], "review_every": 6}


def _card(sequences: dict[str, list[Any]], **title: Any) -> fs.Scorecard:
    rules = {"ruleset": "t", "entity": "unit", "period": "month", "dimensions": [
        {"id": "d", "weight": 1, "indicators": [{"id": "k", "points": 1, "evaluate": {
            "kind": "target", "input": "x", "target": 100, "floor": 0}}]}],
        "vetoes": [{"id": "safety", "title": "安全事件", "effect": {"no_benchmark": True},
                    "when": {"kind": "threshold", "input": "e", "op": ">", "value": 0}},
                   {"id": "other", "effect": {"no_benchmark": True},
                    "when": {"kind": "threshold", "input": "o", "op": ">", "value": 0}}],
        "ratings": [{"stars": s, "min": 10 * s} for s in range(1, 6)],
        "titles": [{**TITLE, **title}]}
    rows: dict[str, list[Any]] = {"unit": [], "month": [], "x": [], "e": [], "o": []}
    for unit, seq in sequences.items():
        for m, mark in enumerate(seq):
            if mark is None:  # a gap: no row that month
                continue
            stars = int(str(mark).rstrip("so"))
            rows["unit"].append(unit)
            rows["month"].append(f"2024-{m + 1:02d}")
            rows["x"].append(10.0 * stars + 5)
            rows["e"].append(1 if "s" in str(mark) else 0)
            rows["o"].append(1 if "o" in str(mark) else 0)
    return fs.score(rules, rows)


def _states(card: fs.Scorecard, unit: str) -> dict[str, str]:
    return {r["period"]: r["state"] for r in card.titles() if r["entity"] == unit}


def test_award_hold_probation_and_recovery() -> None:
    card = _card({"A": [5, 5, 5, 4, 5, 3]})
    assert _states(card, "A") == {"2024-02": "awarded", "2024-03": "held",
                                  "2024-04": "probation", "2024-05": "held",
                                  "2024-06": "revoked"}  # 3 stars: below keep_at
    reasons = {r["period"]: r["reason"] for r in card.titles()}
    assert reasons["2024-02"] == "连续2期达到5星，授予"
    assert reasons["2024-04"] == "本期4星，低于5星、不低于4星：观察期第1期（最多1期）"
    assert reasons["2024-06"] == "本期3星，低于保留线4星，撤销"


def test_grace_exceeded_and_awarded_again_only_after_new_periods() -> None:
    card = _card({"B": [5, 5, 4, 4, 5, 5, 5]})
    # the second period in a row at 4 stars is over the grace of 1; then 2 new periods
    assert _states(card, "B") == {"2024-02": "awarded", "2024-03": "probation",
                                  "2024-04": "revoked", "2024-06": "awarded",
                                  "2024-07": "held"}
    assert "超过观察期1期" in [r["reason"] for r in card.titles()][2]


def test_a_revoking_veto_revokes_at_once_and_does_not_count() -> None:
    card = _card({"C": [5, 5, "5s", 5, 5], "D": [5, 5, "5o", 5]})
    assert _states(card, "C") == {"2024-02": "awarded", "2024-03": "revoked",
                                  "2024-05": "awarded"}
    assert [r["reason"] for r in card.titles() if r["entity"] == "C"][1] == "一票否决：安全事件，撤销"
    # a veto not listed in revoke_on does not revoke (stars uncapped here): held
    assert _states(card, "D")["2024-03"] == "held"


def test_a_gap_revokes_and_the_count_starts_again() -> None:
    card = _card({"E": [5, 5, 5, None, 5, 5, 5], "F": [5, None, 5, 5]})
    # the period after the gap revokes and does not count: 2024-06 is the first new
    # qualifying period, 2024-07 the second
    assert _states(card, "E") == {"2024-02": "awarded", "2024-03": "held",
                                  "2024-05": "revoked", "2024-07": "awarded"}
    reasons = {r["period"]: r["reason"] for r in card.titles() if r["entity"] == "E"}
    assert reasons["2024-05"] == "考核期中断（缺少上一期），撤销"
    # not held: a gap only restarts the count (2024-03 is 1, 2024-04 is 2)
    assert _states(card, "F") == {"2024-04": "awarded"}


def test_reviews_every_six_periods_since_the_award() -> None:
    # awarded 2024-02; the review is 6 periods later, 2024-08: the last 2 periods at 5
    passed = _card({"F": [5, 5, 5, 5, 4, 5, 5, 5, 5]})
    assert _states(passed, "F")["2024-08"] == "recertified"
    assert _states(passed, "F")["2024-06"] == "held" and _states(passed, "F")["2024-07"] == "held"
    failed = _card({"G": [5, 5, 5, 5, 5, 5, 4, 5, 5]})
    states = _states(failed, "G")
    assert states["2024-07"] == "probation"
    assert states["2024-08"] == "revoked"  # 2024-07 was below: the last 2 not all at 5
    assert [r["reason"] for r in failed.titles() if r["period"] == "2024-08"] == [
        "复审未通过：最近2期未均达到5星，撤销"]


def test_without_probation_or_reviews() -> None:
    card = _card({"H": [5, 4, 5, 5, 5]}, keep_at=None, grace=0, review_every=None,
                 award_after=1)
    assert _states(card, "H") == {"2024-01": "awarded", "2024-02": "revoked",
                                  "2024-03": "awarded", "2024-04": "held", "2024-05": "held"}


def test_rule_file_checks() -> None:
    with pytest.raises(fs.RuleFileError, match="keep_at must not be above stars"):
        _card({"A": [5]}, keep_at=6)
    with pytest.raises(fs.RuleFileError, match="must be a veto id"):
        _card({"A": [5]}, revoke_on=["safty"])
    with pytest.raises(fs.RuleFileError, match="rated stars"):
        _card({"A": [5]}, stars=6)


def test_titles_survive_the_rules_workbook(tmp_path: Any) -> None:
    from fortress_score.rules.sheet import export_rules, import_rules

    rules = _card({"A": [5]}).rules
    export_rules(rules, tmp_path / "r.xlsx")
    back = import_rules(tmp_path / "r.xlsx")
    assert back.digest == rules.digest and back.titles == rules.titles


def test_titles_held_at_the_end_of_each_quarter_and_year() -> None:
    card = _card({"A": [5, 5, 5, 4, 5, 3], "B": [5, 5, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5],
                  "C": [5, 5, 5, 5, None, None]})
    quarters = [(r["entity"], r["period"], r["state"], r["as_of"]) for r in card.titles(at="quarter")]
    # A: held at the end of Q1 (2024-03), revoked in June; B: on probation at the end of Q1
    # (its last month), held after (recertified in August, 6 periods after the award);
    # C: held at the end of Q1, and Q2 ends at its last month present, April, still held
    assert quarters == [("A", "2024-Q1", "held", "2024-03"),
                        ("B", "2024-Q1", "probation", "2024-03"),
                        ("B", "2024-Q2", "held", "2024-06"),
                        ("B", "2024-Q3", "held", "2024-09"),
                        ("B", "2024-Q4", "held", "2024-12"),  # reviewed in August
                        ("C", "2024-Q1", "held", "2024-03"),
                        ("C", "2024-Q2", "held", "2024-04")]
    years = [(r["entity"], r["period"]) for r in card.titles(at="year")]
    assert years == [("B", "2024"), ("C", "2024")]
    with pytest.raises(fs.PeriodError, match="decided period by period"):
        card.roll_up("quarter").titles()


def test_the_printed_board_shows_the_titles_held(capsys: Any, tmp_path: Any) -> None:
    import yaml

    from fortress_score.cli import main

    card = _card({"A": [5, 5, 4], "B": [5, 5, 3]})
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(card.rules.model_dump(mode="json"), allow_unicode=True),
                     encoding="utf-8")
    data = tmp_path / "data.csv"
    columns = card.table.columns
    lines = ["unit,month,x,e,o"] + [
        f"{u},{m},{x:g},{e:g},{o:g}" for u, m, x, e, o in zip(
            card.table.entity, card.table.period, columns["x"], columns["e"], columns["o"])]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["score", str(rules), str(data), "--period", "2024-03"]) == 0
    out = capsys.readouterr().out
    assert "称号 titles" in out
    row_a = next(line for line in out.splitlines() if "│ A " in line or "│ A│" in line)
    row_b = next(line for line in out.splitlines() if "│ B " in line or "│ B│" in line)
    assert "五星党支部（观察期）" in row_a  # 4 stars in March: probation
    assert "五星党支部" not in row_b  # 3 stars in March: revoked
