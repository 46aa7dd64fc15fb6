"""The command line on the seed's rule pack and the sample data.

Most tests call `fortress_score.cli.main` in-process (fast) and read the output with
`capsys`; one runs the installed `fortress-score` console script to prove the entry point.
Expected content comes from the rule pack (read with PyYAML) and the CSV (read with the csv
module), never from earlier output of the library.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import fortress_score as fs
from fortress_score.cli import main

ROOT = Path(__file__).resolve().parents[1]
RULES = str(ROOT / "rules" / "three-dimensions.yaml")
DATA = str(ROOT / "examples" / "branches-2024.csv")

BUILTINS = ("target", "growth", "bands", "ratio", "checklist", "per_event", "survey", "rank",
            "minmax", "threshold", "decision_table")


@pytest.fixture(scope="module")
def pack() -> dict[str, Any]:
    return yaml.safe_load(Path(RULES).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def csv_rows() -> list[dict[str, str]]:
    with open(DATA, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """main() in-process, with entry points of other installed packages ignored."""
    code = main(["--no-entry-points", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code: int, out: str, err: str) -> None:
    assert code == 2, (code, out, err)
    assert err.startswith("fortress-score: error:"), err
    assert "Traceback" not in err and "Traceback" not in out


@pytest.fixture
def broken_rules(tmp_path: Path) -> tuple[Path, int, int]:
    """A rule file with two problems; returns the path and the lines of both."""
    lines = [
        "ruleset: broken-pack",
        "entity: branch",
        "period: month",
        "dimensions:",
        "  - id: performance",
        "    weight: 40",
        "    indicators:",
        "      - id: line_loss",
        "        points: 10",
        "        evaluate: {kind: target, input: line_loss_rate, target: 2.0, floor: 2.0}",
        "      - id: bill_recovery",
        "        points: 10",
        "        evaluate: {kind: no_such_evaluator, input: bill_recovery_rate}",
    ]
    path = tmp_path / "broken.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target_line = next(i for i, ln in enumerate(lines, 1) if "floor: 2.0" in ln)
    kind_line = next(i for i, ln in enumerate(lines, 1) if "no_such_evaluator" in ln)
    return path, target_line, kind_line


# -- validate ----------------------------------------------------------------------------------


def test_validate_ok(capsys, pack):
    code, out, err = run(capsys, "validate", RULES)
    assert code == 0, err
    assert pack["ruleset"] in out
    assert "ok" in out
    assert err == ""


def test_validate_reports_both_problems_with_file_and_line(capsys, broken_rules):
    path, target_line, kind_line = broken_rules
    code, out, err = run(capsys, "validate", str(path))
    assert_clean_error(code, out, err)
    assert f"{path}:{target_line}" in err  # target == floor
    assert f"{path}:{kind_line}" in err  # unknown evaluator
    assert "no_such_evaluator" in err
    assert "floor" in err
    assert out == ""


def test_debug_lets_the_error_propagate(broken_rules):
    path, target_line, kind_line = broken_rules
    with pytest.raises(fs.FortressScoreError) as info:
        main(["--debug", "--no-entry-points", "validate", str(path)])
    assert len(info.value.problems) == 2
    assert sorted(p.line for p in info.value.problems) == sorted([target_line, kind_line])


def test_debug_on_bad_period_propagates():
    with pytest.raises(fs.FortressScoreError):
        main(["--debug", "--no-entry-points", "score", RULES, DATA, "--period", "1999-13"])


# -- score --format json / csv -----------------------------------------------------------------


def _json(capsys, *extra: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "score", RULES, DATA, "--format", "json", *extra)
    assert code == 0, err
    records = json.loads(out)
    assert isinstance(records, list)
    return records


def test_score_json_all_rows(capsys, pack, csv_rows):
    records = _json(capsys)
    assert len(records) == len(csv_rows) == 360
    keys = {(r["entity"], r["period"]) for r in records}
    assert keys == {(row["branch"], row["month"]) for row in csv_rows}
    indicator_ids = [i["id"] for d in pack["dimensions"] for i in d["indicators"]]
    for rec in records:
        assert {"entity", "period", "group", "total", "stars", "rank", "vetoes", "dimensions",
                "indicators", "adjustments"} <= set(rec)
        assert list(rec["indicators"]) == indicator_ids
        assert list(rec["dimensions"]) == [d["id"] for d in pack["dimensions"]]
        assert isinstance(rec["vetoes"], list)
        assert 0 <= rec["total"] <= pack["scale"]
    # the group is the rule pack's group_by column
    category = {(row["branch"], row["month"]): row[pack["group_by"]] for row in csv_rows}
    assert all(rec["group"] == category[(rec["entity"], rec["period"])] for rec in records)


def test_score_json_one_period(capsys, csv_rows):
    everything = _json(capsys)
    records = _json(capsys, "--period", "2024-05")
    expected = {row["branch"] for row in csv_rows if row["month"] == "2024-05"}
    assert len(records) == len(expected) == 30
    assert {r["period"] for r in records} == {"2024-05"}
    assert {r["entity"] for r in records} == expected
    same_month = [r for r in everything if r["period"] == "2024-05"]
    assert records == same_month


def test_score_csv_matches_json(capsys, pack):
    records = _json(capsys)
    code, out, err = run(capsys, "score", RULES, DATA, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(records)
    assert {"entity", "period", "group", "total", "stars", "rank", "vetoes"} <= set(rows[0])
    by_key = {(r["entity"], r["period"]): r for r in records}
    assert {(r["entity"], r["period"]) for r in rows} == set(by_key)
    for row in rows:
        rec = by_key[(row["entity"], row["period"])]
        assert float(row["total"]) == rec["total"]
        assert int(row["stars"]) == rec["stars"]
        assert int(float(row["rank"])) == rec["rank"]
        assert row["group"] == rec["group"]
        assert (row["vetoes"].split(";") if row["vetoes"] else []) == rec["vetoes"]
        figures = {f"dimensions.{k}": v for k, v in rec["dimensions"].items()}
        figures.update({f"indicators.{k}": v for k, v in rec["indicators"].items()})
        figures.update({f"adjustments.{k}": v for k, v in rec["adjustments"].items()})
        for name, value in figures.items():
            cell = row[name]
            assert (cell == "") if value is None else (float(cell) == value), (row, name)


def test_score_csv_one_period(capsys, csv_rows):
    code, out, err = run(capsys, "score", RULES, DATA, "--format", "csv", "--period", "2024-05")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["period"] for r in rows} == {"2024-05"}
    assert len(rows) == sum(1 for row in csv_rows if row["month"] == "2024-05")


# -- score, table ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [(), ("--format", "table")])
def test_score_table_latest_month(capsys, pack, csv_rows, extra):
    code, out, err = run(capsys, "score", RULES, DATA, *extra)
    assert code == 0, err
    latest = max(row["month"] for row in csv_rows)
    assert pack["title"] in out
    assert latest in out
    branches = {row["branch"] for row in csv_rows if row["month"] == latest}
    assert len(branches) == 30
    for branch in branches:
        assert branch in out, branch
    # only the latest month: one line a branch, no other month on the board
    for branch in branches:
        assert sum(line.count(branch) for line in out.splitlines()) == 1, branch
    earlier = {row["month"] for row in csv_rows} - {latest}
    assert not any(month in out for month in earlier)
    for dim in pack["dimensions"]:
        assert dim["title"] in out


def test_score_table_one_period(capsys, csv_rows):
    code, out, err = run(capsys, "score", RULES, DATA, "--period", "2024-05")
    assert code == 0, err
    assert "2024-05" in out
    assert "2024-12" not in out
    for branch in {row["branch"] for row in csv_rows}:
        assert branch in out


# -- explain -----------------------------------------------------------------------------------


def test_explain_names_every_indicator(capsys, pack):
    branch = "江州供电分局党支部"
    code, out, err = run(capsys, "explain", RULES, DATA, branch, "--period", "2024-03")
    assert code == 0, err
    assert branch in out and "2024-03" in out
    for dim in pack["dimensions"]:
        for ind in dim["indicators"]:
            assert ind["id"] in out, ind["id"]
    assert "total" in out


def test_explain_unknown_branch(capsys):
    code, out, err = run(capsys, "explain", RULES, DATA, "不存在的党支部")
    assert_clean_error(code, out, err)
    assert "不存在的党支部" in err


# -- evaluators --------------------------------------------------------------------------------


def test_evaluators_lists_the_builtins(capsys):
    code, out, err = run(capsys, "evaluators")
    assert code == 0, err
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert set(BUILTINS) <= set(listed)
    assert len(listed) == len(BUILTINS)  # entry points ignored: the built-ins only


# -- bad data and bad periods ------------------------------------------------------------------


def test_missing_column(capsys, tmp_path, csv_rows):
    dropped = "violations"
    path = tmp_path / "short.csv"
    names = [n for n in csv_rows[0] if n != dropped]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(csv_rows)
    code, out, err = run(capsys, "score", RULES, str(path), "--format", "json")
    assert_clean_error(code, out, err)
    assert dropped in err
    assert out == ""


@pytest.mark.parametrize("period", ["2025-01", "2024-13", "May"])
def test_bad_period(capsys, period):
    code, out, err = run(capsys, "score", RULES, DATA, "--format", "json", "--period", period)
    assert_clean_error(code, out, err)
    assert period in err


def test_explain_bad_period(capsys):
    code, out, err = run(capsys, "explain", RULES, DATA, "江州供电分局党支部",
                         "--period", "2025-01")
    assert_clean_error(code, out, err)
    assert "2025-01" in err


# -- the installed console script --------------------------------------------------------------


def test_console_script_entry_point(csv_rows):
    exe = shutil.which("fortress-score")
    if exe is None:  # fall back to the scripts directory of this interpreter
        candidate = Path(sys.executable).with_name("fortress-score")
        exe = str(candidate) if candidate.exists() else None
    assert exe is not None, "the fortress-score console script is not installed"
    proc = subprocess.run([exe, "--no-entry-points", "score", RULES, DATA, "--format", "json",
                           "--period", "2024-05"],
                          capture_output=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert {r["entity"] for r in records} == {row["branch"] for row in csv_rows
                                              if row["month"] == "2024-05"}
    proc = subprocess.run([exe, "score", RULES, DATA, "--period", "1999-13"],
                          capture_output=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("fortress-score: error:")
    assert "Traceback" not in proc.stderr


def test_benchmarks_command_lists_titles_and_commendations(capsys) -> None:
    root = Path(__file__).parent.parent
    rules = fs.load_rules(root / "rules/three-dimensions.yaml")
    from fortress_score import read_data

    card = fs.score(rules, read_data(str(root / "examples/branches-2024.csv"), rules))
    expected = {t["entity"] for t in card.benchmarks() if t["period"] == "2024-06"}
    assert expected  # the sample data has branches holding five stars since the spring
    code = main(["benchmarks", str(root / "rules/three-dimensions.yaml"),
                 str(root / "examples/branches-2024.csv"), "--period", "2024-06"])
    out = capsys.readouterr().out
    assert code == 0 and "标杆党支部" in out
    assert all(entity in out for entity in expected)
    for c in card.commendations("2024-06"):
        assert c["reason"] in out


def test_score_rolled_up_to_quarters(capsys) -> None:
    root = Path(__file__).parent.parent
    code = main(["score", str(root / "rules/three-dimensions.yaml"), str(root / "examples/branches-2024.csv"),
                 "--roll-up", "quarter", "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    assert code == 0 and len(records) == 120
    assert {r["period"] for r in records} == {"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}


def test_board_command_keeps_ties_at_the_cut(capsys) -> None:
    root = Path(__file__).parent.parent
    from fortress_score import read_data

    rules = fs.load_rules(root / "rules/three-dimensions.yaml")
    card = fs.score(rules, read_data(str(root / "examples/branches-2024.csv"), rules))
    board = card.leaderboard(period="2024-05", group="职能部门")
    tied = [r for r in board if r["entity"] in ("人力资源部党支部", "企业管理部党支部")]
    assert tied[0]["place"] == tied[1]["place"]       # the sample's tie
    cut = tied[0]["place"]
    code = main(["board", str(root / "rules/three-dimensions.yaml"), str(root / "examples/branches-2024.csv"),
                 "--period", "2024-05", "--group", "职能部门", "--top", str(cut)])
    out = capsys.readouterr().out
    assert code == 0 and "人力资源部党支部" in out and "企业管理部党支部" in out
    assert sum(1 for r in board if r["place"] <= cut) == sum(1 for line in out.splitlines() if "党支部 " in line and "│" in line)


def test_the_default_board_is_the_latest_month_however_months_are_written(capsys, tmp_path):
    source = Path(DATA).read_text(encoding="utf-8").splitlines()
    rewritten = [source[0]] + [
        re.sub(r",2024-(\d\d),", lambda m: f",2024年{int(m.group(1))}月,", line) for line in source[1:]]
    path = tmp_path / "chinese-months.csv"
    path.write_text("\n".join(rewritten) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "score", RULES, str(path))
    assert code == 0 and err == ""
    assert "· 2024-12" in out.splitlines()[0]
    code, out, _ = run(capsys, "score", RULES, str(path), "--period", "2024年3月", "--format", "json")
    assert code == 0 and {r["period"] for r in json.loads(out)} == {"2024-03"}


# -- files for the office ------------------------------------------------------------------------

def test_score_writes_csv_for_excel_with_a_bom_and_json_without(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "score", RULES, DATA, "--format", "csv", "-o", str(tmp_path / "b.csv"))
    assert code == 0 and out == ""
    raw = (tmp_path / "b.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Excel reads it as UTF-8
    _, printed, _ = run(capsys, "score", RULES, DATA, "--format", "csv")
    assert raw.decode("utf-8-sig").replace("\r\n", "\n") == printed
    run(capsys, "score", RULES, DATA, "--format", "json", "-o", str(tmp_path / "b.json"))
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))[0]["entity"]


def test_score_writes_workbooks_only_to_a_file(capsys, tmp_path: Path) -> None:
    assert_clean_error(*run(capsys, "score", RULES, DATA, "--format", "xlsx"))
    assert_clean_error(*run(capsys, "score", RULES, DATA, "--formulas", "-o", str(tmp_path / "a.csv")))
    assert_clean_error(*run(capsys, "score", RULES, DATA, "-o", str(tmp_path / "a.txt")))
    code, out, _ = run(capsys, "score", RULES, DATA, "--format", "xlsx", "--formulas",
                       "--period", "2024-12", "-o", str(tmp_path / "audit.xlsx"))
    assert code == 0 and "audit workbook" in out
    import openpyxl
    book = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    assert book.sheetnames[:2] == ["数据", "计算"] and book["计算"].max_row == 32  # 30 branches


def test_score_reads_a_gbk_csv_and_a_sheet_by_name(capsys, tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(Path(DATA).read_text(encoding="utf-8").encode("gbk"))
    _, expected, _ = run(capsys, "score", RULES, DATA, "--format", "json")
    assert run(capsys, "score", RULES, str(gbk), "--format", "json")[1] == expected
    assert run(capsys, "score", RULES, str(gbk), "--encoding", "gb18030", "--format", "json")[1] == expected
    assert_clean_error(*run(capsys, "score", RULES, str(gbk), "--encoding", "utf-8"))
    assert_clean_error(*run(capsys, "score", RULES, DATA, "--sheet", "数据"))


def test_uncertainty_prints_the_latest_board_with_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["uncertainty", RULES, DATA, "--draws", "50", "--seed", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "2024-12 · 权重浮动 50 次" in out and "名次区间 5–95%" in out
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert len(rows) == 30
    assert "江州供电分局党支部" in out
    assert main(["uncertainty", RULES, DATA, "--draws", "50", "--seed", "3"]) == 0
    assert capsys.readouterr().out == out  # same seed, same board
