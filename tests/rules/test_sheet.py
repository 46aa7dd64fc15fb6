"""The 评分细则 workbook: export then import keeps the digest; cells say what the rules say;
problems name their cell; the CLI's `rules export` / `rules import`.

Expected cells come from the rule pack read with PyYAML and from the sheet read with
openpyxl (another reader than the one the import uses), never from earlier output.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from strategies import rule_sets

import fortress_score as fs
from fortress_score.cli import main
from fortress_score.rules.file import read_yaml_text
from fortress_score.errors import MissingExtraError
from fortress_score.rules.sheet import (
    SheetError,
    export_rules,
    import_rules,
    rules_yaml,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "rules" / "three-dimensions.yaml"
MEETINGS = ROOT / "examples" / "fs-meetings" / "rules.yaml"
CORPUS = sorted(p for p in (ROOT / "tests" / "corpus" / "rules").iterdir()
                if p.suffix in (".yaml", ".yml", ".toml", ".json"))
BUILTINS = {"target", "growth", "bands", "ratio", "checklist", "per_event", "survey", "rank",
            "minmax", "threshold", "decision_table"}


def round_trip(rules: fs.RuleSet, folder: Path, evaluators: Any = None) -> fs.RuleSet:
    """Export, import; and the YAML written from the import loads to the same digest too."""
    book = folder / "rules.xlsx"
    export_rules(rules, book, evaluators=evaluators)
    back = import_rules(book, evaluators=evaluators)
    text = rules_yaml(back, evaluators=evaluators)
    context = None if evaluators is None else {"evaluators": evaluators}
    again = fs.RuleSet.from_source(read_yaml_text(text), context=context)
    assert again.digest == back.digest
    return back


def edited(folder: Path, rules: fs.RuleSet, changes: dict[str, dict[str, Any]]) -> Path:
    """The exported workbook with cells changed by openpyxl: {sheet: {"F7": value}}."""
    book = folder / "rules.xlsx"
    export_rules(rules, book)
    workbook = openpyxl.load_workbook(book)
    for sheet, cells in changes.items():
        for ref, value in cells.items():
            workbook[sheet][ref] = value
    path = folder / "edited.xlsx"
    workbook.save(path)
    return path


def problems(path: Path) -> list[fs.Problem]:
    with pytest.raises(SheetError) as caught:
        import_rules(path)
    assert "Traceback" not in str(caught.value)
    return caught.value.problems


@pytest.fixture(scope="module")
def seed() -> fs.RuleSet:
    return fs.load_rules(SEED)


@pytest.fixture(scope="module")
def pack() -> dict[str, Any]:
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, seed: fs.RuleSet) -> Any:
    path = tmp_path_factory.mktemp("sheet") / "rules.xlsx"
    export_rules(seed, path)
    return openpyxl.load_workbook(path)


def rows_of(sheet: Any) -> list[dict[str, Any]]:
    """The rows of a sheet under their headings; a merged cell's value on each of its rows."""
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            grid[r - 1][merged.min_col - 1] = value
    return [dict(zip(grid[0], row)) for row in grid[1:] if any(v is not None for v in row)]


# --- round trips: the same digest --------------------------------------------------------

def test_the_seed_pack_round_trips(seed: fs.RuleSet, tmp_path: Path) -> None:
    assert round_trip(seed, tmp_path).digest == seed.digest


def test_the_plug_in_example_round_trips(tmp_path: Path) -> None:
    fs_meetings = pytest.importorskip("fs_meetings")
    evaluators = fs.Engine([fs_meetings], entry_points=False).evaluators()
    rules = fs.Engine([fs_meetings], entry_points=False).load_rules(MEETINGS)
    assert round_trip(rules, tmp_path, evaluators).digest == rules.digest


def test_every_corpus_rule_file_that_loads_round_trips(tmp_path: Path) -> None:
    for path in CORPUS:
        try:
            rules = fs.load_rules(path)
        except fs.FortressScoreError:
            continue  # the corpus is mostly of broken files: their problems are tested there
        assert round_trip(rules, tmp_path).digest == rules.digest, path.name


