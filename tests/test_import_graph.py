"""The package's import graph has no cycle (tools/import_graph.py, every import counted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "import_graph.py"


def load_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("import_graph", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_the_package_has_no_import_cycle() -> None:
    tool = load_tool()
    edges = tool.graph()
    assert "fortress_score.scorecard" in edges and len(edges) > 40
    assert tool.cycles(edges) == []
    assert tool.cycles(tool.parts(edges)) == []


def test_no_module_below_the_facade_imports_it() -> None:
    edges = load_tool().graph()
    facade = {"fortress_score", "fortress_score.scorecard", "fortress_score.engine",
              "fortress_score.cli", "fortress_score.__main__"}
    below = [name for name, targets in edges.items()
             if name not in facade and "fortress_score.scorecard" in targets]
    assert below == []


def test_the_counter_finds_a_cycle_and_imports_of_every_kind(tmp_path: Path) -> None:
    tool = load_tool()
    package = tmp_path / "fortress_score"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from .sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from ..a import x\n")
    (package / "c.py").write_text("import fortress_score.a\n")
    found = tool.modules(package)
    edges = {name: tool.imports(name, path, set(found)) for name, path in found.items()}
    assert edges["fortress_score.a"] == {"fortress_score.sub.b"}
    assert edges["fortress_score.sub.b"] == {"fortress_score.a"}
    assert edges["fortress_score.c"] == {"fortress_score.a"}
    assert tool.cycles(edges) == [["fortress_score.a", "fortress_score.sub.b"]]
