"""`minmax`: position between the worst and the best of the peers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fortress_score import Context, Evaluator, FloatArray, group_min_max, hookimpl
from fortress_score.evaluators.rank import PeerParams
from fortress_score.plugins.formulas import Cells, empty_if_any


class MinMax(Evaluator[PeerParams]):
    """(x - min) / (max - min) among peers (reversed when lower is better); 1 when all equal."""

    name = "minmax"
    Params = PeerParams
    population = True

    def evaluate(
        self, columns: Mapping[str, FloatArray], params: PeerParams, context: Context
    ) -> FloatArray:
        values = columns[params.input]
        low, high = group_min_max(values, context.groups, context.n_groups)
        spread = high - low
        with np.errstate(divide="ignore", invalid="ignore"):
            if params.higher_is_better:
                result = (values - low) / spread
            else:
                result = (high - values) / spread
        result[spread == 0] = 1.0
        result[np.isnan(values)] = np.nan
        return result


    def formula(self, params: PeerParams, cells: Cells) -> str:
        x, whole = cells.row[params.input], cells.whole[params.input]
        low = f"_xlfn.MINIFS({whole},{cells.peer_codes},{cells.peer_code})"
        high = f"_xlfn.MAXIFS({whole},{cells.peer_codes},{cells.peer_code})"
        share = f"({x}-{low})" if params.higher_is_better else f"({high}-{x})"
        return empty_if_any([x], f"IF({high}-{low}=0,1,{share}/({high}-{low}))")


@hookimpl
def fortress_score_evaluators() -> list[Evaluator[Any]]:
    return [MinMax()]