EVERY_KIND: dict[str, Any] = {
    "ruleset": "2021", "title": "=1+1 “全部计分方式”\n第二行", "entity": "branch",
    "scale": 10.5, "precision": 0, "missing": "error", "clamp": False,
    "fields": {
        "x": {"title": "指标值", "unit": "%", "min": -0.0, "max": 100.5, "optional": True},
        "n": {"title": "", "unit": "", "type": "int"},
        "1e3": {"type": "bool"},
        "note": {"type": "str", "title": "备注"},
    },
    "dimensions": [
        {"id": "党建", "title": "", "weight": 0.1 + 0.2, "indicators": [
            {"id": "t", "points": 1, "evaluate": {"kind": "target", "input": "x", "target": 2,
                                                   "floor": 4.000000000000001}},
            {"id": "g", "title": "增长", "points": 2.5, "evaluate": {
                "kind": "growth", "current": "x", "baseline": "n", "target": 8, "floor": 0}},
            {"id": "b", "points": 3, "evaluate": {"kind": "bands", "input": "1e3", "bands": [
                {"max": 1, "score": 0.25}, {"min": 1, "max": 2, "score": 0.5}, {"min": 2, "score": 1}],
                "otherwise": 0.1}},
        ]},
        {"id": "d2", "title": "维度二", "weight": 12345678.123456789, "indicators": [
            {"id": "r", "points": 4, "evaluate": {"kind": "ratio", "numerator": "x",
                                                   "denominator": "n", "empty": 0.5}},
            {"id": "r2", "points": 4, "evaluate": {"kind": "ratio", "numerator": "x",
                                                    "denominator": "n"}},
            {"id": "c", "points": 5, "evaluate": {"kind": "checklist", "inputs": ["x", "n"]}},
            {"id": "c2", "points": 5, "evaluate": {"kind": "checklist", "inputs": ["x", "n"],
                                                    "weights": [1, 2.5]}},
            {"id": "s", "points": 6, "evaluate": {
                "kind": "survey", "levels": {"满意": 1, "no": 0},
                "groups": [{"name": "群众", "fields": {"满意": "x", "no": "n"}}],
                "min_responses": 2}},
            {"id": "rk", "points": 7, "evaluate": {"kind": "rank", "input": "x",
                                                    "higher_is_better": False}},
            {"id": "mm", "points": 8, "evaluate": {"kind": "minmax", "input": "x"}},
            {"id": "th", "points": 9, "evaluate": {"kind": "threshold", "input": "x", "op": "!=",
                                                    "value": 1e-7}},
            {"id": "dt", "points": 4, "evaluate": {"kind": "decision_table", "hit": "first",
                                                   "rules": [{"when": {"x": ">= 3", "n": "0"}, "score": 1},
                                                             {"when": {"x": "[1..3)"}, "score": 0.5}],
                                                   "otherwise": 0}},
        ]},
    ],
    "adjustments": [
        {"id": "plus", "title": "加分", "kind": "bonus", "cap": 2,
         "evaluate": {"kind": "per_event", "input": "n", "each": 0.5}},
        {"id": "minus", "kind": "deduction", "cap": 3,
         "evaluate": {"kind": "threshold", "input": "x", "op": "<", "value": 1}},
    ],
    "vetoes": [
        {"id": "v1", "title": "否决", "when": {"kind": "threshold", "input": "n", "op": ">",
                                               "value": 0}, "effect": {"total": 0}},
        {"id": "v2", "when": {"kind": "ratio", "numerator": "x", "denominator": "n"},
         "effect": {"total": 5.5, "max_stars": 1, "no_benchmark": True}},
        {"id": "v3", "when": {"kind": "target", "input": "x", "target": 1, "floor": 0},
         "effect": {"no_benchmark": True}},
    ],
    "ratings": [{"stars": 3, "min": 9}, {"stars": 2, "min": 0.9 * 7, "title": "二星"},
                {"stars": 1, "min": -1}],
    "benchmark": {"stars": 3, "consecutive": 2},
    "commendations": [
        {"id": "first", "kind": "first_stars", "stars": 3},
        {"id": "rise", "title": "进步", "kind": "biggest_rise", "top": 2, "min_rise": 0.5},
        {"id": "full", "kind": "full_attainment", "indicator": "th"},
    ],
}


def test_every_builtin_kind_and_every_part_round_trips(tmp_path: Path) -> None:
    rules = fs.load_rules(EVERY_KIND)
    assert {call.kind for _, call in rules.calls()} == BUILTINS
    assert BUILTINS == set(fs.Engine(entry_points=False).evaluators())
    back = round_trip(rules, tmp_path)
    assert back.digest == rules.digest
    assert back.fields["n"].title == "" and back.fields["1e3"].title is None
    assert back.dimensions[0].weight == 0.1 + 0.2


