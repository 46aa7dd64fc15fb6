"""The engine: loads rule files against its evaluators and scores data with them.

The engine never knows what an evaluator computes: it hands each one its own validated
params and the columns it declared, checks what comes back (length, dtype, [0, 1]) and
passes attainment on to the scoring model.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from .columns import Table, describe_rows, read_table
from .errors import DataError, FortressScoreError, PluginError, Problem, RuleFileError
from .evaluator import Context, Evaluator, FloatArray
from .plugins import RegisteredEvaluator, build_plugins, collect_evaluators
from .rulefile import RuleSource, format_path, read_rule_file, source_from_mapping
from .rules import EvaluatorCall, RuleSet
from .scorecard import Provenance, Scorecard
from .scoring import apply_missing_policy, compute_figures
from .validation import validate_rules

__all__ = ["Engine", "load_rules", "score"]

RulesLike = RuleSet | str | os.PathLike[str] | Mapping[str, Any]


class Engine:
    """A plug-in manager with its evaluators, and the two steps that use them.

    Args:
        plugins: extra plug-ins: modules or objects with a ``fortress_score_evaluators``
            hookimpl, importable module names, :class:`Evaluator` instances or subclasses.
        entry_points: also load evaluators published under the ``fortress_score``
            entry-point group; turn off for runs that must not depend on what is installed.

    Raises:
        PluginError: a plug-in is badly declared or two evaluators share a name.
    """

    def __init__(self, plugins: Iterable[Any] = (), *, entry_points: bool = True) -> None:
        plugin_set = build_plugins(_as_plugin_list(plugins), entry_points=entry_points)
        self.plugin_manager = plugin_set.manager
        self._registered = collect_evaluators(plugin_set)
        self._evaluators = {name: reg.evaluator for name, reg in self._registered.items()}

    def evaluators(self) -> dict[str, Evaluator]:
        """Evaluator name -> evaluator, sorted by name."""
        return dict(sorted(self._evaluators.items()))

    def sources(self) -> dict[str, str]:
        """Evaluator name -> where it came from (module, package or object)."""
        return {name: reg.source for name, reg in sorted(self._registered.items())}

    def load_rules(self, rules: RulesLike) -> RuleSet:
        """Read and validate a rule file (``.yaml``/``.yml``, ``.toml``, ``.json``) or mapping.

        Raises:
            RuleFileError: every problem of the file, each with its line and rule path.
        """
        if isinstance(rules, RuleSet):
            return self._check_kinds(rules)
        source: RuleSource
        if isinstance(rules, Mapping):
            source = source_from_mapping(rules)
        elif isinstance(rules, str | os.PathLike):
            source = read_rule_file(rules)
        else:
            raise RuleFileError(Problem("rules must be a RuleSet, a path to a rule file or a "
                                        f"mapping; got {type(rules).__name__}"))
        return validate_rules(source, self._evaluators)

    def score(self, rules: RulesLike, data: Any) -> Scorecard:
        """Score ``data`` (DataFrame, mapping of columns, or list of records) by ``rules``.

        Raises:
            RuleFileError: ``rules`` is a path or mapping that does not validate.
            DataError: every problem of the data set at once.
            PluginError: an evaluator raised or returned something other than attainment.
        """
        rules = self.load_rules(rules)
        return self.score_table(rules, read_table(data, rules))

    def score_table(self, rules: RuleSet, table: Table) -> Scorecard:
        """Score data already read and checked (:func:`columns.read_table`): the engine's
        own entry for re-scoring, as ``Scorecard.what_if`` does."""
        attainment = self._evaluate_all(
            table, [(ind.id, ind.points, ind.evaluate) for _, ind in rules.indicators]
        )
        if rules.missing == "error":
            _refuse_missing(rules, table, attainment)
        attainment = apply_missing_policy(rules, attainment)
        adjustments = self._evaluate_all(
            table, [(adj.id, adj.cap, adj.evaluate) for adj in rules.adjustments]
        )
        triggers = self._evaluate_all(table, [(v.id, 1.0, v.when) for v in rules.vetoes])
        self._check_veto_values(rules, triggers)
        figures = compute_figures(rules, attainment, adjustments, triggers, table.groups)
        provenance = Provenance.of(rules, {
            call.kind: self._registered[call.kind].source for _, call in rules.calls()
        })
        return Scorecard(rules, table, figures, provenance, engine=self)

    def _check_kinds(self, rules: RuleSet) -> RuleSet:
        unknown = [
            Problem(f"uses evaluator {call.kind!r}, which this engine does not have "
                    f"(it has: {', '.join(sorted(self._evaluators))})", path=format_path(loc))
            for loc, call in rules.calls() if call.kind not in self._evaluators
        ]
        if unknown:
            raise PluginError(unknown)
        return rules

    def _evaluate_all(
        self, table: Table, calls: list[tuple[str, float, EvaluatorCall]]
    ) -> list[FloatArray]:
        return [self._evaluate(table, rule_id, points, call) for rule_id, points, call in calls]

    def _evaluate(
        self, table: Table, rule_id: str, points: float, call: EvaluatorCall
    ) -> FloatArray:
        registered = self._registered[call.kind]
        columns = {name: table.columns[name] for name in call.inputs}
        context = Context(points=float(points), groups=table.groups, n_groups=table.n_groups,
                          rule=rule_id)
        try:
            values = registered.evaluator.evaluate(columns, call.params, context)
        except FortressScoreError:
            raise  # an evaluator's own, deliberate report on the data
        except KeyError as exc:
            hint = (f"; it may read only its inputs {list(call.inputs)}: type column fields "
                    "fs.Column or declare inputs()") if exc.args and exc.args[0] not in columns else ""
            raise _plugin_error(registered, rule_id, f"raised KeyError: {exc}{hint}") from exc
        except Exception as exc:
            raise _plugin_error(registered, rule_id,
                                f"raised {type(exc).__name__}: {exc}") from exc
        return _checked_attainment(values, table.n_rows, registered, rule_id)

    def _check_veto_values(self, rules: RuleSet, triggers: list[FloatArray]) -> None:
        problems = []
        for v, (veto, row) in enumerate(zip(rules.vetoes, triggers)):
            bad = ~np.isnan(row) & (row != 0.0) & (row != 1.0)
            if bad.any():
                problems.append(Problem(
                    f"a veto's `when` must give 0 or 1, but {veto.when.kind!r} gave "
                    f"{row[bad][:5].tolist()}; use an evaluator that decides, such as threshold",
                    path=f"vetoes[{v}].when"))
        if problems:
            raise RuleFileError(problems)


def _plugin_error(registered: RegisteredEvaluator, rule_id: str, what: str) -> PluginError:
    return PluginError(
        f"evaluator {registered.name!r} from {registered.source}, scoring {rule_id!r}: {what}",
        evaluator=registered.name,
        source=registered.source,
    )


def _checked_attainment(
    values: Any, n_rows: int, registered: RegisteredEvaluator, rule_id: str
) -> FloatArray:
    """The evaluator's output as float64, or a PluginError saying what is wrong with it."""
    try:
        array = np.asarray(values) if values is not None else np.asarray(None)
    except (ValueError, TypeError) as exc:  # ragged lists and other non-arrays
        raise _plugin_error(registered, rule_id, f"must return a numeric array; got "
                            f"{type(values).__name__} that is not one ({exc})") from exc
    if array.dtype.kind not in "fiub":
        raise _plugin_error(registered, rule_id,
                            f"must return a numeric array; got {type(values).__name__} "
                            f"of dtype {array.dtype}")
    if array.shape != (n_rows,):
        got = f"{array.shape[0]} values" if array.ndim == 1 else f"shape {array.shape}"
        raise _plugin_error(registered, rule_id, f"returned {got} for {n_rows} rows")
    array = array.astype(np.float64, copy=False)
    outside = ~np.isnan(array) & ((array < 0.0) | (array > 1.0))
    if outside.any():
        rows = np.flatnonzero(outside)
        raise _plugin_error(
            registered, rule_id,
            f"must return attainment in [0, 1] or NaN; got {array[rows[:5]].tolist()} "
            f"at rows {rows[:5].tolist()}" + (f" and {len(rows) - 5} more" if len(rows) > 5 else ""),
        )
    return array


