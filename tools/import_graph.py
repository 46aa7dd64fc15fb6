"""Count the import cycles of the fortress_score package, from its source alone.

Every import counts — at module level, inside functions and under ``TYPE_CHECKING`` —
because each is a dependency a reader has to follow. Prints the modules, the edges and
each cycle (strongly connected component of more than one module, or a module importing
itself), once between modules and once between the top-level parts (subpackages and
top-level modules). Exits 1 when the module graph has a cycle.

    python tools/import_graph.py [--edges]
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGE = "fortress_score"
SOURCE = Path(__file__).resolve().parent.parent / "src" / PACKAGE


def modules(root: Path = SOURCE) -> dict[str, Path]:
    """Module name -> file, packages named by their ``__init__``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in its file."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target:
                found.add(target)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(name, path, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member, each sorted (the package's
    own Tarjan, :func:`fortress_score.rules.circles.strongly_connected`)."""
    from fortress_score.rules.circles import strongly_connected

    names = sorted(set(edges) | {n for targets in edges.values() for n in targets})
    graph = {name: sorted(edges.get(name, ())) for name in names}
    return sorted(sorted(c) for c in strongly_connected(graph) if len(c) > 1)


def parts(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph between top-level parts: ``fortress_score.rules.model`` -> ``rules``;
    the package's own ``__init__`` (the public front door) is left out."""
    def part(name: str) -> str:
        pieces = name.split(".")
        return pieces[1] if len(pieces) > 1 else ""

    collapsed: dict[str, set[str]] = {}
    for name, targets in edges.items():
        if part(name):
            collapsed.setdefault(part(name), set()).update(
                part(t) for t in targets if part(t) and part(t) != part(name))
    return collapsed


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--edges", action="store_true", help="print every import edge")
    args = options.parse_args(argv)
    edges = graph()
    if args.edges:
        for name in sorted(edges):
            print(f"{name} -> {', '.join(sorted(edges[name])) or '-'}")
    module_cycles = cycles(edges)
    part_cycles = cycles(parts(edges))
    print(f"{len(edges)} modules, {sum(map(len, edges.values()))} imports, "
          f"{len(module_cycles)} module cycles, {len(part_cycles)} cycles between parts")
    for cycle in module_cycles + part_cycles:
        print("cycle:", " <-> ".join(cycle))
    return 1 if module_cycles else 0


if __name__ == "__main__":
    sys.exit(main())
