"""Reading rule files: formats, positions, and hostile YAML."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

import fortress_score as fs
from fortress_score.rules import file as rulefile

PACK = Path(__file__).parents[2] / "rules" / "three-dimensions.yaml"


def test_yaml_toml_and_json_give_the_same_rule_set(tmp_path: Path, engine: fs.Engine) -> None:
    data = yaml.safe_load(PACK.read_text(encoding="utf-8"))
    (tmp_path / "pack.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    toml_lines = ['ruleset = "three-dimensions-2021"']
    # TOML: check one small file by hand instead of writing a TOML emitter
    (tmp_path / "small.toml").write_text(
        'ruleset = "t"\nentity = "branch"\n[[dimensions]]\nid = "d"\nweight = 1\n'
        '[[dimensions.indicators]]\nid = "i"\npoints = 10\n'
        'evaluate = {kind = "target", input = "x", target = 1.0, floor = 0.0}\n', encoding="utf-8")
    (tmp_path / "small.yaml").write_text(
        "ruleset: t\nentity: branch\ndimensions:\n- id: d\n  weight: 1\n  indicators:\n"
        "  - {id: i, points: 10, evaluate: {kind: target, input: x, target: 1.0, floor: 0.0}}\n",
        encoding="utf-8")
    assert toml_lines
    from_yaml = engine.load_rules(PACK)
    assert engine.load_rules(tmp_path / "pack.json").digest == from_yaml.digest
    assert engine.load_rules(tmp_path / "small.toml").digest == engine.load_rules(tmp_path / "small.yaml").digest


def test_digest_ignores_formatting_and_defaults(tmp_path: Path, engine: fs.Engine) -> None:
    terse = "ruleset: t\nentity: b\ndimensions: [{id: d, weight: 1, indicators: [{id: i, points: 10, evaluate: {kind: rank, input: x}}]}]\n"
    spelled = ("# comment\nruleset: t\nentity: b\nscale: 100\nprecision: 2\nmissing: skip\n"
               "dimensions:\n  - id: d\n    weight: 1.0\n    indicators:\n      - id: i\n        points: 10\n"
               "        evaluate: {kind: rank, input: x, higher_is_better: true}\n")
    (tmp_path / "a.yaml").write_text(terse)
    (tmp_path / "b.yaml").write_text(spelled)
    assert engine.load_rules(tmp_path / "a.yaml").digest == engine.load_rules(tmp_path / "b.yaml").digest
    (tmp_path / "c.yaml").write_text(terse.replace("points: 10", "points: 11"))
    assert engine.load_rules(tmp_path / "c.yaml").digest != engine.load_rules(tmp_path / "a.yaml").digest


def test_positions_are_kept_for_every_key() -> None:
    source = rulefile.read_yaml_text("a: 1\nb:\n  - x: 2\n    y: [3, 4]\n", "f.yaml")

    def at(*loc: str | int) -> tuple[int | None, int | None]:
        problem = source.problem("m", loc)
        return problem.line, problem.col

    assert at("a") == (1, 1)
    assert at("b", 0, "y") == (4, 5)
    assert at("b", 0, "y", 1) == (4, 12)
    assert at("b", 0, "missing", "deeper") == (3, 5)   # the deepest key the file shows
    assert str(source.problem("m", ("b", 0, "y"))) == "f.yaml:4:5: b[0].y: m"


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 1\na: 2\n", r"f\.yaml:2:1: a: key 'a' is given twice"),
    ("a: !!python/name:os.system ''\n", r"f\.yaml:1:4: a: cannot read value"),
    ("a: !!python/object/apply:os.system ['true']\n", r"f\.yaml:1:4: a: tag .* is not allowed"),
    ("a: !!python/object/apply:os.system\n  - true\n", r"tag .* is not allowed"),
    ("a: [1, 2\nb: 3\n", r"f\.yaml:2:2: not valid YAML"),
    ("a: *nowhere\n", r"f\.yaml:1:4: not valid YAML"),
])
def test_bad_yaml_names_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(fs.RuleFileError, match=expected):
        rulefile.read_yaml_text(text, "f.yaml")


def test_alias_bomb_fails_fast(tmp_path: Path, engine: fs.Engine) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(fs.RuleFileError, match="more than .* values"):
        engine.load_rules(tmp_path / "bomb.yaml")
    assert time.perf_counter() - started < 30  # a sanity bound, not a benchmark: 1e9 nodes would never end


def test_oversized_and_unknown_files_are_refused(tmp_path: Path, engine: fs.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("ruleset: x\n" + "#" * 200 + "\n")
    monkeypatch.setattr(rulefile, "MAX_FILE_BYTES", 100)
    with pytest.raises(fs.RuleFileError, match=r"big\.yaml: rule file is \d+ bytes; at most 100"):
        engine.load_rules(big)
    with pytest.raises(fs.RuleFileError, match="must end in"):
        engine.load_rules(tmp_path / "rules.txt")
    with pytest.raises(fs.RuleFileError, match="cannot read rule file"):
        engine.load_rules(tmp_path / "absent.yaml")


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("x.toml", 'ruleset = "a"\nentity = \n', r"x\.toml:2:10: not valid TOML"),
    ("x.json", '{"ruleset": "a",\n "entity": }', r"x\.json:2:12: not valid JSON"),
    ("x.yaml", "", r"x\.yaml:1:1: the top level must be a mapping of rule keys; got an empty file"),
    ("x.json", "[1, 2]", r"x\.json:1:1: the top level must be a mapping of rule keys; got list"),
])
def test_syntax_errors_name_the_line(tmp_path: Path, engine: fs.Engine, name: str, text: str, expected: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(fs.RuleFileError, match=expected):
        engine.load_rules(tmp_path / name)


def test_yes_and_no_stay_words_as_in_yaml_1_2() -> None:
    source = rulefile.read_yaml_text("fields: {yes: yes, no: no, on: On}\nflag: true\noff: False\n")
    assert source.data == {"fields": {"yes": "yes", "no": "no", "on": "On"}, "flag": True, "off": False}


TOML_PACK = """\
ruleset = "t"
entity = "branch"

