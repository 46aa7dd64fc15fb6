"""The doors: an Engine (its evaluators, loading rules, scoring data) and the module-level
``load_rules`` and ``score`` that use the default one.

An Engine is a registry of evaluators (:mod:`.plugins`) and the steps that use it: rules
checked against its evaluators (:mod:`.rules`), data read and checked (:mod:`.reading`),
scored (:mod:`.scoring`) and handed back as a :class:`Scorecard`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import PluginError, Problem, RuleFileError
from .plugins.evaluator import Evaluator
from .plugins.manager import Registry, build_registry, default_registry
from .reading.frames import read_table
from .rules.file import RuleSource, format_path, read_rule_file
from .rules.model import RuleSet
from .scorecard import Scorecard
from .scoring.run import score_table

__all__ = ["Engine", "load_rules", "score"]

RulesLike = RuleSet | str | os.PathLike[str] | Mapping[str, Any]


class Engine:
    """A plug-in manager with its evaluators, and the steps that use them.

    Args:
        plugins: extra plug-ins: modules or objects with a ``fortress_score_evaluators``
            hookimpl, importable module names, :class:`Evaluator` instances or subclasses.
        entry_points: also load evaluators published under the ``fortress_score``
            entry-point group; turn off for runs that must not depend on what is installed.

    Raises:
        PluginError: a plug-in is badly declared, implements a hook that does not exist,
            or two evaluators share a name.
    """

    def __init__(self, plugins: Iterable[Any] = (), *, entry_points: bool = True) -> None:
        self.registry: Registry = build_registry(_as_plugin_list(plugins),
                                                 entry_points=entry_points)

    @classmethod
    def default(cls) -> Engine:
        """An engine over the default registry (built-ins and installed entry points, built
        once a process: see :func:`fortress_score.plugins.default_registry`)."""
        engine = cls.__new__(cls)
        engine.registry = default_registry()
        return engine

    @property
    def plugin_manager(self) -> Any:
        """The pluggy manager (plug-in names and distributions are pluggy's)."""
        return self.registry.manager

    def evaluators(self) -> dict[str, Evaluator[Any]]:
        """Evaluator name -> evaluator, sorted by name."""
        return dict(self.registry.evaluators)

    def sources(self) -> dict[str, str]:
        """Evaluator name -> where it came from (module, package or object)."""
        return {name: self.registry.source(name) for name in self.registry.evaluators}

    def rules_from_mapping(self, data: Mapping[str, Any]) -> RuleSet:
        """Validate a rule set given as plain data against this engine's evaluators.

        Raises:
            RuleFileError: every problem, each with its rule path.
        """
        return RuleSet.from_source(RuleSource(data), context=self._context())

    def load_rules(self, rules: RulesLike) -> RuleSet:
        """Read and validate a rule file (``.yaml``/``.yml``, ``.toml``, ``.json``) or mapping.

        Raises:
            RuleFileError: every problem of the file, each with its line and rule path.
            PluginError: a RuleSet that uses an evaluator this engine does not have.
        """
        if isinstance(rules, RuleSet):
            return self._check_kinds(rules)
        if isinstance(rules, Mapping):
            return self.rules_from_mapping(rules)
        if isinstance(rules, str | os.PathLike):
            return RuleSet.from_source(read_rule_file(rules), context=self._context())
        raise RuleFileError(Problem("rules must be a RuleSet, a path to a rule file or a "
                                    f"mapping; got {type(rules).__name__}"))

    def score(self, rules: RulesLike, data: Any) -> Scorecard:
        """Score ``data`` (any DataFrame, mapping of columns, or list of records) by ``rules``.

        Raises:
            RuleFileError: ``rules`` is a path or mapping that does not validate.
            DataError: every problem of the data set at once.
            PluginError: an evaluator raised or returned something other than attainment.
        """
        rules = self.load_rules(rules)
        return Scorecard(score_table(self.registry, rules, read_table(data, rules)))

    def _context(self) -> dict[str, Any]:
        return {"evaluators": self.registry.evaluators}

    def _check_kinds(self, rules: RuleSet) -> RuleSet:
        evaluators = self.registry.evaluators
        unknown = [
            Problem(f"uses evaluator {call.kind!r}, which this engine does not have "
                    f"(it has: {', '.join(sorted(evaluators))})", path=format_path(loc))
            for loc, call in rules.calls() if call.kind not in evaluators
        ]
        if unknown:
            raise PluginError(unknown)
        return rules


def load_rules(rules: RulesLike, *, plugins: Iterable[Any] = ()) -> RuleSet:
    """Load a rule file with the default evaluators (plus ``plugins``); see
    :meth:`Engine.load_rules`."""
    given = _as_plugin_list(plugins)
    return (Engine(given) if given else Engine.default()).load_rules(rules)


def score(rules: RulesLike, data: Any, plugins: Iterable[Any] = ()) -> Scorecard:
    """Score ``data`` by ``rules`` with the default evaluators (plus ``plugins``).

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
    given = _as_plugin_list(plugins)
    return (Engine(given) if given else Engine.default()).score(rules, data)


def _as_plugin_list(plugins: Any) -> tuple[Any, ...]:
    """``plugins=x`` for one plug-in is read as ``plugins=[x]``; None as none."""
    if plugins is None:
        return ()
    if isinstance(plugins, Evaluator | str | type) or not isinstance(plugins, Iterable):
        return (plugins,)
    return tuple(plugins)
