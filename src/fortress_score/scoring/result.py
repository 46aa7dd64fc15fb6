"""The result of scoring: one frozen object that every analysis and view takes.

A :class:`Result` holds the rules, the scored table, the unrounded figures, where they
came from, and — for what-if — a callable that scores a changed table again. It knows its
rows (lookups, row descriptions, the data digest) and nothing about what is done with it:
explanations, boards, roll-ups and pictures are functions of a Result in modules that
never import the :class:`~fortress_score.Scorecard` façade.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..errors import DataError, PeriodError, Problem, shown
from ..keys import matching
from ..periods import period_order, wanted_period
from ..plugins.evaluator import Evaluator
from ..reading.frames import Table
from ..rules.model import RuleSet
from ..values import to_scalar
from .model import Figures

__all__ = ["HasResult", "Provenance", "Result", "result_of"]


def library_version() -> str:
    try:
        return metadata.version("fortress-score")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass(frozen=True)
class Provenance:
    """What a result was made from: enough to tell whether two results are comparable."""

    ruleset: str
    rules_digest: str
    library_version: str
    evaluators: dict[str, str]
    """Evaluator kind used -> its source (module or package with version)."""
    derived_weights: dict[str, float] = dataclasses.field(default_factory=dict)
    """The weights a ``weighting`` method derived: ``dimensions.<id>.weight`` and
    ``indicators.<id>.points`` -> the value used, and for methods that weigh by the data
    the value of each period, ``indicators.<id>.points@<period>`` (empty without a
    ``weighting``)."""

    @classmethod
    def of(cls, rules: RuleSet, evaluators: dict[str, str],
           by_period: Mapping[str, float] | None = None) -> Provenance:
        """``by_period``: weights worked out from each period's data
        (``indicators.<id>.points@<period>`` → value)."""
        return cls(rules.ruleset, rules.digest, library_version(), dict(sorted(evaluators.items())),
                   rules.derived_weights() | dict(by_period or {}))


@dataclass(frozen=True, eq=False)
class Result:
    """Scored rows: rules, table, unrounded figures, provenance.

    Attributes:
        rules: the rule set scored by.
        table: the scored data (keys as given, evaluator inputs as read-only float64).
        figures: the unrounded figures behind every reported number.
        provenance: rule set digest, library version, evaluator sources.
        evaluators: kind -> the evaluator that scored it (explanations ask it to
            ``describe`` and ``inverse``).
        rescore: scores a changed table by the same rules and evaluators (what-if); None
            for a roll-up, whose rows are means and cannot be scored again.
        sub_periods: after a roll-up, how many sub-periods each row is the mean of.
        veto_counts: after a roll-up, (vetoes, rows): in how many sub-periods each fired.
    """

    rules: RuleSet
    table: Table
    figures: Figures
    provenance: Provenance
    evaluators: Mapping[str, Evaluator[Any]]
    rescore: Callable[[Table], Result] | None = None
    sub_periods: npt.NDArray[np.int64] | None = None
    veto_counts: npt.NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return self.table.n_rows

    @property
    def rolled_up(self) -> bool:
        """True when each row is the mean of sub-periods (see ``sub_periods``)."""
        return self.sub_periods is not None

    @cached_property
    def entity_text(self) -> npt.NDArray[np.str_]:
        return self.table.entity.astype(str)

    @cached_property
    def period_text(self) -> npt.NDArray[np.str_] | None:
        return None if self.table.period is None else self.table.period.astype(str)

    @cached_property
    def group_text(self) -> npt.NDArray[np.str_] | None:
        return None if self.table.group is None else self.table.group.astype(str)

    def periods(self) -> list[Any]:
        """The distinct periods, earliest first: numbers by value, periods by time, free
        labels as they first appear (:func:`fortress_score.periods.period_order`)."""
        period = self.table.period
        return [] if period is None else [to_scalar(p) for p in period_order(period)]

    def describe_rows(self, mask: npt.NDArray[np.bool_]) -> tuple[str, ...]:
        """``row 3 (branch=A, month=2024-01)`` for the first few rows ``mask`` selects."""
        return self.table.describe_rows(mask, self.rules.entity, self.rules.period)

    def row_of(self, entity: Any, period: Any = None) -> int:
        """The row of ``entity`` in ``period`` (default: its latest period).

        Raises:
            DataError: no row for ``entity``.
            PeriodError: ``entity`` has no row for ``period``.
        """
        matches = np.flatnonzero(self.entity_text == str(entity))
        if matches.size == 0:
            known = ", ".join(sorted(set(self.entity_text.tolist()))[:10])
            raise DataError(Problem(f"no row for entity {shown(entity)} (entities: {known}, ...)",
                                    column=self.rules.entity))
        if self.period_text is None:
            return int(matches[0])
        periods = self.period_text[matches]
        if period is None:
            period = next(p for p in reversed(self.periods()) if str(p) in periods)
        assert self.table.period is not None
        period = wanted_period(period, self.table.period)  # 2024年3月 finds 2024-03
        chosen = matches[matching(self.table.period[matches], period)]  # 202402 finds 202402.0
        if chosen.size == 0:
            raise PeriodError(Problem(
                f"entity {shown(entity)} has no row for period {shown(period)} "
                f"(its periods: {', '.join(sorted(periods.tolist()))})",
                column=self.rules.period))
        return int(chosen[0])

    @cached_property
    def data_digest(self) -> str:
        """sha256 of the scored data: keys and evaluator inputs, in row order."""
        digest = hashlib.sha256()
        for name, values in (("entity", self.entity_text), ("period", self.period_text),
                             ("group", self.group_text)):
            if values is not None:
                digest.update(f"{name}\x1f".encode())
                digest.update("\x1e".join(values.tolist()).encode("utf-8"))
        for name in sorted(self.table.columns):
            digest.update(f"\x1d{name}\x1f".encode())
            digest.update(np.ascontiguousarray(self.table.columns[name], dtype="<f8").tobytes())
        return digest.hexdigest()


class HasResult(Protocol):
    """Anything that holds a Result, as the Scorecard façade does."""

    @property
    def result(self) -> Result: ...


def result_of(scored: Result | HasResult) -> Result:
    """The Result itself, or the one a façade (a Scorecard) holds: public functions that
    take "a card" accept either, without importing the façade."""
    if isinstance(scored, Result):
        return scored
    inner = getattr(scored, "result", None)
    if isinstance(inner, Result):
        return inner
    raise TypeError(f"expected a Scorecard or a Result; got {type(scored).__name__}")
