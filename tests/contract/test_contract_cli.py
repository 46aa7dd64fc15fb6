"""Contract tests: the `fortress-score` console script (issue 2 item 8).

Skipped when the console script is not on PATH (package not installed).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

EXE = shutil.which("fortress-score")
pytestmark = pytest.mark.skipif(EXE is None, reason="console script fortress-score not installed")

BUILTINS = ("target", "growth", "bands", "ratio", "checklist", "per_event", "survey", "rank",
            "minmax", "threshold", "decision_table")

DOC = {
    "ruleset": "contract-cli",
    "title": "命令行测试",
    "entity": "branch",
    "period": "month",
    "dimensions": [{"id": "performance", "title": "生产经营业绩", "weight": 1, "indicators": [
        {"id": "line_loss", "title": "综合线损率", "points": 100,
         "evaluate": {"kind": "target", "input": "x", "target": 100, "floor": 0}}]}],
    "adjustments": [{"id": "violations", "title": "违章违纪", "kind": "deduction", "cap": 10,
                     "evaluate": {"kind": "per_event", "input": "violation_count", "each": 2}}],
    "ratings": [{"stars": 5, "min": 90, "title": "五星"}, {"stars": 4, "min": 75, "title": "四星"}],
}

ROWS = [
    {"branch": "一支部", "month": "2021-01", "x": 90, "violation_count": 0},
    {"branch": "二支部", "month": "2021-01", "x": 80, "violation_count": 1},
    {"branch": "一支部", "month": "2021-02", "x": 70, "violation_count": 0},
    {"branch": "二支部", "month": "2021-02", "x": 95, "violation_count": 3},
]
# hand figures: total = x - min(2 * violation_count, 10)
EXPECTED = {
    ("一支部", "2021-01"): 90.0,
    ("二支部", "2021-01"): 78.0,
    ("一支部", "2021-02"): 70.0,
    ("二支部", "2021-02"): 89.0,
}


def run(*args):
    return subprocess.run([EXE, *map(str, args)], capture_output=True, encoding="utf-8",
                          timeout=120)


def no_traceback(proc):
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout


@pytest.fixture
def files(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(DOC, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data = tmp_path / "data.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(ROWS[0]))
        writer.writeheader()
        writer.writerows(ROWS)
    return rules, data


def test_validate_good_file(files):
    rules, _ = files
    proc = run("validate", rules)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)


def test_validate_bad_file(tmp_path):
    doc = dict(DOC, colour="red")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    proc = run("validate", bad)
    assert proc.returncode != 0
    no_traceback(proc)
    assert "colour" in proc.stderr + proc.stdout


def test_validate_missing_file(tmp_path):
    proc = run("validate", tmp_path / "nowhere.yaml")
    assert proc.returncode != 0
    no_traceback(proc)


def _json_records(proc):
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert isinstance(records, list)
    return {(r["entity"], r["period"]): r for r in records}


def test_score_json(files):
    rules, data = files
    recs = _json_records(run("score", rules, data, "--format", "json"))
    assert set(recs) == set(EXPECTED)
    for key, total in EXPECTED.items():
        assert float(recs[key]["total"]) == pytest.approx(total)
    assert recs[("一支部", "2021-01")]["stars"] == 5
    assert recs[("二支部", "2021-01")]["stars"] == 4
    assert recs[("二支部", "2021-02")]["rank"] == 1
    assert float(recs[("二支部", "2021-02")]["adjustments"]["violations"]) == pytest.approx(-6)


def test_score_json_period_filter(files):
    rules, data = files
    recs = _json_records(run("score", rules, data, "--period", "2021-02", "--format", "json"))
    assert set(recs) == {("一支部", "2021-02"), ("二支部", "2021-02")}


@pytest.mark.parametrize("shape", ["records", "columns"])
def test_score_json_data(tmp_path, files, shape):
    rules, _ = files
    data = tmp_path / "data.json"
    payload = ROWS if shape == "records" else {k: [r[k] for r in ROWS] for k in ROWS[0]}
    data.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    recs = _json_records(run("score", rules, data, "--format", "json"))
    for key, total in EXPECTED.items():
        assert float(recs[key]["total"]) == pytest.approx(total)


def test_score_csv(files):
    rules, data = files
    proc = run("score", rules, data, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    body = [row for row in rows[1:] if row]
    assert len(body) == 4
    assert "一支部" in proc.stdout and "二支部" in proc.stdout


@pytest.mark.parametrize("extra", [(), ("--format", "table")])
def test_score_table(files, extra):
    rules, data = files
    proc = run("score", rules, data, *extra)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)
    assert "一支部" in proc.stdout and "二支部" in proc.stdout


def test_score_missing_column(tmp_path, files):
    rules, _ = files
    data = tmp_path / "short.csv"
    data.write_text("branch,month,x\n一支部,2021-01,90\n", encoding="utf-8")
    proc = run("score", rules, data, "--format", "json")
    assert proc.returncode != 0
    no_traceback(proc)
    assert "violation_count" in proc.stderr + proc.stdout


def test_explain(files):
    rules, data = files
    proc = run("explain", rules, data, "一支部", "--period", "2021-01")
    assert proc.returncode == 0, proc.stderr
    assert "line_loss" in proc.stdout or "综合线损率" in proc.stdout


def test_evaluators_lists_the_builtins():
    proc = run("evaluators")
    assert proc.returncode == 0, proc.stderr
    for name in BUILTINS:
        assert name in proc.stdout


SEED_PACK = Path(__file__).resolve().parents[2] / "rules" / "three-dimensions.yaml"


@pytest.mark.skipif(not SEED_PACK.exists(), reason="rules/three-dimensions.yaml not present")
def test_validate_seed_rule_pack():
    proc = run("validate", SEED_PACK)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)
