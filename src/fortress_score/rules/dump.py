"""A rule set written as YAML: the rule file, and an evaluator table as the one-line flow
mapping of a 参数 cell, each read back to the same values."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

import yaml

from ..errors import Problem, RuleFileError
from ..plugins.manager import default_registry
from .file import read_yaml_text
from .model import EvaluatorCall, Evaluators, RuleSet
from .sheet_layout import SheetError, number_value

__all__ = ["call_table", "flow_yaml", "rules_yaml", "write_rules_yaml"]


class _Flow(dict[str, Any]):
    """A mapping written on one line, as rule files write evaluator tables."""


class _FlowList(list[Any]):
    """A list written on one line (an ``applies_to`` of several ways)."""


class _Dumper(yaml.SafeDumper):
    pass


_NUMBER_LOOKING = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+")
"""1e3: text to PyYAML's writer, a number to the rule-file reader (YAML 1.2); quote it."""


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = '"' if _NUMBER_LOOKING.fullmatch(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowList, _represent_flow_list)
_Dumper.add_representer(str, _represent_text)


def _dump(data: Any, width: int) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                          width=width)
    return text


def flow_yaml(table: Mapping[str, Any] | list[Any]) -> str:
    """An evaluator table (or a list) as one line of YAML; JSON (YAML too) where YAML would
    not read back the same values."""
    flow = _FlowList(table) if isinstance(table, list) else _Flow(table)
    text = _dump(flow, 10**6).strip()
    try:
        same = _exact(read_yaml_text(text).data) == _exact(table)
    except RuleFileError:
        same = False
    return text if same else json.dumps(table, ensure_ascii=False)


def _exact(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def call_table(call: EvaluatorCall, evaluators: Evaluators) -> dict[str, Any]:
    """The ``evaluate:`` table as a rule file writes it: empty (None) params left out where
    the evaluator's defaults give them back, kept where a default would differ."""
    dumped: dict[str, Any] = call.model_dump(mode="json")
    first = [key for key, value in dumped.items() if isinstance(value, str) and value in call.inputs]
    table = {"kind": dumped.pop("kind"), **{key: dumped.pop(key) for key in first}, **dumped}
    kept = _without_none(table)  # columns first, as rule files write them
    evaluator = evaluators.get(call.kind)
    if evaluator is None:
        return table
    try:
        same = evaluator.Params.model_validate({k: v for k, v in kept.items() if k != "kind"}) \
            == call.params
    except (ValueError, TypeError):
        same = False
    return kept if same else table


_USUAL = {("type", "float"), ("optional", False)}
"""A field's defaults, left out of the rule file."""


def _whole(value: Any) -> Any:
    """Whole floats as ints, everywhere (the evaluator tables are put back afterwards)."""
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return number_value(value) if isinstance(value, float) else value


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def rules_yaml(rules: RuleSet, *, evaluators: Evaluators | None = None,
               comment: str = "") -> str:
    """``rules`` as a YAML rule file (Chinese as written) that loads back to the same digest.

    Rules are block mappings and evaluator tables, fields and ratings one line each, as
    ``rules/three-dimensions.yaml`` writes them; ``comment`` opens the file, ``# `` a line.
    """
    evaluators = default_registry().evaluators if evaluators is None else evaluators
    data = _whole(rules.to_dict())  # 100, not 100.0: the models make floats of them again
    for loc, call in rules.calls():
        parent: Any = data
        for part in loc[:-1]:
            parent = parent[part]
        parent[loc[-1]] = _Flow(call_table(call, evaluators))
    data["fields"] = {column: _Flow({k: v for k, v in spec.items() if (k, v) not in _USUAL})
                      for column, spec in data.get("fields", {}).items()}
    for key in ("ratings", "commendations"):
        data[key] = [_Flow(item) for item in data.get(key, [])]
    for veto in data.get("vetoes", []):
        veto["effect"] = _Flow(veto["effect"])
    if "benchmark" in data:
        data["benchmark"] = _Flow(data["benchmark"])
    data = {key: value for key, value in data.items() if value not in ([], {})}
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return head + _dump(data, 100)


def write_rules_yaml(rules: RuleSet, path: str | os.PathLike[str], *,
                     evaluators: Evaluators | None = None, comment: str = "") -> None:
    """Write :func:`rules_yaml` to ``path`` (UTF-8).

    Raises:
        SheetError: the file cannot be written.
    """
    text = rules_yaml(rules, evaluators=evaluators, comment=comment)
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise SheetError(Problem(f"cannot write the rule file: {exc.strerror or exc}",
                                 file=os.fspath(path))) from None
