"""The parts of a rule file as pydantic models: fields, evaluator calls, indicators,
dimensions, adjustments, vetoes, ratings, the benchmark and commendations.

:class:`~fortress_score.rules.model.RuleSet` puts them together and owns the checks across
them; each part here checks only itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializationInfo,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, to_jsonable_python

from ..errors import PluginError, did_you_mean, shorten, shown
from ..plugins.evaluator import Column, Evaluator
from ..plugins.manager import default_registry
from . import messages
from .crosscheck import invisible, mixed_scripts, normal_id
from .formula import Formula, FormulaError, parse

__all__ = [
    "DATA_METHODS",
    "LARGEST",
    "Adjustment",
    "Aggregate",
    "AppliesTo",
    "AppliesWhere",
    "Benchmark",
    "Commendation",
    "Dimension",
    "EvaluatorCall",
    "Evaluators",
    "FieldSpec",
    "Indicator",
    "Missing",
    "Rating",
    "RuleId",
    "RuleModel",
    "TitleRule",
    "Veto",
    "VetoEffect",
    "WeightMethod",
    "Weighting",
    "alternatives",
    "evaluators_in",
    "plain_data",
]

LARGEST = 1e9
"""Upper bound of points, weights, caps and scale: keeps every sum far from overflow."""


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


def plain_data(value: Any, inside: frozenset[int] = frozenset()) -> Any:
    """Mappings, sequences and models (a RuleSet built from parts) as plain data; a mapping
    or list inside itself is cut there (the model then refuses the cycle)."""
    if isinstance(value, BaseModel):
        return to_jsonable_python(value, fallback=repr)
    if isinstance(value, Mapping | list | tuple):
        if id(value) in inside:
            return None
        inside = inside | {id(value)}
        if isinstance(value, Mapping):
            return {key: plain_data(item, inside) for key, item in value.items()}
        return [plain_data(item, inside) for item in value]
    return value


class RuleModel(BaseModel):
    """The base of every rule model: unknown keys refused, frozen, strict, no NaN."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class FieldSpec(RuleModel):
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


class EvaluatorCall(RuleModel):
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

AppliesWhere = Annotated[str, StringConstraints(min_length=1)] | Annotated[
    dict[Column, Annotated[list[str | float], Field(min_length=1)]], Field(min_length=1)]
"""Rows named one way: a 0/1 column (``has_customers``), or column → the values it applies
to (``{category: [县区供电分局, 生产单位]}``; several columns: rows that match them all)."""

AppliesTo = AppliesWhere | Annotated[list[AppliesWhere], Field(min_length=1)]
"""Where a rule applies: one :data:`AppliesWhere`, or a list of them: the rows any of them
names (``[{category: [县区供电分局]}, {branch: [计量中心党支部]}]``)."""


def alternatives(applies: AppliesTo) -> list[AppliesWhere]:
    """The ways ``applies_to`` names rows: a row is in if any of them names it."""
    return list(applies) if isinstance(applies, list) else [applies]


class Indicator(RuleModel):
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


class Dimension(RuleModel):
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


class Adjustment(RuleModel):
    """A bonus (加分) or deduction (扣分): attainment x cap points, added or taken off."""

    id: RuleId
    title: str = ""
    kind: Literal["bonus", "deduction"]
    cap: float = Field(gt=0, le=LARGEST)
    evaluate: EvaluatorCall


class VetoEffect(RuleModel):
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


class Veto(RuleModel):
    """一票否决: where ``when`` gives 1 the effect applies; 0 or NaN leaves the row alone."""

    id: RuleId
    title: str = ""
    when: EvaluatorCall
    effect: VetoEffect


WeightMethodName = Literal["ahp", "equal", "entropy", "critic"]
"""How weights are derived instead of written: pairwise judgements (the analytic hierarchy
process, 层次分析法), all alike, or from the data of each period (熵权法, CRITIC)."""

DATA_METHODS = ("entropy", "critic")
"""Methods that weigh by the data: a set of weights a period, worked out when scoring."""

Judgement = Annotated[tuple[RuleId, RuleId, Annotated[float, Field(gt=0, le=LARGEST)]],
                      BeforeValidator(lambda v: tuple(v) if isinstance(v, list) else v)]
"""``[a, b, x]``: a is x times as important as b."""


class WeightMethod(RuleModel):
    """The weights of one set of parts (the dimensions, or one dimension's indicators)."""

    method: WeightMethodName
    judgements: list[Judgement] | None = None
    """``ahp``: a judgement for every pair of the parts (either way round)."""

    @model_validator(mode="after")
    def _judgements_for_ahp_only(self) -> WeightMethod:
        if (self.method == "ahp") != (self.judgements is not None):
            raise PydanticCustomError(
                "fs_rule_check", "judgements are for method: ahp, which needs them")
        return self


class Weighting(RuleModel):
    """Weights derived by a method: for the dimensions, and per dimension (by id) for its
    indicators. A part under a method takes its weight from it and must not give one."""

    dimensions: WeightMethod | None = None
    indicators: dict[RuleId, WeightMethod] = Field(default_factory=dict)


class Rating(RuleModel):
    stars: int = Field(ge=1)
    min: float
    title: str = ""


class Benchmark(RuleModel):
    stars: int = Field(ge=1)
    consecutive: int = Field(ge=1)
    title: str = ""


class TitleRule(RuleModel):
    """A title that is held (五星, 标杆): awarded after ``award_after`` consecutive periods
    at ``stars`` or more, kept while the stars hold, on probation (复审) for up to ``grace``
    periods in a row at ``keep_at`` or more, re-certified (复牌) every ``review_every``
    periods since the award, and revoked by a period below ``keep_at``, a ``revoke_on``
    veto, a failed review, a gap in the periods, or probation beyond ``grace``."""

    id: RuleId
    title: str = ""
    stars: int = Field(ge=1)
    award_after: int = Field(default=1, ge=1)
    keep_at: int | None = Field(default=None, ge=0)
    """The lowest stars a held title survives (on probation); None: ``stars``."""
    grace: int = Field(default=0, ge=0)
    revoke_on: list[RuleId] = Field(default_factory=list)
    review_every: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _keep_at_below_stars(self) -> TitleRule:
        if self.keep_at is not None and self.keep_at > self.stars:
            raise PydanticCustomError("fs_rule_check", "keep_at must not be above stars "
                                      "(a held title survives at keep_at stars or more)")
        return self


class Commendation(RuleModel):
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

