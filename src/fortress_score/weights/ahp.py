"""The analytic hierarchy process (层次分析法): weights from a pairwise comparison matrix.

A judge compares the n criteria two by two on Saaty's 1–9 scale: ``a_ij`` says how many
times more important criterion i is than criterion j, and ``a_ji = 1 / a_ij``. The weights
are the principal right eigenvector of that matrix, scaled to sum to 1; its eigenvalue
λmax measures how far the judgements are from consistent (λmax = n exactly when every
``a_ik = a_ij · a_jk``).

- consistency index CI = (λmax − n) / (n − 1), 0 for n ≤ 2;
- consistency ratio CR = CI / RI(n), 0 for n ≤ 2, with RI Saaty's random index
  (:data:`RANDOM_INDEX`); judgements are usually accepted when CR ≤ 0.1;
- Koczkodaj's triad inconsistency (:func:`triad_inconsistency`) points at the three
  judgements that disagree most (:meth:`AHPResult.worst_triad`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from ..errors import FortressScoreError, Problem, shown

__all__ = [
    "MAX_CRITERIA",
    "RANDOM_INDEX",
    "RECIPROCAL_TOLERANCE",
    "AHPResult",
    "ahp",
    "principal_eigenvectors",
    "triad_inconsistency",
]

FloatArray = npt.NDArray[np.float64]

RANDOM_INDEX: Mapping[int, float] = MappingProxyType({
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
    11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
})
"""Saaty's random consistency index RI(n): the mean consistency index of random reciprocal
matrices of order n on the 1–9 scale.

Source: T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980, the table as
it is commonly reproduced: 0.58 … 1.49 for n = 3…10 and the extended values 1.51, 1.48,
1.56, 1.57, 1.59 for n = 11…15. The dip at n = 12 is in that table and is kept as
published, since the 0.1 threshold on CR is meant against it. Other tables exist (such
as 1.52, 1.54, 1.56, 1.58, 1.59 for n = 11…15, found in Chinese teaching material, or
the four-decimal simulations of later authors); they differ mainly above n = 10."""

MAX_CRITERIA = max(RANDOM_INDEX)
"""The largest matrix :func:`ahp` accepts: the random index is published up to n = 15."""

RECIPROCAL_TOLERANCE = 1e-9
"""Relative tolerance for ``a_ji = 1 / a_ij`` and for a diagonal of 1 (so 0.333333333333
for 1/3 passes, 0.333 does not)."""


def _number(value: float) -> str:
    """A value as messages show it: up to 10 significant digits."""
    return f"{value:.10g}"


def _koczkodaj(a_ij: FloatArray, a_jk: FloatArray, a_ik: FloatArray) -> FloatArray:
    """Koczkodaj's inconsistency of triads, elementwise (broadcasting).

    The ratio ``r = a_ik / (a_ij · a_jk)`` is taken as it is, so an exactly consistent triad
    gives exactly 0. Judgements so extreme that the product overflows (or underflows) give
    r = 0 or ∞ and an inconsistency of 1, which is the limit of the true value.
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        ratio = a_ik / (a_ij * a_jk)
        return np.asarray(np.minimum(np.abs(1.0 - ratio), np.abs(1.0 - 1.0 / ratio)),
                          dtype=np.float64)


def triad_inconsistency(a_ij: float, a_jk: float, a_ik: float) -> float:
    """Koczkodaj's inconsistency of the triad of judgements ``a_ij``, ``a_jk``, ``a_ik``.

    ``min(|1 − a_ik / (a_ij · a_jk)|, |1 − a_ij · a_jk / a_ik|)``: 0 when the triad is
    consistent (``a_ik = a_ij · a_jk``), approaching 1 as the judgements diverge. It equals
    ``1 − min(r, 1/r)`` with ``r = a_ik / (a_ij · a_jk)``, so it is symmetric in the
    direction of the error.

    Args:
        a_ij: how many times i outweighs j.
        a_jk: how many times j outweighs k.
        a_ik: how many times i outweighs k, as judged directly.

    Returns:
        The inconsistency, in [0, 1).

    Raises:
        FortressScoreError: a judgement that is not a finite positive number (each named).

    >>> triad_inconsistency(2, 3, 6)
    0.0
    >>> triad_inconsistency(2, 3, 3)
    0.5
    """
    given = {"a_ij": a_ij, "a_jk": a_jk, "a_ik": a_ik}
    problems = []
    for name, value in given.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(Problem(f"must be a positive number, found {value!r}", path=name))
            continue
        if not (np.isfinite(number) and number > 0):
            problems.append(Problem(f"must be a finite positive number, found {_number(number)}",
                                    path=name))
    if problems:
        raise FortressScoreError(problems)
    judgements = np.array([float(a_ij), float(a_jk), float(a_ik)])
    return float(_koczkodaj(judgements[:1], judgements[1:2], judgements[2:])[0])


