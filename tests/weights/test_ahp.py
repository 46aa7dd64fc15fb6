"""The analytic hierarchy process: Saaty's published examples, laws, and refusals."""

from __future__ import annotations

import dataclasses
import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fortress_score.errors import FortressScoreError
from fortress_score.weights import RANDOM_INDEX, AHPResult, ahp, triad_inconsistency

# T. L. Saaty, "How to make a decision: The Analytic Hierarchy Process", European Journal of
# Operational Research 48 (1990) 9–26: the house-buying example. The eight criteria of the
# family's house, compared pairwise: (1) size of house, (2) transportation, (3)
# neighbourhood, (4) age of house, (5) yard space, (6) modern facilities, (7) general
# condition, (8) financing. Published: priority vector .173 .054 .188 .018 .031 .036 .167
# .333, λmax = 9.669, C.I. = 0.238, C.R. = 0.169 (RI(8) = 1.41).
HOUSE_CRITERIA = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_WEIGHTS = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]

# The same paper, the three houses A, B, C compared on "size of house": published
# eigenvector .754 .181 .065, λmax = 3.136, C.I. = 0.068, C.R. = 0.117 (RI(3) = 0.58).
HOUSE_SIZE = [[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]]


# T. L. Saaty, "Decision making with the analytic hierarchy process", International Journal
# of Services Sciences 1(1) (2008) 83–98, the drinks example: which drink is consumed more
# in the U.S.? Published: derived scale coffee .177, wine .019, tea .042, beer .116, sodas
# .190, milk .129, water .327; C.R. .022 (RI(7) = 1.32). (The AHPy project's test suite
# reproduces the same figures from the same judgements.)
DRINKS = [
    [1, 9, 5, 2, 1, 1, 1 / 2],  # coffee
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],  # wine
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],  # tea
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],  # beer
    [1, 9, 4, 2, 1, 2, 1 / 2],  # sodas
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],  # milk
    [2, 9, 9, 3, 2, 3, 1],  # water
]


def consistent(w: list[float] | np.ndarray) -> np.ndarray:
    """The consistent matrix a_ij = w_i / w_j."""
    v = np.asarray(w, dtype=float)
    return v[:, None] / v[None, :]


def paths(error: pytest.ExceptionInfo[FortressScoreError]) -> list[str | None]:
    return [problem.path for problem in error.value.problems]


# --- published and hand-worked examples -------------------------------------------------

def test_a_consistent_matrix_gives_back_its_weights_exactly() -> None:
    w = [0.4, 0.3, 0.2, 0.1]
    result = ahp(consistent(w))
    assert result.weights == pytest.approx(w, rel=1e-12)
    assert result.lambda_max == pytest.approx(4.0, rel=1e-12)
    assert result.consistency_index == pytest.approx(0.0, abs=1e-12)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)
    assert result.random_index == 0.90
    worst = result.worst_triad()
    assert worst is not None and worst[3] == pytest.approx(0.0, abs=1e-12)


def test_saaty_1990_house_criteria_to_the_published_precision() -> None:
    result = ahp(HOUSE_CRITERIA)
    assert np.round(result.weights, 3).tolist() == HOUSE_WEIGHTS
    assert round(result.lambda_max, 3) == 9.669
    assert round(result.consistency_index, 3) == 0.238
    assert round(result.consistency_ratio, 3) == 0.169
    assert result.random_index == 1.41
    assert result.labels == tuple("12345678")
    # Not in the paper: the worst triad is (size, neighbourhood, condition), where the
    # judgement condition-vs-neighbourhood a_73 = 1/6 contradicts a_13 = 3 and a_17 = 1/3.
    worst = result.worst_triad()
    assert worst is not None and worst[:3] == (0, 2, 6)
    # a_13 · a_37 = 3 · 6 = 18 against a_17 = 1/3: 1 − (1/3) / 18 = 53/54
    assert worst[3] == pytest.approx(53 / 54, rel=1e-12)


def test_saaty_2008_drinks_to_the_published_precision() -> None:
    result = ahp(DRINKS, labels=["coffee", "wine", "tea", "beer", "sodas", "milk", "water"])
    assert np.round(result.weights, 3).tolist() == [0.177, 0.019, 0.042, 0.116, 0.190, 0.129,
                                                    0.327]
    assert round(result.consistency_ratio, 3) == 0.022
    assert result.random_index == 1.32


