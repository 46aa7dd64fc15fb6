"""The errors fortress_score raises on purpose: each says where, what was expected, what was found.

Every error carries a list of :class:`Problem` so that all problems of one rule file or one
data set are reported together; the message is built once from them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "DataError",
    "FortressScoreError",
    "MissingExtraError",
    "PeriodError",
    "PluginError",
    "Problem",
    "RuleFileError",
    "did_you_mean",
    "shorten",
    "shown",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with its place.

    Attributes:
        message: what was expected and what was found, without the place.
        file: the rule or data file, where there is one.
        line: 1-based line in ``file``, where known.
        col: 1-based column of that line, where known.
        path: rule path such as ``dimensions[0].indicators[2].evaluate.floor``.
        column: data column.
        rows: a few offending rows, already described (``row 3 (branch=A, month=2024-01)``).
        cell: a spreadsheet cell, with its sheet (``Sheet1!D7``), where the data came from one.
    """

    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    path: str | None = None
    column: str | None = None
    rows: tuple[str, ...] = field(default_factory=tuple)
    cell: str | None = None

    def __str__(self) -> str:
        place = []
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}" + (f":{self.col}" if self.col is not None else "")
            place.append(where)
        if self.cell is not None:
            place.append(f"cell {self.cell}")
        if self.path:
            place.append(self.path)
        if self.column is not None:
            place.append(f"column {shown(self.column)}")
        head = ": ".join(place)
        text = f"{head}: {self.message}" if head else self.message
        if self.rows:
            text += f" (rows: {', '.join(self.rows)})"
        return text


class FortressScoreError(Exception):
    """Base of every error fortress_score raises on purpose.

    Attributes:
        problems: every problem found, in the order found (rule files: by line).
    """

    def __init__(self, problems: str | Problem | Sequence[Problem]) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)

    # The first problem's place, for callers that handle one problem at a time.
    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    @property
    def line(self) -> int | None:
        return self.problems[0].line if self.problems else None

    @property
    def path(self) -> str | None:
        return self.problems[0].path if self.problems else None

    @property
    def column(self) -> str | None:
        return self.problems[0].column if self.problems else None

    @property
    def cell(self) -> str | None:
        return self.problems[0].cell if self.problems else None

    @property
    def rows(self) -> tuple[str, ...]:
        return self.problems[0].rows if self.problems else ()


class MissingExtraError(FortressScoreError):
    """An optional library a step needs is not installed; the message says what to install."""


class RuleFileError(FortressScoreError, ValueError):
    """A rule file (or rule mapping) that cannot be read or does not validate."""


class DataError(FortressScoreError, ValueError):
    """Input data that does not fit the rule set: missing columns, bad values, duplicates."""


class PeriodError(DataError):
    """A period that is not in the data, or period values that cannot be read as periods."""


class PluginError(FortressScoreError, TypeError):
    """An evaluator plug-in that is badly declared, clashes with another, or misbehaves.

    Attributes:
        evaluator: the evaluator's name, where known.
        source: where it came from (module, package or object).
    """

    def __init__(
        self,
        problems: str | Problem | Sequence[Problem],
        *,
        evaluator: str | None = None,
        source: str | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.source = source
        super().__init__(problems)


SHOWN_CHARACTERS = 60
"""How much of a value a message echoes: a 1.5 MB cell must not become a 1.5 MB message."""


def shorten(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """``text`` as a message shows it: whole when short, else its start and its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def shown(value: object) -> str:
    """``repr(value)`` as a message shows it: text cut to its start and its length."""
    if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
        return f"{value[:SHOWN_CHARACTERS]!r}… ({len(value):,} characters)"
    return shorten(repr(value))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix for a near miss, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