@dataclass(frozen=True, eq=False)
class AHPResult:
    """The weights a pairwise comparison matrix gives, and how consistent it is.

    Attributes:
        weights: the principal right eigenvector, scaled to sum to 1; all positive (float64,
            read-only).
        lambda_max: the principal eigenvalue λmax (≥ n; n when the judgements are consistent,
            up to rounding).
        consistency_index: CI = (λmax − n) / (n − 1); 0 for n ≤ 2.
        consistency_ratio: CR = CI / RI(n); 0 for n ≤ 2. Usually accepted when ≤ 0.1.
        random_index: RI(n) from :data:`RANDOM_INDEX`.
        labels: one a criterion: the labels given, else ``"1"`` … ``"n"``.
        matrix: the judgements as a float64 array (read-only).
    """

    weights: FloatArray
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    random_index: float
    labels: tuple[str, ...]
    matrix: FloatArray

    def worst_triad(self) -> tuple[int, int, int, float] | None:
        """The most inconsistent triad of judgements, to show the judge what to revisit.

        Over all indices i < j < k, the triad (``a_ij``, ``a_jk``, ``a_ik``) with the largest
        :func:`triad_inconsistency`; on a tie, the first in (i, j, k) order.

        Returns:
            ``(i, j, k, inconsistency)`` with 0-based indices into :attr:`labels`, or None
            when n < 3 (there is no triad).

        >>> ahp([[1, 2, 8], [1/2, 1, 2], [1/8, 1/2, 1]]).worst_triad()
        (0, 1, 2, 0.5)
        """
        n = self.matrix.shape[0]
        if n < 3:
            return None
        a = self.matrix
        # every (i, j, k) at once: [i, j, k] holds a_ij, a_jk and a_ik
        every = _koczkodaj(a[:, :, np.newaxis], a[np.newaxis, :, :], a[:, np.newaxis, :])
        i, j, k = np.indices(every.shape)
        inconsistency = np.where((i < j) & (j < k), every, -1.0)
        worst = np.unravel_index(int(np.argmax(inconsistency)), inconsistency.shape)
        wi, wj, wk = (int(index) for index in worst)
        return wi, wj, wk, float(inconsistency[wi, wj, wk])


def principal_eigenvectors(matrices: FloatArray) -> tuple[FloatArray, FloatArray]:
    """For a stack of m × n × n matrices: each one's principal right eigenvector (the
    eigenvalue of largest real part, real parts taken) scaled to sum to 1, (m, n), and that
    eigenvalue's real part, (m,). One batched ``numpy.linalg.eig``, no loop a matrix."""
    values, vectors = np.linalg.eig(matrices)
    principal = np.argmax(values.real, axis=-1)
    lambda_max = np.take_along_axis(values.real, principal[:, None], axis=-1)[:, 0]
    vector = np.take_along_axis(vectors.real, principal[:, None, None], axis=-1)[..., 0]
    weights = vector / vector.sum(axis=-1, keepdims=True)
    return np.asarray(weights, dtype=np.float64), np.asarray(lambda_max, dtype=np.float64)


