"""fortress_score: score party branches and other units from rule files and plug-in evaluators.

The public names are listed in ``__all__``; everything else may change.
"""

from __future__ import annotations

from .analysis.explanation import Explanation, IndicatorLine, Step, WhatIf
from .analysis.sensitivity import Sensitivity
from .analysis.uncertainty import AHPSteps, Dirichlet, Samples, Uncertainty, Uniform
from .engine import Engine, load_rules, score
from .errors import (
    DataError,
    FortressScoreError,
    MissingExtraError,
    PeriodError,
    PluginError,
    Problem,
    RuleFileError,
)
from .plugins.evaluator import Column, Context, Evaluator, FloatArray, Params, evaluator
from .plugins.formulas import Cells
from .plugins.hookspecs import hookimpl, hookspec
from .reading.files import read_data
from .rules.model import RuleSet
from .scorecard import Scorecard
from .scoring.groupwise import competition_rank, group_count, group_min_max
from .scoring.model import round_half_up
from .scoring.result import Provenance, Result

__all__ = [
    "AHPSteps",
    "Cells",
    "Column",
    "Context",
    "DataError",
    "Dirichlet",
    "Engine",
    "Evaluator",
    "Explanation",
    "FloatArray",
    "FortressScoreError",
    "IndicatorLine",
    "Params",
    "PeriodError",
    "MissingExtraError",
    "PluginError",
    "Problem",
    "Provenance",
    "Result",
    "RuleFileError",
    "RuleSet",
    "Samples",
    "Scorecard",
    "Sensitivity",
    "Step",
    "Uncertainty",
    "Uniform",
    "WhatIf",
    "competition_rank",
    "evaluator",
    "group_count",
    "group_min_max",
    "hookimpl",
    "hookspec",
    "load_rules",
    "read_data",
    "round_half_up",
    "score",
]
