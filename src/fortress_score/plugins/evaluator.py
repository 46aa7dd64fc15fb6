"""The evaluator contract: what a plug-in implements and what it is given."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, StringConstraints

from .formulas import Cells

__all__ = ["Column", "Context", "Evaluator", "FloatArray", "Params", "evaluator"]


class _ColumnMark:
    """Marks a params field as naming data columns, so a decorated evaluator knows its inputs."""


Column = Annotated[str, StringConstraints(min_length=1), _ColumnMark()]
"""A data column named in params: a non-empty string."""

FloatArray = npt.NDArray[np.float64]
"""A float64 numpy array: the columns an evaluator reads and the attainment it returns."""


class Params(BaseModel):
    """Base for evaluator parameters, checked once at load time.

    Frozen; unknown keys, NaN and infinity refused; strict types, so ``"2"`` is not a number
    and ``"no"`` is not a boolean (an int is still accepted where a float is expected).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


P = TypeVar("P", bound=Params)

@dataclass(frozen=True)
class Context:
    """What an evaluator may know besides its columns and params.

    Attributes:
        points: the indicator's points, or the adjustment's cap (1.0 for a veto).
        groups: an int64 code a row; rows sharing a code form one peer population
            (same period and same ``group_by`` value). Codes run from 0 to ``n_groups - 1``.
        n_groups: the number of distinct codes.
        rule: the id of the indicator, adjustment or veto being scored.
    """

    points: float
    groups: npt.NDArray[np.int64]
    n_groups: int
    rule: str

    @property
    def n_rows(self) -> int:
        return int(self.groups.shape[0])


