"""`rules.circles`: circles among derived fields and their evaluation order, checked against
reachability worked out the plain way; and the bounds that keep loading a rule file cheap."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fortress_score as fs
from fortress_score.evaluators.decision_table import MAX_RULES
from fortress_score.rules.circles import evaluation_order, strongly_connected, way_round
from fortress_score.rules.crosscheck import CIRCLE_REPORTS
from fortress_score.rules.formula import MAX_DERIVED


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, list[str]]:
    names = [f"n{i}" for i in range(draw(st.integers(1, 9)))]
    return {name: sorted(set(draw(st.lists(st.sampled_from(names), max_size=4))))
            for name in names}


def _reach(graph: dict[str, list[str]]) -> dict[str, set[str]]:
    """Names reachable in one step or more, by repeated widening."""
    reach = {n: set(used) for n, used in graph.items()}
    changed = True
    while changed:
        changed = False
        for n in graph:
            wider = reach[n].union(*(reach[u] for u in reach[n]))
            if wider != reach[n]:
                reach[n], changed = wider, True
    return reach


@given(graphs())
def test_components_are_the_names_that_reach_each_other(graph: dict[str, list[str]]) -> None:
    reach = _reach(graph)
    components = strongly_connected(graph)
    assert sorted(n for c in components for n in c) == sorted(graph)
    for component in components:
        for a in component:
            for b in graph:
                together = b in component
                assert together == (a == b or (b in reach[a] and a in reach[b]))


@given(graphs())
def test_the_way_round_is_a_shortest_circle(graph: dict[str, list[str]]) -> None:
    reach = _reach(graph)
    for start in graph:
        chain = way_round(start, graph)
        assert (chain is not None) == (start in reach[start])
        if chain is None:
            continue
        assert chain[0] == chain[-1] == start
        assert all(b in graph[a] for a, b in zip(chain, chain[1:]))
        # no shorter circle: the names k steps on from start do not include it for k < len
        ring, steps = {start}, 0
        while start not in (ring := {u for n in ring for u in graph[n]}):
            steps += 1
        assert len(chain) - 1 == steps + 1


@given(graphs())
def test_without_circles_each_name_comes_after_what_it_reads(graph: dict[str, list[str]]) -> None:
    acyclic = {n: [u for u in used if u < n] for n, used in graph.items()}
    order = evaluation_order(acyclic)
    assert sorted(order) == sorted(graph)
    place = {n: i for i, n in enumerate(order)}
    assert all(place[u] < place[n] for n, used in acyclic.items() for u in used)


def test_by_hand() -> None:
    graph = {"a": ["b"], "b": ["a", "c"], "c": ["c"], "d": ["a"], "e": []}
    assert strongly_connected(graph) == [["a", "b"], ["c"], ["d"], ["e"]]
    assert way_round("a", graph) == ["a", "b", "a"]
    assert way_round("c", graph) == ["c", "c"]
    assert way_round("d", graph) is None
    assert evaluation_order({"x": ["y"], "y": ["z"], "z": []}) == ["z", "y", "x"]


# -- at load ----------------------------------------------------------------------------------


def _chain_rules(fields: dict[str, Any], reads: str) -> dict[str, Any]:
    return {"ruleset": "chain", "entity": "u", "fields": fields,
            "dimensions": [{"id": "d", "weight": 1, "indicators": [{"id": "k", "points": 1,
                "evaluate": {"kind": "target", "input": reads, "target": 10_000, "floor": 0}}]}]}


def test_a_long_chain_written_last_first_loads_and_evaluates_in_order() -> None:
    n = MAX_DERIVED
    fields = {f"f{i}": {"formula": f"f{i - 1} + 1" if i else "x + 1"}
              for i in reversed(range(n))}  # each before the one it reads: deep if recursive
    card = fs.score(fs.load_rules(_chain_rules(fields, f"f{n - 1}")), {"u": ["a"], "x": [1.0]})
    # f_{n-1} = x + n = 1001 → attainment 0.1001 → total 10.01
    assert card.to_records()[0]["total"] == pytest.approx(100 * (1 + n) / 10_000)


def test_too_many_derived_fields_are_refused_at_fields() -> None:
    fields = {f"f{i}": {"formula": "x + 1"} for i in range(MAX_DERIVED + 1)}
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(_chain_rules(fields, "f0"))
    (problem,) = info.value.problems
    assert problem.path == "fields" and f"at most {MAX_DERIVED}" in problem.message


def test_a_long_circle_names_each_field_with_its_way_round_shortened() -> None:
    n = 40
    fields = {f"f{i}": {"formula": f"f{(i + 1) % n} * 2"} for i in range(n)}
    fields["g"] = {"formula": "f0 + 1"}  # reads the circle, is not on it
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(_chain_rules(fields, "g"))
    placed = {p.path: p.message for p in info.value.problems}
    # the first 20 each with its way round; the other 20 counted in one problem
    assert set(placed) == {f"fields.f{i}.formula" for i in range(CIRCLE_REPORTS + 1)}
    assert placed[f"fields.f{CIRCLE_REPORTS}.formula"].startswith(
        f"and {n - CIRCLE_REPORTS} more derived fields on the same circles (f20, f21")
    assert "reads itself through f19 → f20" in placed["fields.f19.formula"]
    assert placed["fields.f0.formula"].startswith(
        f"reads itself through f0 → f1 → f2 → f3 → f4 → f5 → … {n + 1 - 11} more … → "
        f"f36 → f37 → f38 → f39 → f0")


def test_a_decision_table_has_at_most_max_rules() -> None:
    def rules(n: int) -> dict[str, Any]:
        table = [{"when": {"x": f"[{k}..{k + 1})"}, "score": 0.5} for k in range(n)]
        return _chain_rules({}, "x") | {"dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "k", "points": 1, "evaluate": {"kind": "decision_table", "rules": table}}]}]}

    assert fs.load_rules(rules(MAX_RULES))
    with pytest.raises(fs.RuleFileError) as info:
        fs.load_rules(rules(MAX_RULES + 1))
    (problem,) = info.value.problems
    assert problem.path == "dimensions[0].indicators[0].evaluate.rules"
    assert f"at most {MAX_RULES}" in problem.message
