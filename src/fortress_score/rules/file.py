"""Reading a rule file (YAML, TOML or JSON) into plain data, keeping where each key stood.

YAML is composed with PyYAML's safe loader and built here node by node, so tags never
construct objects, aliases are expanded under a budget (an alias bomb fails fast), a key
given twice is an error, and every key's line is kept for error messages.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..bounded import MAX_DIGITS, decode_utf8, read_bytes, whole_number
from ..errors import Problem, RuleFileError, shorten, shown

__all__ = ["MAX_FILE_BYTES", "MAX_YAML_NODES", "RuleSource", "format_path", "read_rule_file"]

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A rule file larger than this is refused: a 500-indicator pack is about 100 kB."""

MAX_YAML_NODES = 200_000
"""Nodes built, aliases expanded: past this a file (an alias bomb) fails fast, not slowly."""

MAX_DEPTH = 64
"""Nesting deeper than this is refused: rule files are a handful of levels deep."""

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (ten times faster), else PyYAML's."""

_BOOL_TAG = "tag:yaml.org,2002:bool"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_YAML_1_1_NUMBER = re.compile(r"^[-+]?(0[0-9_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|.*_.*)$")
"""Octal 010, sexagesimal 1:30 and 1_000: YAML 1.1 reads them as numbers nobody meant."""
_YAML_1_2_EXPONENT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$")
"""1e3 is a number in YAML 1.2 (and JSON) but text to PyYAML's 1.1 resolver."""
_PLAIN_TAGS: dict[type[yaml.Node], str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleSource:
    """A rule file's content as plain data, with the (line, column) of every key where known."""

    data: Any
    file: str | None = None
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    texts: dict[Loc, tuple[int, int, str, str]] = field(default_factory=dict)
    """(line, column, the characters as written, quote) of each one-line text value where
    the file shows it (YAML), so that a problem inside a text (a formula) names its column."""

    def problem(self, message: str, loc: Loc, offset: int | None = None) -> Problem:
        """A Problem at ``loc``, or ``offset`` characters into the text at ``loc``."""
        start = self.texts.get(tuple(loc)) if offset is not None else None
        if start is not None and offset is not None:
            line, col, written, quote = start
            return Problem(message, file=self.file, line=line,
                           col=col + _written_offset(written, quote, offset),
                           path=format_path(loc))
        return self._problem(message, loc)

    def _problem(self, message: str, loc: Loc) -> Problem:
        """A Problem at ``loc``, placed at the deepest key along it that the file shows."""
        for end in range(len(loc), -1, -1):
            position = self.positions.get(tuple(loc[:end]))
            if position is not None:
                return Problem(message, file=self.file, line=position[0], col=position[1],
                               path=format_path(loc))
        return Problem(message, file=self.file, path=format_path(loc))


def _written_offset(written: str, quote: str, offset: int) -> int:
    """Where the ``offset``-th character of a quoted YAML text stands as written: escapes
    (``\\x61``, ``''``) take more characters than they give."""
    at = 0
    for _ in range(offset):
        if at >= len(written):
            break
        if quote == '"' and written[at] == "\\":
            code = written[at + 1:at + 2]
            at += {"x": 4, "u": 6, "U": 10}.get(code, 2)
        elif quote == "'" and written.startswith("''", at):
            at += 2
        else:
            at += 1
    return at


def format_path(loc: Loc) -> str:
    """``('dimensions', 0, 'weight')`` -> ``dimensions[0].weight``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def read_rule_file(path: str | os.PathLike[str]) -> RuleSource:
    """Read ``path`` by its suffix: ``.yaml``/``.yml``, ``.toml`` or ``.json``."""
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    if suffix not in {".yaml", ".yml", ".toml", ".json"}:
        raise RuleFileError(
            Problem(f"rule files must end in .yaml, .yml, .toml or .json; got {suffix!r}", file=name)
        )
    raw = read_bytes(name, MAX_FILE_BYTES, RuleFileError, "rule file")
    text = decode_utf8(raw, name, RuleFileError, "rule file")
    reader = {".toml": _read_toml, ".json": _read_json}.get(suffix, read_yaml_text)
    try:
        source = reader(text, name)
    except RecursionError as exc:  # the parsers recurse: a hostile file nests thousands deep
        raise RuleFileError(Problem(f"nesting is deeper than {MAX_DEPTH} levels", file=name)) from exc
    _check_depth(source)
    return source


def _check_depth(source: RuleSource) -> None:
    pending: list[tuple[Any, int]] = [(source.data, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise RuleFileError(Problem(f"nesting is deeper than {MAX_DEPTH} levels",
                                        file=source.file))
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        pending.extend((child, depth + 1) for child in children)


def _read_toml(text: str, name: str) -> RuleSource:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+), column (\d+)", str(exc))  # no exc.lineno before 3.14
        line, col = (int(found.group(1)), int(found.group(2))) if found else (None, None)
        raise RuleFileError(Problem(f"not valid TOML: {exc}", file=name, line=line, col=col)) from exc
    except ValueError as exc:  # an integer too long for Python to read, say
        long = re.search(rf"\d{{{MAX_DIGITS + 1},}}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        raise RuleFileError(Problem(f"not valid TOML: {shorten(str(exc), 80)}", file=name,
                                    line=line)) from exc
    return RuleSource(data, name, _toml_positions(text))


_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_TOML_KEY = re.compile(r"^(\s*)((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def _toml_keys(dotted: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)", dotted)]


def _toml_positions(text: str) -> dict[Loc, tuple[int, int]]:
    """Where each table and key of a TOML file stands, for error messages.

    tomllib keeps no positions, so headers (``[a]``, ``[[a.b]]``) and ``key =`` lines are
    read here; keys inside inline tables share their line. Good enough to point at a line.
    """
    positions: dict[Loc, tuple[int, int]] = {}
    counts: dict[Loc, int] = {}
    arrays: set[tuple[str, ...]] = set()
    table: Loc = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_string = not in_string
            continue
        if in_string:
            continue
        header = _TOML_HEADER.match(line)
        if header:
            keys = _toml_keys(header.group(2))
            loc: Loc = ()
            for i, key in enumerate(keys):
                loc = (*loc, key)
                if tuple(keys[: i + 1]) in arrays and i < len(keys) - 1:
                    loc = (*loc, counts[loc] - 1)
            if header.group(1) == "[[":
                arrays.add(tuple(keys))
                counts[loc] = counts.get(loc, 0) + 1
                loc = (*loc, counts[loc] - 1)
            table = loc
            positions.setdefault(table, (number, line.index("[") + 1))
            continue
        assignment = _TOML_KEY.match(line)
        if assignment:
            keys_loc = (*table, *_toml_keys(assignment.group(2)))
            positions.setdefault(keys_loc, (number, len(assignment.group(1)) + 1))
    return positions


def _read_json(text: str, name: str) -> RuleSource:
    def refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise RuleFileError(Problem(f"key {shown(key)} is given twice", file=name))
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=refuse_repeats, parse_int=whole_number)
    except json.JSONDecodeError as exc:
        raise RuleFileError(
            Problem(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno, col=exc.colno)
        ) from exc
    try:  # JSON is YAML: its composer knows where every key stands
        read = read_yaml_text(text, name)
        return RuleSource(data, name, read.positions, read.texts)
    except RuleFileError:
        return RuleSource(data, name)


def read_yaml_text(text: str, name: str | None = None) -> RuleSource:
    """Compose YAML safely and build plain data, recording each key's line."""
    loader = _SAFE_LOADER(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
            raise RuleFileError(
                Problem(f"not valid YAML: {exc.problem or exc}", file=name, line=line, col=col)
            ) from exc
        except yaml.YAMLError as exc:
            raise RuleFileError(Problem(f"not valid YAML: {exc}", file=name)) from exc
        if root is None:
            return RuleSource(None, name)
        builder = _YamlBuilder(loader, name, text)
        data = builder.build(root, ())
        if builder.problems:
            raise RuleFileError(builder.problems)
        return RuleSource(data, name, builder.positions, builder.texts)
    finally:
        loader.dispose()


class _YamlBuilder:
    """Turns composed YAML nodes into dicts, lists and scalars under a node budget."""

    def __init__(self, loader: Any, name: str | None, text: str = "") -> None:
        self.loader = loader
        self.name = name
        self.lines = text.splitlines()
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.texts: dict[Loc, tuple[int, int, str, str]] = {}
        self.problems: list[Problem] = []
        self.budget = MAX_YAML_NODES

    def _problem(self, message: str, node: yaml.Node, loc: Loc) -> None:
        self.problems.append(Problem(message, file=self.name, line=node.start_mark.line + 1,
                                     col=node.start_mark.column + 1, path=format_path(loc)))

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise RuleFileError(
                Problem(
                    f"YAML expands to more than {MAX_YAML_NODES} values (aliases included); "
                    "refused",
                    file=self.name,
                    line=node.start_mark.line + 1,
                )
            )
        self.positions.setdefault(loc, _position(node))
        plain_tag = _PLAIN_TAGS.get(type(node))
        if plain_tag is not None and node.tag != plain_tag:
            self._problem(f"tag {shown(node.tag)} is not allowed in rule files", node, loc)
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        own = {id(key) for key, _ in node.value if key.tag != _MERGE_TAG}
        merges = [key for key, _ in node.value if key.tag == _MERGE_TAG]
        if len(merges) > 1:  # YAML allows one: `<<: [*a, *b]` merges several
            self._problem("key '<<' is given twice; merge several mappings with "
                          "`<<: [*a, *b]`", merges[1], loc)
        try:
            self.loader.flatten_mapping(node)  # merge keys (<<)
        except yaml.MarkedYAMLError as exc:
            self._problem(f"bad merge key: {exc.problem}", node, loc)
            return {}
        result: dict[Any, Any] = {}
        written: set[str] = set()  # keys this mapping writes itself (not merged in)
        for key_node, value_node in node.value:  # merged pairs first, then its own
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem("mapping keys must be plain scalars", key_node, loc)
                continue
            key = str(key_node.value)  # as written: `on:` stays "on", `1:` stays "1"
            child = (*loc, key)
            if id(key_node) in own:
                if key in written:
                    self._problem(f"key {shown(key)} is given twice", key_node, child)
                    continue
                written.add(key)
            # YAML's merge rule: a key of the mapping itself overrides a merged one, and an
            # earlier mapping of `<<: [*a, *b]` one of a later (pairs come in that order)
            self.positions[child] = _position(key_node)
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.Node, loc: Loc) -> Any:
        if node.tag == "tag:yaml.org,2002:str" and node.start_mark.line == node.end_mark.line \
                and getattr(node, "style", None) in (None, "", '"', "'"):  # one line, as written
            quote = getattr(node, "style", None) or ""
            line = node.start_mark.line
            if line < len(self.lines):  # columns count characters in either loader
                written = self.lines[line][node.start_mark.column + len(quote):
                                           node.end_mark.column - len(quote)]
                self.texts[loc] = (line + 1, node.start_mark.column + 1 + len(quote), written,
                                   quote)
        if node.tag == _BOOL_TAG and str(node.value).lower() not in ("true", "false"):
            return node.value  # YAML 1.2: `yes`, `no`, `on`, `off` are words (a column `no`)
        if isinstance(node, yaml.ScalarNode) and not node.style and \
                _YAML_1_2_EXPONENT.match(str(node.value)):
            return float(node.value)  # plain style: None from PyYAML, "" from libyaml
        if node.tag == _NUMBER_TAGS[0] and len(str(node.value).lstrip("+-")) > MAX_DIGITS:
            return float(node.value)  # beyond float range: infinity, refused with its path
        if node.tag in _NUMBER_TAGS and _YAML_1_1_NUMBER.match(str(node.value)):
            self._problem(f"write numbers plainly (or quote text); {node.value!r} is ambiguous "
                          "(octal, sexagesimal or digit groups)", node, loc)
            return None
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self._problem(f"cannot read value: {problem}", node, loc)
            return None
        finally:
            self.loader.constructed_objects.clear()


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1
