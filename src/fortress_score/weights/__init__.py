"""Criteria weights: subjective from pairwise judgements (AHP), objective from the data.

Every method returns n weights, one a criterion, each ≥ 0 and summing to 1.

- :func:`ahp` — the analytic hierarchy process (层次分析法). From an n × n positive
  reciprocal matrix of judgements ``a_ij`` (how many times criterion i outweighs j,
  ``a_ji = 1 / a_ij``), the weights are the principal right eigenvector scaled to sum to 1;
  with its eigenvalue λmax, the consistency index CI = (λmax − n) / (n − 1) and the
  consistency ratio CR = CI / RI(n), RI Saaty's random index (:data:`RANDOM_INDEX`,
  n ≤ 15); both 0 for n ≤ 2. :meth:`AHPResult.worst_triad` names the triad i < j < k with
  the largest Koczkodaj inconsistency :func:`triad_inconsistency`
  ``min(|1 − a_ik / (a_ij a_jk)|, |1 − a_ij a_jk / a_ik|)``.
- :func:`entropy` — the entropy weight method (熵权法). Columns of the m × n data min-max
  normalised (cost columns reversed) or, with ``normalise="sum"``, taken as they are;
  ``p_ij = x_ij / Σ_i x_ij``, ``e_j = −Σ_i p_ij ln p_ij / ln m`` (0 ln 0 = 0),
  ``w_j = (1 − e_j) / Σ_k (1 − e_k)``.
- :func:`critic` — CRITIC. Columns min-max normalised (cost columns reversed); σ_j their
  standard deviations (ddof = 1), r their Pearson correlations;
  ``C_j = σ_j Σ_k (1 − r_jk)``, ``w_j = C_j / Σ_k C_k``.

Problems are refused with :class:`fortress_score.errors.FortressScoreError`, naming every
bad cell at once (``matrix[1][2]`` 0-based, ``matrix[atmosphere][reputation]`` with labels,
``X[3][0]``). In the objective methods a constant column weighs exactly 0, and data with
fewer than 2 rows or only constant columns are refused; CRITIC takes the undefined
correlations of a constant column as 0, and gives columns that never conflict (all
perfectly positively correlated) equal shares. Each function states its degenerate cases.
"""

from __future__ import annotations

from .ahp import RANDOM_INDEX, AHPResult, ahp, triad_inconsistency
from .objective import critic, entropy

__all__ = ["RANDOM_INDEX", "AHPResult", "ahp", "critic", "entropy", "triad_inconsistency"]
