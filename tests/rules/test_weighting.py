"""`weighting:` in rule files: derived at load, kept as the method in every dump, shown (not
read) in the rules workbook, and the schema an editor uses accepts it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import fortress_score as fs
from fortress_score.rules.schema import rule_file_schema
from fortress_score.rules.sheet import export_rules, import_rules

JUDGEMENTS = [["a", "b", 2], ["a", "c", 4], ["b", "c", 2]]  # consistent: 4 : 2 : 1


def _doc(**weighting: Any) -> dict[str, Any]:
    return {"ruleset": "w", "entity": "u", "weighting": weighting or {
        "dimensions": {"method": "ahp", "judgements": copy.deepcopy(JUDGEMENTS)}},
        "dimensions": [{"id": d, "indicators": [{"id": f"{d}1", "points": 10, "evaluate": {
            "kind": "target", "input": d, "target": 1, "floor": 0}}]} for d in "abc"]}


def test_ahp_weights_by_hand_and_every_dump_keeps_the_method() -> None:
    rules = fs.load_rules(_doc())
    # a_ij = w_i / w_j with w = 4/7, 2/7, 1/7: the weights are 100 w (to 12 digits)
    assert [d.weight for d in rules.dimensions] == pytest.approx([400 / 7, 200 / 7, 100 / 7],
                                                                 rel=1e-11)
    for dumped in (rules.model_dump(), rules.model_dump(mode="json"),
                   json.loads(rules.model_dump_json())):
        assert all("weight" not in d for d in dumped["dimensions"])
        assert fs.RuleSet.model_validate(dumped).digest == rules.digest
    assert fs.RuleSet.model_validate_json(rules.model_dump_json(indent=2)).digest == rules.digest
    fixed = rules.model_copy(update={"weighting": None})  # the weights as used, written
    assert [d.weight for d in fixed.dimensions] == [d.weight for d in rules.dimensions]
    other = rules.model_copy(update={"weighting": {"dimensions": {"method": "equal"}}})
    assert [d.weight for d in other.dimensions] == pytest.approx([100 / 3] * 3)


def test_ids_in_judgements_are_read_as_the_model_reads_ids() -> None:
    doc = _doc()
    doc["weighting"]["dimensions"]["judgements"][0][0] = "ａ"  # full-width a
    assert fs.load_rules(doc).digest == fs.load_rules(_doc()).digest


def test_more_parts_than_ahp_takes_is_a_placed_problem() -> None:
    doc = _doc()
    doc["dimensions"] = [{"id": f"d{i}", "indicators": [{"id": f"k{i}", "points": 1, "evaluate": {
        "kind": "target", "input": "x", "target": 1, "floor": 0}}]} for i in range(16)]
    doc["weighting"]["dimensions"]["judgements"] = [
        [f"d{i}", f"d{j}", 1] for i in range(16) for j in range(i + 1, 16)]
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(doc)
    assert any(p.path == "weighting.dimensions.judgements" and "15" in p.message
               for p in info.value.problems)


def test_a_derived_weight_edited_in_the_workbook_is_a_problem_at_its_cell(tmp_path: Path) -> None:
    rules = fs.load_rules(_doc())
    book = tmp_path / "r.xlsx"
    export_rules(rules, book)
    assert import_rules(book).digest == rules.digest  # shown to 4 decimals: fine
    workbook = openpyxl.load_workbook(book)
    sheet = workbook.worksheets[0]
    heading = [c.value for c in sheet[1]].index("维度权重")
    sheet.cell(row=2, column=heading + 1).value = 90
    workbook.save(book)
    with pytest.raises(fs.RuleFileError) as info:
        import_rules(book)
    (problem,) = info.value.problems
    assert problem.cell is not None and problem.cell.endswith("C2")
    assert "derived by the weighting method (57.1429)" in problem.message and "90" in problem.message


def test_the_schema_takes_a_rule_file_with_weighting() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = rule_file_schema(fs.Engine(entry_points=False).evaluators())
    jsonschema.validate(_doc(), schema)
    # a dimension with neither weight nor method loads as a problem, as before
    doc = _doc()
    del doc["weighting"]
    with pytest.raises(fs.RuleFileError, match="weight"):
        fs.load_rules(doc)
