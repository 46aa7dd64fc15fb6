"""The plug-in manager: built-ins, entry points and the caller's plug-ins, one pluggy manager.

Built in one function, with no module-level manager and no import-time side effects:
default modules first (the way pytest registers its own plug-ins), then, unless turned off,
the ``fortress_score`` entry points, then the caller's ``plugins``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel

from . import hookspecs
from .errors import PluginError, Problem
from .evaluator import Evaluator
from .evaluators import DEFAULT_PLUGINS

__all__ = ["RegisteredEvaluator", "build_manager", "collect_evaluators"]


@dataclass(frozen=True)
class RegisteredEvaluator:
    """An evaluator and where it came from (module, distribution or object)."""

    evaluator: Evaluator
    source: str

    @property
    def name(self) -> str:
        return self.evaluator.name


def build_manager(plugins: Iterable[Any] = (), *, entry_points: bool = True) -> pluggy.PluginManager:
    """A manager with the built-ins, the entry points (optional) and ``plugins`` registered."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
    if entry_points:
        manager.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
    for plugin in plugins:
        if isinstance(plugin, Evaluator):
            plugin = _EvaluatorPlugin(plugin)
        try:
            manager.register(plugin)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"cannot register plug-in {_describe(plugin)}: {exc}") from exc
    return manager


class _EvaluatorPlugin:
    """Wraps a bare Evaluator passed as a plug-in, so ``plugins=[MyEvaluator()]`` just works."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator

    @hookspecs.hookimpl
    def fortress_score_evaluators(self) -> list[Evaluator]:
        return [self.evaluator]

    def __repr__(self) -> str:
        return repr(self.evaluator)


def collect_evaluators(manager: pluggy.PluginManager) -> dict[str, RegisteredEvaluator]:
    """Call every plug-in's hook and index the evaluators by name, checking each one.

    Raises:
        PluginError: a badly declared evaluator, or two evaluators with one name (all such
            problems together, each naming its sources).
    """
    found: dict[str, RegisteredEvaluator] = {}
    problems: list[Problem] = []
    distributions = {id(plugin): dist for plugin, dist in manager.list_plugin_distinfo()}
    for impl in reversed(manager.hook.fortress_score_evaluators.get_hookimpls()):
        source = _source_of(impl.plugin, impl.plugin_name, distributions)
        try:
            provided = impl.function()
        except Exception as exc:
            raise PluginError(
                f"plug-in {source}: fortress_score_evaluators() raised "
                f"{type(exc).__name__}: {exc}",
                source=source,
            ) from exc
        if not isinstance(provided, Iterable):
            problems.append(Problem(
                f"plug-in {source}: fortress_score_evaluators() must return a list of "
                f"Evaluator; got {type(provided).__name__}"
            ))
            continue
        for evaluator in provided:
            problem = _declaration_problem(evaluator)
            if problem:
                problems.append(Problem(f"plug-in {source}: {problem}"))
                continue
            if evaluator.name in found:
                problems.append(Problem(
                    f"evaluator {evaluator.name!r} is provided twice: by "
                    f"{found[evaluator.name].source} and by {source}"
                ))
                continue
            found[evaluator.name] = RegisteredEvaluator(evaluator, source)
    if problems:
        raise PluginError(problems)
    return found


def _declaration_problem(evaluator: Any) -> str | None:
    if not isinstance(evaluator, Evaluator):
        return f"{evaluator!r} is not a fortress_score.Evaluator"
    if not isinstance(evaluator.name, str) or not evaluator.name:
        return f"{evaluator!r} has no name"
    params = getattr(evaluator, "Params", None)
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        return f"evaluator {evaluator.name!r}: Params must be a pydantic model class"
    return None


def _source_of(plugin: Any, plugin_name: str | None, distributions: Mapping[int, Any]) -> str:
    dist = distributions.get(id(plugin))
    if dist is not None:
        return f"package {dist.project_name} {dist.version}"
    if isinstance(plugin, ModuleType):
        return f"module {plugin.__name__}"
    return _describe(plugin)


def _describe(plugin: Any) -> str:
    if isinstance(plugin, ModuleType):
        return f"module {plugin.__name__}"
    if isinstance(plugin, type):
        return f"class {plugin.__module__}.{plugin.__qualname__}"
    return f"object {plugin!r}"