def test_saaty_1990_house_size_comparison_to_the_published_precision() -> None:
    result = ahp(HOUSE_SIZE, labels=["A", "B", "C"])
    assert np.round(result.weights, 3).tolist() == [0.754, 0.181, 0.065]
    assert round(result.lambda_max, 3) == 3.136
    assert round(result.consistency_index, 3) == 0.068
    assert round(result.consistency_ratio, 3) == 0.117
    assert result.labels == ("A", "B", "C")


def test_two_criteria_by_hand() -> None:
    # [[1, 3], [1/3, 1]] is consistent with w = (3/4, 1/4); λmax = 2; CI = CR = 0 by definition
    result = ahp([[1, 3], [Fraction(1, 3), 1]])
    assert result.weights == pytest.approx([0.75, 0.25], rel=1e-12)
    assert result.lambda_max == pytest.approx(2.0, rel=1e-12)
    assert (result.consistency_index, result.consistency_ratio, result.random_index) == (0, 0, 0)
    assert result.worst_triad() is None


def test_one_criterion_weighs_everything() -> None:
    result = ahp([[1]])
    assert result.weights.tolist() == [1.0]
    assert result.consistency_ratio == 0.0 and result.worst_triad() is None


def test_a_3x3_by_hand_with_its_triad() -> None:
    # a_12 · a_23 = 2 · 2 = 4 against a_13 = 8: 1 − 4/8 = 0.5; for a 3×3 matrix
    # λmax = 1 + c + 1/c with c = (a_13 / (a_12 a_23))^(1/3) = 2^(1/3)
    result = ahp([[1, 2, 8], [1 / 2, 1, 2], [1 / 8, 1 / 2, 1]])
    c = 2 ** (1 / 3)
    assert result.lambda_max == pytest.approx(1 + c + 1 / c, rel=1e-12)
    assert result.consistency_index == pytest.approx((c + 1 / c - 2) / 2, rel=1e-9)
    assert result.consistency_ratio == pytest.approx((c + 1 / c - 2) / 2 / 0.58, rel=1e-9)
    assert result.worst_triad() == (0, 1, 2, pytest.approx(0.5, rel=1e-12))


def test_random_index_is_saatys_table_to_15() -> None:
    assert dict(RANDOM_INDEX) == {
        1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
        10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
    }
    with pytest.raises(TypeError):
        RANDOM_INDEX[16] = 1.6  # type: ignore[index]
    result = ahp(consistent(np.arange(1.0, 16.0)))
    assert result.random_index == 1.59 and result.consistency_ratio == pytest.approx(0, abs=1e-9)


def test_the_result_is_frozen() -> None:
    result = ahp(HOUSE_SIZE)
    assert isinstance(result, AHPResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.lambda_max = 3.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        result.weights[0] = 1.0
    with pytest.raises(ValueError):
        result.matrix[0, 0] = 2.0


def test_triad_inconsistency_by_hand() -> None:
    assert triad_inconsistency(2, 3, 6) == 0.0
    assert triad_inconsistency(2, 3, 3) == pytest.approx(0.5)  # min(|1 − 1/2|, |1 − 2|)
    assert triad_inconsistency(2, 3, 12) == pytest.approx(0.5)  # min(|1 − 2|, |1 − 1/2|)
    assert triad_inconsistency(1, 9, 1 / 9) == pytest.approx(1 - 1 / 81)


# --- laws ------------------------------------------------------------------------------

SAATY_SCALE = [Fraction(1, k) for k in range(9, 1, -1)] + [Fraction(k) for k in range(1, 10)]


@st.composite
def reciprocal_matrices(draw: st.DrawFn, sizes: st.SearchStrategy[int] = st.integers(1, 9),
                        judgements: st.SearchStrategy[float] | None = None) -> np.ndarray:
    n = draw(sizes)
    values = judgements or st.one_of(
        st.sampled_from(SAATY_SCALE).map(float),
        st.floats(1 / 9, 9, allow_nan=False, allow_infinity=False),
    )
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = draw(values)
            a[j, i] = 1 / a[i, j]
    return a


@settings(max_examples=200, deadline=None)
@given(reciprocal_matrices())
def test_weights_are_positive_and_sum_to_one_and_lambda_max_is_at_least_n(a: np.ndarray) -> None:
    n = a.shape[0]
    result = ahp(a)
    assert np.all(result.weights > 0)
    assert result.weights.sum() == pytest.approx(1.0, rel=1e-12)
    assert result.lambda_max >= n - 1e-9
    assert result.consistency_index >= -1e-9
    # the eigen-equation holds: A w = λmax w
    assert a @ result.weights == pytest.approx(result.lambda_max * result.weights, rel=1e-8)
    if n >= 3:
        assert result.consistency_ratio == pytest.approx(
            (result.lambda_max - n) / (n - 1) / RANDOM_INDEX[n], abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(reciprocal_matrices(sizes=st.integers(2, 9)), st.randoms(use_true_random=False))
def test_permuting_rows_and_columns_permutes_the_weights(a: np.ndarray,
                                                        rnd: random.Random) -> None:
    n = a.shape[0]
    order = list(range(n))
    rnd.shuffle(order)
    result = ahp(a)
    permuted = ahp(a[np.ix_(order, order)])
    assert permuted.weights == pytest.approx(result.weights[order], rel=1e-9, abs=1e-12)
    assert permuted.lambda_max == pytest.approx(result.lambda_max, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.01, 100), min_size=1, max_size=15))
