"""Pictures of a Scorecard (the import path the README gives); see
:mod:`fortress_score.present.plots`."""

from __future__ import annotations

from .present.plots import (
    NO_STAR_LABEL,
    STAR_COLOURS,
    CJKFontWarning,
    find_cjk_font,
    heatmap,
    leaderboard_bars,
    radar,
    rank_intervals,
    sensitivity_bars,
)

__all__ = [
    "NO_STAR_LABEL",
    "STAR_COLOURS",
    "CJKFontWarning",
    "find_cjk_font",
    "heatmap",
    "leaderboard_bars",
    "radar",
    "rank_intervals",
    "sensitivity_bars",
]
