"""`read_data`: CSV and JSON data files read into what `score` takes."""

from __future__ import annotations

import pytest

import fortress_score as fs
from fortress_score import read_data


def test_csv_keeps_codes_as_text_and_reads_numbers_strictly(tmp_path) -> None:
    rules = fs.load_rules({
        "ruleset": "csv", "entity": "branch", "period": "month",
        "fields": {"flag": {"type": "bool"}},
        "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "x", "points": 10, "evaluate": {"kind": "target", "input": "x", "target": 100, "floor": 0}},
            {"id": "f", "points": 10, "evaluate": {"kind": "threshold", "input": "flag", "op": "==", "value": 1}}]}]})
    path = tmp_path / "d.csv"
    path.write_text("branch,month,x,flag,note\n0101,9,1_000,true,12\n0202,10,nan,False,\n0303,11,９０,1,x\n"
                    "0404,12,-2.5e1,0,\n", encoding="utf-8")
    with pytest.raises(fs.DataError) as info:  # refused when read, each at its line
        read_data(str(path), rules)
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "x"), (3, "x")]
    assert "'1_000'" in info.value.problems[0].message
    path.write_text("branch,month,x,flag,note\n0101,9,1000,true,12\n0202,10,,False,\n0303,11,９０,1,x\n"
                    "0404,12,-2.5e1,0,\n", encoding="utf-8")
    records = read_data(str(path), rules)
    assert [r["branch"] for r in records] == ["0101", "0202", "0303", "0404"]
    assert [r["month"] for r in records] == ["9", "10", "11", "12"]      # keys stay text
    assert [r["x"] for r in records] == [1000, None, 90, -25.0]   # full-width digits folded
    assert [r["flag"] for r in records] == [1, 0, 1, 0]
    assert records[0]["note"] == "12" and records[1]["note"] is None


def test_csv_shape_problems_are_data_errors(tmp_path) -> None:
    (tmp_path / "extra.csv").write_text("branch,x\nA,1,2\nB,2\n")
    with pytest.raises(fs.DataError, match=r"extra\.csv:2: has 3 cells for 2 columns"):
        read_data(str(tmp_path / "extra.csv"))
    (tmp_path / "twice.csv").write_text("branch,x,x\nA,1,2\n")
    with pytest.raises(fs.DataError, match=r"twice\.csv:1: the heading 'x' names 'x', as does "
                       r"the heading of column 2"):
        read_data(str(tmp_path / "twice.csv"))


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_javascript_numbers_in_json_are_refused_at_their_place(tmp_path: Path, token: str) -> None:
    path = tmp_path / "data.json"
    path.write_text('[{"branch": "A", "rate": 95},\n {"branch": "NaN", "rate": ' + token + "}]\n",
                    encoding="utf-8")
    with pytest.raises(fs.DataError) as info:
        fs.read_data(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.col) == (str(path), 2, 28)  # the token, not "NaN"
    assert problem.message.startswith(f"{token} is not JSON")


def test_problems_found_when_scoring_name_the_files_lines(tmp_path: Path) -> None:
    rules = {"ruleset": "r", "entity": "branch", "period": "month", "dimensions": [
        {"id": "d", "weight": 1, "indicators": [{"id": "i", "points": 1, "evaluate": {
            "kind": "target", "input": "rate", "target": 100, "floor": 90}}]}]}
    path = tmp_path / "d.csv"
    path.write_text('branch,month,rate\nA,2024-01,95\n"B\nsecond line",2024-01,inf\nC,2024-01,\n'
                    "D,2024-01,97\n", encoding="utf-8")
    data = read_data(path, fs.load_rules(rules))
    assert data.lines == [2, 3, 5, 6]  # a quoted cell over two lines: the next record is on 5
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, data)
    problem = info.value.problems[0]
    assert problem.file == str(path)
    assert problem.rows == ("line 3 (branch=B\nsecond line, month=2024-01)",)


def test_json_keys_given_twice_and_nan_inside_text(tmp_path: Path) -> None:
    twice = tmp_path / "twice.json"
    twice.write_text('[{"branch": "A", "rate": 50, "rate": 95}]', encoding="utf-8")
    with pytest.raises(fs.DataError, match="key 'rate' is given twice in one record"):
        read_data(twice)
    quoted = tmp_path / "quoted.json"
    quoted.write_text('[{"branch": "is NaN here", "rate": 95},\n {"branch": "B", "rate": NaN}]',
                      encoding="utf-8")
    with pytest.raises(fs.DataError) as info:
        read_data(quoted)
    assert (info.value.problems[0].line, info.value.problems[0].col) == (2, 26)


def test_lines_go_with_the_records_when_the_list_is_reordered(tmp_path: Path) -> None:
    rules = {"ruleset": "r", "entity": "branch", "dimensions": [
        {"id": "d", "weight": 1, "indicators": [{"id": "i", "points": 1, "evaluate": {
            "kind": "target", "input": "rate", "target": 100, "floor": 90}}]}]}
    path = tmp_path / "d.csv"
    path.write_text("branch,rate\nA,95\nB,96\nC,inf\n", encoding="utf-8")
    data = read_data(path, fs.load_rules(rules))
    data.reverse()
    assert data.lines == [4, 3, 2]
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, data)
    assert info.value.problems[0].rows == ("line 4 (branch=C)",)
    data.append({"branch": "D", "rate": 97})  # a record not from the file: positions again
    assert data.lines is None


def test_any_line_ending_and_a_broken_csv(tmp_path: Path) -> None:
    old_mac = tmp_path / "cr.csv"
    old_mac.write_bytes("branch,rate\r甲,95\r乙,96\r".encode())
    assert [r["branch"] for r in read_data(old_mac)] == ["甲", "乙"]
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"branch,rate\nA,9\x005\n")
    try:
        read_data(nul)
    except fs.DataError as exc:  # some Pythons refuse a NUL byte: then as a placed problem
        assert exc.problems[0].file == str(nul)