def _refuse_missing(rules: RuleSet, table: Table, attainment: list[FloatArray]) -> None:
    """``missing: error``: every indicator must apply to every row; name the rows it does not."""
    problems = []
    for (_, indicator), values in zip(rules.indicators, attainment):
        empty = np.flatnonzero(np.isnan(values))
        if empty.size:
            problems.append(Problem(
                f"indicator {indicator.id!r} does not apply to some rows and the rule set says "
                "missing: error",
                rows=describe_rows(empty, table.entity, table.period, rules.entity, rules.period),
            ))
    if problems:
        raise DataError(problems)


@lru_cache(maxsize=1)
def _default_engine() -> Engine:
    """The engine behind the module-level functions: built on first use, not at import."""
    return Engine()


def load_rules(rules: RulesLike, *, plugins: Iterable[Any] = ()) -> RuleSet:
    """Load a rule file with the default engine (plus ``plugins``); see :meth:`Engine.load_rules`."""
    plugins = _as_plugin_list(plugins)
    engine = Engine(plugins) if plugins else _default_engine()
    return engine.load_rules(rules)


def score(rules: RulesLike, data: Any, plugins: Iterable[Any] = ()) -> Scorecard:
    """Score ``data`` by ``rules`` with the default engine (plus ``plugins``).

    Examples:
        >>> import fortress_score as fs
        >>> rules = {
        ...     "ruleset": "demo", "entity": "branch",
        ...     "dimensions": [{"id": "performance", "weight": 1, "indicators": [
        ...         {"id": "recovery", "points": 10,
        ...          "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}},
        ...     ]}],
        ...     "ratings": [{"stars": 5, "min": 90}],
        ... }
        >>> card = fs.score(rules, {"branch": ["A", "B"], "rate": [99.0, 95.0]})
        >>> [(r["entity"], r["total"], r["stars"], r["rank"]) for r in card.to_records()]
        [('A', 90.0, 5, 1), ('B', 50.0, 0, 2)]
    """
    plugins = _as_plugin_list(plugins)
    engine = Engine(plugins) if plugins else _default_engine()
    return engine.score(rules, data)


def _as_plugin_list(plugins: Any) -> tuple[Any, ...]:
    """``plugins=x`` for one plug-in is read as ``plugins=[x]``; None as none."""
    if plugins is None:
        return ()
    if isinstance(plugins, Evaluator | str | type) or not isinstance(plugins, Iterable):
        return (plugins,)
    return tuple(plugins)
