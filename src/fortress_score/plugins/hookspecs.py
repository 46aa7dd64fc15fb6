"""The plug-in author's manual: the hook markers, every hook fortress_score calls, and
what an evaluator provides.

An evaluator package (or a notebook object) implements the hooks below with
``@fortress_score.hookimpl``. Built-in evaluators are registered through exactly the same
hook, so a third-party evaluator is a first-class citizen. A hook name that is not below
(``fortress_score_evaluator``, say) is refused when the engine is built, with the plug-in
named and the right name suggested.

An evaluator (:class:`fortress_score.Evaluator`, generic in its params:
``class Meetings(fs.Evaluator[MeetingsParams])``) has:

- ``name``: the ``kind`` in rule files;
- ``Params``: a model derived from :class:`fortress_score.Params` (strict, frozen, unknown
  keys refused); a default that is a list, dict or set, or a ``default_factory``, is
  refused when the plug-in is registered, since it could be changed in place;
- ``population = True`` when a row's attainment depends on its peers (use
  ``context.groups`` and the group kernels :func:`fortress_score.competition_rank`,
  :func:`fortress_score.group_count`, :func:`fortress_score.group_min_max`);
- ``evaluate(columns, params, context)``: whole float64 columns in, attainment out (float64,
  one value a row, in [0, 1] or NaN = does not apply); the columns are read-only;
- ``inputs(params)``: the columns it reads; by default the params fields typed
  :data:`fortress_score.Column`;
- optional, for explanations: ``describe(params, inputs)`` — words for what it tests, given
  one row's input values (``safety_l4_events = 1 > 0``), shown when a veto fires; and
  ``inverse(params, attainment, inputs)`` — the input values (column -> value) that give
  ``attainment`` with the row's other inputs as they are, shown on the path to the next
  star. Both return None when they have nothing to say, which is the default. The engine
  knows no evaluator by name: the built-ins answer these exactly as a plug-in would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .evaluator import Evaluator

PROJECT_NAME = "fortress_score"
"""The pluggy project name and the entry-point group third-party packages publish under."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def fortress_score_evaluators() -> list[Evaluator[Any]]:  # type: ignore[empty-body]
    """Return the evaluators this plug-in provides.

    Called once when an :class:`~fortress_score.Engine` is built, for every registered
    plug-in: the built-in modules, the ``fortress_score`` entry points and the engine's
    ``plugins``. Takes no argument.

    Returns:
        A list of :class:`~fortress_score.Evaluator` instances. Each ``name`` becomes a
        ``kind`` usable in rule files; a name already given by another plug-in is an error
        that names both sources.
    """
