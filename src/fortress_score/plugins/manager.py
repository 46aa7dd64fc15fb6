"""The plug-in manager: built-ins, entry points and the caller's plug-ins in one pluggy manager.

Built in one function, with no import-time side effects: default modules first (the way
pytest registers its own plug-ins), then, unless turned off, the ``fortress_score`` entry
points (each registered under its package's name and version, so pluggy's registry
tells where every plug-in came from), then the caller's ``plugins``. Hooks are called
through pluggy, one plug-in at a time (a subset caller) so that each evaluator is known
by its provider; a hook name pluggy does not know (a misspelt
``fortress_score_evaluator``) is refused, naming the plug-in.

:func:`default_registry` is the one registry kept for the process: built-ins and
installed entry points, built on first use. Call ``default_registry.cache_clear()`` after
installing or removing a plug-in package in a running process.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy
from pydantic import BaseModel

from ..errors import PluginError, Problem, did_you_mean
from . import hookspecs
from .evaluator import Evaluator, Params, models_in

__all__ = ["Registry", "build_registry", "default_registry"]

DEFAULT_PLUGINS: tuple[str, ...] = tuple(
    f"fortress_score.evaluators.{module}"
    for module in ("target", "growth", "bands", "ratio", "checklist", "per_event", "survey",
                   "rank", "minmax", "threshold", "decision_table")
)
"""The built-in evaluator modules, imported by name and registered like any plug-in."""

_HOOK = "fortress_score_evaluators"
_PACKAGE = "package "
"""How an entry point's plug-in name starts: ``package fs-meetings 0.1.0 | meetings``."""
_MUTABLE = (list, dict, set, bytearray)


@dataclass(frozen=True)
class Registry:
    """A pluggy manager and the evaluators its plug-ins provide, by name.

    Attributes:
        manager: the pluggy manager; plug-in names and distributions are pluggy's.
        evaluators: evaluator name -> evaluator, sorted by name.
        providers: evaluator name -> the plug-in object that provided it.
    """

    manager: pluggy.PluginManager
    evaluators: Mapping[str, Evaluator[Any]]
    providers: Mapping[str, object]

    def source(self, name: str) -> str:
        """Where evaluator ``name`` came from: ``module x``, ``package y 1.0`` or ``object <...>``."""
        return plugin_source(self.manager, self.providers[name])


@functools.cache
def default_registry() -> Registry:
    """The built-ins and the installed entry points: built on first use, kept for the process.

    ``RuleSet.model_validate`` and the module-level :func:`fortress_score.score` use it;
    ``default_registry.cache_clear()`` makes the next use look at the installed packages again.
    """
    return build_registry()


def build_registry(plugins: Iterable[Any] = (), *, entry_points: bool = True) -> Registry:
    """A manager with the built-ins, the entry points (optional) and ``plugins``, and their
    evaluators.

    ``plugins`` may hold modules or objects with hookimpls, importable module names,
    Evaluator instances or Evaluator subclasses.

    Raises:
        PluginError: every plug-in that cannot be imported or registered, implements no
            hook or a hook that does not exist, or provides a badly declared evaluator, and
            every evaluator name provided twice; all of them together.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    problems: list[Problem] = []
    for module_name in DEFAULT_PLUGINS:
        manager.register(importlib.import_module(module_name), name=module_name)
    if entry_points:
        _load_entry_points(manager, problems)
    for given in plugins:
        plugin = _as_plugin(given, problems)
        if plugin is not None:
            _register(manager, plugin, problems)
    problems += _unknown_hooks(manager)
    if problems:
        raise PluginError(problems)
    manager.check_pending()  # what _unknown_hooks explained, pluggy enforces
    evaluators, providers = _collect(manager)
    return Registry(manager, dict(sorted(evaluators.items())), providers)


def plugin_source(manager: pluggy.PluginManager, plugin: object) -> str:
    """A plug-in as people name it, from pluggy's registry: an entry point is registered
    under its package's name and version, anything else is its module or object."""
    name = manager.get_name(plugin)
    if name is not None and name.startswith(_PACKAGE):
        return name.partition(" | ")[0]
    if isinstance(plugin, _Hashable):
        plugin = plugin.wrapped
    if isinstance(plugin, _EvaluatorPlugin):
        return f"object {plugin.evaluator!r}"
    if isinstance(plugin, ModuleType):
        return f"module {plugin.__name__}"
    if isinstance(plugin, type):
        return f"class {plugin.__module__}.{plugin.__qualname__}"
    return f"object {plugin!r}"


