"""The evaluator contract: what a plug-in implements and what it is given."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["Column", "Context", "Evaluator", "Params"]

Column = Annotated[str, StringConstraints(min_length=1)]
"""A data column named in params: a non-empty string."""

FloatArray = npt.NDArray[np.float64]


class Params(BaseModel):
    """Base for evaluator parameters, checked once at load time.

    Frozen; unknown keys, NaN and infinity refused; strict types, so ``"2"`` is not a number
    and ``"no"`` is not a boolean (an int is still accepted where a float is expected).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


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


class Evaluator(ABC):
    """Turns raw columns into attainment: a float64 array in [0, 1] a row, NaN = does not apply.

    Subclass it, set the class attributes and implement :meth:`inputs` and
    :meth:`evaluate`; register instances through the ``fortress_score_evaluators`` hook.

    Attributes:
        name: the ``kind`` tag in rule files.
        Params: a pydantic model of the rest of the ``evaluate:`` table; validated when the
            rule file is loaded, so :meth:`evaluate` never re-checks it.
        population: True when a row's attainment depends on its peers (ranks, min-max);
            such evaluators must use ``context.groups``.
    """

    name: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = Params
    population: ClassVar[bool] = False

    @property
    def description(self) -> str:
        """The first line of the class docstring: shown by ``fortress-score evaluators``."""
        doc = (type(self).__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    @abstractmethod
    def inputs(self, params: Any) -> list[str]:
        """The data columns this evaluator reads, given its validated params."""

    @abstractmethod
    def evaluate(
        self, columns: Mapping[str, FloatArray], params: Any, context: Context
    ) -> FloatArray:
        """Attainment for every row at once: float64, shape ``(n_rows,)``, in [0, 1] or NaN."""

    def __repr__(self) -> str:
        return f"<Evaluator {self.name!r} ({type(self).__module__}.{type(self).__qualname__})>"
