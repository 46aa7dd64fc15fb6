"""The JSON Schema of a rule file, for editors: the rule model plus every evaluator's params.

Built from the pydantic models, so it never drifts from what the loader accepts; each
``evaluate:``/``when:`` table becomes a choice between the registered evaluators, told
apart by ``kind``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .evaluator import Evaluator
from .rules import RuleSet

__all__ = ["rule_file_schema"]

SCHEMA_ID = "https://fortress-score.invalid/rule-file.schema.json"


def rule_file_schema(evaluators: Mapping[str, Evaluator]) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of rule files for these evaluators."""
    schema = RuleSet.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema.setdefault("$defs", {})
    choices = []
    for name, evaluator in sorted(evaluators.items()):
        params = evaluator.Params.model_json_schema(ref_template="#/$defs/{model}")
        definitions.update(params.pop("$defs", {}))
        choices.append({
            "type": "object",
            "title": name,
            "description": evaluator.description,
            "properties": {"kind": {"const": name}, **params.get("properties", {})},
            "required": ["kind", *params.get("required", [])],
            "additionalProperties": False,
        })
    definitions["EvaluatorCall"] = {
        "description": "An evaluator and its parameters; `kind` names the evaluator.",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": sorted(evaluators)}},
        "oneOf": choices,
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "fortress_score rule file"
    return schema