def _load_entry_points(manager: pluggy.PluginManager, problems: list[Problem]) -> None:
    """Every ``fortress_score`` entry point, registered under ``package NAME VERSION | entry``
    so that two packages may use one entry name and pluggy's registry tells each plug-in's
    package; a broken install names itself instead of failing everyone's import."""
    for dist in metadata.distributions():
        for entry in dist.entry_points:
            if entry.group != hookspecs.PROJECT_NAME:
                continue
            package = f"{_PACKAGE}{dist.metadata['Name']} {dist.version}"
            name = f"{package} | {entry.name}"
            if manager.get_plugin(name) is not None:
                continue  # one distribution found twice on the path
            try:
                plugin = entry.load()
            except Exception as exc:  # noqa: BLE001 - a broken install must name itself
                problems.append(Problem(
                    f"entry point {entry.name!r} ({entry.value}) of {package} cannot be loaded: "
                    f"{type(exc).__name__}: {exc}; fix or uninstall it, or use "
                    "Engine(entry_points=False)"))
                continue
            _register(manager, plugin, problems, name=name)


def _as_plugin(given: Any, problems: list[Problem]) -> Any:
    if isinstance(given, str):
        try:  # like pytest's -p NAME
            return importlib.import_module(given)
        except Exception as exc:  # noqa: BLE001 - an import that fails in any way names the module
            problems.append(Problem(f"plug-in module {given!r} cannot be imported: "
                                    f"{type(exc).__name__}: {exc}"))
            return None
    if isinstance(given, type) and issubclass(given, Evaluator):
        try:
            given = given()
        except TypeError as exc:
            problems.append(Problem(f"evaluator class {given.__qualname__} cannot be created "
                                    f"without arguments: {exc}; pass an instance"))
            return None
    if isinstance(given, Evaluator):
        return _EvaluatorPlugin(given)
    try:
        hash(given)
    except TypeError:  # pluggy keeps plug-ins in sets: a dataclass instance, say
        return _Hashable(given)
    return given


def _register(manager: pluggy.PluginManager, plugin: Any, problems: list[Problem],
              name: str | None = None) -> None:
    if manager.is_registered(plugin):
        return  # e.g. a module passed in `plugins` that its entry point already brought
    source = name.partition(" | ")[0] if name else plugin_source(manager, plugin)
    try:
        manager.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        problems.append(Problem(f"cannot register plug-in {source}: {exc}"))
        return
    if not manager.get_hookcallers(plugin):
        manager.unregister(plugin)
        problems.append(Problem(
            f"plug-in {source} implements no fortress_score hook: give it a "
            f"`{_HOOK}` function decorated with @fortress_score.hookimpl, "
            "or pass Evaluator instances"))


def _unknown_hooks(manager: pluggy.PluginManager) -> list[Problem]:
    """Hook implementations pluggy holds no spec for: misspelt names, named with a hint."""
    known = [name for name in vars(hookspecs) if name.startswith(f"{hookspecs.PROJECT_NAME}_")]
    problems = []
    for name, caller in sorted(vars(manager.hook).items()):
        if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            problems.append(Problem(
                f"plug-in {plugin_source(manager, impl.plugin)} implements hook {name!r}, "
                f"which fortress_score does not have{did_you_mean(name, known)}; "
                f"its hooks: {', '.join(known)}"))
    return problems