def test_no_benchmark_and_no_sheets_beyond_the_two_needed(tmp_path: Path) -> None:
    rules = fs.load_rules({"ruleset": "r", "entity": "b", "dimensions": [{"id": "d", "weight": 1,
                           "indicators": [{"id": "i", "points": 1, "evaluate": {
                               "kind": "minmax", "input": "x"}}]}]})
    path = tmp_path / "rules.xlsx"
    export_rules(rules, path)
    workbook = openpyxl.load_workbook(path)
    for name in ("加减分", "一票否决", "星级", "标杆", "点赞台", "字段"):
        del workbook[name]
    workbook.save(path)
    assert import_rules(path).digest == rules.digest


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_sets())
def test_generated_rule_sets_round_trip(data: dict[str, Any]) -> None:
    rules = fs.load_rules(data)
    with tempfile.TemporaryDirectory() as folder:
        assert round_trip(rules, Path(folder)).digest == rules.digest


# --- the sheet as the committee sees it -----------------------------------------------------

def test_the_main_sheet_has_a_row_an_indicator(book: Any, pack: dict[str, Any]) -> None:
    rows = rows_of(book["评分细则"])
    wanted = [(dim["title"], dim["weight"], ind["id"], ind["title"], ind["points"])
              for dim in pack["dimensions"] for ind in dim["indicators"]]
    assert [(r["维度"], r["维度权重"], r["指标编号"], r["指标名称"], r["分值"]) for r in rows] == wanted
    assert book.sheetnames[0] == "评分细则"


def test_the_row_of_bill_recovery_rate(book: Any) -> None:
    row = next(r for r in rows_of(book["评分细则"]) if r["指标名称"] == "电费回收率")
    assert row["分值"] == 10
    assert row["维度"] == "生产经营业绩" and row["维度编号"] == "performance"
    assert row["参数"] == "{kind: target, input: bill_recovery_rate, target: 100.0, floor: 98.0}"
    assert row["计分方法"] == "达标值 100、下限 98，线性计分"
    assert row["数据字段"] == "电费回收率（bill_recovery_rate）" and row["单位"] == "%"
    line_loss = next(r for r in rows_of(book["评分细则"]) if r["指标编号"] == "line_loss")
    assert "越低越好" in line_loss["计分方法"]


def test_a_dimension_is_one_merged_cell_over_its_rows(book: Any) -> None:
    merged = {str(r) for r in book["评分细则"].merged_cells.ranges}
    assert {"A2:A10", "B2:B10", "C2:C10", "A11:A14", "B11:B14", "C11:C14"} <= merged
    assert book["评分细则"]["A2"].value == "生产经营业绩" and book["评分细则"]["C2"].value == 40


def test_the_other_sheets(book: Any, pack: dict[str, Any]) -> None:
    adjustments = rows_of(book["加减分"])
    assert [(r["编号"], r["类型"], r["上限"]) for r in adjustments] == [
        ("honours", "加分", 5), ("violations", "扣分", 10)]
    assert adjustments[0]["参数"] == "{kind: per_event, input: honours, each: 2.0}"
    assert adjustments[0]["计分方法"] == "每项（次）2 分，最多 5 分"
    (veto,) = rows_of(book["一票否决"])
    assert (veto["编号"], veto["总分封顶"], veto["最高星级"], veto["取消标杆资格"]) == (
        "safety", None, 2, "是")
    assert veto["触发条件"] == "四级及以上安全事件 > 0"
    assert [(r["星级"], r["最低总分"], r["名称"]) for r in rows_of(book["星级"])] == [
        (r["stars"], r["min"], r["title"]) for r in pack["ratings"]]
    assert [(r["星级"], r["连续期数"], r["名称"]) for r in rows_of(book["标杆"])] == [(5, 3, "标杆党支部")]
    assert [r["编号"] for r in rows_of(book["点赞台"])] == [c["id"] for c in pack["commendations"]]
    fields = {r["字段"]: r for r in rows_of(book["字段"])}
    assert list(fields) == list(pack["fields"])
    assert (fields["line_loss_rate"]["名称"], fields["line_loss_rate"]["单位"],
            fields["line_loss_rate"]["最大值"], fields["line_loss_rate"]["可空"]) == (
        "综合线损率", "%", 100, "是")
    settings_rows = {r["设置项"]: r["取值"] for r in rows_of(book["设置"])}
    assert settings_rows["ruleset"] == pack["ruleset"] and settings_rows["entity"] == "branch"
    assert (settings_rows["scale"], settings_rows["precision"], settings_rows["missing"]) == (
        100, 2, "计零分")