def test_a_consistent_matrix_from_random_weights_recovers_them(raw: list[float]) -> None:
    w = np.array(raw) / sum(raw)
    result = ahp(consistent(w))
    assert result.weights == pytest.approx(w, rel=1e-9)
    assert result.lambda_max == pytest.approx(len(raw), rel=1e-9)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.1, 10), min_size=3, max_size=7),
    st.data(),
    st.floats(1.5, 9),
    st.booleans(),
)
def test_perturbing_one_judgement_makes_worst_triad_name_it(
    raw: list[float], data: st.DataObject, factor: float, up: bool
) -> None:
    n = len(raw)
    a = consistent(raw)
    i, k = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2,
                                     unique=True)))
    change = factor if up else 1 / factor
    a[i, k] *= change
    a[k, i] = 1 / a[i, k]
    worst = ahp(a).worst_triad()
    assert worst is not None
    wi, wj, wk, inconsistency = worst
    assert wi < wj < wk and {i, k} <= {wi, wj, wk}
    assert inconsistency == pytest.approx(1 - 1 / factor, rel=1e-9)
    if n == 3:
        assert (wi, wj, wk) == (0, 1, 2)


@given(st.floats(1 / 9, 9), st.floats(1 / 9, 9), st.floats(1 / 9, 9))
def test_triad_inconsistency_laws(a_ij: float, a_jk: float, a_ik: float) -> None:
    value = triad_inconsistency(a_ij, a_jk, a_ik)
    assert 0 <= value < 1
    # the same triad read backwards (all reciprocals) is as inconsistent
    assert triad_inconsistency(1 / a_ij, 1 / a_jk, 1 / a_ik) == pytest.approx(value, abs=1e-12)
    assert triad_inconsistency(a_ij, a_jk, a_ij * a_jk) == pytest.approx(0.0, abs=1e-12)
    r = a_ik / (a_ij * a_jk)
    assert value == pytest.approx(1 - min(r, 1 / r), abs=1e-12)


def test_worst_triad_takes_the_first_of_equals() -> None:
    # 4 × 4 consistent but for a_02: triads (0,1,2) and (0,2,3) are equally off
    a = consistent([1, 1, 1, 1])
    a[0, 2], a[2, 0] = 2, 0.5
    assert ahp(a).worst_triad() == (0, 1, 2, pytest.approx(0.5))


# --- refusals ----------------------------------------------------------------------------

def test_every_bad_cell_is_named_at_once() -> None:
    nan = float("nan")
    bad = [
        [1, 2, nan, 4],
        [0.5, 2, -1, 1],
        [3, 1, 1, math.inf],
        [0.25, 1, 0, 1],
    ]
    with pytest.raises(FortressScoreError) as error:
        ahp(bad)
    # every other pair is reciprocal (2 and 0.5, 4 and 0.25, 1 and 1); a pair with a bad
    # cell is not also reported as not reciprocal
    assert paths(error) == [
        "matrix[0][2]",  # nan
        "matrix[1][1]",  # a diagonal of 2
        "matrix[1][2]",  # -1
        "matrix[2][3]",  # inf
        "matrix[3][2]",  # 0
    ]
    message = str(error.value)
    assert "5 problems" in message
    assert "matrix[0][2]: must be a finite number, found nan" in message
    assert "matrix[1][1]: the diagonal must be 1" in message and "found 2" in message
    assert "matrix[1][2]: judgements must be positive, found -1" in message
    assert "matrix[2][3]: must be a finite number, found inf" in message
    assert "matrix[3][2]: judgements must be positive, found 0" in message


