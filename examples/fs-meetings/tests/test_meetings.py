"""Tests of the 三会一课 evaluator: worked examples, edge cases, laws, and the installed path.

Most tests call the evaluator directly or through an engine given the module as a plug-in
(``entry_points=False``), so they do not depend on what else is installed. The tests at
the end check the path users take: the installed package found through its entry point.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

import fortress_score as fs
import numpy as np
import pytest
from fortress_score.cli import main as cli_main
from fortress_score import read_data
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import fs_meetings
from fs_meetings import ThreeMeetingsOneLesson, ThreeMeetingsOneLessonParams

HERE = Path(__file__).resolve().parent.parent
NAME = "three_meetings_one_lesson"
NAN = np.nan

# The usual four, as in rules.yaml: monthly committee and group meetings, quarterly
# assembly and lecture counted over the last three months.
FOUR = {
    "committee": {"column": "c", "required": 1},
    "group": {"column": "g", "required": 1},
    "assembly": {"column": "a", "required": 1},
    "lecture": {"column": "l", "required": 1},
}


def run(activities: dict[str, Any], columns: dict[str, list[float]], **extra: Any) -> np.ndarray:
    """Validate params as the loader does, then evaluate like the engine (read-only arrays)."""
    evaluator = ThreeMeetingsOneLesson()
    params = ThreeMeetingsOneLessonParams.model_validate({"activities": activities, **extra})
    arrays = {}
    for name, values in columns.items():
        array = np.asarray(values, dtype=np.float64)
        array.flags.writeable = False
        arrays[name] = array
    n_rows = len(next(iter(arrays.values())))
    context = fs.Context(points=60.0, groups=np.zeros(n_rows, dtype=np.int64), n_groups=1,
                         rule="meetings")
    result = evaluator.evaluate(arrays, params, context)
    assert result.dtype == np.float64 and result.shape == (n_rows,)
    return result


def four(committee: list[float], group: list[float], assembly: list[float],
         lecture: list[float], **extra: Any) -> np.ndarray:
    """The usual four activities, one list of counts each."""
    return run(FOUR, {"c": committee, "g": group, "a": assembly, "l": lecture}, **extra)


# --- worked examples, computed by hand -------------------------------------------------


def test_every_activity_held_as_required_is_full_attainment() -> None:
    assert four([1], [1], [1], [1]).tolist() == [1.0]


def test_half_the_activities_held_is_half() -> None:
    # committee and assembly held, group and lecture not: (1 + 0 + 1 + 0) / 4
    assert four([1], [0], [1], [0]).tolist() == [0.5]


def test_holding_more_than_required_does_not_make_up_for_another() -> None:
    # three committee meetings, nothing else: min(3/1, 1) = 1 -> 1/4, not 3/4
    assert four([3], [0], [0], [0]).tolist() == [0.25]


def test_part_of_a_larger_requirement_counts_in_proportion() -> None:
    # group meetings required twice: one held is 0.5; (1 + 0.5 + 1 + 1) / 4 = 0.875
    activities = {**FOUR, "group": {"column": "g", "required": 2}}
    result = run(activities, {"c": [1], "g": [1], "a": [1], "l": [1]})
    assert result.tolist() == [0.875]


def test_weights_set_each_activity_s_share() -> None:
    # committee weighs 3, lecture 1: committee held, lecture not -> 3 / 4
    activities = {"committee": {"column": "c", "required": 1, "weight": 3},
                  "lecture": {"column": "l", "required": 1}}
    assert run(activities, {"c": [1, 0], "l": [0, 1]}).tolist() == [0.75, 0.25]


def test_rows_are_scored_independently() -> None:
    result = four([1, 0, 2], [1, 0, 1], [1, 0, 0], [1, 0, 1])
    assert result.tolist() == [1.0, 0.0, 0.75]


# --- empty counts -----------------------------------------------------------------------


def test_an_empty_count_does_not_apply_by_default() -> None:
    # no party groups in this branch: the mean is over the other three, (1 + 0 + 1) / 3
    assert four([1], [NAN], [0], [1]).tolist() == pytest.approx([2 / 3])


def test_an_empty_count_is_none_held_when_the_rule_says_so() -> None:
    assert four([1], [NAN], [0], [1], empty="none_held").tolist() == [0.5]


@pytest.mark.parametrize("empty", ["skip", "none_held"])
def test_every_count_empty_is_nan(empty: str) -> None:
    result = four([NAN, 1], [NAN, 1], [NAN, 1], [NAN, 1], empty=empty)
    assert np.isnan(result[0]) and result[1] == 1.0


def test_zero_held_is_not_empty() -> None:
    assert four([0], [0], [0], [0]).tolist() == [0.0]


# --- bad data -------------------------------------------------------------------------


def test_a_negative_count_is_a_data_error_naming_the_column_and_rows() -> None:
    with pytest.raises(fs.DataError) as info:
        four([1, 1, 1], [1, -1, 1], [1, 1, -2], [1, 1, 1])
    error = info.value
    assert error.column == "g"  # the first activity found wrong, in rule-file order
    assert error.rows == ("row 1",)
    assert "group" in str(error) and "-1" in str(error) and "meetings" in str(error)


def test_a_negative_count_is_reported_through_the_engine_not_as_a_plugin_fault() -> None:
    # no `fields:` declared, so the loader does not check the sign: the evaluator must
    rules = _rules_mapping()
    data = {"branch": ["A", "B"], "c": [1, 1], "g": [1, -3], "a": [1, 1], "l": [1, 1]}
    engine = fs.Engine([fs_meetings], entry_points=False)
    with pytest.raises(fs.DataError) as info:
        engine.score(rules, data)
    assert not isinstance(info.value, fs.PluginError)
    assert info.value.column == "g"


# --- params ---------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "complaint"), [
    ({"activities": {}}, "at least 1"),
    ({"activities": FOUR, "surplus": 1}, "Extra inputs"),
    ({"activities": {"committee": {"column": "c", "required": 0}}}, "greater than 0"),
    ({"activities": {"committee": {"column": "c", "required": "1"}}}, "valid number"),
    ({"activities": {"committee": {"column": "c"}}}, "required"),
    ({"activities": {"committee": {"column": "", "required": 1}}}, "at least 1 character"),
    ({"activities": {"committee": {"column": "c", "required": 1, "weight": -1}}},
     "greater than 0"),
    ({"activities": {"committee": {"column": "c", "required": 1, "when": "monthly"}}},
     "Extra inputs"),
    ({"activities": {"committee": {"column": "c", "required": 1},
                     "group": {"column": "c", "required": 1}}}, "both read column 'c'"),
    ({"activities": FOUR, "empty": "zero"}, "'skip' or 'none_held'"),
])
def test_bad_params_are_refused_at_load_time(params: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        ThreeMeetingsOneLessonParams.model_validate(params)


def test_params_are_frozen() -> None:
    params = ThreeMeetingsOneLessonParams.model_validate({"activities": FOUR})
    with pytest.raises(ValidationError):
        params.empty = "none_held"  # type: ignore[misc]


def test_inputs_are_the_activity_columns_in_rule_file_order() -> None:
    params = ThreeMeetingsOneLessonParams.model_validate({"activities": FOUR})
    assert ThreeMeetingsOneLesson().inputs(params) == ["c", "g", "a", "l"]


def test_a_bad_rule_file_is_a_rule_file_error_with_its_path() -> None:
    rules = _rules_mapping()
    rules["dimensions"][0]["indicators"][0]["evaluate"]["activities"]["group"]["required"] = -1
    with pytest.raises(fs.RuleFileError, match="activities.group.required"):
        fs.Engine([fs_meetings], entry_points=False).load_rules(rules)


# --- through the engine, as a plug-in passed by hand ----------------------------------


def _rules_mapping() -> dict[str, Any]:
    return {
        "ruleset": "t", "entity": "branch",
        "dimensions": [{"id": "atmosphere", "weight": 1, "indicators": [
            {"id": "meetings", "points": 100,
             "evaluate": {"kind": NAME, "activities": {k: dict(v) for k, v in FOUR.items()}}},
        ]}],
    }


def test_the_module_is_a_plugin_for_an_engine_without_entry_points() -> None:
    engine = fs.Engine([fs_meetings], entry_points=False)
    assert engine.sources()[NAME] == "module fs_meetings"
    data = {"branch": ["A", "B", "C"], "c": [1, 1, 0], "g": [1, None, 0],
            "a": [1, 0, 0], "l": [1, 1, 0]}
    totals = {r["entity"]: r["total"] for r in engine.score(_rules_mapping(), data).to_records()}
    assert totals == {"A": 100.0, "B": 66.67, "C": 0.0}


def test_an_engine_without_entry_points_does_not_know_it() -> None:
    assert NAME not in fs.Engine(entry_points=False).evaluators()


# --- laws -----------------------------------------------------------------------------

counts = st.one_of(st.just(NAN), st.integers(0, 6).map(float), st.floats(0, 1e6))


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, list[float]], str]:
    """Random activities (1-5, random required and weights) and counts for 1-12 rows."""
    n_activities = draw(st.integers(1, 5))
    n_rows = draw(st.integers(1, 12))
    activities: dict[str, Any] = {}
    columns: dict[str, list[float]] = {}
    for i in range(n_activities):
        activity: dict[str, Any] = {
            "column": f"x{i}",
            "required": draw(st.one_of(st.integers(1, 4), st.floats(1e-3, 1e3))),
        }
        if draw(st.booleans()):
            activity["weight"] = draw(st.floats(1e-3, 1e6))
        activities[f"a{i}"] = activity
        columns[f"x{i}"] = draw(st.lists(counts, min_size=n_rows, max_size=n_rows))
    return activities, columns, draw(st.sampled_from(["skip", "none_held"]))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_attainment_is_in_0_1_and_nan_exactly_where_every_count_is_empty(
        case: tuple[dict[str, Any], dict[str, list[float]], str]) -> None:
    activities, columns, empty = case
    result = run(activities, columns, empty=empty)
    all_empty = np.all(np.isnan(np.array(list(columns.values()))), axis=0)
    assert np.array_equal(np.isnan(result), all_empty)
    known = result[~all_empty]
    assert np.all((known >= 0.0) & (known <= 1.0))


@settings(max_examples=300, deadline=None)
@given(cases(), st.data())
def test_holding_more_never_lowers_attainment(
        case: tuple[dict[str, Any], dict[str, list[float]], str], data: st.DataObject) -> None:
    activities, columns, empty = case
    held = [(name, row) for name, values in sorted(columns.items())
            for row, value in enumerate(values) if not np.isnan(value)]
    assume(held)  # raising an empty count is not "holding more": it changes what applies
    column, row = data.draw(st.sampled_from(held))
    more = data.draw(st.one_of(st.integers(1, 5).map(float), st.floats(0, 1e6)))
    raised = {name: list(values) for name, values in columns.items()}
    raised[column][row] += more
    before, after = run(activities, columns, empty=empty), run(activities, raised, empty=empty)
    assert after[row] >= before[row]
    others = np.arange(len(before)) != row  # and no other row moves
    assert np.array_equal(before[others], after[others], equal_nan=True)


@settings(max_examples=200, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_permuting_rows_permutes_attainment(
        case: tuple[dict[str, Any], dict[str, list[float]], str], random: Any) -> None:
    activities, columns, empty = case
    order = list(range(len(next(iter(columns.values())))))
    random.shuffle(order)
    shuffled = {name: [values[i] for i in order] for name, values in columns.items()}
    before, after = run(activities, columns, empty=empty), run(activities, shuffled, empty=empty)
    assert np.array_equal(before[order], after, equal_nan=True)


# --- installed: the entry point, the CLI, the example rule file -----------------------


def _installed() -> metadata.Distribution:
    try:
        return metadata.distribution("fs-meetings")
    except metadata.PackageNotFoundError:
        pytest.skip("fs-meetings is not installed: pip install -e examples/fs-meetings")


def test_the_installed_entry_point_registers_the_evaluator() -> None:
    dist = _installed()
    assert [(e.name, e.value) for e in dist.entry_points if e.group == "fortress_score"] == [
        ("meetings", "fs_meetings")]
    engine = fs.Engine()
    assert engine.sources()[NAME] == "package fs-meetings 0.1.0"
    assert isinstance(engine.evaluators()[NAME], ThreeMeetingsOneLesson)


def test_the_cli_lists_it_with_its_package(capsys: pytest.CaptureFixture[str]) -> None:
    _installed()
    assert cli_main(["evaluators"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(NAME))
    assert "三会一课" in line and "[package fs-meetings 0.1.0]" in line


def test_the_example_rule_file_scores_the_example_data() -> None:
    _installed()
    engine = fs.Engine()
    rules = engine.load_rules(HERE / "rules.yaml")
    card = engine.score(rules, read_data(str(HERE / "data.csv"), rules))
    # the card records where the evaluator came from, next to the built-in it ran with
    assert card.provenance.evaluators == {
        NAME: "package fs-meetings 0.1.0", "ratio": "module fortress_score.evaluators.ratio"}
    june = {r["entity"]: r for r in card.to_records() if r["period"] == "2024-06"}
    assert len(june) == 6
    # 变电管理所: no party groups (skipped), the rest held at least once -> 60 of 60;
    # work chart 9 of 10 -> 36 of 40
    assert june["变电管理所党支部"]["total"] == 96.0
    # 市场营销部: committee and group held, assembly and lecture not -> 0.5 x 60 = 30;
    # 4 of 5 tasks -> 32
    assert june["市场营销部党支部"]["total"] == 62.0
    # 宁明: 1, 0, 0, 1 -> 30; 3 of 6 tasks -> 20
    assert june["宁明供电分局党支部"]["total"] == 50.0
