"""The Scorecard: the scored rows, as records, frames, columns and explanations.

A Scorecard keeps the unrounded figures; every figure it reports is rounded half up to the
rule set's precision, and stars and ranks were decided on the rounded total.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import importlib
import itertools
import numbers
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import boards
from .columns import Table, describe_rows
from .commendations import commendations
from .errors import DataError, PeriodError, Problem, did_you_mean
from .explain import Explanation, WhatIf, explain_row
from .history import TimeOrder, benchmarks, time_order, trend
from .periods import Granularity
from .rollup import Incomplete, roll_up
from .rules import RuleSet
from .scoring import Figures, round_half_up

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["Provenance", "Scorecard"]


def library_version() -> str:
    try:
        return metadata.version("fortress-score")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass(frozen=True)
class Provenance:
    """What a Scorecard was made from: enough to tell whether two results are comparable."""

    ruleset: str
    rules_digest: str
    library_version: str
    evaluators: dict[str, str]
    """Evaluator kind used -> its source (module or package with version)."""

    @classmethod
    def of(cls, rules: RuleSet, evaluators: dict[str, str]) -> Provenance:
        return cls(rules.ruleset, rules.digest, library_version(), dict(sorted(evaluators.items())))


class Scorecard:
    """The result of :func:`fortress_score.score`: one scored row a (entity, period)."""

    def __init__(
        self, rules: RuleSet, table: Table, figures: Figures, provenance: Provenance,
        *, sub_periods: npt.NDArray[np.int64] | None = None, engine: Engine | None = None,
        veto_counts: npt.NDArray[np.int64] | None = None,
    ) -> None:
        self.rules = rules
        self._engine = engine
        self.provenance = provenance
        self.sub_periods = sub_periods
        """After a roll-up: how many sub-periods each row is the mean of; else None."""
        self.veto_counts = veto_counts
        """After a roll-up: (vetoes, rows), in how many sub-periods each veto fired."""
        self._table = table
        self._figures = figures

    def __len__(self) -> int:
        return self._table.n_rows

    def __repr__(self) -> str:
        parts = [f"{len(self)} rows", f"{len(np.unique(self._entity_text))} entities"]
        if self._period_text is not None:
            parts.append(f"{len(np.unique(self._period_text))} periods")
        return f"<Scorecard {self.rules.ruleset}: {', '.join(parts)}>"

    def periods(self) -> list[Any]:
        """The distinct periods, earliest first: numbers by value, anything else as text.

        Text periods sort as text, so write them so that this is time order
        (``2024-01`` … ``2024-12``, not ``2024-1``).
        """
        period = self._table.period
        if period is None:
            return []
        if period.dtype.kind in "iuf":
            return np.unique(period).tolist()
        text = self._period_text
        assert text is not None
        _, first = np.unique(text, return_index=True)
        return [period[i] for i in first]

    def describe_rows(self, mask: npt.NDArray[np.bool_]) -> tuple[str, ...]:
        """``row 3 (branch=A, month=2024-01)`` for the first few rows ``mask`` selects."""
        t = self._table
        return describe_rows(np.flatnonzero(mask), t.entity, t.period, self.rules.entity,
                             self.rules.period)

    @cached_property
    def time_order(self) -> TimeOrder:
        """The rows in (entity, period) order, read once for trend, titles and commendations."""
        return time_order(self)

    @property
    def table(self) -> Table:
        """The scored data: key columns as given, evaluator inputs as read-only float64."""
        return self._table

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
        return roll_up(self, to, incomplete=incomplete)

    def trend(self) -> list[dict[str, Any]]:
        """For each row: change of total and stars since the entity's previous period
        present (``None`` for its first), in row order."""
        return trend(self)

    def benchmarks(self) -> list[dict[str, Any]]:
        """The benchmark title (标杆): every (entity, period) ending a run of
        ``benchmark.consecutive`` consecutive periods at ``benchmark.stars`` or more, with
        no ``no_benchmark`` veto in the run; a gap in the periods breaks the run."""
        return benchmarks(self)

    def commendations(self, period: Any = None) -> list[dict[str, Any]]:
        """The 支部点赞台: commendations declared under ``commendations:`` in the rule file,
        each with its reason in words (one period, or every period when None)."""
        return commendations(self, period)

    def leaderboard(self, period: Any = None, group: Any = None, top: int | None = None,
                    by: str = "total") -> list[dict[str, Any]]:
        """The board (一榜): records in place order, each with ``value`` and ``place``.

        ``by`` is ``"total"``, a dimension id or an indicator id (its points); places are
        competition places among the rows shown, within each period; ties are ordered by
        entity and all kept at a ``top`` cut. See :func:`fortress_score.boards.leaderboard`.
        """
        return boards.leaderboard(self, period=period, group=group, top=top, by=by)

    def red_list(self, indicator: str, period: Any = None, top: int | None = None,
                 min_attainment: float | None = None) -> list[dict[str, Any]]:
        """红榜: the best on one indicator by attainment, ties at the cut included."""
        return boards.red_list(self, indicator, period=period, top=top,
                               min_attainment=min_attainment)

    def black_list(self, indicator: str, period: Any = None, top: int | None = None,
                   max_attainment: float | None = None) -> list[dict[str, Any]]:
        """黑榜: the worst on one indicator by attainment, ties at the cut included."""
        return boards.black_list(self, indicator, period=period, top=top,
                                 max_attainment=max_attainment)

    @property
    def figures(self) -> Figures:
        """The unrounded figures (numpy arrays) behind every reported number."""
        return self._figures

    @cached_property
    def data_digest(self) -> str:
        """sha256 of the scored data: keys and evaluator inputs, in row order."""
        digest = hashlib.sha256()
        for name, values in (("entity", self._entity_text), ("period", self._period_text),
                             ("group", self._group_text)):
            if values is not None:
                digest.update(f"{name}\x1f".encode())
                digest.update("\x1e".join(values.tolist()).encode("utf-8"))
        for name in sorted(self._table.columns):
            digest.update(f"\x1d{name}\x1f".encode())
            digest.update(np.ascontiguousarray(self._table.columns[name], dtype="<f8").tobytes())
        return digest.hexdigest()

    # -- columnar and record outputs -------------------------------------------------------

    def to_columns(self) -> dict[str, npt.NDArray[Any]]:
        """Flat columns of reported figures, one array a column: the fast way out for big runs.

        Names follow :meth:`to_records` flattened with dots (``dimensions.performance``,
        ``indicators.line_loss``, ``adjustments.violations``, ``vetoes.safety``); empty
        figures are NaN, vetoes are booleans, and ``rank`` is float64 so that a row without
        a total can hold NaN.
        """
        f, t, precision = self._figures, self._table, self.rules.precision
        columns: dict[str, npt.NDArray[Any]] = {"entity": t.entity}
        columns["period"] = t.period if t.period is not None else np.full(t.n_rows, None)
        columns["group"] = t.group if t.group is not None else np.full(t.n_rows, None)
        columns["total"] = f.reported_total
        columns["stars"] = f.stars
        columns["rank"] = f.rank
        for d, dim in enumerate(self.rules.dimensions):
            columns[f"dimensions.{dim.id}"] = round_half_up(f.dimension_scores[d], precision)
        for i, (_, ind) in enumerate(self.rules.indicators):
            columns[f"indicators.{ind.id}"] = round_half_up(f.indicator_points(i), precision)
        for a, adj in enumerate(self.rules.adjustments):
            columns[f"adjustments.{adj.id}"] = round_half_up(f.adjustment_points[a], precision)
        for v, veto in enumerate(self.rules.vetoes):
            columns[f"vetoes.{veto.id}"] = f.vetoed[v]
        return columns

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
        columns = self.to_columns()
        fired = self.fired_vetoes(rows)
        if rows is not None:
            columns = {name: values[rows] for name, values in columns.items()}
        n = len(fired)
        rules = self.rules

        def rows_of(ids: list[str], prefix: str) -> Iterable[tuple[Any, ...]]:
            if not ids:
                return itertools.repeat((), n)
            return zip(*(_to_python(columns[f"{prefix}.{i}"]) for i in ids))

        dimension_ids = [d.id for d in rules.dimensions]
        indicator_ids = [i.id for _, i in rules.indicators]
        adjustment_ids = [a.id for a in rules.adjustments]
        provenance_record = self.provenance_record() if provenance else None
        keys = ("entity", "period", "group", "total", "stars", "rank")
        records = []
        with _gc_paused():  # millions of small dicts would otherwise trigger the GC over and over
            for entity, period, group, total, stars, rank, vetoes, dims, inds, adjs in zip(
                *(_to_python(columns[k]) for k in keys), fired,
                rows_of(dimension_ids, "dimensions"), rows_of(indicator_ids, "indicators"),
                rows_of(adjustment_ids, "adjustments"),
            ):
                record = {
                    "entity": entity, "period": period, "group": group, "total": total,
                    "stars": stars, "rank": None if rank is None else int(rank), "vetoes": vetoes,
                    "dimensions": dict(zip(dimension_ids, dims)),
                    "indicators": dict(zip(indicator_ids, inds)),
                    "adjustments": dict(zip(adjustment_ids, adjs)),
                }
                if provenance_record is not None:
                    record["provenance"] = {**provenance_record,
                                            "evaluators": dict(provenance_record["evaluators"])}
                records.append(record)
        return records

    def provenance_record(self) -> dict[str, Any]:
        """Rule set id and digest, data digest, library version and evaluator sources."""
        p = self.provenance
        return {
            "ruleset": p.ruleset,
            "rules_digest": p.rules_digest,
            "data_digest": self.data_digest,
            "library_version": p.library_version,
            "evaluators": dict(p.evaluators),
        }

    def to_pandas(self) -> Any:
        """A pandas DataFrame, one row a record, columns as :meth:`to_columns` (needs pandas)."""
        pd = _optional("pandas", "to_pandas")
        frame = pd.DataFrame(self._flat_columns())
        frame.insert(6, "vetoes", self.fired_vetoes())
        return frame

    def to_polars(self) -> Any:
        """A polars DataFrame, one row a record, columns as :meth:`to_pandas` (needs polars)."""
        pl = _optional("polars", "to_polars")
        frame = pl.DataFrame({k: (v.tolist() if v.dtype.kind == "O" else v)
                              for k, v in self._flat_columns().items()}, nan_to_null=True)
        return frame.insert_column(6, pl.Series("vetoes", self.fired_vetoes(),
                                                dtype=pl.List(pl.String)))

    def _flat_columns(self) -> dict[str, npt.NDArray[Any]]:
        """:meth:`to_columns` less the per-veto booleans (frames get one `vetoes` list column)."""
        return {k: v for k, v in self.to_columns().items() if not k.startswith("vetoes.")}

    def _repr_html_(self) -> str:
        """A compact board in notebooks: the latest period, best first."""
        from .display import board_html

        return board_html(self)

    def fired_vetoes(self, rows: npt.NDArray[np.intp] | None = None) -> list[list[str]]:
        """The ids of the vetoes that fired, a list a row (all rows, or ``rows``)."""
        ids = np.array([v.id for v in self.rules.vetoes], dtype=object)
        vetoed = self._figures.vetoed if rows is None else self._figures.vetoed[:, rows]
        fired: list[list[str]] = [[] for _ in range(vetoed.shape[1])]
        for k in np.flatnonzero(vetoed.any(axis=0)):
            fired[k] = ids[vetoed[:, k]].tolist()
        return fired

    # -- explanation -----------------------------------------------------------------------

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
        """
        row = self._row_of(entity, period)
        return explain_row(self, row)

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
        if self._engine is None or self.sub_periods is not None:
            raise DataError(Problem("what-if needs the scored rows themselves; this Scorecard "
                                    "is a roll-up (ask the monthly card, then roll it up)"))
        if not isinstance(changes, Mapping):
            raise DataError(Problem("changes must map column names to numbers; got "
                                    f"{type(changes).__name__}"))
        row = self._row_of(entity, period)
        problems = []
        columns = dict(self._table.columns)
        for name, value in changes.items():
            if name not in columns:
                problems.append(Problem(
                    f"is not read by any rule{did_you_mean(name, columns)}; the rules read: "
                    f"{', '.join(sorted(columns))}", column=name))
            elif not isinstance(value, numbers.Real) or isinstance(value, bool) \
                    or not np.isfinite(float(value)):
                problems.append(Problem(f"a what-if value must be a finite number; got {value!r}",
                                        column=name))
            else:
                changed = columns[name].copy()
                changed[row] = float(value)
                changed.flags.writeable = False
                columns[name] = changed
        if problems:
            raise DataError(problems)
        after = self._engine.score_table(self.rules, dataclasses.replace(self._table, columns=columns))
        return WhatIf(dict(changes), explain_row(self, row), explain_row(after, row))

    def _row_of(self, entity: Any, period: Any) -> int:
        matches = np.flatnonzero(self._entity_text == str(entity))
        if matches.size == 0:
            known = ", ".join(sorted(set(self._entity_text.tolist()))[:10])
            raise DataError(Problem(f"no row for entity {entity!r} (entities: {known}, ...)",
                                    column=self.rules.entity))
        if self._period_text is None:
            return int(matches[0])
        periods = self._period_text[matches]
        if period is None:
            period = next(p for p in reversed(self.periods()) if str(p) in periods)
        values = self._table.period[matches] if self._table.period is not None else periods
        if values.dtype.kind in "iuf" and isinstance(period, int | float):
            chosen = matches[values == period]  # 202402 finds 202402.0
        else:
            chosen = matches[periods == str(period)]
        if chosen.size == 0:
            raise PeriodError(Problem(
                f"entity {entity!r} has no row for period {period!r} "
                f"(its periods: {', '.join(sorted(periods.tolist()))})",
                column=self.rules.period))
        return int(chosen[0])

    # -- key text, for lookups and digests -------------------------------------------------

    @cached_property
    def _entity_text(self) -> npt.NDArray[np.str_]:
        return self._table.entity.astype(str)

    @cached_property
    def _period_text(self) -> npt.NDArray[np.str_] | None:
        return None if self._table.period is None else self._table.period.astype(str)

    @cached_property
    def _group_text(self) -> npt.NDArray[np.str_] | None:
        return None if self._table.group is None else self._table.group.astype(str)


def _optional(module: str, method: str) -> Any:
    """Import an optional dependency, or say which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"Scorecard.{method} needs {module}: pip install 'fortress-score[{module}]'") from exc


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _to_python(values: npt.NDArray[Any]) -> list[Any]:
    """Python scalars, NaN as None (converted in C, not one value at a time in Python)."""
    if values.dtype.kind == "f":
        empty = np.isnan(values)
        if empty.any():
            objects = values.astype(object)
            objects[empty] = None
            return objects.tolist()
    return values.tolist()
