"""The graph of derived fields (each reads others): its circles and its evaluation order,
without recursion, in time linear in its size, so a long chain of fields is no risk."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["evaluation_order", "strongly_connected", "way_round"]

Graph = Mapping[str, list[str]]
"""Name → the names it reads (each of them a key)."""


def strongly_connected(graph: Graph) -> list[list[str]]:
    """The strongly connected components of ``graph`` (Tarjan's algorithm, iterative), each
    in the graph's order, ordered by their first member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    order = {name: i for i, name in enumerate(graph)}
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            edges = graph[node]
            if next_edge < len(edges):
                work.append((node, next_edge + 1))
                child = edges[next_edge]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component, key=order.__getitem__))
            if work:  # back in the parent: it reaches what its child reaches
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found, key=lambda component: order[component[0]])


def way_round(start: str, graph: Graph) -> list[str] | None:
    """``[start, …, start]`` by the fewest steps (breadth first), or None: no way back."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        after: list[str] = []
        for name in frontier:
            for used in graph[name]:
                if used == start:
                    back = [name]
                    while back[-1] != start:
                        back.append(came_from[back[-1]])
                    return [*reversed(back), start]
                if used not in came_from:
                    came_from[used] = name
                    after.append(used)
        frontier = after
    return None


def evaluation_order(graph: Graph) -> list[str]:
    """Every name after the names it reads (depth first from each name in the graph's
    order, iterative); names on a circle come in some order (circles are refused at load)."""
    done: set[str] = set()
    order: list[str] = []
    for root in graph:
        if root in done:
            continue
        done.add(root)
        work = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            edges = graph[node]
            if next_edge < len(edges):
                work.append((node, next_edge + 1))
                child = edges[next_edge]
                if child not in done:
                    done.add(child)
                    work.append((child, 0))
                continue
            order.append(node)
    return order
