"""The README keeps its promises: the two commands, and every evaluator and hook documented."""

from __future__ import annotations

import re
from pathlib import Path

import fortress_score as fs
from fortress_score.plugins import hookspecs

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    main_job, tests = commands
    assert "rules/three-dimensions.yaml" in main_job and "examples/branches-2024.csv" in main_job
    assert (ROOT / "rules/three-dimensions.yaml").exists() and (ROOT / "examples/branches-2024.csv").exists()
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_builtin_evaluator_and_hook_is_documented() -> None:
    for name in fs.Engine(entry_points=False).evaluators():
        assert f"| `{name}` |" in README, name
    hooks = [n for n in dir(hookspecs) if n.startswith("fortress_score_")]
    assert hooks
    for hook in hooks:
        assert hook in README, hook
        assert getattr(hookspecs, hook).__doc__


def test_public_names_are_exported() -> None:
    for name in fs.__all__:
        assert hasattr(fs, name), name


def test_the_import_paths_the_readme_gave_keep_working() -> None:
    import fortress_score as fs
    from fortress_score import groupwise, hookspecs, plots

    assert groupwise.competition_rank is fs.competition_rank
    assert hookspecs.hookimpl is fs.hookimpl and callable(hookspecs.fortress_score_evaluators)
    assert callable(plots.radar) and callable(plots.heatmap)


def test_every_picture_the_readme_shows_is_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert pictures
    for picture in pictures:
        path = ROOT / picture
        assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
