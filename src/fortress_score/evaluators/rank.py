"""`rank`: place among peers, 1 for the best and 0 for the last, ties sharing the best place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fortress_score import (
    Column,
    Context,
    Evaluator,
    FloatArray,
    Params,
    competition_rank,
    group_count,
    hookimpl,
)
from fortress_score.plugins.formulas import Cells, empty_if_any


class PeerParams(Params):
    """The input compared among peers, and which way is better (shared with `minmax`)."""

    input: Column
    higher_is_better: bool = True


class Rank(Evaluator[PeerParams]):
    """(n - r) / (n - 1) for competition rank r among the n peers with a value; 1 when alone."""

    name = "rank"
    Params = PeerParams
    population = True

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: PeerParams, context: Context
    ) -> FloatArray:
        values = columns[params.input]
        ranks = competition_rank(values, context.groups, descending=params.higher_is_better)
        peers = group_count(~np.isnan(values), context.groups, context.n_groups).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.where(peers > 1, (peers - ranks) / (peers - 1), 1.0)
        result[np.isnan(values)] = np.nan
        return result


    def formula(self, params: PeerParams, cells: Cells) -> str:
        # SUMPRODUCT compares the numbers themselves: COUNTIFS would compare ">"&x, the
        # number written as text, which may lose digits
        x, whole = cells.row[params.input], cells.whole[params.input]
        peer = f'({cells.peer_codes}={cells.peer_code})*({whole}<>"")'
        better = ">" if params.higher_is_better else "<"
        rank = f"(SUMPRODUCT({peer}*({whole}{better}{x}))+1)"
        peers = f"SUMPRODUCT({peer})"
        return empty_if_any([x], f"IF({peers}>1,({peers}-{rank})/({peers}-1),1)")


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [Rank()]
