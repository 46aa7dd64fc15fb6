"""Rules: reading a rule file, the rule model that checks it, and its JSON Schema."""

from __future__ import annotations

from .file import RuleSource, format_path, read_rule_file
from .model import (
    LARGEST,
    Adjustment,
    Benchmark,
    Commendation,
    Dimension,
    EvaluatorCall,
    FieldSpec,
    Indicator,
    Rating,
    RuleSet,
    Veto,
    VetoEffect,
)
from .schema import rule_file_schema

__all__ = [
    "LARGEST",
    "Adjustment",
    "Benchmark",
    "Commendation",
    "Dimension",
    "EvaluatorCall",
    "FieldSpec",
    "Indicator",
    "Rating",
    "RuleSet",
    "RuleSource",
    "Veto",
    "VetoEffect",
    "format_path",
    "read_rule_file",
    "rule_file_schema",
]
