"""The hook markers and hooks (the import path the README gave plug-in authors); the
manual itself is :mod:`fortress_score.plugins.hookspecs`."""

from __future__ import annotations

from .plugins.hookspecs import PROJECT_NAME, fortress_score_evaluators, hookimpl, hookspec

__all__ = ["PROJECT_NAME", "fortress_score_evaluators", "hookimpl", "hookspec"]