class Evaluator(ABC, Generic[P]):
    """Turns raw columns into attainment: a float64 array in [0, 1] a row, NaN = does not apply.

    Subclass it as ``Evaluator[MyParams]``, set the class attributes and implement
    :meth:`evaluate`; register instances through the ``fortress_score_evaluators`` hook
    (see :mod:`fortress_score.plugins.hookspecs`, the plug-in author's manual).

    Attributes:
        name: the ``kind`` tag in rule files.
        Params: the :class:`Params` model of the rest of the ``evaluate:`` table (derived
            from :class:`Params`: strict, frozen, no mutable defaults); validated when the
            rule file is loaded, so :meth:`evaluate` never re-checks it.
        population: True when a row's attainment depends on its peers (ranks, min-max);
            such evaluators must use ``context.groups``.
    """

    name: ClassVar[str] = ""
    Params: type[P]
    population: ClassVar[bool] = False

    @property
    def description(self) -> str:
        """The first line of the class docstring: shown by ``fortress-score evaluators``."""
        doc = (type(self).__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def inputs(self, params: P) -> list[str]:
        """The data columns this evaluator reads, given its validated params.

        By default, the values of the params fields typed :data:`Column` (also inside
        Optional, lists, dicts and nested params); override it when the columns are named
        some other way.
        """
        return column_fields(params)

    @abstractmethod
    def evaluate(
        self, columns: Mapping[str, FloatArray], params: P, context: Context
    ) -> FloatArray:
        """Attainment for every row at once: float64, shape ``(n_rows,)``, in [0, 1] or NaN."""

    def describe(self, params: P, inputs: Mapping[str, float]) -> str | None:
        """Words for what this evaluator tests, given one row's inputs (NaN = empty).

        Explanations show it for a veto that fired (``safety_l4_events = 1 > 0``).
        Optional: None (the default) lets the explanation list the inputs instead.
        """
        return None

    def inverse(
        self, params: P, attainment: float, inputs: Mapping[str, float]
    ) -> dict[str, float] | None:
        """The input values (column -> value) that give ``attainment`` for one row, its
        other inputs staying as ``inputs`` gives them.

        The path to the next star uses it to say what a branch must reach, not only the
        attainment. Optional: None (the default) when no single value answers (a rank
        among peers, a survey) or the evaluator does not say.
        """
        return None

    def formula(self, params: P, cells: Cells) -> str | None:
        """This row's attainment as a spreadsheet formula (no leading ``=``) over
        ``cells.row`` (and, for peers, ``cells.whole``); where the indicator does not apply
        the formula itself must yield the empty text, written ``""`` in the formula
        (``IF(x="","",...)``).

        The audit workbook writes it so that an auditor can trace the figure and change an
        input (:mod:`fortress_score.plugins.formulas` has helpers). Optional: None (the
        default) writes the evaluated attainment as values, marked as such.
        """
        return None

    def __repr__(self) -> str:
        return f"<Evaluator {self.name!r} ({type(self).__module__}.{type(self).__qualname__})>"


EvaluateFunction = Callable[[Mapping[str, FloatArray], Any, Context], Any]


def column_fields(params: BaseModel) -> list[str]:
    """The columns named by the fields of ``params`` typed :data:`Column` (also inside
    ``Optional``, lists, tuples and dicts of them, and nested params models)."""
    names: list[str] = []
    for field_name, spec in type(params).model_fields.items():
        value = getattr(params, field_name)
        nested = value if isinstance(value, list | tuple) else [value]
        if nested and all(isinstance(v, BaseModel) for v in nested):
            names.extend(c for v in nested for c in column_fields(v))
        elif _marks_columns(spec.annotation, spec.metadata):
            if isinstance(value, str):
                names.append(value)
            elif isinstance(value, list | tuple):
                names.extend(v for v in value if isinstance(v, str))
            elif isinstance(value, dict):
                names.extend(v for v in value.values() if isinstance(v, str))
    return names


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models a type holds: itself, or inside ``list[X]``, ``X | None``, ..."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in models_in(arg)]


def _marks_columns(annotation: Any, metadata: Any = ()) -> bool:
    """Whether a type is Column, or holds Column anywhere inside (Optional, list, dict)."""
    if any(isinstance(m, _ColumnMark) for m in (*metadata, *getattr(annotation, "__metadata__", ()))):
        return True
    return any(_marks_columns(arg) for arg in getattr(annotation, "__args__", ()))


def evaluator(
    name: str, *, params: type[Params] = Params, population: bool = False,
    inputs: Callable[[Any], list[str]] | None = None,
) -> Callable[[EvaluateFunction], Evaluator[Any]]:
    """Turn a function into an evaluator, for a notebook: no class, no packaging.

    The function takes ``(columns, params, context)`` and returns attainment; its
    docstring's first line is the description. Inputs are the params fields typed
    :data:`Column` unless ``inputs`` says otherwise.

    Examples:
        >>> import numpy as np, fortress_score as fs
        >>> from fortress_score import Column, Params
        >>> class Held(Params):
        ...     input: Column
        ...     required: int = 3
        >>> @fs.evaluator("meetings", params=Held)
        ... def meetings(columns, params, context):
        ...     \"\"\"Meetings held against the number required.\"\"\"
        ...     return np.minimum(columns[params.input] / params.required, 1.0)
        >>> rules = {"ruleset": "nb", "entity": "branch", "dimensions": [{"id": "d", "weight": 1,
        ...     "indicators": [{"id": "m", "points": 10, "evaluate": {"kind": "meetings", "input": "held"}}]}]}
        >>> fs.score(rules, {"branch": ["A", "B"], "held": [3, 1]}, plugins=[meetings]).to_records()[1]["total"]
        33.33
    """

    def wrap(function: EvaluateFunction) -> Evaluator[Any]:
        if not callable(function):
            raise TypeError(f"@fortress_score.evaluator({name!r}) decorates a function "
                            f"(columns, params, context) -> attainment; got {function!r}")
        attributes: dict[str, Any] = {
            "name": name, "Params": params, "population": population,
            "__doc__": function.__doc__, "__module__": function.__module__,
            "__qualname__": getattr(function, "__qualname__", name),
            "evaluate": lambda self, columns, p, context: function(columns, p, context),
        }
        if inputs is not None:  # else the Column fields, as for any Evaluator
            attributes["inputs"] = lambda self, p: list(inputs(p))
        made: Evaluator[Any] = type(f"Evaluator_{name}", (Evaluator,), attributes)()
        return made

    return wrap
