"""The rule model: pydantic classes for a whole rule file, validated against the evaluators.

A rule file is validated in one pass: the structure by these models, each ``evaluate`` /
``when`` table by its evaluator's own ``Params`` (found through the validation context),
and the cross-checks (unique ids, rating order) last, so that every problem is reported
together with its file, line and rule path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from .errors import PluginError, did_you_mean
from .evaluator import Column, Evaluator
from .rulefile import Loc

LARGEST = 1e9
"""Upper bound of points, weights, caps and scale: keeps every sum far from overflow."""

__all__ = [
    "LARGEST",
    "Adjustment",
    "Benchmark",
    "Commendation",
    "Dimension",
    "EvaluatorCall",
    "FieldSpec",
    "Indicator",
    "Rating",
    "RuleSet",
    "Veto",
    "VetoEffect",
]


RuleId = Annotated[str, StringConstraints(min_length=1, pattern=r"^[^.\s]+$")]
"""An id: non-empty, no dots or spaces (ids become column names such as indicators.<id>)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class FieldSpec(_Model):
    """A declared data column: a title and unit for people, checks for the data."""

    title: str | None = None
    unit: str | None = None
    type: Literal["float", "int", "bool", "str"] = "float"
    min: float | None = None
    max: float | None = None
    optional: bool = False
    """True when an empty value (NaN, None) is allowed: the indicators reading it then do not apply."""

    @model_validator(mode="after")
    def _min_not_above_max(self) -> FieldSpec:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be above max ({self.max})")
        return self


class EvaluatorCall(_Model):
    """An ``evaluate:`` or ``when:`` table: the evaluator's ``kind`` and its validated params."""

    kind: str
    params: Any
    inputs: tuple[str, ...]

    @model_validator(mode="before")
    @classmethod
    def _validate_with_evaluator(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, EvaluatorCall):
            return value
        if not isinstance(value, Mapping):
            raise PydanticCustomError(
                "evaluate_table", "must be a table with a 'kind' and its parameters"
            )
        evaluators: Mapping[str, Evaluator] = (info.context or {}).get("evaluators", {})
        kind = value.get("kind")
        if not isinstance(kind, str) or kind not in evaluators:
            known = ", ".join(sorted(evaluators))
            got = "nothing" if kind is None else repr(kind)
            hint = did_you_mean(kind, evaluators) if isinstance(kind, str) else ""
            raise ValidationError.from_exception_data(
                "EvaluatorCall",
                [
                    InitErrorDetails(
                        type=PydanticCustomError(
                            "unknown_kind",
                            "must name a registered evaluator ({known}); got {got}{hint}",
                            {"known": known, "got": got, "hint": hint},
                        ),
                        loc=("kind",),
                        input=kind,
                    )
                ],
            )
        evaluator = evaluators[kind]
        table = {k: v for k, v in value.items() if k != "kind"}
        # Unknown keys are refused whatever the plug-in's model says about extras.
        accepted: set[str] = set()
        for name, spec in evaluator.Params.model_fields.items():
            accepted.update(a for a in (name, spec.alias, spec.validation_alias) if isinstance(a, str))
        errors: list[Any] = [
            InitErrorDetails(type="extra_forbidden", loc=(key,), input=table[key])
            for key in table if key not in accepted
        ]
        try:
            params = evaluator.Params.model_validate(table)
        except ValidationError as exc:
            errors = [e for e in exc.errors() if e["type"] != "extra_forbidden"] + errors
        if errors:
            raise ValidationError.from_exception_data("EvaluatorCall", errors)
        try:
            named = evaluator.inputs(params)
            if isinstance(named, str | bytes):
                raise TypeError(f"must return a list of column names; got the text {named!r}")
            inputs = tuple(named)
        except Exception as exc:
            raise PluginError(
                f"evaluator {kind!r}: inputs() raised {type(exc).__name__}: {exc}",
                evaluator=kind,
            ) from exc
        return {"kind": kind, "params": params, "inputs": inputs}

    def to_table(self) -> dict[str, Any]:
        """The table as a rule file would hold it (``kind`` first, defaults filled in)."""
        params = self.params.model_dump(mode="json") if isinstance(self.params, BaseModel) else {}
        return {"kind": self.kind, **params}


class Indicator(_Model):
    id: RuleId
    title: str = ""
    points: float = Field(gt=0, le=LARGEST)
    evaluate: EvaluatorCall


class Dimension(_Model):
    id: RuleId
    title: str = ""
    weight: float = Field(gt=0, le=LARGEST)
    indicators: list[Indicator] = Field(min_length=1)


class Adjustment(_Model):
    """A bonus (加分) or deduction (扣分): attainment x cap points, added or taken off."""

    id: RuleId
    title: str = ""
    kind: Literal["bonus", "deduction"]
    cap: float = Field(gt=0, le=LARGEST)
    evaluate: EvaluatorCall


