"""The JSON Schema of a rule file, for editors: the rule model plus every evaluator's params.

Built from the pydantic models, so it never drifts from what the loader accepts; each
``evaluate:``/``when:`` table becomes a choice between the registered evaluators, told
apart by ``kind``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..plugins.evaluator import Evaluator
from .model import RuleSet

__all__ = ["rule_file_schema"]

SCHEMA_ID = "https://fortress-score.invalid/rule-file.schema.json"


def _params_schema(name: str, evaluator: Evaluator[Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """One evaluator's table: ``kind`` plus its params, its models kept apart from the
    rule model's and other plug-ins' (a plug-in may call a model ``Dimension`` too)."""
    prefix = f"{name}__"
    try:
        params = evaluator.Params.model_json_schema(ref_template=f"#/$defs/{prefix}{{model}}")
    except Exception as exc:  # noqa: BLE001 - a params type JSON Schema cannot describe
        return {"description": f"{evaluator.description} (parameters not describable in JSON "
                               f"Schema: {type(exc).__name__})", "type": "object"}
    for model, body in params.pop("$defs", {}).items():
        definitions[prefix + model] = body
    if "properties" not in params and "$ref" in params:  # a self-referencing model
        params = definitions[params["$ref"].rsplit("/", 1)[1]]
    return {
        "type": "object",
        "title": name,
        "description": evaluator.description,
        "properties": {"kind": {"const": name}, **params.get("properties", {})},
        "required": ["kind", *params.get("required", [])],
        "additionalProperties": False,
    }


def rule_file_schema(evaluators: Mapping[str, Evaluator[Any]]) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of rule files for these evaluators."""
    schema = RuleSet.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema.setdefault("$defs", {})
    # a part under a `weighting` method gives no weight (points) of its own: the loader
    # requires one exactly where no method derives it, which a schema cannot say simply
    for part, key in (("Dimension", "weight"), ("Indicator", "points")):
        model = definitions.get(part, {})
        if key in model.get("required", []):
            model["required"] = [k for k in model["required"] if k != key]
    branches = []
    for name, evaluator in sorted(evaluators.items()):
        branches.append({
            "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
            "then": _params_schema(name, evaluator, definitions),
        })
    definitions["EvaluatorCall"] = {
        "description": "An evaluator and its parameters; `kind` names the evaluator.",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": sorted(evaluators)}},
        "allOf": branches,  # one if/then a kind: an editor points at the wrong key itself
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "fortress_score rule file"
    return schema
