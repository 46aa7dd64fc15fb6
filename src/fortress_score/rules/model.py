"""The rule model: pydantic classes for a whole rule file, and every check a rule set must pass.

However a :class:`RuleSet` is made — ``RuleSet.model_validate(data)``, ``RuleSet(**data)``,
:func:`fortress_score.load_rules` or ``engine.rules_from_mapping(data)`` — the same checks
run and the same placed problems come out, as a :class:`~fortress_score.RuleFileError`:
the structure by these models, each ``evaluate:``/``when:`` table by its evaluator's own
``Params``, and the checks across fields (unique ids, rating order, veto caps) on the data
as given, so that they are reported even where another part is invalid.

Evaluators are looked up in the default registry (built-ins and installed entry points)
unless the validation context names others: ``context={"evaluators": {name: evaluator}}``
is the one documented key, which ``engine.rules_from_mapping`` passes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, to_jsonable_python

from ..errors import PluginError, Problem, RuleFileError, did_you_mean, shorten, shown
from ..plugins.evaluator import Column, Evaluator
from ..plugins.manager import default_registry
from . import messages
from .crosscheck import cross_check, invisible, mixed_scripts, normal_id
from .file import Loc, RuleSource
from .formula import Formula, FormulaError, parse

LARGEST = 1e9
"""Upper bound of points, weights, caps and scale: keeps every sum far from overflow."""

__all__ = [
    "LARGEST",
    "Adjustment",
    "Benchmark",
    "Commendation",
    "Dimension",
    "EvaluatorCall",
    "Evaluators",
    "FieldSpec",
    "Indicator",
    "Rating",
    "RuleSet",
    "Veto",
    "VetoEffect",
]

Evaluators = Mapping[str, Evaluator[Any]]


def _plain_id(value: str) -> str:
    value = normal_id(value)
    if "." in value or any(c.isspace() for c in value):
        raise PydanticCustomError("fs_rule_id", "must be an id without dots or spaces "
                                  "(ids become column names such as indicators.<id>)")
    unseen = invisible(value) or mixed_scripts(value)
    if unseen:
        raise PydanticCustomError("fs_rule_id", unseen)
    return value


RULE_ID_PATTERN = r"^[^.\s]+$"

RuleId = Annotated[str, StringConstraints(min_length=1), AfterValidator(_plain_id),
                   WithJsonSchema({"type": "string", "minLength": 1, "pattern": RULE_ID_PATTERN})]
"""An id: non-empty, no dots or spaces (ids become column names such as indicators.<id>)."""


def evaluators_in(context: Any) -> Evaluators:
    """The evaluators a validation checks against: the context's, else the default registry's."""
    if isinstance(context, Mapping) and isinstance(context.get("evaluators"), Mapping):
        return context["evaluators"]  # type: ignore[no-any-return]
    return default_registry().evaluators


def _plain(value: Any, inside: frozenset[int] = frozenset()) -> Any:
    """Mappings, sequences and models (a RuleSet built from parts) as plain data; a mapping
    or list inside itself is cut there (the model then refuses the cycle)."""
    if isinstance(value, BaseModel):
        return to_jsonable_python(value, fallback=repr)
    if isinstance(value, Mapping | list | tuple):
        if id(value) in inside:
            return None
        inside = inside | {id(value)}
        if isinstance(value, Mapping):
            return {key: _plain(item, inside) for key, item in value.items()}
        return [_plain(item, inside) for item in value]
    return value


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
    formula: str | None = None
    """A derived column: computed from other columns by :mod:`.formula` (not read from data)."""

    @field_validator("formula")
    @classmethod
    def _formula_in_the_language(cls, text: str | None) -> str | None:
        if text is not None:
            try:
                parse(text)
            except FormulaError as exc:
                token = text[exc.offset:exc.offset + 20].strip() or text[-20:]
                raise PydanticCustomError(
                    "fs_formula", "{message}; at '{token}' (character {place} of the formula)",
                    {"message": exc.message, "token": token, "place": exc.offset + 1,
                     "offset": exc.offset}) from None
        return text

    @cached_property
    def derivation(self) -> Formula | None:
        """The checked formula of a derived field; None for a data column."""
        return None if self.formula is None else parse(self.formula)

    @model_validator(mode="after")
    def _min_not_above_max(self) -> FieldSpec:
        if self.formula is not None and (self.type != "float" or self.optional or
                                         self.min is not None or self.max is not None):
            raise PydanticCustomError(
                "fs_field_range", "a derived field (formula) is a number computed from the "
                "data: it takes a title and a unit, not type, optional, min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError(
                "fs_field_range", f"min ({self.min}) must not be above max ({self.max})")
        return self


class EvaluatorCall(_Model):
    """An ``evaluate:`` or ``when:`` table: the evaluator's ``kind`` and its validated params.

    Serialises back to the table as a rule file holds it (``kind`` first, defaults filled
    in), so a dumped rule set validates again to an equal one.
    """

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
                "fs_evaluate_table",
                f"must be a table with a 'kind' and its parameters; got {shown(value)}")
        evaluators = evaluators_in(info.context)
        kind = value.get("kind")
        if not isinstance(kind, str) or kind not in evaluators:
            got = "nothing" if kind is None else shown(kind)
            hint = did_you_mean(kind, evaluators) if isinstance(kind, str) else ""
            raise ValidationError.from_exception_data("EvaluatorCall", [InitErrorDetails(
                type=PydanticCustomError(
                    "fs_unknown_kind", f"must name a registered evaluator "
                    f"({', '.join(sorted(evaluators))}); got {got}{hint}"),
                loc=("kind",), input=kind)])
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
            errors = [messages.as_details(e) for e in exc.errors() if e["type"] != "extra_forbidden"] + errors
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a plug-in's validator never ends the caller's run
            raise PluginError(f"evaluator {kind!r}: checking its params raised "
                              f"{type(exc).__name__}: {shorten(str(exc))}", evaluator=kind) from exc
        if errors:
            raise ValidationError.from_exception_data("EvaluatorCall", errors)
        try:
            named = evaluator.inputs(params)
            if isinstance(named, str | bytes):
                raise TypeError(f"must return a list of column names; got the text {named!r}")
            inputs = tuple(named)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: name the plug-in
            raise PluginError(
                f"evaluator {kind!r}: inputs() raised {type(exc).__name__}: {shorten(str(exc))}",
                evaluator=kind,
            ) from exc
        return {"kind": kind, "params": params, "inputs": inputs}

    @model_serializer(mode="plain")
    def _as_table(self, info: SerializationInfo) -> dict[str, Any]:
        params = self.params.model_dump(mode=info.mode, by_alias=True)  # as a file writes it
        return {"kind": self.kind, **params}


Missing = Literal["skip", "zero", "peer_mean", "peer_median", "carry_forward", "error"]
"""What an applicable indicator's missing attainment becomes: left out (``skip``), 0, the
mean or median attainment of the row's peers that have one, the entity's own from its latest
earlier period (at most ``max_gap`` periods back), or an error naming the rows."""

AppliesTo = Annotated[str, StringConstraints(min_length=1)] | Annotated[
    dict[Column, Annotated[list[str | float], Field(min_length=1)]], Field(min_length=1)]
"""Where a rule applies: a 0/1 column (``has_customers``), or column → the values it
applies to (``{category: [县区供电分局, 生产单位]}``)."""


class Indicator(_Model):
    id: RuleId
    title: str = ""
    points: float = Field(gt=0, le=LARGEST)
    evaluate: EvaluatorCall
    applies_to: AppliesTo | None = None
    """Rows the indicator applies to by rule (elsewhere it is left out); None: every row."""
    missing: Missing | None = None
    """Where it applies but its attainment is missing; None: the rule set's ``missing``."""
    max_gap: int | None = Field(default=None, ge=1)
    """``carry_forward``: how many periods back a value may be carried (default 1)."""

    @model_validator(mode="after")
    def _gap_only_for_carry(self) -> Indicator:
        if self.max_gap is not None and self.missing != "carry_forward":
            raise PydanticCustomError("fs_rule_check",
                                      "max_gap is for missing: carry_forward only")
        return self


