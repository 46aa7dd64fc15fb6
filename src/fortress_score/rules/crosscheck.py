"""Checks across fields of a rule set (unique ids, rating order, veto caps), on plain data.

They run on the data as given, before and whatever the models make of it, so that a rule
file with an invalid field still gets its cross-field problems reported with the rest.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import did_you_mean, shown
from .circles import strongly_connected, way_round
from .file import Loc, format_path
from .formula import MAX_DERIVED, FormulaError, parse

__all__ = ["cross_check", "invisible", "mixed_scripts", "normal_id", "skeleton"]

_LOOKALIKE_SCRIPTS = {"CYRILLIC", "GREEK", "ARMENIAN"}
"""Scripts whose letters look like Latin ones (Cyrillic о, Greek ο): mixing them with
Latin makes two ids that read the same."""


def normal_id(value: str) -> str:
    """An id as compared and kept: NFKC-normalised (full-width forms become plain ones)."""
    return unicodedata.normalize("NFKC", value)


_LOOKALIKES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "к": "k", "м": "m", "т": "t", "в": "b",
    "н": "h", "ο": "o", "α": "a", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "ρ": "p", "υ": "u",
    "χ": "x", "ε": "e", "ı": "i", "օ": "o", "ս": "u", "ց": "g",
})
"""Letters that read as Latin ones (Cyrillic, Greek, Armenian, dotless i), for comparing ids
as a reader sees them."""


def skeleton(value: str) -> str:
    """An id as it reads: NFKC, look-alike letters as Latin ones, case set aside."""
    return normal_id(value).casefold().translate(_LOOKALIKES)


def invisible(value: str) -> str | None:
    """Why an id holds characters nobody sees (zero-width space, soft hyphen), or None."""
    hidden = [c for c in value if unicodedata.category(c) in ("Cf", "Cc", "Zl", "Zp")]
    if not hidden:
        return None
    return (f"holds {unicodedata.name(hidden[0], repr(hidden[0]))} (U+{ord(hidden[0]):04X}), "
            "which does not show; remove it")


def mixed_scripts(value: str) -> str | None:
    """Why an id mixes Latin letters with look-alike ones from another script, or None."""
    scripts: dict[str, str] = {}
    for char in value:
        if char.isalpha():
            scripts.setdefault(unicodedata.name(char, "?").split()[0], char)
    lookalike = sorted(_LOOKALIKE_SCRIPTS & set(scripts))
    if "LATIN" not in scripts or not lookalike:
        return None
    char = scripts[lookalike[0]]
    return (f"mixes Latin and {lookalike[0].title()} letters ({char!r} is "
            f"{unicodedata.name(char)}), so it can read the same as another id; write it in "
            "one script")


def _non_finite(node: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """NaN or infinity anywhere, plug-in params included, before any model sees them."""
    if isinstance(node, float) and not math.isfinite(node):
        yield loc, f"must be a finite number; got {node!r}"
    elif isinstance(node, Mapping):
        for key, child in node.items():
            yield from _non_finite(child, (*loc, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _non_finite(child, (*loc, i))


def cross_check(data: Mapping[str, Any]) -> Iterator[tuple[Loc, str]]:
    """Checks across fields, on the raw data, so they run even where a field is invalid."""

    def items(key: str, parent: Any = data) -> list[tuple[int, Mapping[str, Any]]]:
        value = parent.get(key) if isinstance(parent, Mapping) else None
        return [(i, x) for i, x in enumerate(value) if isinstance(x, Mapping)] \
            if isinstance(value, list) else []

    seen: dict[str, str] = {}
    looks: dict[str, tuple[str, str]] = {}  # skeleton -> (id, where)
    rules: list[tuple[Loc, Any]] = []
    for d, dim in items("dimensions"):
        rules.append((("dimensions", d), dim))
        rules += [(("dimensions", d, "indicators", i), ind) for i, ind in items("indicators", dim)]
    rules += [(("adjustments", a), adj) for a, adj in items("adjustments")]
    rules += [(("vetoes", v), veto) for v, veto in items("vetoes")]
    rules += [(("commendations", c), entry) for c, entry in items("commendations")]
    rules += [(("titles", t), entry) for t, entry in items("titles")]
    yield from _non_finite(data, ())
    yield from _formula_cycles(data.get("fields"))
    for loc, rule in rules:
        rule_id = rule.get("id")
        if not isinstance(rule_id, str):
            continue
        rule_id = normal_id(rule_id)  # "ｒａｔｅ" is "rate"
        twin = looks.get(skeleton(rule_id))
        if twin is not None and twin[0] != rule_id and rule_id not in seen \
                and mixed_scripts(rule_id) is None:  # that one is said at the id itself
            yield (*loc, "id"), (f"id {shown(rule_id)} reads the same as {shown(twin[0])} "
                                 f"({twin[1]}); give rules ids that differ to the eye")
            continue
        looks.setdefault(skeleton(rule_id), (rule_id, format_path(loc)))
        if rule_id in seen:
            yield (*loc, "id"), f"id {shown(rule_id)} is already used by {seen[rule_id]}"
        else:
            seen[rule_id] = format_path(loc)

    named = [(k, data.get(k)) for k in ("entity", "period", "group_by")
             if isinstance(data.get(k), str)]
    for i, (key, column) in enumerate(named):
        for other, other_column in named[:i]:
            if column == other_column:
                yield (key,), f"must differ from {other} ({other_column!r})"

    ratings = [(i, r) for i, r in items("ratings")
               if isinstance(r.get("stars"), int) and isinstance(r.get("min"), int | float)]
    by_stars: dict[int, int] = {}
    for i, rating in ratings:
        if rating["stars"] in by_stars:
            yield ("ratings", i, "stars"), (
                f"{rating['stars']} stars are already rated by ratings[{by_stars[rating['stars']]}]")
        else:
            by_stars[rating["stars"]] = i
    for i, rating in ratings:
        below = [r for _, r in ratings if r["stars"] < rating["stars"] and r["min"] >= rating["min"]]
        if below:
            highest = max(below, key=lambda r: r["min"])
            yield ("ratings", i, "min"), (
                f"must be above the min of {highest['stars']} stars ({highest['min']}); "
                f"got {rating['min']}")
    top = max(by_stars, default=None)
    scale = data.get("scale", 100)
    for v, veto in items("vetoes"):
        effect = veto.get("effect")
        held = effect.get("total") if isinstance(effect, Mapping) else None
        if isinstance(held, int | float) and isinstance(scale, int | float) and held > scale:
            yield ("vetoes", v, "effect", "total"), (
                f"must not be above the scale ({scale}); got {held}")
        cap = effect.get("max_stars") if isinstance(effect, Mapping) else None
        if isinstance(cap, int) and not isinstance(cap, bool) and (top is None or cap >= top):
            yield ("vetoes", v, "effect", "max_stars"), (
                "has no effect without ratings" if top is None else
                f"must be below the top rating ({top} stars) to have an effect; got {cap}")
    indicator_ids = {ind["id"] for _, dim in items("dimensions")
                     for _, ind in items("indicators", dim) if isinstance(ind.get("id"), str)}
    for c, entry in items("commendations"):
        indicator = entry.get("indicator")
        if isinstance(indicator, str) and indicator not in indicator_ids:
            hint = did_you_mean(indicator, [str(i) for i in indicator_ids])
            yield ("commendations", c, "indicator"), (
                f"must be an indicator id{hint}; got {shown(indicator)}")
        wanted = entry.get("stars")
        if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted not in by_stars:
            yield ("commendations", c, "stars"), (
                f"must be one of the rated stars {sorted(by_stars)}; got {wanted}")
    veto_ids = {v["id"] for _, v in items("vetoes") if isinstance(v.get("id"), str)}
    for t, title in items("titles"):
        wanted = title.get("stars")
        if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted not in by_stars:
            yield ("titles", t, "stars"), (
                f"must be one of the rated stars {sorted(by_stars)}; got {wanted}")
        revoking = title.get("revoke_on")
        for r, veto in enumerate(revoking if isinstance(revoking, list) else []):
            if isinstance(veto, str) and veto not in veto_ids:
                yield ("titles", t, "revoke_on", r), (
                    f"must be a veto id{did_you_mean(veto, sorted(veto_ids))}; got {shown(veto)}")
    benchmark = data.get("benchmark")
    if isinstance(benchmark, Mapping) and isinstance(benchmark.get("stars"), int) \
            and benchmark["stars"] not in by_stars:
        yield ("benchmark", "stars"), (
            f"must be one of the rated stars {sorted(by_stars)}; got {benchmark['stars']}")


CIRCLE_REPORTS = 20
"""Fields of one set of circles named each with its way round (a breadth-first search
each); the others are counted in one problem, so the check stays linear in the graph."""


def _formula_cycles(fields: Any) -> Iterator[tuple[Loc, str]]:
    """Derived fields that read themselves, directly or through other derived fields, each
    with its shortest way round; more than :data:`MAX_DERIVED` derived fields are refused."""
    if not isinstance(fields, Mapping):
        return
    reads: dict[str, list[str]] = {}
    for name, spec in fields.items():
        if isinstance(spec, Mapping) and isinstance(spec.get("formula"), str):
            try:
                reads[str(name)] = sorted(parse(spec["formula"]).names)
            except FormulaError:
                continue  # said where the formula is checked
    if len(reads) > MAX_DERIVED:
        yield ("fields",), (f"has {len(reads)} derived fields (with a formula); at most "
                            f"{MAX_DERIVED} are allowed")
        return
    for component in strongly_connected({n: [u for u in used if u in reads]
                                         for n, used in reads.items()}):
        inside = set(component)
        graph = {n: [u for u in reads[n] if u in inside] for n in component}
        for start in component[:CIRCLE_REPORTS]:
            chain = way_round(start, graph)
            if chain is None:
                continue  # a component of one that does not read itself: on no circle
            if len(chain) > 12:
                chain = [*chain[:6], f"… {len(chain) - 11} more …", *chain[-5:]]
            yield ("fields", start, "formula"), (
                f"reads itself through {' → '.join(chain)}; derived fields must not go round "
                "in a circle")
        if len(component) > CIRCLE_REPORTS:
            rest = component[CIRCLE_REPORTS:]
            yield ("fields", rest[0], "formula"), (
                f"and {len(rest)} more derived fields on the same circles "
                f"({', '.join(rest[:5])}{', …' if len(rest) > 5 else ''}) read themselves too")
