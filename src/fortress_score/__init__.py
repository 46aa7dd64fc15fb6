"""fortress_score: score party branches and other units from rule files and plug-in evaluators.

The public names are listed in ``__all__``; everything else may change.
"""

from __future__ import annotations

from .engine import Engine, load_rules, score
from .errors import (
    DataError,
    FortressScoreError,
    PeriodError,
    PluginError,
    Problem,
    RuleFileError,
)
from .evaluator import Column, Context, Evaluator, Params, evaluator
from .explain import Explanation, IndicatorLine, Step, WhatIf
from .hookspecs import hookimpl, hookspec
from .rules import RuleSet
from .scorecard import Provenance, Scorecard
from .scoring import round_half_up

__all__ = [
    "Column",
    "Context",
    "DataError",
    "Engine",
    "Evaluator",
    "Explanation",
    "FortressScoreError",
    "IndicatorLine",
    "Params",
    "PeriodError",
    "PluginError",
    "Problem",
    "Provenance",
    "RuleFileError",
    "RuleSet",
    "Scorecard",
    "Step",
    "WhatIf",
    "evaluator",
    "hookimpl",
    "hookspec",
    "load_rules",
    "round_half_up",
    "score",
]