def test_a_pair_that_is_not_reciprocal_is_named_once_with_both_values() -> None:
    a = [[1, 3, 5], [1 / 3, 1, 2], [0.2001, 0.4, 1]]
    with pytest.raises(FortressScoreError) as error:
        ahp(a, labels=["atmosphere", "reputation", "dues"])
    assert paths(error) == [
        "matrix[atmosphere][dues] and matrix[dues][atmosphere]",
        "matrix[reputation][dues] and matrix[dues][reputation]",
    ]
    message = str(error.value)
    assert ("matrix[atmosphere][dues] is 5, so matrix[dues][atmosphere] must be 1/5 = 0.2, "
            "found 0.2001") in message
    assert "must be 1/2 = 0.5, found 0.4" in message


def test_reciprocals_pass_within_the_relative_tolerance_only() -> None:
    ahp([[1, 3], [0.3333333333333, 1]])  # 1e-13 off: accepted
    with pytest.raises(FortressScoreError, match=r"matrix\[0\]\[1\] and matrix\[1\]\[0\]"):
        ahp([[1, 3], [0.33333333, 1]])  # 1e-8 off: refused


def test_labels_name_the_cells_of_every_kind_of_problem() -> None:
    with pytest.raises(FortressScoreError) as error:
        ahp([[1, -2], [0.5, 1.5]], labels=["turnout", "dues"])
    assert paths(error) == ["matrix[turnout][dues]", "matrix[dues][dues]"]


@pytest.mark.parametrize(
    ("matrix", "labels", "expected"),
    [
        ([], None, ["matrix"]),
        ([[]], None, ["matrix"]),
        ([1, 2, 3], None, ["matrix"]),
        ([[1, 2, 3], [0.5, 1, 1]], None, ["matrix"]),
        ([[1, 2], [0.5]], None, ["matrix[1]"]),
        ([[1, 2, 3], [0.5, 1], [1]], None, ["matrix[1]", "matrix[2]"]),
        ([[1, "x"], ["y", 1]], None, ["matrix[0][1]", "matrix[1][0]"]),
        ([[1 + 1j, 1], [1, 1]], None, ["matrix"]),
        ([[1, 2], [0.5, 1]], ["a"], ["labels"]),
        ([[1, 2, 1], [0.5, 1, 1], [1, 1, 1]], ["a", "b", "a"], ["labels[2]"]),
        ([[1, 2], [0.5, 1]], ["a", 2], ["labels[1]"]),
    ],
)
def test_malformed_input_is_refused_with_its_place(
    matrix: object, labels: list[object] | None, expected: list[str]
) -> None:
    with pytest.raises(FortressScoreError) as error:
        ahp(matrix, labels=labels)  # type: ignore[arg-type]
    assert paths(error) == expected


def test_more_than_fifteen_criteria_is_refused_with_the_reason() -> None:
    with pytest.raises(FortressScoreError, match="published only up to n = 15"):
        ahp(consistent(np.arange(1.0, 17.0)))


def test_triad_inconsistency_refuses_each_bad_judgement() -> None:
    with pytest.raises(FortressScoreError) as error:
        triad_inconsistency(0, -1, float("nan"))
    assert paths(error) == ["a_ij", "a_jk", "a_ik"]


def test_judgements_beyond_float64_are_refused_not_garbled() -> None:
    big = 1e300
    with pytest.raises(FortressScoreError, match="too many orders of magnitude"):
        ahp([[1, big, big], [1 / big, 1, big], [1 / big, 1 / big, 1]])
    # a triad whose product overflows is as inconsistent as a triad can be: 1
    result = ahp([[1, 1e200, 1e-200], [1e-200, 1, 1e200], [1e200, 1e-200, 1]])
    assert result.worst_triad() == (0, 1, 2, 1.0)