def test_headings_are_frozen_and_columns_fit_chinese(book: Any) -> None:
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(isinstance(c.value, str) and c.font.bold for c in sheet[1]), sheet.title
    main_sheet = book["评分细则"]
    titles = [r["指标名称"] for r in rows_of(main_sheet)]
    # the title column: about two units a Chinese character, for the longest title (capped)
    widths = {d.min: d.width for d in main_sheet.column_dimensions.values()}
    assert widths[5] >= min(2 * max(map(len, titles)), 48)


# --- problems name their cell ---------------------------------------------------------------

def test_bad_yaml_in_a_parameters_cell_names_that_cell(seed: fs.RuleSet, tmp_path: Path) -> None:
    path = edited(tmp_path, seed, {"评分细则": {"H4": "{kind: target, input: x target: 1}"}})
    (problem,) = problems(path)
    assert problem.cell == "评分细则!H4"
    assert "not a YAML mapping" in problem.message and "line 1" in problem.message


def test_all_problems_at_once_each_at_its_cell(seed: fs.RuleSet, tmp_path: Path) -> None:
    path = edited(tmp_path, seed, {
        "评分细则": {"F3": "ten", "H6": "{kind: target, input: line_loss_rate, target: 2, floor: 2}",
                     "D7": "sales_growth"},
        "一票否决": {"F2": 9},
        "设置": {"A8": "mising", "B7": "two"},
    })
    found = problems(path)
    assert [p.cell for p in found] == ["评分细则!F3", "评分细则!H6", "评分细则!D7", "一票否决!F2",
                                       "设置!B7", "设置!A8"]
    by_cell = {p.cell: p for p in found}
    assert by_cell["评分细则!F3"].message == "分值 must be a number; got 'ten'"
    assert by_cell["评分细则!H6"].path == "dimensions[0].indicators[4].evaluate"
    assert "must differ" in by_cell["评分细则!H6"].message
    assert by_cell["评分细则!D7"].message.endswith("dimensions[0].indicators[0] (评分细则!D2)")
    assert by_cell["一票否决!F2"].path == "vetoes[0].effect.max_stars"
    assert "did you mean 'missing'" in by_cell["设置!A8"].message
    with pytest.raises(SheetError, match=r"edited\.xlsx: cell 评分细则!F3: 分值"):
        import_rules(path)


def test_a_repeated_dimension_cell_that_differs_is_named(seed: fs.RuleSet, tmp_path: Path) -> None:
    book = tmp_path / "rules.xlsx"
    export_rules(seed, book)
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["评分细则"]
    sheet.unmerge_cells("C2:C10")
    for row in range(3, 11):  # filled down, as a committee might
        sheet[f"C{row}"] = 40
    sheet["C5"] = 45
    workbook.save(book)
    (problem,) = problems(book)
    assert problem.cell == "评分细则!C5"
    assert "评分细则!C2" in problem.message and "got 45" in problem.message


def test_an_edited_weight_and_an_added_row_are_read(seed: fs.RuleSet, tmp_path: Path) -> None:
    path = edited(tmp_path, seed, {"评分细则": {
        "C2": 50, "D16": "extra", "E16": "新增指标", "F16": 5,
        "H16": "{kind: threshold, input: honours, op: '>=', value: 1}"}})
    rules = import_rules(path)
    assert {d.id: d.weight for d in rules.dimensions} == {
        "performance": 50, "atmosphere": 30, "reputation": 30}
    assert [i.id for i in rules.dimensions[-1].indicators] == ["recognition", "extra"]


def test_a_missing_heading_or_sheet_is_named(seed: fs.RuleSet, tmp_path: Path) -> None:
    (problem,) = problems(edited(tmp_path, seed, {"加减分": {"D1": "封顶"}}))
    assert problem.cell == "加减分!1:1" and "上限" in problem.message
    book = tmp_path / "rules.xlsx"
    workbook = openpyxl.load_workbook(book)
    del workbook["设置"]
    workbook.save(book)
    (problem,) = problems(book)
    assert problem.cell is None and "has no sheet 设置" in problem.message