def ahp(matrix: npt.ArrayLike, labels: Sequence[str] | None = None) -> AHPResult:
    """Weights of n criteria from a positive reciprocal pairwise comparison matrix (层次分析法).

    ``matrix[i][j]`` is how many times criterion i outweighs criterion j — Saaty's 1–9 scale
    (1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme, their reciprocals the other
    way round), though any positive reals are accepted. The weights are the principal right
    eigenvector (``numpy.linalg.eig``, the eigenvalue of largest real part, real parts
    taken), scaled to sum to 1; for a consistent matrix (``a_ij = w_i / w_j``) they are
    exactly ``w`` and λmax = n.

    Args:
        matrix: n × n, nested lists or an array, 1 ≤ n ≤ 15 (:data:`MAX_CRITERIA`).
        labels: a name a criterion, used in :attr:`AHPResult.labels` and in messages.

    Returns:
        The weights, λmax, CI, CR and RI (:class:`AHPResult`).

    Raises:
        FortressScoreError: naming every problem at once, each with its place —
            ``matrix[1][2]`` (0-based) or, with labels, ``matrix[atmosphere][reputation]``:
            a matrix that is not square, empty or larger than 15 × 15; labels of the wrong
            number or repeated; cells that are not finite, not positive, a diagonal that is
            not 1, and pairs that are not reciprocal (``a_ji`` must be ``1 / a_ij`` within a
            relative :data:`RECIPROCAL_TOLERANCE`; each pair named once, with both values).

    >>> result = ahp([[1, 3], [1/3, 1]], labels=["turnout", "dues"])
    >>> result.weights.round(6).tolist(), result.consistency_ratio
    ([0.75, 0.25], 0.0)
    """
    a, names = _judgements(matrix, labels)
    n = a.shape[0]
    stacked_weights, stacked_lambda = principal_eigenvectors(a[None])
    weights, lambda_max = stacked_weights[0], float(stacked_lambda[0])
    if not (np.all(np.isfinite(weights)) and np.all(weights > 0)):
        raise FortressScoreError(Problem(
            "the principal eigenvector could not be computed with all weights positive: the "
            "judgements span too many orders of magnitude for float64", path="matrix"))
    random_index = RANDOM_INDEX[n]
    consistency_index = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    consistency_ratio = consistency_index / random_index if n > 2 else 0.0
    weights.setflags(write=False)
    a.setflags(write=False)
    return AHPResult(
        weights=weights,
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        consistency_ratio=consistency_ratio,
        random_index=random_index,
        labels=tuple(names) if names is not None else tuple(str(i + 1) for i in range(n)),
        matrix=a,
    )


