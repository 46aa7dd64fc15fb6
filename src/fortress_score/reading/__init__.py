"""Reading: data files and frames into checked, read-only columns for the engine."""

from __future__ import annotations

from .files import read_data
from .frames import Table, read_table

__all__ = ["Table", "read_data", "read_table"]
