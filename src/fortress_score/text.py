"""Figures as text: stars, numbers, and rich renderables as plain strings.

Shared by every view (explanations, boards, notebook HTML) so a figure reads the same
wherever it is shown; rich aligns Chinese text in terminal tables.
"""

from __future__ import annotations

import html
import io
from typing import Any

from rich.console import Console

__all__ = ["cell", "figure", "render", "star_text"]


def star_text(stars: int) -> str:
    """``★★★`` for three stars, ``-`` for none."""
    return "★" * stars if stars else "-"


def figure(value: float | None) -> str:
    """A reported figure as written (``91.5``, ``100``); empty for no figure."""
    return "" if value is None else f"{value:g}"


def render(renderable: Any, width: int = 160) -> str:
    """A rich renderable as plain text (no colour codes)."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(renderable)
    return buffer.getvalue()


def cell(value: Any) -> str:
    """A value as escaped HTML text; None as empty."""
    return html.escape("" if value is None else str(value))
