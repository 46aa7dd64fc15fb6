"""`scoring.data_weights` and `weighting` by entropy or CRITIC: a set of weights a period,
checked against the weights module on each period's rows, and through explain, roll-ups,
the workbooks and the refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fortress_score as fs
from fortress_score.scoring.data_weights import period_weights
from fortress_score.weights import critic, entropy

METHODS = {"entropy": entropy, "critic": critic}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(METHODS)), st.integers(2, 4), st.integers(1, 4),
       st.integers(0, 2**16), st.floats(0, 0.3))
def test_a_period_s_weights_are_the_method_s_on_its_complete_rows(
        method: str, k: int, periods: int, seed: int, blanks: float) -> None:
    rng = np.random.default_rng(seed)
    rows = 6 * periods
    x = rng.uniform(0, 1, (rows, k)).round(2)
    x[rng.uniform(size=(rows, k)) < blanks] = np.nan
    codes = np.repeat(np.arange(periods), 6)
    got = period_weights(method, [x[:, j] for j in range(k)], codes, periods)
    for p in range(periods):
        mine = x[codes == p]
        complete = mine[~np.isnan(mine).any(axis=1)]
        try:
            expected = METHODS[method](complete)
        except fs.FortressScoreError:  # nothing to weigh by: equal shares (or among varying)
            assert got[p].sum() == pytest.approx(1.0)
            continue
        assert got[p] == pytest.approx(expected, abs=1e-12)


def test_nothing_to_weigh_by_shares_equally() -> None:
    codes = np.array([0, 1, 1, 2, 2])
    a = np.array([0.3, 0.5, 0.5, 0.1, 0.9])
    b = np.array([0.7, 0.2, 0.4, 0.2, 0.8])
    for method in METHODS:
        got = period_weights(method, [a, b], codes, 3)
        assert got[0].tolist() == [0.5, 0.5]  # one row
        # period 1: a is constant (weight 0); b varies
        assert got[1].tolist() == [0.0, 1.0]
    # period 2 under CRITIC: two perfectly correlated columns, ΣC = 0: equal among them
    assert period_weights("critic", [a, b], codes, 3)[2].tolist() == [0.5, 0.5]


def _rules(method: str, where: str = "indicators") -> dict[str, Any]:
    dims = [{"id": "work", "title": "工作", "indicators": [
        {"id": f"k{j}", "title": f"指标{j}", "evaluate": {
            "kind": "target", "input": f"x{j}", "target": 1, "floor": 0}} for j in range(3)]},
        {"id": "voice", "title": "口碑", "indicators": [{"id": "v", "points": 10, "evaluate": {
            "kind": "target", "input": "y", "target": 1, "floor": 0}}]}]
    weighting: dict[str, Any]
    if where == "indicators":
        dims[0]["weight"], dims[1]["weight"] = 60, 40
        weighting = {"indicators": {"work": {"method": method}}}
    else:
        for ind in dims[0]["indicators"]:
            ind["points"] = 10
        weighting = {"dimensions": {"method": method}}
    return {"ruleset": "by-data", "entity": "unit", "period": "month", "dimensions": dims,
            "weighting": weighting, "ratings": [{"stars": 5, "min": 90}, {"stars": 1, "min": 10}]}


def _data(seed: int = 1) -> dict[str, list[Any]]:
    rng = np.random.default_rng(seed)
    n = 8
    data: dict[str, list[Any]] = {"unit": [f"U{i}" for i in range(n)] * 3,
                                  "month": ["2024-01"] * n + ["2024-02"] * n + ["2024-03"] * n}
    for j in range(3):
        data[f"x{j}"] = rng.uniform(0, 1, 3 * n).round(2).tolist()
    data["y"] = rng.uniform(0, 1, 3 * n).round(2).tolist()
    return data


@pytest.mark.parametrize("method", sorted(METHODS))
def test_indicator_points_a_period_by_hand(method: str) -> None:
    data = _data()
    card = fs.score(_rules(method), data)
    records = card.to_records()
    x = np.column_stack([data[f"x{j}"] for j in range(3)])
    months = np.array(data["month"])
    for month in ("2024-01", "2024-02", "2024-03"):
        w = METHODS[method](x[months == month])  # the target evaluator: attainment = x
        for r, row in zip(records, x):
            if r["period"] != month:
                continue
            work = 100 * float(np.dot(w, row))  # points 100·w, so the dimension is Σ w·a
            assert r["dimensions"]["work"] == pytest.approx(work, abs=0.005 + 1e-9)
            assert r["indicators"]["k0"] == pytest.approx(100 * w[0] * row[0], abs=0.005 + 1e-9)
        key = f"indicators.k1.points@{month}"
        assert card.provenance.derived_weights[key] == pytest.approx(100 * w[1])
    why = card.explain("U3", period="2024-02")
    w = METHODS[method](x[months == "2024-02"])
    assert [line.max_points for line in why.indicators[:3]] == pytest.approx(100 * w)
    lines = sum(line.contribution for line in why.indicators if line.contribution is not None)
    assert lines == pytest.approx(why.total, abs=0.02)


def test_dimension_weights_a_period_by_hand() -> None:
    data = _data(2)
    card = fs.score(_rules("entropy", where="dimensions"), data)
    columns = card.to_columns()
    months = np.array(data["month"])
    work = np.column_stack([data[f"x{j}"] for j in range(3)]).mean(axis=1) * 100
    voice = np.array(data["y"]) * 100
    for month in ("2024-01", "2024-03"):
        w = entropy(np.column_stack([work, voice])[months == month])
        here = months == month
        expected = w[0] * work[here] + w[1] * voice[here]
        assert columns["total"][here] == pytest.approx(expected, abs=0.005 + 1e-9)


def test_a_quarter_keeps_the_months_figures_as_means() -> None:
    data = _data(3)
    card = fs.score(_rules("critic"), data)
    quarter = card.roll_up("quarter")
    months = card.to_columns()
    q = quarter.to_columns()
    for i, unit in enumerate(q["entity"].tolist()):
        mine = months["entity"] == unit
        for name in ("indicators.k0", "indicators.k2", "dimensions.work", "total"):
            # the mean of the months' unrounded figures, each month reported to 0.01
            assert q[name][i] == pytest.approx(months[name][mine].mean(), abs=0.0101), name
    why = quarter.explain("U1")
    lines = sum(line.contribution for line in why.indicators if line.contribution is not None)
    assert lines == pytest.approx(why.total, abs=0.02)


def test_what_the_data_weighs_cannot_be_written_as_fixed_numbers(tmp_path: Path) -> None:
    card = fs.score(_rules("entropy"), _data())
    with pytest.raises(fs.FortressScoreError, match="weighs by the data"):
        card.to_excel(tmp_path / "audit.xlsx", formulas=True)
    with pytest.raises(fs.FortressScoreError, match="weighs by the data"):
        card.uncertainty(10)
    card.to_excel(tmp_path / "board.xlsx")  # the printed workbook is fine
    rules = _rules("entropy")
    rules["dimensions"][0]["indicators"][1]["evaluate"] = {
        "kind": "per_event", "input": "x1", "each": 1}
    with pytest.raises(fs.RuleFileError, match="per_event reads its indicator's points"):
        fs.load_rules(rules)


def test_the_rules_workbook_keeps_the_method(tmp_path: Path) -> None:
    from fortress_score.rules.sheet import export_rules, import_rules

    rules = fs.load_rules(_rules("critic"))
    export_rules(rules, tmp_path / "r.xlsx")
    assert import_rules(tmp_path / "r.xlsx").digest == rules.digest