def _collect(manager: pluggy.PluginManager) -> tuple[dict[str, Evaluator[Any]], dict[str, object]]:
    """Call each plug-in's hook through pluggy and index the evaluators by name."""
    evaluators: dict[str, Evaluator[Any]] = {}
    providers: dict[str, object] = {}
    problems: list[Problem] = []
    named: set[str] = set()  # the evaluators the problems are about
    plugins = [impl.plugin for impl in manager.hook.fortress_score_evaluators.get_hookimpls()
               if not (impl.wrapper or impl.hookwrapper)]  # a wrapper provides nothing
    for plugin in reversed(plugins):  # the order pluggy calls them in
        source = plugin_source(manager, plugin)
        alone = manager.subset_hook_caller(
            _HOOK, remove_plugins=[other for other in plugins if other is not plugin])
        try:
            results = alone()
            provided = results[0] if results else None
            if isinstance(provided, Iterable) and not isinstance(provided, str | bytes):
                provided = list(provided)  # a generator runs here, inside the guard
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: name the plug-in
            raise PluginError(f"plug-in {source}: {_HOOK}() raised {type(exc).__name__}: {exc}",
                              source=source) from exc
        if not isinstance(provided, list):
            problems.append(Problem(f"plug-in {source}: {_HOOK}() must return a list of "
                                    f"Evaluator; got {type(provided).__name__}"))
            continue
        for evaluator in provided:
            problem = _declaration_problem(evaluator)
            if problem:
                problems.append(Problem(f"plug-in {source}: {problem}"))
                named.add(getattr(evaluator, "name", "") or "")
            elif evaluator.name in evaluators:
                named.add(evaluator.name)
                problems.append(Problem(
                    f"evaluator {evaluator.name!r} is provided twice: by "
                    f"{plugin_source(manager, providers[evaluator.name])} and by {source}"))
            else:
                evaluators[evaluator.name] = evaluator
                providers[evaluator.name] = plugin
    if problems:
        raise PluginError(problems, evaluator=named.pop() if len(named) == 1 else None)
    return evaluators, providers


def _declaration_problem(evaluator: Any) -> str | None:
    if not isinstance(evaluator, Evaluator):
        return f"a {type(evaluator).__name__} is not a fortress_score.Evaluator"
    if not isinstance(evaluator.name, str) or not evaluator.name:
        return f"an evaluator of class {type(evaluator).__qualname__} has no name"
    params = getattr(evaluator, "Params", None)
    if not (isinstance(params, type) and issubclass(params, Params)):
        got = params.__qualname__ if isinstance(params, type) else type(params).__name__
        return (f"evaluator {evaluator.name!r}: Params must derive from fortress_score.Params "
                f"(strict, frozen, unknown keys refused); got {got}")
    mutable = _mutable_default(params)
    if mutable:
        return f"evaluator {evaluator.name!r}: {mutable}"
    return None


def _mutable_default(model: type[BaseModel], seen: frozenset[type] = frozenset()) -> str | None:
    """A field of ``model`` (or of a params model inside it) whose default could be changed
    in place and so shared between rule sets; None when every default is immutable."""
    for name, field in model.model_fields.items():
        where = f"{model.__qualname__}.{name}"
        try:
            default = field.get_default(call_default_factory=True, validated_data={})
        except Exception:  # noqa: BLE001 - a factory that needs other fields: not a container
            default = None
        if isinstance(default, _MUTABLE):
            made = "makes" if field.default_factory is not None else "defaults to"
            return (f"{where} {made} a {type(default).__name__}, which can change in place "
                    "though the params are frozen (a default is shared by every rule that "
                    "leaves it out); default it to None and read None as empty")
        for inner in models_in(field.annotation):
            if inner not in seen:
                found = _mutable_default(inner, seen | {model})
                if found:
                    return found
    return None


class _Hashable:
    """Holds an unhashable plug-in object (a dataclass instance) so pluggy can register
    it: its hook implementations are the object's own bound methods."""

    def __init__(self, wrapped: object) -> None:
        self.wrapped = wrapped

    def __dir__(self) -> list[str]:
        return dir(self.wrapped)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)

    def __repr__(self) -> str:
        return repr(self.wrapped)


class _EvaluatorPlugin:
    """Wraps a bare Evaluator passed as a plug-in, so ``plugins=[MyEvaluator()]`` just works."""

    def __init__(self, evaluator: Evaluator[Any]) -> None:
        self.evaluator = evaluator

    @hookspecs.hookimpl
    def fortress_score_evaluators(self) -> list[Evaluator[Any]]:
        return [self.evaluator]

    def __repr__(self) -> str:
        return repr(self.evaluator)
