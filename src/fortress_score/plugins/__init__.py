"""Plug-ins: the evaluator contract, the hooks, and the pluggy manager that collects them."""

from __future__ import annotations

from .evaluator import Column, Context, Evaluator, FloatArray, Params, evaluator
from .formulas import Cells
from .hookspecs import hookimpl, hookspec
from .manager import Registry, build_registry, default_registry

__all__ = [
    "Cells",
    "Column",
    "Context",
    "Evaluator",
    "FloatArray",
    "Params",
    "Registry",
    "build_registry",
    "default_registry",
    "evaluator",
    "hookimpl",
    "hookspec",
]
