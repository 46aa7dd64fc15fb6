"""The Scorecard: the door users knock on. It holds one :class:`Result` and delegates.

Every figure it reports is rounded half up to the rule set's precision from the Result's
unrounded figures, and stars and ranks were decided on the rounded total. Explanations,
boards, history, roll-ups, commendations and views are functions of the Result in their
own modules, which never import this one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from .analysis import boards
from .analysis.commendations import commendations
from .analysis.explain import explain_row, what_if
from .analysis.explanation import Explanation, WhatIf
from .analysis.history import TimeOrder, benchmarks, time_order, trend
from .analysis.records import fired_vetoes, provenance_record, to_columns, to_records
from .analysis.rollup import Incomplete, roll_up
from .analysis.sensitivity import Sensitivity, rank_sensitivity
from .analysis.titles import titles
from .analysis.uncertainty import AHPSteps, Dirichlet, Uncertainty, Uniform, rank_uncertainty
from .periods import Granularity
from .present.dataframes import to_pandas, to_polars
from .present.html import board_html
from .reading.frames import Table
from .rules.model import RuleSet
from .scoring.model import Figures
from .scoring.result import Provenance, Result

__all__ = ["Scorecard"]


class Scorecard:
    """The result of :func:`fortress_score.score`: one scored row a (entity, period).

    Args:
        result: what scoring made (rules, table, unrounded figures, provenance).
    """

    def __init__(self, result: Result) -> None:
        self.result = result

    def __len__(self) -> int:
        return len(self.result)

    def __repr__(self) -> str:
        r = self.result
        parts = [f"{len(r)} rows", f"{len(np.unique(r.entity_text))} entities"]
        if r.period_text is not None:
            parts.append(f"{len(np.unique(r.period_text))} periods")
        return f"<Scorecard {r.rules.ruleset}: {', '.join(parts)}>"

    def _repr_html_(self) -> str:
        """A compact board in notebooks: the latest period, best first."""
        return board_html(self.result, summary=repr(self))

    # -- what it was made from -------------------------------------------------------------

    @property
    def rules(self) -> RuleSet:
        return self.result.rules

    @property
    def table(self) -> Table:
        """The scored data: key columns as given, evaluator inputs as read-only float64."""
        return self.result.table

    @property
    def figures(self) -> Figures:
        """The unrounded figures (numpy arrays) behind every reported number."""
        return self.result.figures

    @property
    def provenance(self) -> Provenance:
        return self.result.provenance

    @property
    def sub_periods(self) -> npt.NDArray[np.int64] | None:
        """After a roll-up: how many sub-periods each row is the mean of; else None."""
        return self.result.sub_periods

    @property
    def veto_counts(self) -> npt.NDArray[np.int64] | None:
        """After a roll-up: (vetoes, rows), in how many sub-periods each veto fired."""
        return self.result.veto_counts

    @property
    def data_digest(self) -> str:
        """sha256 of the scored data: keys and evaluator inputs, in row order."""
        return self.result.data_digest

    def periods(self) -> list[Any]:
        """The distinct periods, earliest first: numbers by value, anything else as text.

        Text periods sort as text, so write them so that this is time order
        (``2024-01`` … ``2024-12``, not ``2024-1``).
        """
        return self.result.periods()

    def describe_rows(self, mask: npt.NDArray[np.bool_]) -> tuple[str, ...]:
        """``row 3 (branch=A, month=2024-01)`` for the first few rows ``mask`` selects."""
        return self.result.describe_rows(mask)

    # -- columnar and record outputs -------------------------------------------------------

    def to_columns(self) -> dict[str, npt.NDArray[Any]]:
        """Flat columns of reported figures, one array a column: the fast way out for big runs.

        Names follow :meth:`to_records` flattened with dots (``dimensions.performance``,
        ``indicators.line_loss``, ``adjustments.violations``, ``vetoes.safety``); empty
        figures are NaN, vetoes are booleans, and ``rank`` is float64 so that a row without
        a total can hold NaN.
        """
        return to_columns(self.result)

    def to_records(
        self, *, provenance: bool = False, rows: npt.NDArray[np.intp] | None = None,
    ) -> list[dict[str, Any]]:
        """One dict a row, figures rounded; ranks are ints (None where there is no total).

        Keys: ``entity``, ``period``, ``group``, ``total``, ``stars``, ``rank``, ``vetoes``
        (list of ids), ``dimensions`` {id: score or None}, ``indicators`` {id: points or
        None}, ``adjustments`` {id: signed points}; with ``provenance=True`` also
        ``provenance`` (rule set digest, data digest, library version, evaluator sources).
        ``rows`` (positions) gives those rows only, in that order: a board's top ten
        without building a million dicts.
        """
        return to_records(self.result, provenance=provenance, rows=rows)

    def provenance_record(self) -> dict[str, Any]:
        """Rule set id and digest, data digest, library version and evaluator sources."""
        return provenance_record(self.result)

    def fired_vetoes(self, rows: npt.NDArray[np.intp] | None = None) -> list[list[str]]:
        """The ids of the vetoes that fired, a list a row (all rows, or ``rows``)."""
        return fired_vetoes(self.result, rows)

    def to_pandas(self) -> Any:
        """A pandas DataFrame, one row a record, columns as :meth:`to_columns` (needs pandas)."""
        return to_pandas(self.result)

    def to_polars(self) -> Any:
        """A polars DataFrame, one row a record, columns as :meth:`to_pandas` (needs polars)."""
        return to_polars(self.result)

    # -- across periods --------------------------------------------------------------------

    @cached_property
    def time_order(self) -> TimeOrder:
        """The rows in (entity, period) order, read once for trend, titles and commendations."""
        return time_order(self.result)

    def roll_up(self, to: Granularity, *, incomplete: Incomplete = "keep") -> Scorecard:
        """A Scorecard of coarser periods: ``"quarter"`` or ``"year"``.

        Each figure is the mean of the sub-periods' unrounded figures present for the
        entity; reported figures, stars and ranks are decided afresh, and the vetoes of
        every sub-period are carried (listed; their ``max_stars`` caps the stars).

        Args:
            to: the coarser granularity.
            incomplete: a quarter or year with sub-periods missing for an entity is the
                mean of those present (``"keep"``, the default: ``sub_periods`` tells how
                many) or left out (``"drop"``).

        Raises:
            PeriodError: the period column holds labels that are not ``YYYY-MM``,
                ``YYYY-Qn`` or ``YYYY`` (naming the rows), mixes granularities, or is
                already coarser than ``to``.
        """
        return Scorecard(roll_up(self.result, to, incomplete=incomplete))

    def trend(self) -> list[dict[str, Any]]:
        """For each row: change of total and stars since the entity's previous period
        present (``None`` for its first), in row order."""
        return trend(self.result, self.time_order)

    def benchmarks(self) -> list[dict[str, Any]]:
        """The benchmark title (标杆): every (entity, period) ending a run of
        ``benchmark.consecutive`` consecutive periods at ``benchmark.stars`` or more, with
        no ``no_benchmark`` veto in the run; a gap in the periods breaks the run."""
        return benchmarks(self.result, self.time_order)

    def titles(self, at: Granularity | None = None) -> list[dict[str, Any]]:
        """Titles that are held (``titles:`` in the rule file): one dict a (entity, period,
        title) where the title is awarded, held, on probation, recertified or revoked —
        ``entity``, ``period``, ``title``, ``name``, ``state``, ``reason`` (see
        :mod:`fortress_score.analysis.titles`). ``at="quarter"`` or ``"year"``: the titles
        held at the end of each quarter (year), with ``as_of`` the period that says so."""
        return titles(self.result, None, at)

    def commendations(self, period: Any = None) -> list[dict[str, Any]]:
        """The 支部点赞台: commendations declared under ``commendations:`` in the rule file,
        each with its reason in words (one period, or every period when None)."""
        needs_time = any(c.kind != "full_attainment" for c in self.rules.commendations)
        return commendations(self.result, period, self.time_order if needs_time else None)

    # -- boards ----------------------------------------------------------------------------

    def leaderboard(self, period: Any = None, group: Any = None, top: int | None = None,
                    by: str = "total") -> list[dict[str, Any]]:
        """The board (一榜): records in place order, each with ``value`` and ``place``.

        ``by`` is ``"total"``, a dimension id or an indicator id (its points); places are
        competition places among the rows shown, within each period; ties are ordered by
        entity and all kept at a ``top`` cut. See
        :func:`fortress_score.analysis.boards.leaderboard`.
        """
        return boards.leaderboard(self.result, period=period, group=group, top=top, by=by)

    def red_list(self, indicator: str, period: Any = None, top: int | None = None,
                 min_attainment: float | None = None) -> list[dict[str, Any]]:
        """红榜: the best on one indicator by attainment, ties at the cut included."""
        return boards.red_list(self.result, indicator, period=period, top=top,
                               min_attainment=min_attainment)

    def black_list(self, indicator: str, period: Any = None, top: int | None = None,
                   max_attainment: float | None = None) -> list[dict[str, Any]]:
        """黑榜: the worst on one indicator by attainment, ties at the cut included."""
        return boards.black_list(self.result, indicator, period=period, top=top,
                                 max_attainment=max_attainment)

    # -- explanation -----------------------------------------------------------------------

    def to_excel(self, path: str | os.PathLike[str], *, period: Any = None,
                 formulas: bool = False) -> None:
        """Write the card as a workbook (the ``excel`` extra).

        By default the workbook an office prints: a board sheet a period (or ``period``'s
        only), grouped by peer group, an indicator sheet, explanations and provenance.
        ``formulas=True`` writes the audit workbook instead: the data and every step of the
        scoring model as live formulas (:mod:`fortress_score.present.audit`).
        """
        if formulas:
            from .present.audit import write_audit_workbook
            write_audit_workbook(self.result, path, period=period)
        else:
            from .present.workbook import write_workbook
            write_workbook(self.result, path, period=period)

    def explain(self, entity: Any, period: Any = None) -> Explanation:
        """How ``entity``'s total came about in ``period`` (default: its latest period).

        Examples:
            >>> import fortress_score as fs
            >>> rules = {"ruleset": "demo", "entity": "branch", "dimensions": [
            ...     {"id": "performance", "weight": 1, "indicators": [
            ...         {"id": "recovery", "points": 10, "evaluate":
            ...          {"kind": "target", "input": "rate", "target": 100, "floor": 90}}]}],
            ...     "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}]}
            >>> why = fs.score(rules, {"branch": ["A"], "rate": [97.0]}).explain("A")
            >>> why.total, why.stars, why.next_star, why.gap_to_next_star
            (70.0, 0, 4, 10.0)
            >>> line = why.indicators[0]
            >>> line.inputs, line.attainment, line.points, line.contribution
            ({'rate': 97.0}, 0.7, 7.0, 70.0)
            >>> step = why.path[0]   # the cheapest path: the rate that reports 80.00
            >>> round(step.needed, 5), step.inputs
            (0.79995, {'rate': 97.9995})
        """
        return explain_row(self.result, self.result.row_of(entity, period))

    def what_if(self, entity: Any, period: Any = None, *, changes: Mapping[str, float]) -> WhatIf:
        """Score ``entity``'s row again with some inputs changed, and show the difference.

        The whole table is scored again, so population evaluators (``rank``, ``minmax``)
        see the changed value among the peers, and the ranks move with it.

        Examples:
            >>> import fortress_score as fs
            >>> rules = {"ruleset": "demo", "entity": "branch", "dimensions": [
            ...     {"id": "performance", "weight": 1, "indicators": [
            ...         {"id": "recovery", "points": 10, "evaluate":
            ...          {"kind": "target", "input": "rate", "target": 100, "floor": 90}}]}],
            ...     "ratings": [{"stars": 5, "min": 90}, {"stars": 4, "min": 80}]}
            >>> card = fs.score(rules, {"branch": ["A", "B"], "rate": [97.0, 98.5]})
            >>> change = card.what_if("A", changes={"rate": 99.5})
            >>> change.before.total, change.after.total, change.stars_change, change.after.rank
            (70.0, 95.0, 5, 1)
        """
        return what_if(self.result, self.result.row_of(entity, period), changes)

    def uncertainty(self, draws: int = 1000, *,
                    weights: float | Uniform | Dirichlet | AHPSteps = 0.2,
                    points: float | Uniform | Dirichlet = 0.0, seed: int = 0) -> Uncertainty:
        """How ranks and stars move when the weights move: every row scored again under
        ``draws`` drawn sets of dimension weights (and indicator points).

        ``weights`` and ``points`` are spreads: a share s (each value times 1 + U(−s, s),
        independently; points keep each dimension's total), ``fs.Uniform(s)`` the same, or
        ``fs.Dirichlet(c)`` (shares from a Dirichlet centred on the declared shares,
        concentration c); for dimension weights derived by AHP also ``fs.AHPSteps(k)``
        (each judgement moved up to k places along Saaty's scale, weights worked out again). Same seed, same result; a spread of 0 gives every row its
        nominal rank in every draw. The drawn values are kept (``.samples``):
        ``samples.rules(card.rules, k)`` is the rule set of draw k.

        Examples:
            >>> import fortress_score as fs
            >>> rules = {"ruleset": "demo", "entity": "branch", "dimensions": [
            ...     {"id": "a", "weight": 1, "indicators": [{"id": "x", "points": 1,
            ...      "evaluate": {"kind": "target", "input": "x", "target": 1, "floor": 0}}]},
            ...     {"id": "b", "weight": 1, "indicators": [{"id": "y", "points": 1,
            ...      "evaluate": {"kind": "target", "input": "y", "target": 1, "floor": 0}}]}]}
            >>> card = fs.score(rules, {"branch": ["A", "B"], "x": [1.0, 0.0], "y": [0.0, 0.9]})
            >>> u = card.uncertainty(200, weights=0.5, seed=1)
            >>> u.nominal_rank.tolist(), u.rank_p05.tolist(), u.rank_p95.tolist()
            ([1.0, 2.0], [1.0, 1.0], [2.0, 2.0])
        """
        return rank_uncertainty(self.result, draws, weights=weights, points=points, seed=seed)

    def sensitivity(self, samples: int = 256, *, weights: float = 0.2, points: float = 0.0,
                    seed: int = 0) -> Sensitivity:
        """Variance-based sensitivity of each row's rank, and of the board's mean absolute
        rank shift, to each dimension weight (and each indicator's points if ``points`` >
        0): first-order (Saltelli) and total (Jansen) indices from ``samples`` × (k + 2)
        scorings, each parameter a factor uniform in [1 − share, 1 + share].
        """
        return rank_sensitivity(self.result, samples, weights=weights, points=points, seed=seed)
