"""The plug-in manager: built-ins, entry points and the caller's plug-ins, one pluggy manager.

Built in one function, with no module-level manager and no import-time side effects:
default modules first (the way pytest registers its own plug-ins), then, unless turned off,
the ``fortress_score`` entry points, then the caller's ``plugins``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel

from . import hookspecs
from .errors import PluginError, Problem
from .evaluator import Evaluator
from .evaluators import DEFAULT_PLUGINS

__all__ = ["PluginSet", "RegisteredEvaluator", "build_plugins", "collect_evaluators"]


@dataclass(frozen=True)
class RegisteredEvaluator:
    """An evaluator and where it came from (module, distribution or object)."""

    evaluator: Evaluator
    source: str

    @property
    def name(self) -> str:
        return self.evaluator.name


@dataclass(frozen=True)
class PluginSet:
    """The pluggy manager and where each registered plug-in object came from."""

    manager: pluggy.PluginManager
    sources: dict[int, str]
    """id(plug-in object) -> "module x", "package y 1.0" or "object <...>"."""


def build_plugins(plugins: Iterable[Any] = (), *, entry_points: bool = True) -> PluginSet:
    """A manager with the built-ins, the entry points (optional) and ``plugins`` registered.

    ``plugins`` may hold modules or objects with hookimpls, importable module names,
    Evaluator instances or Evaluator subclasses.

    Raises:
        PluginError: a plug-in that cannot be imported or registered, or that implements no
            hook; all of them together.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    sources: dict[int, str] = {}
    problems: list[Problem] = []
    for module_name in DEFAULT_PLUGINS:
        module = importlib.import_module(module_name)
        manager.register(module, name=module_name)
        sources[id(module)] = f"module {module_name}"
    if entry_points:
        for entry in metadata.entry_points(group=hookspecs.PROJECT_NAME):
            dist = f"package {entry.dist.name} {entry.dist.version}" if entry.dist else "a package"
            name = f"{entry.dist.name if entry.dist else '?'}:{entry.name}"  # two packages may
            if manager.get_plugin(name) is not None:                         # use one name
                continue
            try:
                plugin = entry.load()
            except Exception as exc:  # a broken install must name itself, not crash everyone
                problems.append(Problem(
                    f"entry point {entry.name!r} ({entry.value}) of {dist} cannot be loaded: "
                    f"{type(exc).__name__}: {exc}; fix or uninstall it, or use "
                    "Engine(entry_points=False)"))
                continue
            _register(manager, plugin, name, dist, sources, problems)
    for given in plugins:
        plugin, source = _as_plugin(given, problems)
        if plugin is not None:
            _register(manager, plugin, None, source, sources, problems)
    if problems:
        raise PluginError(problems)
    return PluginSet(manager, sources)


def _as_plugin(given: Any, problems: list[Problem]) -> tuple[Any, str]:
    if isinstance(given, str):
        try:  # like pytest's -p NAME
            return importlib.import_module(given), f"module {given}"
        except Exception as exc:  # an import that fails in any way names the module
            problems.append(Problem(f"plug-in module {given!r} cannot be imported: "
                                    f"{type(exc).__name__}: {exc}"))
            return None, ""
    if isinstance(given, type) and issubclass(given, Evaluator):
        try:
            given = given()
        except TypeError as exc:
            problems.append(Problem(f"evaluator class {given.__qualname__} cannot be created "
                                    f"without arguments: {exc}; pass an instance"))
            return None, ""
    if isinstance(given, Evaluator):
        return _EvaluatorPlugin(given), _describe(given)
    return given, _describe(given)


def _register(manager: pluggy.PluginManager, plugin: Any, name: str | None, source: str,
              sources: dict[int, str], problems: list[Problem]) -> None:
    if manager.is_registered(plugin):
        return  # e.g. a module passed in `plugins` that its entry point already brought
    try:
        manager.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        problems.append(Problem(f"cannot register plug-in {source}: {exc}"))
        return
    if not manager.get_hookcallers(plugin):
        manager.unregister(plugin)
        problems.append(Problem(
            f"plug-in {source} implements no fortress_score hook: give it a "
            "`fortress_score_evaluators` function decorated with @fortress_score.hookimpl, "
            "or pass Evaluator instances"))
        return
    sources[id(plugin)] = source


class _EvaluatorPlugin:
    """Wraps a bare Evaluator passed as a plug-in, so ``plugins=[MyEvaluator()]`` just works."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator

    @hookspecs.hookimpl
    def fortress_score_evaluators(self) -> list[Evaluator]:
        return [self.evaluator]

    def __repr__(self) -> str:
        return repr(self.evaluator)


def collect_evaluators(plugins: PluginSet) -> dict[str, RegisteredEvaluator]:
    """Call every plug-in's hook and index the evaluators by name, checking each one.

    Raises:
        PluginError: a badly declared evaluator, or two evaluators with one name (all such
            problems together, each naming its sources).
    """
    found: dict[str, RegisteredEvaluator] = {}
    problems: list[Problem] = []
    for impl in reversed(plugins.manager.hook.fortress_score_evaluators.get_hookimpls()):
        source = plugins.sources.get(id(impl.plugin), _describe(impl.plugin))
        try:
            provided = impl.function()
            if isinstance(provided, Iterable) and not isinstance(provided, str | bytes):
                provided = list(provided)  # a generator runs here, inside the guard
        except Exception as exc:
            raise PluginError(
                f"plug-in {source}: fortress_score_evaluators() raised "
                f"{type(exc).__name__}: {exc}",
                source=source,
            ) from exc
        if not isinstance(provided, list):
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
        return f"a {type(evaluator).__name__} is not a fortress_score.Evaluator"
    if not isinstance(evaluator.name, str) or not evaluator.name:
        return f"an evaluator of class {type(evaluator).__qualname__} has no name"
    params = getattr(evaluator, "Params", None)
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        return f"evaluator {evaluator.name!r}: Params must be a pydantic model class"
    return None


def _describe(plugin: Any) -> str:
    if isinstance(plugin, ModuleType):
        return f"module {plugin.__name__}"
    if isinstance(plugin, type):
        return f"class {plugin.__module__}.{plugin.__qualname__}"
    return f"object {plugin!r}"
