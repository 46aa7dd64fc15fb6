"""Validating plain rule data: all problems at once, each with its place and a hint.

The models in :mod:`rules` say what is valid; this module runs them over a rule file's
data, adds the checks that span several fields (unique ids, rating order), and turns every
pydantic error into a :class:`Problem` at the file's line and column, with "did you mean".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem, RuleFileError, did_you_mean
from .evaluator import Evaluator
from .rulefile import Loc, RuleSource, format_path
from .rules import EvaluatorCall, RuleSet

__all__ = ["validate_rules"]


def validate_rules(source: RuleSource, evaluators: Mapping[str, Evaluator]) -> RuleSet:
    """Validate plain rule data against the model and the evaluators; all problems at once."""
    if not isinstance(source.data, Mapping):
        got = "an empty file" if source.data is None else type(source.data).__name__
        raise RuleFileError(
            Problem(f"the top level must be a mapping of rule keys; got {got}",
                    file=source.file, line=1 if source.file else None,
                    col=1 if source.file else None)
        )
    problems = [source.problem(message, loc) for loc, message in _cross_check(source.data)]
    try:
        rules = RuleSet.model_validate(source.data, context={"evaluators": evaluators})
    except ValidationError as exc:
        problems += [_problem(error, source, evaluators) for error in exc.errors()]
    if problems:
        problems.sort(key=lambda p: (p.line or 0))
        raise RuleFileError(problems)
    return rules


def _cross_check(data: Mapping[str, Any]) -> Iterator[tuple[Loc, str]]:
    """Checks across fields, on the raw data, so they run even where a field is invalid."""

    def items(key: str, parent: Any = data) -> list[tuple[int, Mapping[str, Any]]]:
        value = parent.get(key) if isinstance(parent, Mapping) else None
        return [(i, x) for i, x in enumerate(value) if isinstance(x, Mapping)] \
            if isinstance(value, list) else []

    seen: dict[str, str] = {}
    rules: list[tuple[Loc, Any]] = []
    for d, dim in items("dimensions"):
        rules.append((("dimensions", d), dim))
        rules += [(("dimensions", d, "indicators", i), ind) for i, ind in items("indicators", dim)]
    rules += [(("adjustments", a), adj) for a, adj in items("adjustments")]
    rules += [(("vetoes", v), veto) for v, veto in items("vetoes")]
    rules += [(("commendations", c), entry) for c, entry in items("commendations")]
    for loc, rule in rules:
        rule_id = rule.get("id")
        if not isinstance(rule_id, str):
            continue
        if rule_id in seen:
            yield (*loc, "id"), f"id {rule_id!r} is already used by {seen[rule_id]}"
        else:
            seen[rule_id] = format_path(loc)

    named = [(k, data.get(k)) for k in ("entity", "period", "group_by")
             if isinstance(data.get(k), str)]
    for i, (key, column) in enumerate(named):
        for other, other_column in named[:i]:
            if column == other_column:
                yield (key,), f"must differ from {other} ({other_column!r})"

    ratings = [(i, r) for i, r in items("ratings")
               if isinstance(r.get("stars"), int) and isinstance(r.get("min"), int | float)]
    by_stars: dict[int, int] = {}
    for i, rating in ratings:
        if rating["stars"] in by_stars:
            yield ("ratings", i, "stars"), (
                f"{rating['stars']} stars are already rated by ratings[{by_stars[rating['stars']]}]")
        else:
            by_stars[rating["stars"]] = i
    for i, rating in ratings:
        below = [r for _, r in ratings if r["stars"] < rating["stars"] and r["min"] >= rating["min"]]
        if below:
            highest = max(below, key=lambda r: r["min"])
            yield ("ratings", i, "min"), (
                f"must be above the min of {highest['stars']} stars ({highest['min']}); "
                f"got {rating['min']}")
    top = max(by_stars, default=None)
    scale = data.get("scale", 100)
    for v, veto in items("vetoes"):
        effect = veto.get("effect")
        held = effect.get("total") if isinstance(effect, Mapping) else None
        if isinstance(held, int | float) and isinstance(scale, int | float) and held > scale:
            yield ("vetoes", v, "effect", "total"), (
                f"must not be above the scale ({scale}); got {held}")
        cap = effect.get("max_stars") if isinstance(effect, Mapping) else None
        if isinstance(cap, int) and not isinstance(cap, bool) and (top is None or cap >= top):
            yield ("vetoes", v, "effect", "max_stars"), (
                "has no effect without ratings" if top is None else
                f"must be below the top rating ({top} stars) to have an effect; got {cap}")
    indicator_ids = {ind["id"] for _, dim in items("dimensions")
                     for _, ind in items("indicators", dim) if isinstance(ind.get("id"), str)}
    for c, entry in items("commendations"):
        indicator = entry.get("indicator")
        if isinstance(indicator, str) and indicator not in indicator_ids:
            hint = did_you_mean(indicator, [str(i) for i in indicator_ids])
            yield ("commendations", c, "indicator"), (
                f"must be an indicator id{hint}; got {indicator!r}")
        wanted = entry.get("stars")
        if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted not in by_stars:
            yield ("commendations", c, "stars"), (
                f"must be one of the rated stars {sorted(by_stars)}; got {wanted}")
    benchmark = data.get("benchmark")
    if isinstance(benchmark, Mapping) and isinstance(benchmark.get("stars"), int) \
            and benchmark["stars"] not in by_stars:
        yield ("benchmark", "stars"), (
            f"must be one of the rated stars {sorted(by_stars)}; got {benchmark['stars']}")


_QUOTED = re.compile(r"'([^']*)'")


def _problem(error: Any, source: RuleSource, evaluators: Mapping[str, Evaluator]) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    got = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], source.data, evaluators)
        message = f"unknown key{did_you_mean(str(loc[-1]), allowed)}"
        if allowed:
            message += f"; expected one of: {', '.join(sorted(allowed))}"
    elif kind == "missing":
        message = "is required"
    elif kind == "too_short":
        size = error.get("ctx", {}).get("min_length", 1)
        message = f"must have at least {size} item{'s' if size != 1 else ''}; got none" \
            if size == 1 else f"must have at least {size} items"
    else:
        message = str(error["msg"])
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        message = message.replace("Input should be", "must be")
        if kind not in ("unknown_kind", "rule_check", "value_error") and \
                isinstance(got, str | int | float | bool):
            message += f"; got {got!r}"
        if kind == "literal_error" and isinstance(got, str):
            message += did_you_mean(got, _QUOTED.findall(str(error["msg"])))
    return source.problem(message, loc)


def _allowed_keys(loc: Loc, data: Any, evaluators: Mapping[str, Evaluator]) -> list[str]:
    """The keys the model accepts at ``loc`` of the raw data (for "did you mean")."""
    model: type[BaseModel] | None = RuleSet
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
        model = _model_in(field.annotation) if field is not None else None
        in_call = model is EvaluatorCall
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


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel class inside ``list[X]``, ``dict[str, X]``, ``X | None``; else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
