"""rules/messages.py: validation errors in our own words, placed at their lines."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field, ValidationError
from pydantic_core import PydanticCustomError

import fortress_score as fs
from fortress_score.rules.file import read_yaml_text
from fortress_score.rules.messages import as_details, describe

CASES = [
    ({"type": "greater_than", "loc": ("weight",), "msg": "", "input": -1, "ctx": {"gt": 0.0}},
     "must be greater than 0; got -1"),
    ({"type": "less_than_equal", "loc": ("score",), "msg": "", "input": 1.5, "ctx": {"le": 1.0}},
     "must be less than or equal to 1; got 1.5"),
    ({"type": "greater_than_equal", "loc": ("n",), "msg": "", "input": 0, "ctx": {"ge": 1}},
     "must be greater than or equal to 1; got 0"),
    ({"type": "missing", "loc": ("entity",), "msg": "", "input": {}}, "is required"),
    ({"type": "too_short", "loc": ("d",), "msg": "", "input": [], "ctx": {"min_length": 1}},
     "must have at least 1 item; got none"),
    ({"type": "float_type", "loc": ("w",), "msg": "", "input": "2"}, "must be a number; got '2'"),
    ({"type": "bool_type", "loc": ("c",), "msg": "", "input": "no"},
     "must be true or false; got 'no'"),
    ({"type": "literal_error", "loc": ("kind",), "msg": "", "input": "bonis",
      "ctx": {"expected": "'bonus' or 'deduction'"}},
     "must be 'bonus' or 'deduction'; got 'bonis' (did you mean 'bonus'?)"),
    ({"type": "fs_rule_check", "loc": ("x",), "msg": "our own words", "input": None},
     "our own words"),
]


@pytest.mark.parametrize(("error", "message"), CASES)
def test_each_error_type_is_described_in_our_words(error: Any, message: str) -> None:
    assert describe(error) == message


def test_a_plugins_own_custom_error_keeps_its_words_and_can_be_raised_again() -> None:
    class Odd(fs.Params):
        n: int = Field(ge=0)

        def model_post_init(self, context: Any) -> None:
            if self.n % 2 == 0:
                raise PydanticCustomError("odd_only", "must be odd; got {n}", {"n": self.n})

    with pytest.raises(ValidationError) as info:
        Odd(n=2)
    error = info.value.errors()[0]
    assert describe(error) == "must be odd; got 2"
    again = ValidationError.from_exception_data("X", [as_details(error)])
    assert again.errors()[0]["msg"] == "must be odd; got 2"


def test_problems_are_placed_at_the_deepest_key_the_file_shows() -> None:
    text = "ruleset: r\nentity: b\ndimensions:\n  - id: d\n    weight: -1\n    indicators: []\n"
    source = read_yaml_text(text, "r.yaml")
    with pytest.raises(fs.RuleFileError) as info:
        fs.RuleSet.from_source(source)
    placed = {(p.line, p.path): p.message for p in info.value.problems}
    assert placed == {(5, "dimensions[0].weight"): "must be greater than 0; got -1",
                      (6, "dimensions[0].indicators"): "must have at least 1 item; got none"}
    assert all("Input should" not in str(p) for p in info.value.problems)


def test_an_unknown_key_names_the_keys_its_place_accepts() -> None:
    with pytest.raises(fs.RuleFileError) as info:
        fs.RuleSet.model_validate({"ruleset": "r", "entity": "b", "dimensions": [
            {"id": "d", "weight": 1, "indicators": [{"id": "i", "points": 1, "evaluate": {
                "kind": "target", "input": "x", "target": 1, "flor": 0}}]}]})
    problems = {p.path: p.message for p in info.value.problems}
    assert problems["dimensions[0].indicators[0].evaluate.flor"].startswith(
        "unknown key (did you mean 'floor'?); expected one of: floor, input, kind, target")
    assert problems["dimensions[0].indicators[0].evaluate.floor"] == "is required"
