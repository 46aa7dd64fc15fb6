"""A result as a pandas or polars DataFrame: one row a record, flat columns."""

from __future__ import annotations

import importlib
from typing import Any

from ..analysis.records import fired_vetoes, flat_columns
from ..scoring.result import Result

__all__ = ["to_pandas", "to_polars"]


def to_pandas(result: Result) -> Any:
    """A pandas DataFrame, columns as :func:`~fortress_score.analysis.records.to_columns`
    with one ``vetoes`` list column (needs pandas)."""
    pd = _optional("pandas", "to_pandas")
    frame = pd.DataFrame(flat_columns(result))
    frame.insert(6, "vetoes", fired_vetoes(result))
    return frame


def to_polars(result: Result) -> Any:
    """A polars DataFrame, columns as :func:`to_pandas` (needs polars)."""
    pl = _optional("polars", "to_polars")
    frame = pl.DataFrame({k: (v.tolist() if v.dtype.kind == "O" else v)
                          for k, v in flat_columns(result).items()}, nan_to_null=True)
    return frame.insert_column(6, pl.Series("vetoes", fired_vetoes(result),
                                            dtype=pl.List(pl.String)))


def _optional(module: str, method: str) -> Any:
    """Import an optional dependency, or say which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"Scorecard.{method} needs {module}: pip install 'fortress-score[{module}]'") from exc
