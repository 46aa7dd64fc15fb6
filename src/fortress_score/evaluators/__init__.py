"""The built-in evaluators, one module each, registered as default plug-ins.

Each module imports ``hookimpl`` and ``Evaluator`` the way a third-party package does and
returns its evaluator from the one hook; :data:`DEFAULT_PLUGINS` lists them for the engine.
"""

from __future__ import annotations

DEFAULT_PLUGINS: tuple[str, ...] = tuple(
    f"{__name__}.{module}"
    for module in (
        "target",
        "growth",
        "bands",
        "ratio",
        "checklist",
        "per_event",
        "survey",
        "rank",
        "minmax",
        "threshold",
    )
)
