"""Shared fixtures: an engine that ignores whatever happens to be installed."""

from __future__ import annotations

from typing import Any

import pytest

import fortress_score as fs

# the shared evaluator helpers assert: report their failures as fully as a test's own
pytest.register_assert_rewrite("evaluate_helper")


@pytest.fixture
def engine() -> fs.Engine:
    """Built-ins only: installed entry points never leak into the tests."""
    return fs.Engine(entry_points=False)


def one_indicator_rules(evaluate: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A rule mapping with one dimension holding one 100-point indicator `i`."""
    rules: dict[str, Any] = {
        "ruleset": "test",
        "entity": "branch",
        "dimensions": [
            {"id": "d", "weight": 1, "indicators": [{"id": "i", "points": 100, "evaluate": evaluate}]}
        ],
    }
    rules.update(top)
    return rules
