"""`rules.formula`: the language of derived fields, checked at load, evaluated on columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fortress_score as fs
from fortress_score.rules.formula import MAX_DEPTH, FormulaError, parse


def _rules(fields: dict[str, object], input: str = "rate") -> dict[str, object]:
    return {"ruleset": "f", "entity": "branch", "fields": fields, "dimensions": [
        {"id": "d", "weight": 1, "indicators": [
            {"id": "i", "points": 10, "evaluate": {"kind": "target", "input": input,
                                                  "target": 100, "floor": 60}}]}]}


@pytest.mark.parametrize(("text", "offset"), [
    ("a + b.c", 4), ("售电量 + x[0]", 6), ("  open(1)", 2), ("a + \n __x", 6),
    ("round(a, b)", 9), ("max(a)", 0), ("a if b else c", 0),
])
def test_refusals_are_placed_in_characters(text: str, offset: int) -> None:
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert info.value.offset == offset, info.value.message


@pytest.mark.parametrize("text", ["a +", "(a", "a b", ")", "1 +* 2", "a ==", "\x00"])
def test_syntax_errors_are_placed_within_the_text(text: str) -> None:
    with pytest.raises(FormulaError, match="not a formula") as info:
        parse(text)
    assert 0 <= info.value.offset <= len(text)


def test_depth_and_length_are_bounded() -> None:
    parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    with pytest.raises(FormulaError, match="nest"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(FormulaError, match="nest"):
        parse("-" * 40 + "a")  # operators nest too
    with pytest.raises(FormulaError, match="1000 characters"):
        parse("a+" * 600 + "a")


def test_hand_computed_values() -> None:
    a = np.array([1.25, np.nan, 3.0, -1.0])
    b = np.array([0.0, 1.0, 2.0, 4.0])
    f = parse("where(b == 0, -1, a / b) + round(a, 1) + log(a) * 0")
    # row 0: -1 + 1.3 + 0; row 1: NaN; row 2: 1.5 + 3 + 0; row 3: log(-1) is missing
    np.testing.assert_array_equal(f.evaluate({"a": a, "b": b}), [0.3, np.nan, 4.5, np.nan])  # -1 + 1.3 kept to 15 digits
    np.testing.assert_array_equal(parse("round(2.5) + round(-2.5) * 10").evaluate({}, 1), [-27.0])
    np.testing.assert_array_equal(parse("1 < a <= 3 and not b").evaluate({"a": a, "b": b}),
                                  [1.0, np.nan, 0.0, 0.0])  # 1 < 1.25 <= 3, not 0
    np.testing.assert_array_equal(parse("a % b + 2 ** 3").evaluate({"a": a, "b": b}),
                                  [np.nan, np.nan, 9.0, 11.0])
    np.testing.assert_allclose(parse("clip(a, 0, 2) + min(a, b, 1) + abs(sqrt(b))").evaluate(
        {"a": a, "b": b}), [1.25, np.nan, 2.0 + 1.0 + np.sqrt(2.0), 1.0], rtol=1e-14)  # 15 digits
    np.testing.assert_array_equal(parse("a ** 400").evaluate({"a": np.array([10.0])}), [np.nan])


def test_a_derived_field_is_scored_and_explained_from_the_data() -> None:
    rules = fs.load_rules(_rules({"rate": {"formula": "done / planned * 100", "unit": "%"},
                                  "half": {"formula": "round(rate / 2, 1)"}}))
    assert list(rules.derived_fields()) == ["rate", "half"]
    assert rules.data_columns_needed() == {"done": ["the formula of rate"],
                                           "planned": ["the formula of rate"]}
    card = fs.score(rules, {"branch": ["a", "b", "c"], "done": [9, 5, 3], "planned": [10, 0, 4]})
    # a: rate 90 → (90 - 60) / 40 = 0.75 → 7.5 points of 10 → 75; b: 5 / 0 is missing
    assert [r["total"] for r in card.to_records()] == [75.0, None, 37.5]
    data = {"branch": ["a"], "done": [1], "planned": [1], "rate": [50]}
    with pytest.raises(fs.DataError, match="derived by its formula"):
        fs.score(rules, data)


def test_rule_file_problems_name_the_token_the_cycle_and_the_extra_keys(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "ruleset: f\nentity: branch\nfields:\n"
        "  rate: {formula: \"done / planned * 100 + os.system\"}\n"
        "  a:\n    formula: b + 1\n  b:\n    formula: a * 2\n"
        "  c: {formula: done, min: 0}\n"
        "dimensions:\n  - id: d\n    weight: 1\n    indicators:\n"
        "      - {id: i, points: 10, evaluate: {kind: target, input: rate, target: 100, floor: 60}}\n",
        encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(path)
    placed = {p.path: p for p in info.value.problems}
    token = placed["fields.rate.formula"]
    line = path.read_text(encoding="utf-8").splitlines()[token.line - 1]
    assert line[token.col - 1:].startswith("os.system")
    assert "a → b → a" in placed["fields.a.formula"].message
    assert "b → a → b" in placed["fields.b.formula"].message
    assert "not type, optional, min or max" in placed["fields.c"].message


def test_a_formula_survives_the_rule_sheet(tmp_path: Path) -> None:
    from fortress_score.rules.sheet import export_rules, import_rules
    rules = fs.load_rules(_rules({"rate": {"formula": "where(planned > 0, done / planned, 0) * 100"}}))
    export_rules(rules, tmp_path / "r.xlsx")
    assert import_rules(tmp_path / "r.xlsx").digest == rules.digest


def test_results_are_kept_to_fifteen_significant_digits() -> None:
    got = parse("a / b * 100").evaluate({"a": np.array([29.0, 1.0, 1e-300, 7e20]),
                                         "b": np.array([50.0, 3.0, 1.0, 3.0])})
    np.testing.assert_array_equal(got, [58.0, 33.3333333333333, 1e-300 / 1.0 * 100,  # tiny: as is
                                        2.33333333333333e22])
