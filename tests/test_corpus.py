"""The corpus of bad rule files and bad data sets: each gives exactly the errors it must.

Each case is a file with a sibling ``.expect``: one regular expression a problem, matched
against ``str(problem)``; the error must carry exactly that many problems.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import fortress_score as fs
from fortress_score import read_data

CORPUS = Path(__file__).parent / "corpus"
RULE_CASES = sorted(p for p in (CORPUS / "rules").iterdir() if p.suffix != ".expect")
DATA_CASES = sorted(p for p in (CORPUS / "data").iterdir() if p.suffix in (".csv", ".json"))


def check(error: fs.FortressScoreError, case: Path) -> None:
    expected = (case.parent / f"{case.name}.expect").read_text(encoding="utf-8").splitlines()
    problems = [str(p) for p in error.problems]
    assert len(problems) == len(expected), "\n".join(problems)
    for pattern in expected:
        assert sum(bool(re.search(pattern, p)) for p in problems) == 1, (pattern, problems)


@pytest.mark.parametrize("case", RULE_CASES, ids=[p.name for p in RULE_CASES])
def test_bad_rule_file(case: Path, engine: fs.Engine) -> None:
    with pytest.raises(fs.RuleFileError) as info:
        engine.load_rules(case)
    check(info.value, case)
    assert all(p.file == str(case) for p in info.value.problems)


@pytest.mark.parametrize("case", DATA_CASES, ids=[p.name for p in DATA_CASES])
def test_bad_data_set(case: Path, engine: fs.Engine) -> None:
    rules = engine.load_rules(CORPUS / "data" / "rules.yaml")
    with pytest.raises(fs.DataError) as info:
        engine.score(rules, read_data(str(case)))
    check(info.value, case)


def test_corpus_covers_every_format_and_case() -> None:
    assert {p.suffix for p in RULE_CASES} == {".yaml", ".toml", ".json"}
    assert len(RULE_CASES) >= 15 and len(DATA_CASES) >= 14
    assert {p.suffix for p in DATA_CASES} == {".csv", ".json"}
