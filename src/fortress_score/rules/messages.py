"""Problems of a rule set in our own words: each validation error placed and described.

Messages come from our constraint descriptions, keyed by the error's type and its
constraint values (``gt``, ``min_length``, the literal's choices), never by editing
pydantic's English; our own checks raise errors whose type starts with ``fs_`` and whose
text is ours already. Each problem is placed at the deepest key the rule file shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from ..errors import Problem, RuleFileError, did_you_mean, shown
from ..plugins.evaluator import models_in
from .file import Loc, RuleSource

__all__ = ["as_details", "describe", "rule_file_error"]

OWN = "fs_"
"""The type prefix of the errors our own checks raise: their message is already ours."""

_CORE_TYPES = frozenset(get_args(ErrorType))

_EXPECTED: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda c: "is required",
    "float_type": lambda c: "must be a number",
    "float_parsing": lambda c: "must be a number",
    "finite_number": lambda c: "must be a finite number",
    "int_type": lambda c: "must be a whole number",
    "int_parsing": lambda c: "must be a whole number",
    "int_from_float": lambda c: "must be a whole number",
    "bool_type": lambda c: "must be true or false",
    "bool_parsing": lambda c: "must be true or false",
    "string_type": lambda c: "must be text",
    "list_type": lambda c: "must be a list",
    "tuple_type": lambda c: "must be a list",
    "set_type": lambda c: "must be a list",
    "dict_type": lambda c: "must be a table (keys and values)",
    "model_type": lambda c: "must be a table (keys and values)",
    "model_attributes_type": lambda c: "must be a table (keys and values)",
    "none_required": lambda c: "must be empty",
    "greater_than": lambda c: f"must be greater than {_number(c['gt'])}",
    "greater_than_equal": lambda c: f"must be greater than or equal to {_number(c['ge'])}",
    "less_than": lambda c: f"must be less than {_number(c['lt'])}",
    "less_than_equal": lambda c: f"must be less than or equal to {_number(c['le'])}",
    "multiple_of": lambda c: f"must be a multiple of {c['multiple_of']}",
    "string_too_short": lambda c: "must not be empty" if c.get("min_length") == 1
    else f"must have at least {c['min_length']} characters",
    "string_too_long": lambda c: f"must have at most {c['max_length']} characters",
    "string_pattern_mismatch": lambda c: f"must match the pattern {c['pattern']}",
    "too_long": lambda c: f"must have at most {c['max_length']} items",
    "too_short": lambda c: "must have at least 1 item; got none" if c.get("min_length") == 1
    else f"must have at least {c['min_length']} items",
    "literal_error": lambda c: f"must be {c['expected']}",
    "enum": lambda c: f"must be {c['expected']}",
    "value_error": lambda c: str(c["error"]),
    "assertion_error": lambda c: str(c["error"]),
}

_GOT_ALREADY = frozenset({"missing", "too_short", "value_error", "assertion_error"})
_QUOTED = re.compile(r"'([^']*)'")


def describe(error: ErrorDetails) -> str:
    """What was expected and what was found, for one validation error (without its place)."""
    kind = error["type"]
    got = error.get("input")
    if kind.startswith(OWN) or kind not in _CORE_TYPES:
        return error["msg"]  # ours, or a plug-in's own custom error: its words already
    template = _EXPECTED.get(kind)
    if template is None:
        return f"is not valid ({kind.replace('_', ' ')})" + _got(got)
    try:
        message = template(error.get("ctx") or {})
    except KeyError:  # a plug-in's own error under a pydantic name, without its context
        return error["msg"]
    if kind not in _GOT_ALREADY:
        message += _got(got)
    if kind == "literal_error" and isinstance(got, str):
        message += did_you_mean(got, _QUOTED.findall(str((error.get("ctx") or {})["expected"])))
    return message


def _number(value: Any) -> str:
    """A constraint's bound as written in a rule file: 0, not 0.0."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _got(value: Any) -> str:
    return f"; got {shown(value)}" if isinstance(value, str | int | float | bool) else ""


def as_details(error: ErrorDetails) -> InitErrorDetails:
    """An error as found, ready to be raised again together with others."""
    kind = error["type"]
    if kind in _CORE_TYPES:
        details = InitErrorDetails(type=kind, loc=error["loc"], input=error.get("input"))
        if "ctx" in error:
            details["ctx"] = error["ctx"]
        try:
            ValidationError.from_exception_data("check", [details])
            return details
        except (KeyError, TypeError):  # a plug-in's own error under a pydantic name
            pass
    offset = (error.get("ctx") or {}).get("offset")  # a formula's: where in its text
    context = {"offset": offset} if isinstance(offset, int) else None
    return InitErrorDetails(type=PydanticCustomError(kind, error["msg"], context),
                            loc=error["loc"], input=error.get("input"))


def rule_file_error(
    exc: ValidationError, source: RuleSource, root: type[BaseModel],
    call_model: type[BaseModel], evaluators: Mapping[str, Any],
) -> RuleFileError:
    """Every error of a rule set's validation as placed problems, by line, all together.

    ``call_model`` is the model of ``evaluate:``/``when:`` tables, whose keys are the
    evaluator's params (for "did you mean" on an unknown key).
    """
    problems = []
    for error in exc.errors():
        loc: Loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1], source.data, root, call_model, evaluators)
            message = f"unknown key{did_you_mean(str(loc[-1]), allowed)}"
            if allowed:
                message += f"; expected one of: {', '.join(sorted(allowed))}"
        elif not loc and error["type"] in ("model_type", "dict_type", "model_attributes_type"):
            got = "an empty file" if source.data is None else type(source.data).__name__
            message = f"the top level must be a mapping of rule keys; got {got}"
        else:
            message = describe(error)
        offset = (error.get("ctx") or {}).get("offset") if error["type"] == "fs_formula" else None
        problem = source.problem(message, loc, offset if isinstance(offset, int) else None)
        if not loc and source.file:
            problem = Problem(message, file=source.file, line=problem.line or 1,
                              col=problem.col or 1)
        problems.append(problem)
    unique = list(dict.fromkeys(problems))  # NaN is found by the models and the scan alike
    unique.sort(key=lambda p: (p.line or 0))
    return RuleFileError(unique)


def _allowed_keys(loc: Loc, data: Any, root: type[BaseModel], call_model: type[BaseModel],
                  evaluators: Mapping[str, Any]) -> list[str]:
    """The keys the model accepts at ``loc`` of the raw data (for "did you mean")."""
    model: type[BaseModel] | None = root
    node: Any = data
    in_call = False
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model is not None else None
        model = next(iter(models_in(field.annotation)), None) if field is not None else None
        in_call = model is call_model
        if in_call:
            kind = node.get("kind") if isinstance(node, Mapping) else None
            evaluator = evaluators.get(kind) if isinstance(kind, str) else None
            if evaluator is None:
                return ["kind"]
            model = evaluator.Params
        if model is None:
            return []
    assert model is not None
    return ["kind", *model.model_fields] if in_call else list(model.model_fields)
