"""Contract tests: hostile input (the reliability issue).

Written from the issue's contract alone, while the implementation is being built:

1. rule files refuse non-finite numbers anywhere (mappings, YAML, TOML, JSON; evaluator
   params too, even a plug-in's params that allow them), placed at the rule path;
2. ids are NFKC-normalised (a full-width ``ｒａｔｅ`` is ``rate``) and an id mixing Latin
   with Cyrillic or Greek letters is refused at its path, naming the scripts;
3. the caller's data never changes, whatever is asked of the card and whatever a plug-in
   tries (``flags.writeable = True`` and a write);
4. plug-in results are checked fully: float attainment only; ``SystemExit`` and other
   ``BaseException`` subclasses raised in ``evaluate`` become a PluginError naming the
   evaluator (``KeyboardInterrupt`` still propagates);
5. one input rule for numbers on every path: booleans in numeric columns, sets as columns,
   misaligned pandas indexes, JSON's ``NaN``/``Infinity``/``true``;
6. survey counts near the float limit do not overflow, and attainment is scale-free;
7. reported figures are rounded half up from the exact value of the decimal inputs.

Attributes of errors (problems, paths, columns, rows, files, lines, evaluator) are asserted
first; wording only where the contract names it.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import re
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ConfigDict

import fortress_score as fs

RULES: dict[str, Any] = {
    "ruleset": "h", "entity": "branch", "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "rate", "points": 10,
         "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}}]}],
    "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}],
}

SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def rules(**top: Any) -> dict[str, Any]:
    """A fresh copy of RULES with top-level keys replaced."""
    data = copy.deepcopy(RULES)
    data.update(copy.deepcopy(top))
    return data


def with_evaluate(evaluate: dict[str, Any], **top: Any) -> dict[str, Any]:
    """RULES with the one indicator's ``evaluate:`` table replaced."""
    data = rules(**top)
    data["dimensions"][0]["indicators"][0]["evaluate"] = copy.deepcopy(evaluate)
    return data


def paths_of(exc: fs.FortressScoreError) -> set[str]:
    return {p.path for p in exc.problems if p.path}


def describe(exc: BaseException) -> str:
    problems = getattr(exc, "problems", [])
    return f"{type(exc).__name__}: " + "; ".join(
        f"path={p.path!r} column={p.column!r} file={p.file!r} line={p.line!r} rows={p.rows!r} "
        f"{p.message}" for p in problems)


