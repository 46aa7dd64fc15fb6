"""The plug-in author's manual: the hook markers and every hook fortress_score calls.

An evaluator package (or a notebook object) implements the hooks below with
``@fortress_score.hookimpl``. Built-in evaluators are registered through exactly the same
hook, so a third-party evaluator is a first-class citizen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .evaluator import Evaluator

PROJECT_NAME = "fortress_score"
"""The pluggy project name and the entry-point group third-party packages publish under."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def fortress_score_evaluators() -> list[Evaluator]:  # type: ignore[empty-body]
    """Return the evaluators this plug-in provides.

    Called once when an :class:`~fortress_score.Engine` is built, for every registered
    plug-in: the built-in modules, the ``fortress_score`` entry points and the engine's
    ``plugins``. Takes no argument.

    Returns:
        A list of :class:`~fortress_score.Evaluator` instances. Each ``name`` becomes a
        ``kind`` usable in rule files; a name already given by another plug-in is an error
        that names both sources.
    """
