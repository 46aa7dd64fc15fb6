"""bounded.py: files read safely — regular files only, a size bound, bad bytes placed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import fortress_score as fs
from fortress_score.bounded import decode_utf8, read_bytes


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_pipes_devices_and_directories_are_refused_at_once(tmp_path: Path) -> None:
    pipe = tmp_path / "rules.yaml"
    os.mkfifo(pipe)  # reading it would wait for ever
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")  # reading it would fill memory
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(fs.RuleFileError, match="must be a regular file; this is a named pipe"):
        fs.load_rules(pipe)
    with pytest.raises(fs.RuleFileError, match="this is a device or socket"):
        fs.load_rules(zero)
    with pytest.raises(fs.DataError, match="this is a directory"):
        fs.read_data(tmp_path / "dir.csv")


def test_a_size_bound(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)
    with pytest.raises(fs.DataError, match="is 101 bytes; at most 100 are read") as info:
        read_bytes(str(path), 100, fs.DataError, "data file")
    assert info.value.problems[0].file == str(path)
    assert read_bytes(str(path), 101, fs.DataError, "data file") == b"x" * 101


def test_a_bad_byte_is_placed_at_its_line_and_column(tmp_path: Path) -> None:
    raw = "branch,rate\nA,95\n".encode() + "乙,96\n".encode("gb18030")
    with pytest.raises(fs.DataError) as info:
        decode_utf8(raw, "d.csv", fs.DataError, "data file")
    problem = info.value.problems[0]
    assert (problem.line, problem.col) == (3, 1)
    assert "byte 17 (0xd2, byte 1 of line 3)" in problem.message
    assert decode_utf8("\ufeffbranch".encode(), "d.csv", fs.DataError, "data file") == "branch"


def test_numbers_too_long_to_read_are_refused_with_their_place(tmp_path: Path) -> None:
    rules = {"ruleset": "r", "entity": "branch", "dimensions": [{"id": "d", "weight": 1,
             "indicators": [{"id": "i", "points": 1, "evaluate": {
                 "kind": "target", "input": "rate", "target": 100, "floor": 90}}]}]}
    digits = "9" * 5000
    for name, text in (("d.csv", f"branch,rate\nA,{digits}\n"),
                       ("d.json", f'[{{"branch": "A", "rate": {digits}}}]')):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(fs.DataError) as info:
            fs.score(rules, fs.read_data(path, fs.load_rules(rules)))
        problem = info.value.problems[0]
        where = "line 2" if name.endswith(".csv") else "row 0"  # CSV rows keep their lines
        assert (problem.column, problem.rows) == ("rate", (f"{where} (branch=A)",))
        assert problem.file == str(path)
    for name, text, line in (("r.yaml", f"ruleset: r\nentity: b\nscale: {digits}\n", 3),
                             ("r.toml", f'ruleset = "r"\nentity = "b"\nscale = {digits}\n', 3),
                             ("r.json", f'{{"ruleset": "r",\n"scale": {digits}}}', 2)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(fs.RuleFileError) as info:
            fs.load_rules(path)
        assert line in {p.line for p in info.value.problems}, name
        assert all(len(str(p)) < 300 for p in info.value.problems)