Aggregate = Literal["weighted_mean", "geometric", "min"]
"""How parts make a whole: a weighted mean (compensatory), a weighted geometric mean (a weak
part weighs more; a zero part makes the whole zero) or the weakest part alone."""


class Dimension(_Model):
    id: RuleId
    title: str = ""
    weight: float = Field(gt=0, le=LARGEST)
    indicators: list[Indicator] = Field(min_length=1)
    aggregate: Aggregate | None = None
    """How the indicators make the dimension's score; None: ``weighted_mean``."""
    applies_to: AppliesTo | None = None
    """Rows the dimension applies to by rule (none of its indicators elsewhere)."""
    min_available: float | None = Field(default=None, gt=0, le=1)
    """The share of its applicable points that must have data (not imputed) for the
    dimension to score in a row; below it the dimension does not score there."""


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
            raise PydanticCustomError(
                "fs_no_effect", "must set at least one of total, max_stars, no_benchmark")
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
            raise PydanticCustomError(
                "fs_commendation", f"a {self.kind} commendation needs {needs!r}")
        return self


class RuleSet(_Model):
    """A validated rule set: every check passed, however it was built.

    Build it with :func:`fortress_score.load_rules` (a file or a mapping),
    ``RuleSet.model_validate(data)`` or ``RuleSet(**data)`` (the default evaluators), or
    ``engine.rules_from_mapping(data)`` (that engine's evaluators). Each raises a
    :class:`~fortress_score.RuleFileError` listing every problem with its rule path (and,
    from a file, its line). ``model_dump(mode="json")`` validates back to an equal RuleSet.
    """

    ruleset: Annotated[str, StringConstraints(min_length=1)]
    title: str = ""
    entity: Column
    period: Column | None = None
    group_by: Column | None = None
    scale: float = Field(default=100.0, gt=0, le=LARGEST)
    precision: int = Field(default=2, ge=0, le=6)
    missing: Missing = "skip"
    clamp: bool = True
    aggregate: Aggregate | None = None
    """How the dimensions make the total; None: ``weighted_mean``."""
    fields: dict[Column, FieldSpec] = Field(default_factory=dict)
    dimensions: list[Dimension] = Field(min_length=1)
    adjustments: list[Adjustment] = Field(default_factory=list)
    vetoes: list[Veto] = Field(default_factory=list)
    ratings: list[Rating] = Field(default_factory=list)
    benchmark: Benchmark | None = None
    commendations: list[Commendation] = Field(default_factory=list)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise messages.rule_file_error(exc, RuleSource(data), RuleSet, EvaluatorCall,
                                           default_registry().evaluators) from None

    # Validation builds the model as BaseModel.__init__ would; this init only puts the
    # problems in our words, so pydantic must not call it from inside validation.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(
        cls, obj: Any, *, context: Any | None = None, **options: Any
    ) -> RuleSet:
        """Validate plain data (a parsed rule file); :class:`RuleFileError` on any problem.

        ``context={"evaluators": {name: evaluator}}`` checks against those evaluators
        instead of the default registry's.
        """
        return cls.from_source(RuleSource(obj), context=context, **options)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, *,
                            context: Any | None = None, **options: Any) -> RuleSet:
        """Validate a JSON document; :class:`RuleFileError` on any problem."""
        try:
            data = json.loads(json_data)
        except json.JSONDecodeError as exc:
            raise RuleFileError(Problem(f"not valid JSON: {exc.msg}", line=exc.lineno,
                                        col=exc.colno)) from None
        return cls.from_source(RuleSource(data), context=context, **options)

    @classmethod
    def from_source(cls, source: RuleSource, *, context: Any | None = None,
                    **options: Any) -> RuleSet:
        """Validate a rule file's content, placing each problem at its line and column."""
        try:
            return super().model_validate(source.data, context=context, **options)
        except ValidationError as exc:
            evaluators = evaluators_in(context)
            raise messages.rule_file_error(exc, source, RuleSet, EvaluatorCall,
                                           evaluators) from None

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> RuleSet:
        """A copy; with ``update``, a new rule set validated as a whole (pydantic's own
        copy would skip every check and keep the old digest)."""
        if not update:
            return super().model_copy(deep=deep)
        return type(self).model_validate({**self.model_dump(), **update})

    @model_validator(mode="wrap")
    @classmethod
    def _checked_as_a_whole(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """The model's own checks, then the checks across fields, all problems together."""
        if not isinstance(data, Mapping):
            return handler(data)  # a RuleSet passes as it is; anything else is refused
        data = dict(data)  # any mapping, as a dict: the model's own checks take dicts
        found = [
            InitErrorDetails(type=PydanticCustomError("fs_rule_check", message), loc=loc,
                             input=None)
            for loc, message in cross_check(_plain(data))
        ]
        try:
            rules = handler(data)
        except ValidationError as exc:
            raise ValidationError.from_exception_data(
                cls.__name__, [*(messages.as_details(e) for e in exc.errors()), *found]) from None
        if found:
            raise ValidationError.from_exception_data(cls.__name__, found)
        return rules

    @property
    def compensatory(self) -> bool:
        """Whether every whole is a weighted mean of its parts (no ``aggregate`` other than
        ``weighted_mean``): then a point more anywhere is a point more in the total."""
        return all(a in (None, "weighted_mean")
                   for a in (self.aggregate, *(d.aggregate for d in self.dimensions)))

    def derived_fields(self) -> dict[str, Formula]:
        """The derived fields, each after the derived fields it reads (evaluation order)."""
        order: dict[str, Formula] = {}

        def visit(name: str) -> None:
            formula = self.fields[name].derivation
            if name in order or formula is None:
                return
            for used in sorted(formula.names):
                if used in self.fields and used != name:
                    visit(used)
            order[name] = formula

        for name in self.fields:
            visit(name)
        return order

    def applicability(self) -> Iterator[tuple[Loc, str, AppliesTo]]:
        """(rule path, rule id, ``applies_to``) of every dimension and indicator that has one."""
        for d, dim in enumerate(self.dimensions):
            if dim.applies_to is not None:
                yield ("dimensions", d, "applies_to"), dim.id, dim.applies_to
            for i, ind in enumerate(dim.indicators):
                if ind.applies_to is not None:
                    yield ("dimensions", d, "indicators", i, "applies_to"), ind.id, ind.applies_to

    def label_columns(self) -> dict[str, list[str]]:
        """Columns ``applies_to`` compares with listed values (read as the data writes them)
        → the ids of the rules that read them."""
        found: dict[str, list[str]] = {}
        for _, rule_id, applies in self.applicability():
            if isinstance(applies, dict):
                for column in applies:
                    found.setdefault(column, []).append(rule_id)
        return found

    def data_columns_needed(self) -> dict[str, list[str]]:
        """:meth:`columns_needed` with each derived field replaced by the data columns its
        formula reads (through other derived fields too), named as read by ``formula of X``."""
        derived = self.derived_fields()
        needed: dict[str, list[str]] = {}
        for column, readers in self.columns_needed().items():
            if column not in derived:
                needed.setdefault(column, []).extend(r for r in readers
                                                     if r not in needed.get(column, []))
        for name, formula in derived.items():
            for column in sorted(formula.names - set(derived)):
                needed.setdefault(column, []).append(f"the formula of {name}")
        for _, rule_id, applies in self.applicability():
            if isinstance(applies, str) and applies not in derived:  # a 0/1 column: a number
                needed.setdefault(applies, []).append(f"applies_to of {rule_id}")
        return needed

    @model_validator(mode="after")
    def _inputs_are_numeric(self) -> RuleSet:
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "fs_rule_check",
                    f"reads column {column!r}, declared type str; evaluators read numbers"),
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
        """The normalised rule set as plain data (defaults filled in, empty keys left out),
        fit for JSON or YAML; each evaluator table keeps all its params."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude_none=True)
        return data

    @cached_property
    def digest(self) -> str:
        """sha256 of the normalised content: the same rules give the same digest anywhere."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