[fields.rate]
title = "电费回收率"
min = "zero"

[[dimensions]]
id = "perf"
weight = 1

[[dimensions.indicators]]
id = "a"
points = 10
evaluate = { kind = "target", input = "x", target = 1.0, floor = 1.0 }

[[dimensions.indicators]]
id = "b"
points = -3
evaluate = { kind = "rank", input = "x" }

[[dimensions]]
id = "team"
weight = 0

  [[dimensions.indicators]]
  id = "c"
  "points" = 5
  evaluate.kind = "rank"
  evaluate.input = "y"
  evaluate.extra = 1
"""


def test_toml_problems_point_at_their_lines(tmp_path: Path, engine: fs.Engine) -> None:
    (tmp_path / "r.toml").write_text(TOML_PACK, encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        engine.load_rules(tmp_path / "r.toml")
    where = {p.path: (p.line, p.col) for p in info.value.problems}
    assert where == {
        "fields.rate.min": (6, 1),
        "dimensions[0].indicators[0].evaluate": (15, 1),
        "dimensions[0].indicators[1].points": (19, 1),
        "dimensions[1].weight": (24, 1),
        "dimensions[1].indicators[0].evaluate.extra": (31, 3),
    }


def test_json_problems_point_at_their_lines(tmp_path: Path, engine: fs.Engine) -> None:
    (tmp_path / "r.json").write_text(
        '{"ruleset": "j", "entity": "b",\n "dimensions": [\n  {"id": "d", "weight": 1, "indicators": [\n'
        '   {"id": "i", "points": 0,\n    "evaluate": {"kind": "rank", "input": "x"}}]}]}\n')
    with pytest.raises(fs.RuleFileError, match=r"r\.json:4:16: dimensions\[0\]\.indicators\[0\]\.points"):
        engine.load_rules(tmp_path / "r.json")
    (tmp_path / "twice.json").write_text('{"ruleset": "a", "ruleset": "b"}')
    with pytest.raises(fs.RuleFileError, match="key 'ruleset' is given twice"):
        engine.load_rules(tmp_path / "twice.json")


@pytest.mark.parametrize(("name", "template"), [
    ("deep.yaml", "a: {}\n"), ("deep.json", '{{"a": {}}}'), ("deep.toml", "a = {}\n"),
])
@pytest.mark.parametrize("depth", [100, 5000])
def test_absurd_nesting_is_refused_not_a_recursion_error(tmp_path: Path, engine: fs.Engine, name: str,
                                                          template: str, depth: int) -> None:
    (tmp_path / name).write_text(template.format("[" * depth + "]" * depth))
    # ours, or libyaml's own limit where the parser meets it first
    with pytest.raises(fs.RuleFileError, match="nesting is deeper than 64 levels|maximum nesting depth"):
        engine.load_rules(tmp_path / name)


@pytest.mark.parametrize("written", ["010", "1:30", "12:30:00", "1_000"])
def test_yaml_1_1_number_forms_are_refused(written: str) -> None:
    with pytest.raises(fs.RuleFileError, match=f"'{written}' is ambiguous"):
        rulefile.read_yaml_text(f"points: {written}\n", "f.yaml")


def test_numbers_read_as_yaml_1_2_does() -> None:
    data = rulefile.read_yaml_text("a: 1e3\nb: '010'\nc: 0.05\nd: -2.5E-2\ne: 0\n").data
    assert data == {"a": 1000.0, "b": "010", "c": 0.05, "d": -0.025, "e": 0}


def test_merge_keys_follow_yamls_rule(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text(
        "ruleset: r\nentity: branch\ndimensions:\n  - id: d\n    weight: 1\n    indicators:\n"
        "      - {id: a, points: 1, evaluate: &t {kind: target, input: rate, target: 100, floor: 90}}\n"
        "      - id: b\n        points: 1\n        evaluate:\n          <<: *t\n          input: other\n",
        encoding="utf-8")
    rules = fs.load_rules(path)
    assert rules.dimensions[0].indicators[1].evaluate.inputs == ("other",)  # its own key wins
    assert rules.dimensions[0].indicators[1].evaluate.params.target == 100.0  # merged in
    twice = tmp_path / "twice.yaml"
    twice.write_text("ruleset: r\nentity: a\nentity: b\n", encoding="utf-8")
    with pytest.raises(fs.RuleFileError, match="key 'entity' is given twice"):
        fs.load_rules(twice)


def test_a_long_value_is_shown_short() -> None:
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules({"ruleset": "r", "entity": "b", "scale": "x" * 1_500_000,
                       "dimensions": [{"id": "d", "weight": 1, "indicators": [
                           {"id": "i", "points": 1, "evaluate": {"kind": "t" * 100_000}}]}]})
    assert len(str(info.value)) < 600
    assert "1,500,000 characters" in str(info.value)


def test_two_merge_keys_in_one_mapping_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n", encoding="utf-8")
    with pytest.raises(fs.RuleFileError, match=r"key '<<' is given twice; merge several"):
        fs.load_rules(path)
