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
import itertools
import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..errors import Problem, RuleFileError
from ..plugins.evaluator import Column
from ..plugins.manager import default_registry
from . import messages
from .circles import evaluation_order
from .crosscheck import cross_check
from .file import Loc, RuleSource
from .formula import Formula
from .parts import (
    DATA_METHODS,
    LARGEST,
    Adjustment,
    Aggregate,
    AppliesTo,
    Benchmark,
    Commendation,
    Dimension,
    EvaluatorCall,
    Evaluators,
    FieldSpec,
    Indicator,
    Missing,
    Rating,
    RuleModel,
    TitleRule,
    Veto,
    VetoEffect,
    Weighting,
    alternatives,
    evaluators_in,
    plain_data,
)
from .weighting import derived_weights, strip_derived

__all__ = [
    "LARGEST",
    "Adjustment",
    "Aggregate",
    "AppliesTo",
    "Benchmark",
    "Commendation",
    "Dimension",
    "EvaluatorCall",
    "Evaluators",
    "FieldSpec",
    "Indicator",
    "Missing",
    "Rating",
    "RuleSet",
    "Veto",
    "VetoEffect",
]


class RuleSet(RuleModel):
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
    weighting: Weighting | None = None
    """Weights derived by a method instead of written (:mod:`.weighting`)."""
    titles: list[TitleRule] | None = None
    """Titles that are held, reviewed and lost (:mod:`fortress_score.analysis.titles`)."""

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
        merged = {**super().model_dump(), **update}  # the weights as used, then the update's
        if "dimensions" not in update:  # weights the (updated) weighting derives are derived
            strip_derived(merged)
        return type(self).model_validate(merged)

    @model_validator(mode="wrap")
    @classmethod
    def _checked_as_a_whole(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """The model's own checks, then the checks across fields, all problems together."""
        if not isinstance(data, Mapping):
            return handler(data)  # a RuleSet passes as it is; anything else is refused
        data = dict(data)  # any mapping, as a dict: the model's own checks take dicts
        plain = plain_data(data)
        weighing, derived = derived_weights(plain)
        found = [
            InitErrorDetails(type=PydanticCustomError("fs_rule_check", message), loc=loc,
                             input=None)
            for loc, message in [*cross_check(plain), *weighing]
        ]
        if isinstance(plain.get("weighting"), Mapping):
            data = _with_derived(plain, derived)
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
        formulas = {name: spec.derivation for name, spec in self.fields.items()
                    if spec.derivation is not None}
        graph = {name: [u for u in sorted(f.names) if u in formulas and u != name]
                 for name, f in formulas.items()}
        return {name: formulas[name] for name in evaluation_order(graph)}

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
            for where in alternatives(applies):
                if isinstance(where, dict):
                    for column in where:
                        if rule_id not in found.setdefault(column, []):
                            found[column].append(rule_id)
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
            for where in alternatives(applies):
                if isinstance(where, str) and where not in derived:  # a 0/1 column: a number
                    needed.setdefault(where, []).append(f"applies_to of {rule_id}")
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

    @cached_property
    def indicator_ranges(self) -> tuple[range, ...]:
        """A dimension's indicators as positions in :attr:`indicators`, one a dimension."""
        ends = itertools.accumulate(len(dim.indicators) for dim in self.dimensions)
        return tuple(range(end - len(dim.indicators), end)
                     for dim, end in zip(self.dimensions, ends))

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

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """pydantic's dump, less the weights a ``weighting`` method derives (it keeps the
        method): the dump validates back to the same rule set."""
        data: dict[str, Any] = super().model_dump(**options)
        strip_derived(data)
        return data

    def model_dump_json(self, **options: Any) -> str:
        """:meth:`model_dump` as JSON (``indent`` and the dump's own options as pydantic's)."""
        indent = options.pop("indent", None)
        return json.dumps(self.model_dump(mode="json", **options), ensure_ascii=False,
                          indent=indent)

    def derived_weights(self) -> dict[str, float]:
        """The weights a ``weighting`` method derived: ``dimensions.<id>.weight`` and
        ``indicators.<id>.points`` -> value (empty without a ``weighting``)."""
        if self.weighting is None:
            return {}
        found: dict[str, float] = {}
        by_dims = self.weighting.dimensions
        for dim in self.dimensions:
            if by_dims is not None and by_dims.method not in DATA_METHODS:
                found[f"dimensions.{dim.id}.weight"] = dim.weight
            method = self.weighting.indicators.get(dim.id)
            if method is not None and method.method not in DATA_METHODS:
                found |= {f"indicators.{ind.id}.points": ind.points for ind in dim.indicators}
        return found

    def data_weighting(self) -> tuple[str | None, dict[int, str]]:
        """The methods that weigh by the data (``entropy``, ``critic``): the dimensions'
        (or None), and dimension position → its indicators'. Their weights and points in
        the model are nominal (equal); scoring works out a set a period."""
        if self.weighting is None:
            return None, {}
        by_dims = self.weighting.dimensions
        dims: str | None = by_dims.method \
            if by_dims is not None and by_dims.method in DATA_METHODS else None
        inds: dict[int, str] = {d: m.method for d, dim in enumerate(self.dimensions)
                if (m := self.weighting.indicators.get(dim.id)) is not None
                and m.method in DATA_METHODS}
        return dims, inds

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


def _with_derived(plain: dict[str, Any], derived: Mapping[tuple[int, ...], float]
                  ) -> dict[str, Any]:
    """``plain`` with each weight a method derives written in; where one could not be
    derived (its problems are reported), a stand-in 1, so that no second problem says the
    weight is missing."""
    dims = plain.get("dimensions")
    if not isinstance(dims, list):
        return plain
    weighting = plain["weighting"]
    by_dims = isinstance(weighting.get("dimensions"), Mapping)
    by_inds = weighting.get("indicators") if isinstance(weighting.get("indicators"),
                                                        Mapping) else {}
    out = []
    for d, dim in enumerate(dims):
        if not isinstance(dim, Mapping):
            out.append(dim)
            continue
        dim = dict(dim)
        if by_dims and dim.get("weight") is None:
            dim["weight"] = derived.get((d,), 1.0)
        if dim.get("id") in by_inds and isinstance(dim.get("indicators"), list):
            dim["indicators"] = [
                {**ind, "points": derived.get((d, i), 1.0)}
                if isinstance(ind, Mapping) and ind.get("points") is None else ind
                for i, ind in enumerate(dim["indicators"])]
        out.append(dim)
    return {**plain, "dimensions": out}