def test_a_file_that_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "rules.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    (problem,) = problems(path)
    assert problem.file == str(path) and "cannot read the workbook" in problem.message


def test_a_cell_too_long_for_excel_is_refused(tmp_path: Path) -> None:
    columns = [f"column_{i:05d}_" + "x" * 40 for i in range(700)]
    rules = fs.load_rules({"ruleset": "r", "entity": "b", "dimensions": [{"id": "d", "weight": 1,
                           "indicators": [{"id": "i", "points": 1, "evaluate": {
                               "kind": "checklist", "inputs": columns}}]}]})
    with pytest.raises(SheetError) as caught:
        export_rules(rules, tmp_path / "rules.xlsx")
    assert "评分细则!H2" in [p.cell for p in caught.value.problems]  # the parameters
    assert not (tmp_path / "rules.xlsx").exists()


@pytest.mark.parametrize("module", ["xlsxwriter", "python_calamine"])
def test_a_missing_extra_says_what_to_install(module: str, seed: fs.RuleSet, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rules.xlsx"
    export_rules(seed, path)
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingExtraError, match=r'pip install "fortress-score\[excel\]"'):
        if module == "xlsxwriter":
            export_rules(seed, path)
        else:
            import_rules(path)


# --- the command line -----------------------------------------------------------------------

def test_the_cli_round_trip(seed: fs.RuleSet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book, back = tmp_path / "rules.xlsx", tmp_path / "rules.yaml"
    assert main(["rules", "export", str(SEED), "-o", str(book)]) == 0
    assert main(["rules", "import", str(book), "-o", str(back)]) == 0
    out = capsys.readouterr().out
    assert out.count(seed.digest[:12]) == 2
    text = back.read_text(encoding="utf-8")
    assert "生产经营业绩" in text and "\\u" not in text
    assert fs.load_rules(back).digest == seed.digest


def test_the_cli_names_the_cell(seed: fs.RuleSet, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    path = edited(tmp_path, seed, {"评分细则": {"F3": -1}})
    assert main(["rules", "import", str(path), "-o", str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fortress-score: error:") and "评分细则!F3" in err
    assert "Traceback" not in err and not (tmp_path / "out.yaml").exists()


def test_the_rule_language_s_newer_keys_survive_the_sheet(tmp_path: Path) -> None:
    rules = fs.load_rules({
        "ruleset": "n", "entity": "u", "period": "m", "missing": "peer_median", "aggregate": "geometric",
        "fields": {"rate": {"title": "完成率", "unit": "%", "formula": "done / planned * 100"}},
        "dimensions": [
            {"id": "a", "weight": 3, "aggregate": "min", "min_available": 0.6,
             "applies_to": {"kind": ["县区供电分局", 1]}, "indicators": [
                 {"id": "a1", "points": 10, "applies_to": "has_customers", "missing": "carry_forward",
                  "max_gap": 2, "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 0}},
                 {"id": "a2", "points": 30, "missing": "zero", "evaluate": {
                     "kind": "decision_table", "rules": [{"when": {"y": ">= 1"}, "score": 1}], "otherwise": 0}}]},
            {"id": "b", "weight": 1, "indicators": [
                {"id": "b1", "points": 5, "evaluate": {"kind": "target", "input": "z", "target": 1, "floor": 0}}]}]})
    export_rules(rules, tmp_path / "n.xlsx")
    assert import_rules(tmp_path / "n.xlsx").digest == rules.digest


@pytest.mark.parametrize("applies_to", [
    "[flag]", "{flag", '"flag"', "'flag'", [{"kind": ["甲", 1]}, "has_customers"],
    [{"kind": ["[a]"], "area": ["N"]}], {"kind": ["{x}", "a: b", "#c", "yes", "null"]}])
def test_applies_to_of_any_form_survives_the_sheet(tmp_path: Path, applies_to: Any) -> None:
    rules = fs.load_rules({
        "ruleset": "n", "entity": "u", "dimensions": [
            {"id": "a", "weight": 1, "applies_to": applies_to, "indicators": [
                {"id": "a1", "points": 10, "applies_to": applies_to,
                 "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}}]}]})
    back = round_trip(rules, tmp_path)
    assert back.digest == rules.digest
    assert back.dimensions[0].indicators[0].applies_to == rules.dimensions[0].indicators[0].applies_to
