"""Mutated rule files: the loader accepts them or raises FortressScoreError, nothing else."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fortress_score as fs
from fortress_score.rules import file as rulefile
from fortress_score import read_data

PACK_TEXT = (Path(__file__).parent.parent / "rules" / "three-dimensions.yaml").read_text(encoding="utf-8")
PACK = yaml.safe_load(PACK_TEXT)
ENGINE = fs.Engine(entry_points=False)
SAMPLE = read_data(str(Path(__file__).parent.parent / "examples" / "branches-2024.csv"))

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5), st.just([]), st.just({}), st.just([1, "a"]), st.just({"kind": "nope"}),
    st.just({"kind": "target"}), st.just(float("nan")),
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


ALL_PATHS = paths(PACK)


def load_or_refuse(data: Any) -> None:
    try:
        rules = ENGINE.load_rules(data)
    except fs.FortressScoreError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return
    assert isinstance(rules, fs.RuleSet)
    # whatever was accepted must score the sample data sensibly or refuse it clearly
    try:
        records = ENGINE.score(rules, SAMPLE).to_records()
    except fs.FortressScoreError:
        return
    for record in records:
        total = record["total"]
        assert total is None or (rules.clamp is False or 0.0 <= total <= rules.scale), record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), st.sampled_from(["set", "delete", "rename"]), junk),
                min_size=1, max_size=4))
def test_structural_mutations(mutations: list[tuple[tuple, str, Any]]) -> None:
    data = copy.deepcopy(PACK)
    for path, action, value in mutations:
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            if action == "set":
                parent[key] = value
            elif action == "delete":
                del parent[key]
            elif isinstance(parent, dict):
                parent[f"{key}x"] = parent.pop(key)
        except (KeyError, IndexError, TypeError):
            continue
    load_or_refuse(data)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_text_mutations(data: st.DataObject) -> None:
    text = PACK_TEXT
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text) - 1))
        edit = data.draw(st.sampled_from(["drop", "insert", "swap"]))
        if edit == "drop":
            text = text[:at] + text[at + data.draw(st.integers(1, 20)):]
        elif edit == "insert":
            text = text[:at] + data.draw(st.sampled_from(["&a ", "*a", "!!python/name:os.system ", ":", "-", "{", "]", "\t", "\n  ", "'", "<<: *a\n"])) + text[at:]
        else:
            text = text[:at] + text[at:at + 30][::-1] + text[at + 30:]
    try:
        source = rulefile.read_yaml_text(text, "mutated.yaml")
    except fs.FortressScoreError as exc:
        assert exc.problems[0].file == "mutated.yaml"
        return
    try:
        load_or_refuse(source.data if isinstance(source.data, dict) else {"top": source.data})
    except RecursionError as exc:  # pragma: no cover - would be a bug
        raise AssertionError("recursion") from exc


def test_json_of_the_pack_round_trips_through_the_loader(tmp_path: Path) -> None:
    (tmp_path / "pack.json").write_text(json.dumps(PACK, ensure_ascii=False), encoding="utf-8")
    assert ENGINE.load_rules(tmp_path / "pack.json").ruleset == PACK["ruleset"]
