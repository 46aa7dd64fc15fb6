"""The rule-file JSON Schema agrees with the loader on the seed pack and on the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import fortress_score as fs
from fortress_score.cli import main
from fortress_score.rules.schema import rule_file_schema

jsonschema = pytest.importorskip("jsonschema")
ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def validator() -> object:
    schema = rule_file_schema(fs.Engine(entry_points=False).evaluators())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_seed_pack_is_valid(validator: object) -> None:
    pack = yaml.safe_load((ROOT / "rules/three-dimensions.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(pack)) == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", ["02-unknown-kind.yaml", "05-weight-and-points-not-positive.yaml",
                                  "06-bad-operator.yaml", "14-bad-adjustment-kind.yaml",
                                  "16-missing-keys.json", "01-unknown-top-key.yaml"])
def test_files_the_loader_refuses_for_their_shape_are_refused_by_the_schema(validator: object, case: str) -> None:
    path = ROOT / "tests/corpus/rules" / case
    data = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
    assert list(validator.iter_errors(data))  # type: ignore[attr-defined]


def test_schema_command_prints_the_schema_with_plugin_evaluators(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-entry-points", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    kinds = schema["$defs"]["EvaluatorCall"]["properties"]["kind"]["enum"]
    assert sorted(kinds) == sorted(fs.Engine(entry_points=False).evaluators())


def test_plugin_models_named_like_ours_do_not_replace_ours() -> None:
    from pydantic import BaseModel

    class Dimension(BaseModel):  # the same name as the rule model's
        col: fs.Column

    class Band(fs.Params):      # the same name as the bands evaluator's
        each: list[Dimension]

    @fs.evaluator("clash", params=Band)
    def clash(columns, params, context):  # type: ignore[no-untyped-def]
        """Clashing model names."""
        return columns[params.each[0].col]

    evaluators = fs.Engine(plugins=[clash], entry_points=False).evaluators()
    validator = jsonschema.Draft202012Validator(rule_file_schema(evaluators))
    pack = yaml.safe_load((ROOT / "rules/three-dimensions.yaml").read_text(encoding="utf-8"))
    assert list(validator.iter_errors(pack)) == []
    bad = dict(pack, dimensions=[dict(pack["dimensions"][0], indicators=[
        dict(pack["dimensions"][0]["indicators"][0], evaluate={"kind": "clash", "each": [{"cl": "x"}]})])])
    assert list(validator.iter_errors(bad))