def _as_float_array(value: npt.ArrayLike, name: str, *, square: bool) -> FloatArray:
    """``value`` as a float64 array, or a refusal naming ragged rows or non-numeric cells."""
    try:
        raw = np.asarray(value)
    except ValueError:
        raw = None
    if raw is None:  # numpy refuses ragged nested lists: say which rows
        rows = list(value) if isinstance(value, Sequence) else []
        expected = len(rows) if square else (len(rows[0]) if rows and isinstance(rows[0], Sized)
                                             else 0)
        problems = [
            Problem(f"has {_entries(row)}, expected {expected}", path=f"{name}[{r}]")
            for r, row in enumerate(rows)
            if not isinstance(row, Sized) or isinstance(row, str) or len(row) != expected
        ]
        raise FortressScoreError(problems or Problem("rows of different lengths", path=name))
    if raw.dtype.kind in "biuf":
        return np.array(raw, dtype=np.float64)
    if raw.dtype.kind == "O":  # Fractions, Decimals…
        try:
            return np.array(raw, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    if raw.dtype.kind in "OUS":  # the refusal only: name each cell that is not a number
        problems = []
        for place, cell in np.ndenumerate(raw):
            try:
                float(cell)
            except (TypeError, ValueError):
                where = "".join(f"[{p}]" for p in place)
                problems.append(Problem(f"must be a number, found {shown(_plain(cell))}",
                                        path=name + where))
        raise FortressScoreError(problems or Problem("cells are text: give numbers", path=name))
    raise FortressScoreError(Problem(
        f"cells must be real numbers, found an array of {raw.dtype}", path=name))


def _plain(cell: object) -> object:
    """A numpy scalar as the Python value it holds, for messages."""
    return cell.item() if isinstance(cell, np.generic) else cell


def _entries(row: object) -> str:
    count = len(row) if isinstance(row, Sized) and not isinstance(row, str) else 1
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def _judgements(
    matrix: npt.ArrayLike, labels: Sequence[str] | None
) -> tuple[FloatArray, list[str] | None]:
    """The validated float64 matrix and labels, or a refusal naming every problem."""
    a = _as_float_array(matrix, "matrix", square=True)
    if a.size == 0:
        raise FortressScoreError(Problem("is empty: there is nothing to weigh", path="matrix"))
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise FortressScoreError(Problem(
            f"must be a square n × n matrix, found shape {a.shape}", path="matrix"))
    n = a.shape[0]
    problems: list[Problem] = []
    if n > MAX_CRITERIA:
        problems.append(Problem(
            f"has {n} criteria: Saaty's random index, and so the consistency ratio, is "
            f"published only up to n = {MAX_CRITERIA}; split the criteria into a hierarchy "
            "of smaller groups", path="matrix"))
    names: list[str] | None = None
    if labels is not None:
        names = list(labels)
        if isinstance(labels, str) or len(names) != n:
            problems.append(Problem(
                f"must give one label per criterion ({n}), found {len(names)}", path="labels"))
        else:
            seen: dict[str, int] = {}
            for position, label in enumerate(names):
                if not isinstance(label, str):
                    problems.append(Problem(f"must be text, found {label!r}",
                                            path=f"labels[{position}]"))
                elif label in seen:
                    problems.append(Problem(
                        f"{label!r} repeats labels[{seen[label]}]: cells would be ambiguous",
                        path=f"labels[{position}]"))
                else:
                    seen[label] = position
    if problems:
        raise FortressScoreError(problems)
    problems_at = _cell_problems(a, names)
    if problems_at:
        raise FortressScoreError([problem for _, problem in sorted(problems_at,
                                                                   key=lambda p: p[0])])
    return a, names


def _cell_problems(
    a: FloatArray, names: list[str] | None
) -> list[tuple[tuple[int, int], Problem]]:
    """Every bad cell or non-reciprocal pair, keyed by its (row, column) for ordering."""
    places = names if names is not None else [str(i) for i in range(a.shape[0])]

    def cell(i: int, j: int) -> str:
        return f"matrix[{places[i]}][{places[j]}]"

    found: list[tuple[tuple[int, int], Problem]] = []
    finite = np.isfinite(a)
    positive = finite & (a > 0)
    for i, j in np.argwhere(~finite).tolist():
        found.append(((i, j), Problem(f"must be a finite number, found {_number(a[i, j])}",
                                      path=cell(i, j))))
    for i, j in np.argwhere(finite & ~positive).tolist():
        found.append(((i, j), Problem(
            f"judgements must be positive, found {_number(a[i, j])}", path=cell(i, j))))
    diagonal = np.diagonal(a)
    off_one = np.diagonal(positive) & ~np.isclose(diagonal, 1.0, rtol=0.0,
                                                  atol=RECIPROCAL_TOLERANCE)
    for (i,) in np.argwhere(off_one).tolist():
        found.append(((i, i), Problem(
            f"the diagonal must be 1 (a criterion against itself), found {_number(a[i, i])}",
            path=cell(i, i))))
    both = np.triu(positive & positive.T, k=1)
    with np.errstate(over="ignore"):  # 1 / 5e-324 is inf: then reported, not warned
        expected = np.divide(1.0, a, out=np.ones_like(a), where=both)
    unpaired = both & ~np.isclose(a.T, expected, rtol=RECIPROCAL_TOLERANCE, atol=0.0)
    for i, j in np.argwhere(unpaired).tolist():
        found.append(((i, j), Problem(
            f"not reciprocal: {cell(i, j)} is {_number(a[i, j])}, so {cell(j, i)} must be "
            f"1/{_number(a[i, j])} = {_number(expected[i, j])}, found {_number(a[j, i])}",
            path=f"{cell(i, j)} and {cell(j, i)}")))
    return found
