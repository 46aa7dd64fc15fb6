"""Group kernels (the import path the README gave plug-in authors); see
:mod:`fortress_score.scoring.groupwise`, also exported as ``fs.competition_rank`` etc."""

from __future__ import annotations

from .scoring.groupwise import competition_rank, group_count, group_min_max

__all__ = ["competition_rank", "group_count", "group_min_max"]