class VetoEffect(_Model):
    total: float | None = Field(default=None, ge=0)
    """The total is capped at this figure (``0`` zeroes the score)."""
    max_stars: int | None = Field(default=None, ge=0)
    no_benchmark: bool = False

    @model_validator(mode="after")
    def _has_an_effect(self) -> VetoEffect:
        if self.total is None and self.max_stars is None and not self.no_benchmark:
            raise ValueError("must set at least one of total, max_stars, no_benchmark")
        return self


class Veto(_Model):
    """一票否决: where ``when`` gives 1 the effect applies; 0 or NaN leaves the row alone."""

    id: RuleId
    title: str = ""
    when: EvaluatorCall
    effect: VetoEffect


class Rating(_Model):
    stars: int = Field(ge=1)
    min: float
    title: str = ""


class Benchmark(_Model):
    stars: int = Field(ge=1)
    consecutive: int = Field(ge=1)
    title: str = ""


class Commendation(_Model):
    """An entry of the 支部点赞台 (the "likes" board), with its reason put in words.

    ``first_stars``: the first period an entity reaches ``stars`` (or more);
    ``biggest_rise``: the ``top`` biggest rises of the total since each entity's previous
    period (ties at the cut included), at least ``min_rise`` points;
    ``full_attainment``: full attainment on ``indicator`` (a hard one, say).
    """

    id: RuleId
    title: str = ""
    kind: Literal["first_stars", "biggest_rise", "full_attainment"]
    stars: int | None = Field(default=None, ge=1)
    top: int = Field(default=1, ge=1)
    min_rise: float = Field(default=0.0, ge=0)
    indicator: str | None = None

    @model_validator(mode="after")
    def _has_what_its_kind_needs(self) -> Commendation:
        needs = {"first_stars": "stars", "full_attainment": "indicator"}.get(self.kind)
        if needs is not None and getattr(self, needs) is None:
            raise ValueError(f"a {self.kind} commendation needs {needs!r}")
        return self


class RuleSet(_Model):
    """A validated rule set. Build it with :func:`fortress_score.load_rules`."""

    ruleset: Annotated[str, StringConstraints(min_length=1)]
    title: str = ""
    entity: Column
    period: Column | None = None
    group_by: Column | None = None
    scale: float = Field(default=100.0, gt=0, le=LARGEST)
    precision: int = Field(default=2, ge=0, le=6)
    missing: Literal["skip", "zero", "error"] = "skip"
    clamp: bool = True
    fields: dict[Column, FieldSpec] = Field(default_factory=dict)
    dimensions: list[Dimension] = Field(min_length=1)
    adjustments: list[Adjustment] = Field(default_factory=list)
    vetoes: list[Veto] = Field(default_factory=list)
    ratings: list[Rating] = Field(default_factory=list)
    benchmark: Benchmark | None = None
    commendations: list[Commendation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _inputs_are_numeric(self) -> RuleSet:
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "rule_check",
                    "reads column {column!r}, declared type str; evaluators read numbers",
                    {"column": column},
                ),
                loc=(*loc, "inputs", j),
                input=column,
            )
            for loc, call in self.calls()
            for j, column in enumerate(call.inputs)
            if column in self.fields and self.fields[column].type == "str"
        ]
        if errors:
            raise ValidationError.from_exception_data("RuleSet", errors)
        return self

    def calls(self) -> Iterator[tuple[Loc, EvaluatorCall]]:
        """Every evaluator call with its rule path, in file order."""
        for d, dim in enumerate(self.dimensions):
            for i, ind in enumerate(dim.indicators):
                yield ("dimensions", d, "indicators", i, "evaluate"), ind.evaluate
        for a, adj in enumerate(self.adjustments):
            yield ("adjustments", a, "evaluate"), adj.evaluate
        for v, veto in enumerate(self.vetoes):
            yield ("vetoes", v, "when"), veto.when

    @property
    def indicators(self) -> list[tuple[Dimension, Indicator]]:
        """Every indicator with its dimension, in file order."""
        return [(dim, ind) for dim in self.dimensions for ind in dim.indicators]

    def columns_needed(self) -> dict[str, list[str]]:
        """Each data column evaluators read -> the ids of the rules that read it."""
        needed: dict[str, list[str]] = {}
        rules = [ind for _, ind in self.indicators] + list(self.adjustments) + list(self.vetoes)
        for rule, (_, call) in zip(rules, self.calls()):
            for column in call.inputs:
                needed.setdefault(column, [])
                if rule.id not in needed[column]:
                    needed[column].append(rule.id)
        return needed

    def to_dict(self) -> dict[str, Any]:
        """The normalised rule set as plain data (defaults filled in), fit for JSON or YAML."""
        data = self.model_dump(mode="json", exclude_none=True)
        for loc, call in self.calls():
            node: Any = data
            for part in loc[:-1]:
                node = node[part]
            node[loc[-1]] = call.to_table()
        return data

    @cached_property
    def digest(self) -> str:
        """sha256 of the normalised content: the same rules give the same digest anywhere."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