def set_at(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``dimensions[0].indicators[0].evaluate.target`` (and the like) in ``data``."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    target: Any = data
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value


# =========================================================================== 1. non-finite
# A valid rule set touching every kind of number: fields, weights, points, params, bands,
# survey levels, an adjustment, a veto, ratings, scale.
FULL_RULES: dict[str, Any] = {
    "ruleset": "h", "entity": "branch", "scale": 100,
    "fields": {"rate": {"type": "float", "min": 0, "max": 200}},
    "dimensions": [
        {"id": "d", "weight": 1, "indicators": [
            {"id": "rate", "points": 10,
             "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}},
            {"id": "banded", "points": 10,
             "evaluate": {"kind": "bands", "input": "rate", "bands": [
                 {"min": 95, "score": 1.0}, {"min": 90, "max": 95, "score": 0.5}]}},
            {"id": "poll", "points": 10,
             "evaluate": {"kind": "survey", "levels": {"good": 1.0, "bad": 0.0},
                          "groups": [{"name": "all", "fields": {"good": "g", "bad": "b"}}]}}]}],
    "adjustments": [{"id": "awards", "kind": "bonus", "cap": 5,
                     "evaluate": {"kind": "per_event", "input": "awards", "each": 1}}],
    "vetoes": [{"id": "safety", "when": {"kind": "threshold", "input": "incidents", "op": ">",
                                         "value": 0},
                "effect": {"total": 60}}],
    "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}],
}

NON_FINITE_PLACES = [
    "scale",
    "fields.rate.min",
    "fields.rate.max",
    "dimensions[0].weight",
    "dimensions[0].indicators[0].points",
    "dimensions[0].indicators[0].evaluate.target",
    "dimensions[0].indicators[0].evaluate.floor",
    "dimensions[0].indicators[1].evaluate.bands[0].min",
    "dimensions[0].indicators[1].evaluate.bands[1].max",
    "dimensions[0].indicators[2].evaluate.levels.good",
    "adjustments[0].cap",
    "adjustments[0].evaluate.each",
    "vetoes[0].when.value",
    "vetoes[0].effect.total",
    "ratings[0].min",
    "ratings[1].min",
]
NON_FINITE_VALUES = [
    pytest.param(float("nan"), id="nan"),
    pytest.param(float("inf"), id="inf"),
    pytest.param(float("-inf"), id="-inf"),
    pytest.param(np.float64("nan"), id="np-nan"),
]


def test_the_full_rule_set_is_valid() -> None:
    """The control for the non-finite cases: only the one value put in makes them fail."""
    fs.load_rules(copy.deepcopy(FULL_RULES))


@pytest.mark.parametrize("value", NON_FINITE_VALUES)
@pytest.mark.parametrize("path", NON_FINITE_PLACES)
def test_a_non_finite_number_in_a_rule_mapping_is_refused_at_its_path(path: str, value: float) -> None:
    data = copy.deepcopy(FULL_RULES)
    set_at(data, path, value)
    for build in (fs.load_rules, fs.Engine(entry_points=False).rules_from_mapping):
        with pytest.raises(fs.RuleFileError) as info:
            build(copy.deepcopy(data))
        assert path in paths_of(info.value), describe(info.value)


YAML_RULES = """\
ruleset: h
entity: branch
scale: 100
fields:
  rate: {type: float, min: 0, max: 200}
dimensions:
  - id: d
    weight: 1
    indicators:
      - id: rate
        points: 10
        evaluate: {kind: target, input: rate, target: 100, floor: 90}
ratings:
  - {stars: 5, min: 90}
  - {stars: 4, min: 80}
"""


@pytest.mark.parametrize(("old", "new", "path", "line"), [
    pytest.param("scale: 100", "scale: .nan", "scale", 3, id="scale-.nan"),
    pytest.param("scale: 100", "scale: .NaN", "scale", 3, id="scale-.NaN"),
    pytest.param("max: 200", "max: .inf", "fields.rate.max", 5, id="field-max-.inf"),
    pytest.param("weight: 1", "weight: +.inf", "dimensions[0].weight", 8, id="weight-+.inf"),
    pytest.param("points: 10", "points: .Inf", "dimensions[0].indicators[0].points", 11,
                 id="points-.Inf"),
    pytest.param("target: 100", "target: .inf", "dimensions[0].indicators[0].evaluate.target",
                 12, id="target-.inf"),
    pytest.param("floor: 90", "floor: -.inf", "dimensions[0].indicators[0].evaluate.floor", 12,
                 id="floor--.inf"),
    pytest.param("min: 80}", "min: -.INF}", "ratings[1].min", 15, id="rating-min--.INF"),
])
def test_a_non_finite_number_in_a_yaml_rule_file_is_refused_at_its_path_and_line(
        tmp_path: Path, old: str, new: str, path: str, line: int) -> None:
    assert YAML_RULES.count(old) == 1
    file = tmp_path / "rules.yaml"
    file.write_text(YAML_RULES.replace(old, new), encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(file))
    placed = [p for p in info.value.problems if p.path == path]
    assert placed, describe(info.value)
    assert placed[0].line == line, describe(info.value)
    assert placed[0].file is not None and Path(placed[0].file).name == "rules.yaml"


def test_non_finite_numbers_in_toml_and_json_rule_files_are_refused(tmp_path: Path) -> None:
    toml = tmp_path / "rules.toml"
    toml.write_text(
        'ruleset = "h"\nentity = "branch"\nscale = nan\n\n[[dimensions]]\nid = "d"\nweight = 1\n'
        '\n[[dimensions.indicators]]\nid = "rate"\npoints = 10\n'
        'evaluate = {kind = "target", input = "rate", target = inf, floor = -inf}\n',
        encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(toml))
    assert {"scale", "dimensions[0].indicators[0].evaluate.target",
            "dimensions[0].indicators[0].evaluate.floor"} <= paths_of(info.value), \
        describe(info.value)
    as_json = tmp_path / "rules.json"
    text = json.dumps(with_evaluate({"kind": "target", "input": "rate", "target": 100,
                                     "floor": 90}, scale=100), indent=1)
    as_json.write_text(text.replace('"scale": 100', '"scale": NaN')
                       .replace('"target": 100', '"target": Infinity'), encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(as_json))
    assert {"scale", "dimensions[0].indicators[0].evaluate.target"} <= paths_of(info.value), \
        describe(info.value)


class LaxParams(fs.Params):
    """A plug-in author's params that let NaN and infinity through (the hostile case)."""

    model_config = ConfigDict(allow_inf_nan=True)
    input: fs.Column
    level: float = 0.5
    steps: list[float] | None = None
    anything: Any = None


class Lax(fs.Evaluator[LaxParams]):
    """Half attainment wherever the input has a value."""

    name = "contract_lax"
    Params = LaxParams

    def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
        return np.where(np.isnan(columns[params.input]), np.nan, 0.5)


def test_a_plugin_whose_params_allow_inf_nan_accepts_finite_values() -> None:
    data = with_evaluate({"kind": "contract_lax", "input": "rate", "level": 0.25,
                          "steps": [0.0, 2.0], "anything": 3.0})
    card = fs.score(data, {"branch": ["A"], "rate": [1.0]}, plugins=[Lax()])
    assert card.to_records()[0]["total"] == 50.0


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")],
                         ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(("field", "given", "path"), [
    pytest.param("level", lambda v: v, "dimensions[0].indicators[0].evaluate.level", id="float"),
    pytest.param("steps", lambda v: [0.0, v], "dimensions[0].indicators[0].evaluate.steps",
                 id="tuple-item"),
    pytest.param("anything", lambda v: {"deep": [1.0, v]},
                 "dimensions[0].indicators[0].evaluate.anything", id="any-nested"),
])
def test_a_plugin_whose_params_allow_inf_nan_still_gets_them_refused(
        field: str, given: Callable[[float], Any], path: str, value: float) -> None:
    data = with_evaluate({"kind": "contract_lax", "input": "rate", field: given(value)})
    with pytest.raises(fs.RuleFileError) as info:
        fs.Engine(plugins=[Lax()], entry_points=False).rules_from_mapping(copy.deepcopy(data))
    assert any(p.startswith(path) for p in paths_of(info.value)), describe(info.value)
    with pytest.raises(fs.RuleFileError) as scored:
        fs.score(copy.deepcopy(data), {"branch": ["A"], "rate": [1.0]}, plugins=[Lax()])
    assert any(p.startswith(path) for p in paths_of(scored.value)), describe(scored.value)


def test_a_plugin_whose_params_allow_inf_nan_gets_yaml_inf_refused_with_its_line(
        tmp_path: Path) -> None:
    file = tmp_path / "lax.yaml"
    file.write_text(YAML_RULES.replace(
        "evaluate: {kind: target, input: rate, target: 100, floor: 90}",
        "evaluate: {kind: contract_lax, input: rate, level: .inf}"), encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(file), plugins=[Lax()])
    placed = [p for p in info.value.problems
              if p.path == "dimensions[0].indicators[0].evaluate.level"]
    assert placed, describe(info.value)
    assert placed[0].line == 12


# =========================================================================== 2. ids
FULL_WIDTH_RATE = "ｒａｔｅ"  # U+FF52 U+FF41 U+FF54 U+FF45: NFKC gives "rate"
CYRILLIC_O = "\u043e"
GREEK_ALPHA = "\u03b1"


def test_a_full_width_id_is_the_plain_id() -> None:
    data = rules()
    data["dimensions"][0]["indicators"][0]["id"] = FULL_WIDTH_RATE
    ruleset = fs.load_rules(data)
    assert ruleset.dimensions[0].indicators[0].id == "rate"
    records = fs.score(data, {"branch": ["A"], "rate": [95.0]}).to_records()
    assert list(records[0]["indicators"]) == ["rate"]


@pytest.mark.parametrize(("first", "second"), [
    pytest.param("rate", FULL_WIDTH_RATE, id="full-width"),
    pytest.param(FULL_WIDTH_RATE, "rate", id="full-width-first"),
    pytest.param("fine", "\ufb01ne", id="fi-ligature"),
    pytest.param("rate2", "rate\u00b2", id="superscript-two"),
])
def test_ids_equal_after_nfkc_are_duplicates(first: str, second: str) -> None:
    data = rules()
    data["dimensions"][0]["indicators"] = [
        {"id": first, "points": 10,
         "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}},
        {"id": second, "points": 10,
         "evaluate": {"kind": "target", "input": "share", "target": 100, "floor": 50}}]
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(data)
    assert "dimensions[0].indicators[1].id" in paths_of(info.value), describe(info.value)


def test_a_full_width_indicator_id_collides_with_a_veto_id() -> None:
    data = rules(vetoes=[{"id": "rate", "when": {"kind": "threshold", "input": "incidents",
                                                 "op": ">", "value": 0},
                          "effect": {"max_stars": 3}}])
    data["dimensions"][0]["indicators"][0]["id"] = FULL_WIDTH_RATE
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(data)
    assert paths_of(info.value) & {"vetoes[0].id", "dimensions[0].indicators[0].id"}, \
        describe(info.value)


MIXED_IDS = [
    pytest.param(f"line_l{CYRILLIC_O}ss", "cyrillic", id="latin-cyrillic-o"),
    pytest.param(f"r{GREEK_ALPHA}te", "greek", id="latin-greek-alpha"),
    pytest.param("\u0440ate", "cyrillic", id="cyrillic-er-first"),  # р U+0440 looks like p
]


@pytest.mark.parametrize(("ident", "script"), MIXED_IDS)
@pytest.mark.parametrize("where", ["indicator", "dimension", "adjustment", "veto"])
def test_an_id_mixing_latin_with_another_script_is_refused_at_its_path(
        ident: str, script: str, where: str) -> None:
    data = rules()
    if where == "indicator":
        data["dimensions"][0]["indicators"][0]["id"] = ident
        path = "dimensions[0].indicators[0].id"
    elif where == "dimension":
        data["dimensions"][0]["id"] = ident
        path = "dimensions[0].id"
    elif where == "adjustment":
        data["adjustments"] = [{"id": ident, "kind": "bonus", "cap": 5, "evaluate": {
            "kind": "per_event", "input": "awards", "each": 1}}]
        path = "adjustments[0].id"
    else:
        data["vetoes"] = [{"id": ident, "when": {"kind": "threshold", "input": "incidents",
                                                 "op": ">", "value": 0},
                           "effect": {"max_stars": 3}}]
        path = "vetoes[0].id"
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(data)
    placed = [p for p in info.value.problems if p.path == path]
    assert placed, describe(info.value)
    text = placed[0].message.lower()
    assert "latin" in text and script in text, placed[0].message


def test_a_mixed_script_id_in_a_yaml_file_is_placed_at_its_line(tmp_path: Path) -> None:
    file = tmp_path / "mixed.yaml"
    file.write_text(YAML_RULES.replace("- id: rate", f"- id: line_l{CYRILLIC_O}ss"),
                    encoding="utf-8")
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(str(file))
    placed = [p for p in info.value.problems if p.path == "dimensions[0].indicators[0].id"]
    assert placed, describe(info.value)
    assert placed[0].line == 10
    assert "cyrillic" in placed[0].message.lower()


@pytest.mark.parametrize("ident", ["line_loss_2", "线损率", "потери"],
                         ids=["latin", "han", "cyrillic-only"])
def test_an_id_in_one_script_is_accepted(ident: str) -> None:
    data = rules()
    data["dimensions"][0]["indicators"][0]["id"] = ident
    assert fs.load_rules(data).dimensions[0].indicators[0].id == ident


# =========================================================================== 3. caller's data
PERIOD_RULES = rules(period="month")
BRANCHES = ["A", "A", "A", "B", "B", "B"]
MONTHS = ["2024-01", "2024-02", "2024-03"] * 2
RATES = [95.0, 97.0, np.nan, 99.0, 91.0, 100.0]


@contextlib.contextmanager
def copy_on_write(on: bool | None) -> Iterator[None]:
    """pandas' copy-on-write switched as asked, restored after (pandas 3 warns it is moot)."""
    if on is None:
        yield
        return
    pd = pytest.importorskip("pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = pd.get_option("mode.copy_on_write")
        pd.set_option("mode.copy_on_write", on)
    try:
        yield
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.set_option("mode.copy_on_write", before)


def make_data(kind: str) -> Any:
    if kind == "numpy":
        return {"branch": np.array(BRANCHES, dtype=object), "month": np.array(MONTHS),
                "rate": np.array(RATES, dtype=np.float64)}
    if kind == "lists":
        return {"branch": list(BRANCHES), "month": list(MONTHS),
                "rate": [None if math.isnan(r) else r for r in RATES]}
    if kind == "records":
        return [{"branch": b, "month": m, "rate": None if math.isnan(r) else r}
                for b, m, r in zip(BRANCHES, MONTHS, RATES)]
    if kind.startswith("pandas"):
        pd = pytest.importorskip("pandas")
        return pd.DataFrame({"branch": BRANCHES, "month": MONTHS, "rate": RATES})
    assert kind == "polars"
    pl = pytest.importorskip("polars")
    return pl.DataFrame({"branch": BRANCHES, "month": MONTHS,
                         "rate": [None if math.isnan(r) else r for r in RATES]})


DATA_KINDS = [
    pytest.param("numpy", None, id="numpy"),
    pytest.param("lists", None, id="lists"),
    pytest.param("records", None, id="records"),
    pytest.param("pandas-cow", True, id="pandas-cow-on"),
    pytest.param("pandas-nocow", False, id="pandas-cow-off"),
    pytest.param("polars", None, id="polars"),
]


def snapshot(data: Any) -> Any:
    return data.clone() if type(data).__module__.startswith("polars") else copy.deepcopy(data)


def assert_unchanged(data: Any, before: Any) -> None:
    module = type(data).__module__
    if module.startswith("pandas"):
        import pandas as pd

        pd.testing.assert_frame_equal(data, before, check_exact=True)
        for name in data.columns:
            assert data[name].dtype == before[name].dtype
    elif module.startswith("polars"):
        assert data.equals(before, null_equal=True)
        assert data.schema == before.schema
    elif isinstance(data, dict):
        assert list(data) == list(before)
        for name, values in data.items():
            if isinstance(values, np.ndarray):
                assert values.dtype == before[name].dtype, name
                assert values.flags.writeable, f"the caller's {name!r} array was made read-only"
                if values.dtype.kind == "f":
                    np.testing.assert_array_equal(values, before[name], strict=True)
                else:
                    assert values.tolist() == before[name].tolist(), name
            else:
                assert values == before[name], name
    else:
        assert data == before


@pytest.mark.parametrize(("kind", "cow"), DATA_KINDS)
def test_the_callers_data_never_changes(kind: str, cow: bool | None) -> None:
    with copy_on_write(cow):
        data = make_data(kind)
        before = snapshot(data)
        card = fs.score(copy.deepcopy(PERIOD_RULES), data)
        card.to_records()
        card.to_columns()
        card.explain("A", period="2024-02")
        card.explain("B")
        change = card.what_if("A", "2024-01", changes={"rate": 50.0})
        assert change.after.total == 0.0
        card.what_if("B", "2024-03", changes={"rate": 90.0})
        quarter = card.roll_up("quarter")
        quarter.to_records()
        quarter.explain("A")
        card.trend()
        card.leaderboard(period="2024-02")
        card.red_list("rate", period="2024-02")
        card.data_digest  # noqa: B018  (asked for: reads the held columns)
        assert_unchanged(data, before)


class GrabbyParams(fs.Params):
    input: fs.Column


def hostile(name: str, attack: Callable[[np.ndarray], None]) -> fs.Evaluator[Any]:
    class Hostile(fs.Evaluator[GrabbyParams]):
        """Half attainment wherever the input has a value; then attacks its input."""

        Params = GrabbyParams

        def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
            x = columns[params.input]
            result = np.where(np.isnan(x), np.nan, 0.5)
            attack(x)
            return result

    Hostile.name = name
    return Hostile()


def unlock_and_write(x: np.ndarray) -> None:
    x.flags.writeable = True
    x[...] = -7.0


def unlock_and_write_quietly(x: np.ndarray) -> None:
    with contextlib.suppress(ValueError):
        x.flags.writeable = True
    with contextlib.suppress(ValueError):
        x[...] = -7.0


def unlock_the_base_and_write(x: np.ndarray) -> None:
    root = x
    while isinstance(root.base, np.ndarray):
        root = root.base
    with contextlib.suppress(ValueError):
        root.flags.writeable = True
    with contextlib.suppress(ValueError):
        root[...] = -7.0


def hostile_rules(name: str) -> dict[str, Any]:
    """The hostile evaluator first, then a `target` on the same column that must see it whole."""
    data = copy.deepcopy(PERIOD_RULES)
    data["dimensions"][0]["indicators"] = [
        {"id": "grab", "points": 10, "evaluate": {"kind": name, "input": "rate"}},
        *data["dimensions"][0]["indicators"]]
    return data


def run_hostile(kind: str, cow: bool | None, attack: Callable[[np.ndarray], None]) -> None:
    name = f"contract_{attack.__name__}"
    with copy_on_write(cow):
        data = make_data(kind)
        before = snapshot(data)
        expected = fs.score(hostile_rules(name), make_data(kind),
                            plugins=[hostile(name, lambda x: None)])
        refused: fs.PluginError | None = None
        try:
            card = fs.score(hostile_rules(name), data, plugins=[hostile(name, attack)])
            records = card.to_records()
            change = card.what_if("A", "2024-01", changes={"rate": 98.0})
            after = card.explain("B", period="2024-02")
        except fs.PluginError as exc:
            refused = exc
        assert_unchanged(data, before)  # in every case
        if refused is not None:
            assert refused.evaluator == name, describe(refused)
            assert name in str(refused)
        else:  # then a correct score: the later `target` saw the input whole
            assert records == expected.to_records()
            assert change.after.total == \
                expected.what_if("A", "2024-01", changes={"rate": 98.0}).after.total
            assert after.total == expected.explain("B", period="2024-02").total


@pytest.mark.parametrize(("kind", "cow"), DATA_KINDS)
def test_a_plugin_unlocking_its_input_cannot_change_the_callers_data(
        kind: str, cow: bool | None) -> None:
    run_hostile(kind, cow, unlock_and_write)


@pytest.mark.parametrize(("kind", "cow"), DATA_KINDS)
def test_a_plugin_unlocking_quietly_cannot_change_the_callers_data_or_the_score(
        kind: str, cow: bool | None) -> None:
    run_hostile(kind, cow, unlock_and_write_quietly)


@pytest.mark.parametrize(("kind", "cow"), DATA_KINDS)
def test_a_plugin_unlocking_the_base_of_its_input_cannot_change_the_callers_data(
        kind: str, cow: bool | None) -> None:
    """Stricter than the flag alone: the plug-in follows ``.base`` to the array underneath."""
    run_hostile(kind, cow, unlock_the_base_and_write)


# =========================================================================== 4. plug-in results
class AnyParams(fs.Params):
    input: fs.Column


def returning(name: str, make: Callable[[int], Any]) -> fs.Evaluator[Any]:
    class Returns(fs.Evaluator[AnyParams]):
        """Returns what the test says."""

        Params = AnyParams

        def evaluate(self, columns, params, context):  # type: ignore[no-untyped-def]
            return make(context.n_rows)

    Returns.name = name
    return Returns()


def plugin_rules(name: str, where: str = "indicator") -> dict[str, Any]:
    call = {"kind": name, "input": "rate"}
    if where == "indicator":
        return with_evaluate(call)
    if where == "adjustment":
        return rules(adjustments=[{"id": "extra", "kind": "bonus", "cap": 5, "evaluate": call}])
    return rules(vetoes=[{"id": "flagged", "when": call, "effect": {"max_stars": 3}}])


DATA = {"branch": ["A", "B"], "rate": [95.0, 100.0]}


def test_float64_attainment_from_a_plugin_is_accepted() -> None:
    plugin = returning("contract_floaty", lambda n: np.ones(n, dtype=np.float64))
    card = fs.score(plugin_rules("contract_floaty"), DATA, plugins=[plugin])
    assert [r["total"] for r in card.to_records()] == [100.0, 100.0]


@pytest.mark.parametrize("make", [
    pytest.param(lambda n: np.ones(n, dtype=np.int64), id="int64-ones"),
    pytest.param(lambda n: np.zeros(n, dtype=np.int64), id="int64-zeros"),
    pytest.param(lambda n: np.ones(n, dtype=np.int32), id="int32"),
    pytest.param(lambda n: np.ones(n, dtype=np.uint8), id="uint8"),
    pytest.param(lambda n: np.ones(n, dtype=bool), id="bool"),
    pytest.param(lambda n: np.array([True, False][:n] + [True] * max(0, n - 2)), id="bool-mixed"),
])
@pytest.mark.parametrize("where", ["indicator", "adjustment", "veto"])
def test_non_float_attainment_is_refused_naming_the_evaluator(
        make: Callable[[int], Any], where: str) -> None:
    name = "contract_intish"
    with pytest.raises(fs.PluginError) as info:
        fs.score(plugin_rules(name, where), DATA, plugins=[returning(name, make)])
    assert info.value.evaluator == name, describe(info.value)
    assert name in str(info.value)


class Escape(BaseException):
    """A plug-in's own BaseException subclass (not an Exception)."""


def raise_system_exit(n: int) -> Any:
    raise SystemExit(3)


def raise_escape(n: int) -> Any:
    raise Escape("out of here")


def raise_keyboard_interrupt(n: int) -> Any:
    raise KeyboardInterrupt


@pytest.mark.parametrize(("make", "what"), [
    pytest.param(raise_system_exit, "SystemExit", id="SystemExit"),
    pytest.param(raise_escape, "Escape", id="custom-BaseException"),
])
@pytest.mark.parametrize("where", ["indicator", "adjustment", "veto"])
def test_a_base_exception_in_evaluate_is_a_plugin_error_naming_it(
        make: Callable[[int], Any], what: str, where: str) -> None:
    name = "contract_escaper"
    with pytest.raises(fs.PluginError) as info:
        fs.score(plugin_rules(name, where), DATA, plugins=[returning(name, make)])
    assert info.value.evaluator == name, describe(info.value)
    assert name in str(info.value)
    assert what in str(info.value)


def test_a_base_exception_in_what_if_is_a_plugin_error_too() -> None:
    name = "contract_late_escaper"
    calls = {"n": 0}

    def second_time_exits(n: int) -> Any:
        calls["n"] += 1
        if calls["n"] > 1:
            raise SystemExit(4)
        return np.full(n, 0.5)

    card = fs.score(plugin_rules(name), DATA, plugins=[returning(name, second_time_exits)])
    with pytest.raises(fs.PluginError) as info:
        card.what_if("A", changes={"rate": 99.0})
    assert info.value.evaluator == name


def test_keyboard_interrupt_in_evaluate_still_propagates() -> None:
    name = "contract_interrupted"
    with pytest.raises(KeyboardInterrupt):
        fs.score(plugin_rules(name), DATA, plugins=[returning(name, raise_keyboard_interrupt)])


# =========================================================================== 5. numbers in
def rows_named(problem: fs.Problem, positions: list[int]) -> bool:
    return all(any(text.startswith(f"row {i} ") or text == f"row {i}" for text in problem.rows)
               for i in positions)


def pandas_column(dtype: str) -> Callable[[], Any]:
    def make() -> Any:
        pd = pytest.importorskip("pandas")
        values = [True, False] if dtype != "object" else [True, 95.0]
        return pd.DataFrame({"branch": ["A", "B"],
                             "rate": pd.Series(values, dtype=dtype)})
    return make


def polars_bool() -> Any:
    pl = pytest.importorskip("polars")
    return pl.DataFrame({"branch": ["A", "B"], "rate": [True, False]})


def arrow_bool() -> Any:
    pa = pytest.importorskip("pyarrow")
    return pa.table({"branch": ["A", "B"], "rate": [True, False]})


BOOL_INPUTS = [
    pytest.param(lambda: {"branch": ["A", "B"], "rate": [True, 95.0]}, [0], id="list-true-first"),
    pytest.param(lambda: {"branch": ["A", "B"], "rate": [95.0, False]}, [1], id="list-false"),
    pytest.param(lambda: {"branch": ["A", "B"], "rate": [True, False]}, [0, 1], id="list-all-bool"),
    pytest.param(lambda: {"branch": ["A", "B"], "rate": [np.True_, 95.0]}, [0], id="numpy-bool-scalar"),
    pytest.param(lambda: {"branch": ["A", "B"], "rate": np.array([True, False])}, [0, 1],
                 id="numpy-bool-array"),
    pytest.param(lambda: [{"branch": "A", "rate": True}, {"branch": "B", "rate": 95.0}], [0],
                 id="records"),
    pytest.param(pandas_column("bool"), [0, 1], id="pandas-bool"),
    pytest.param(pandas_column("boolean"), [0, 1], id="pandas-nullable-boolean"),
    pytest.param(pandas_column("object"), [0], id="pandas-object-with-true"),
    pytest.param(polars_bool, [0, 1], id="polars-bool"),
    pytest.param(arrow_bool, [0, 1], id="arrow-bool"),
]


@pytest.mark.parametrize(("make", "rows"), BOOL_INPUTS)
def test_booleans_in_a_numeric_input_are_refused_naming_column_and_rows(
        make: Callable[[], Any], rows: list[int]) -> None:
    with pytest.raises(fs.DataError) as info:
        fs.score(rules(), make())
    problems = [p for p in info.value.problems if p.column == "rate"]
    assert problems, describe(info.value)
    assert rows_named(problems[0], rows), describe(info.value)


@pytest.mark.parametrize("ftype", ["float", "int"])
def test_booleans_in_a_declared_numeric_field_are_refused(ftype: str) -> None:
    data = rules(fields={"staff": {"type": ftype}})
    with pytest.raises(fs.DataError) as info:
        fs.score(data, {"branch": ["A", "B"], "rate": [95.0, 96.0], "staff": [3, True]})
    problems = [p for p in info.value.problems if p.column == "staff"]
    assert problems, describe(info.value)
    assert rows_named(problems[0], [1]), describe(info.value)


@pytest.mark.parametrize("flags", [
    pytest.param([True, False], id="python-bools"),
    pytest.param(np.array([True, False]), id="numpy-bools"),
    pytest.param([1, 0], id="ints"),
])
def test_booleans_in_a_declared_bool_field_are_accepted(flags: Any) -> None:
    data = rules(fields={"flagged": {"type": "bool"}},
                 vetoes=[{"id": "veto", "when": {"kind": "threshold", "input": "flagged",
                                                 "op": "==", "value": 1},
                          "effect": {"max_stars": 3}}])
    records = fs.score(data, {"branch": ["A", "B"], "rate": [100.0, 100.0],
                              "flagged": flags}).to_records()
    assert [r["stars"] for r in records] == [3, 5]


@pytest.mark.parametrize(("data", "column"), [
    pytest.param({"branch": ["A", "B"], "rate": {90.0, 100.0}}, "rate", id="set-of-numbers"),
    pytest.param({"branch": ["A", "B"], "rate": frozenset({90.0, 100.0})}, "rate",
                 id="frozenset"),
    pytest.param({"branch": {"A", "B"}, "rate": [90.0, 100.0]}, "branch", id="set-of-entities"),
])
def test_a_column_given_as_a_set_is_refused(data: dict[str, Any], column: str) -> None:
    with pytest.raises(fs.DataError) as info:
        fs.score(rules(), data)
    assert any(p.column == column for p in info.value.problems) or column in str(info.value), \
        describe(info.value)


def test_series_with_reordered_indexes_are_aligned_by_label_or_refused() -> None:
    pd = pytest.importorskip("pandas")
    data = {"branch": pd.Series(["A", "B"], index=[0, 1]),
            "rate": pd.Series([100.0, 90.0], index=[1, 0])}
    try:
        records = fs.score(rules(), data).to_records()
    except fs.DataError:
        return
    assert {r["entity"]: r["total"] for r in records} == {"A": 0.0, "B": 100.0}


@pytest.mark.parametrize("other_index", [[5, 6], ["x", "y"], [0, 2]],
                         ids=["other-ints", "labels", "overlapping"])
def test_series_with_different_labels_are_refused(other_index: list[Any]) -> None:
    pd = pytest.importorskip("pandas")
    data = {"branch": pd.Series(["A", "B"], index=[0, 1]),
            "rate": pd.Series([100.0, 90.0], index=other_index)}
    with pytest.raises(fs.DataError):
        fs.score(rules(), data)


def test_series_sharing_one_index_score_as_lists() -> None:
    pd = pytest.importorskip("pandas")
    data = {"branch": pd.Series(["A", "B"], index=[10, 11]),
            "rate": pd.Series([100.0, 90.0], index=[10, 11])}
    records = fs.score(rules(), data).to_records()
    assert {r["entity"]: r["total"] for r in records} == {"A": 100.0, "B": 0.0}


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("shape", ["records", "columns"])
def test_json_data_with_non_standard_numbers_is_refused_naming_file(
        tmp_path: Path, token: str, shape: str) -> None:
    file = tmp_path / "data.json"
    if shape == "records":
        text = ('[\n  {"branch": "A", "rate": 95.0},\n  {"branch": "B", "rate": ' + token
                + '}\n]\n')
    else:
        text = '{\n  "branch": ["A", "B"],\n  "rate": [95.0, ' + token + ']\n}\n'
    file.write_text(text, encoding="utf-8")
    with pytest.raises(fs.DataError) as info:
        fs.read_data(str(file), fs.load_rules(rules()))
    placed = [p for p in info.value.problems
              if p.file is not None and Path(p.file).name == "data.json"]
    assert placed, describe(info.value)
    assert placed[0].line in (None, 3), describe(info.value)


@pytest.mark.parametrize("text", [
    '[{"branch": "A", "rate": true}, {"branch": "B", "rate": 95.0}]',
    '[{"branch": "A", "rate": 95.0}, {"branch": "B", "rate": false}]',
    '{"branch": ["A", "B"], "rate": [true, 95.0]}',
], ids=["records-true", "records-false", "columns-true"])
def test_json_booleans_in_a_numeric_field_are_refused(tmp_path: Path, text: str) -> None:
    file = tmp_path / "data.json"
    file.write_text(text, encoding="utf-8")
    ruleset = fs.load_rules(rules())
    with pytest.raises(fs.DataError) as info:
        fs.score(ruleset, fs.read_data(str(file), ruleset))
    assert any(p.column == "rate" or (p.file is not None and Path(p.file).name == "data.json")
               for p in info.value.problems), describe(info.value)


# =========================================================================== 6. survey
SURVEY = {"kind": "survey", "levels": {"good": 1.0, "bad": 0.0},
          "groups": [{"name": "all", "fields": {"good": "g", "bad": "b"}}]}


def survey_rules() -> dict[str, Any]:
    data = with_evaluate(SURVEY)
    data["dimensions"][0]["indicators"][0]["points"] = 100
    return data


def survey_attainment(card: fs.Scorecard, entity: str) -> float | None:
    return card.explain(entity).indicators[0].attainment


@pytest.mark.parametrize(("good", "bad", "expected"), [
    pytest.param(1e308, 1e308, 0.5, id="both-1e308"),
    pytest.param(1.7e308, 1.7e308, 0.5, id="both-near-max"),
    pytest.param(1.5e308, 0.5e308, 0.75, id="three-quarters"),
    pytest.param(1e308, 0.0, 1.0, id="all-good"),
])
def test_survey_counts_near_the_float_limit_do_not_overflow(
        good: float, bad: float, expected: float) -> None:
    card = fs.score(survey_rules(), {"branch": ["A"], "g": [good], "b": [bad]})
    assert survey_attainment(card, "A") == pytest.approx(expected, rel=1e-12)
    assert card.to_records()[0]["total"] == round(100 * expected, 2)


counts = st.floats(min_value=0.0, max_value=1e308, allow_nan=False, allow_infinity=False)
factors = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(good=counts, bad=counts, factor=factors)
def test_survey_attainment_does_not_change_when_all_counts_are_scaled(
        good: float, bad: float, factor: float) -> None:
    scaled_good, scaled_bad = good * factor, bad * factor
    assume(math.isfinite(scaled_good) and math.isfinite(scaled_bad))
    assume(good / 2 + bad / 2 >= 0.5 and scaled_good / 2 + scaled_bad / 2 >= 0.5)  # >= 1 answer
    exact = Fraction(good) / (Fraction(good) + Fraction(bad))
    card = fs.score(survey_rules(), {"branch": ["orig", "scaled"], "g": [good, scaled_good],
                                     "b": [bad, scaled_bad]})
    original, scaled = survey_attainment(card, "orig"), survey_attainment(card, "scaled")
    assert original == pytest.approx(float(exact), rel=1e-12, abs=1e-12)
    assert scaled == pytest.approx(original, rel=1e-12, abs=1e-12)


# =========================================================================== 7. rounding
def target_rules(floor: str, target: str, precision: int = 2) -> dict[str, Any]:
    data = with_evaluate({"kind": "target", "input": "x", "target": float(target),
                          "floor": float(floor)}, scale=100, precision=precision)
    data["dimensions"][0]["indicators"][0]["points"] = 100
    return data


def exact_total(x: str, floor: str, target: str) -> Fraction:
    """100 x clip((x - floor)/(target - floor), 0, 1), exactly, from the decimal text."""
    fx, ff, ft = Fraction(Decimal(x)), Fraction(Decimal(floor)), Fraction(Decimal(target))
    attainment = min(max((fx - ff) / (ft - ff), Fraction(0)), Fraction(1))
    return 100 * attainment


def half_up(value: Fraction, precision: int) -> Fraction:
    scaled = value * 10 ** precision
    sign = 1 if scaled >= 0 else -1
    return sign * Fraction(math.floor(abs(scaled) + Fraction(1, 2)), 10 ** precision)


def stars_for(total: float) -> int:
    return 5 if total >= 90 else 4 if total >= 80 else 0


def reported(x: str, floor: str, target: str, precision: int = 2) -> dict[str, Any]:
    return fs.score(target_rules(floor, target, precision),
                    {"branch": ["A"], "x": [float(x)]}).to_records()[0]


def assert_reports(x: str, floor: str, target: str, expected: str, precision: int = 2) -> None:
    assert half_up(exact_total(x, floor, target), precision) == Fraction(Decimal(expected))
    record = reported(x, floor, target, precision)
    want = float(Decimal(expected))
    assert (record["total"], record["dimensions"]["d"], record["indicators"]["rate"]) == \
        (want, want, want), record
    assert record["stars"] == stars_for(want), record


@pytest.mark.parametrize(("x", "floor", "target", "expected", "precision"), [
    pytest.param("89.9949999996745", "0", "100", "89.99", 2, id="direct"),
    pytest.param("90.4949999996745", "0.5", "100.5", "89.99", 2, id="shifted"),
    pytest.param("45.9979999998698", "10", "50", "89.99", 2, id="through-a-division"),
    pytest.param("10.0050000003255", "100", "0", "89.99", 2, id="lower-is-better"),
    pytest.param("89.4999999996", "0", "100", "89", 0, id="precision-0"),
    pytest.param("79.984999999", "0", "100", "79.98", 2, id="below-80"),
])
def test_a_total_just_below_a_half_rounds_down(
        x: str, floor: str, target: str, expected: str, precision: int) -> None:
    exact = exact_total(x, floor, target)
    half = Fraction(Decimal(expected)) + Fraction(1, 2 * 10 ** precision)
    assert Fraction(1, 10**10) < half - exact < Fraction(1, 10**6)  # far beyond float error
    assert_reports(x, floor, target, expected, precision)


def test_a_total_just_above_a_half_rounds_up() -> None:
    assert_reports("89.9950000003255", "0", "100", "90.00")


@pytest.mark.parametrize(("x", "floor", "target", "expected"), [
    pytest.param("73.325", "0", "100", "73.33", id="73.325"),
    pytest.param("85.275", "0", "100", "85.28", id="85.275"),
    pytest.param("89.995", "0", "100", "90.00", id="89.995"),
    pytest.param("2.675", "0", "100", "2.68", id="2.675"),
    pytest.param("1.005", "0", "100", "1.01", id="1.005"),
    pytest.param("39.33", "10", "50", "73.33", id="73.325-through-a-division"),
    pytest.param("44.11", "10", "50", "85.28", id="85.275-through-a-division"),
    pytest.param("45.998", "10", "50", "90.00", id="89.995-through-a-division"),
    pytest.param("11.07", "10", "50", "2.68", id="2.675-through-a-division"),
    pytest.param("10.402", "10", "50", "1.01", id="1.005-through-a-division"),
    pytest.param("26.675", "100", "0", "73.33", id="73.325-lower-is-better"),
])
def test_an_exact_half_written_in_decimal_rounds_up(
        x: str, floor: str, target: str, expected: str) -> None:
    exact = exact_total(x, floor, target)
    assert (exact * 1000).denominator == 1 and (exact * 1000).numerator % 10 == 5  # a half
    assert_reports(x, floor, target, expected)


def decimals(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=low, max_value=high, places=4, allow_nan=False,
                       allow_infinity=False)


@st.composite
def target_cases(draw: st.DrawFn) -> tuple[str, str, str, int]:
    floor = draw(decimals(-1000, 1000))
    target = draw(decimals(-1000, 1000).filter(lambda t: t != floor))
    low, high = min(floor, target), max(floor, target)
    inside = st.decimals(min_value=low, max_value=high, places=4, allow_nan=False,
                         allow_infinity=False)
    x = draw(st.one_of(inside, inside, inside, decimals(-1000, 1000)))
    precision = draw(st.sampled_from([2, 2, 0, 1, 3, 4]))
    return str(x), str(floor), str(target), precision


@SETTINGS
@given(case=target_cases())
def test_the_reported_total_is_the_exact_total_rounded_half_up(
        case: tuple[str, str, str, int]) -> None:
    x, floor, target, precision = case
    exact = exact_total(x, floor, target)
    unit = Fraction(1, 10 ** precision)
    nearest_half = (math.floor(exact / unit) + Fraction(1, 2)) * unit
    distance = abs(exact - nearest_half)
    assume(distance == 0 or distance > Fraction(1, 10**9))
    record = reported(x, floor, target, precision)
    want = float(half_up(exact, precision))
    assert record["total"] == want, (record, exact, float(exact))
    assert record["stars"] == stars_for(want), record


@SETTINGS
@given(whole=st.integers(min_value=0, max_value=99), cents=st.integers(0, 99))
def test_every_exact_half_at_the_third_decimal_rounds_up(whole: int, cents: int) -> None:
    x = f"{whole}.{cents:02d}5"
    expected = half_up(Fraction(Decimal(x)), 2)
    record = reported(x, "0", "100")
    assert record["total"] == float(expected), (x, record)


@st.composite
def near_half_cases(draw: st.DrawFn) -> tuple[str, str, str, int, Fraction]:
    """Inputs whose exact total lies 1e-9 to 1e-6 from a half (or on it): where a float
    snapped to the half would round the wrong way."""
    precision = draw(st.integers(min_value=0, max_value=4))
    unit = Decimal(1).scaleb(-precision)
    k = draw(st.integers(min_value=0, max_value=int(Decimal(99) / unit)))
    half = (k + Decimal("0.5")) * unit
    offset = draw(st.sampled_from([0, 1, -1])) * draw(
        st.integers(min_value=10**4 + 1, max_value=10**7)) * Decimal(1).scaleb(-13)
    total = half + offset
    floor, target = draw(st.sampled_from([("0", "100"), ("10", "50"), ("100", "0")]))
    f, t = Decimal(floor), Decimal(target)
    x = f + total / 100 * (t - f)  # exact: total = 100 (x - f)/(t - f)
    assert exact_total(str(x), floor, target) == Fraction(total)
    return str(x), floor, target, precision, Fraction(total)


@SETTINGS
@given(case=near_half_cases())
def test_a_total_near_a_half_rounds_by_its_exact_value(
        case: tuple[str, str, str, int, Fraction]) -> None:
    x, floor, target, precision, exact = case
    record = reported(x, floor, target, precision)
    want = float(half_up(exact, precision))
    assert record["total"] == want, (record, x, float(exact))
    assert record["stars"] == stars_for(want), record
