"""Entropy (熵权法) and CRITIC weights: hand-worked examples, pymcdm as the reference, laws,
degenerate columns and refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pymcdm.weights import critic_weights, entropy_weights

from fortress_score.errors import FortressScoreError
from fortress_score.weights import critic, entropy


def paths(error: pytest.ExceptionInfo[FortressScoreError]) -> list[str | None]:
    return [problem.path for problem in error.value.problems]


@st.composite
def matrices(draw: st.DrawFn, *, positive: bool = False, min_rows: int = 2) -> np.ndarray:
    """m × n matrices of whole numbers, each column scaled and shifted: exact structure
    (equal, collinear columns) or clearly apart, never apart by rounding noise only."""
    m = draw(st.integers(min_rows, 9))
    n = draw(st.integers(1, 6))
    low = 1 if positive else -50
    cells = draw(st.lists(st.lists(st.integers(low, 50), min_size=n, max_size=n),
                          min_size=m, max_size=m))
    scale = np.array(draw(st.lists(st.sampled_from([0.01, 0.5, 1.0, 3.0, 1000.0]),
                                   min_size=n, max_size=n)))
    shift = 0.0 if positive else np.array(draw(st.lists(st.integers(-100, 100), min_size=n,
                                                        max_size=n)), dtype=float)
    return np.array(cells, dtype=float) * scale + shift


def flags(n: int) -> st.SearchStrategy[list[bool]]:
    return st.lists(st.booleans(), min_size=n, max_size=n)


def non_constant(x: np.ndarray) -> bool:
    return bool(np.all(x.max(axis=0) > x.min(axis=0)))


# --- entropy: hand-worked ----------------------------------------------------------------

def test_entropy_minmax_by_hand() -> None:
    # X = [[1, 10], [2, 30], [4, 20]], column 2 a cost.
    # column 1: x' = (x − 1)/3 = 0, 1/3, 1;  p = 0, 1/4, 3/4
    #   e1 = −(1/4 ln 1/4 + 3/4 ln 3/4) / ln 3 = (ln 4 / 4 + 3/4 ln 4/3) / ln 3 ≈ 0.511860
    # column 2 (cost): x' = (30 − x)/20 = 1, 0, 1/2;  p = 2/3, 0, 1/3
    #   e2 = (2/3 ln 3/2 + 1/3 ln 3) / ln 3 ≈ 0.579380
    # w = (1 − e) / Σ(1 − e) ≈ (0.488140, 0.420620) / 0.908760 ≈ (0.537150, 0.462850)
    ln3 = math.log(3)
    d1 = 1 - (math.log(4) / 4 + 0.75 * math.log(4 / 3)) / ln3
    d2 = 1 - (2 / 3 * math.log(3 / 2) + math.log(3) / 3) / ln3
    weights = entropy([[1, 10], [2, 30], [4, 20]], benefit=[True, False])
    assert weights == pytest.approx([d1 / (d1 + d2), d2 / (d1 + d2)], rel=1e-12)
    assert weights == pytest.approx([0.537150, 0.462850], abs=5e-6)


def test_entropy_sum_by_hand() -> None:
    # X = [[1, 2], [1, 3], [2, 1]], raw values:
    # column 1: p = 1/4, 1/4, 1/2: e1 = (2 · 1/4 ln 4 + 1/2 ln 2) / ln 3 = 1.5 ln 2 / ln 3
    # column 2: p = 1/3, 1/2, 1/6: e2 = (1/3 ln 3 + 1/2 ln 2 + 1/6 ln 6) / ln 3
    # w ≈ (0.053605, 0.079380) / 0.132985 ≈ (0.403092, 0.596908)
    ln3 = math.log(3)
    d1 = 1 - 1.5 * math.log(2) / ln3
    d2 = 1 - (math.log(3) / 3 + math.log(2) / 2 + math.log(6) / 6) / ln3
    weights = entropy([[1, 2], [1, 3], [2, 1]], normalise="sum")
    assert weights == pytest.approx([d1 / (d1 + d2), d2 / (d1 + d2)], rel=1e-12)
    # a cost column under "sum" is 1/x: [1, 1/2, 1/3] sums to 11/6, p = 6/11, 3/11, 2/11
    cost = entropy([[1, 1], [1, 2], [2, 3]], benefit=[True, False], normalise="sum")
    p = np.array([6, 3, 2]) / 11
    d2 = 1 + float(np.sum(p * np.log(p))) / ln3
    assert cost == pytest.approx([d1 / (d1 + d2), d2 / (d1 + d2)], rel=1e-12)


def test_entropy_a_constant_column_weighs_exactly_zero() -> None:
    x = [[1, 7, 3], [2, 7, 1], [5, 7, 2]]
    for weights in (entropy(x, normalise="minmax"), entropy(x, normalise="sum")):
        assert weights[1] == 0.0
        assert weights.sum() == pytest.approx(1.0)
    # an all-zero column is constant too under "sum" (0 / 0 avoided, weight 0)
    assert entropy([[0, 1], [0, 2]], normalise="sum").tolist() == [0.0, 1.0]


def test_entropy_zero_share_adds_nothing() -> None:
    # min-max puts the minimum at 0: 0 · ln 0 = 0. [0, 0, 1] is as uneven as can be: e = 0
    weights = entropy([[0, 1], [0, 2], [1, 3]])
    # column 1: x' = 0, 0, 1: p = 0, 0, 1: e1 = 0, 1 − e1 = 1
    # column 2: x' = 0, 1/2, 1: p = 0, 1/3, 2/3
    p = np.array([1 / 3, 2 / 3])
    e2 = float(-np.sum(p * np.log(p)) / math.log(3))
    assert weights == pytest.approx([1 / (1 + (1 - e2)), (1 - e2) / (1 + (1 - e2))], rel=1e-12)


# --- entropy: reference and laws ---------------------------------------------------------

def reference_entropy(x: np.ndarray, benefit: list[bool], normalise: str) -> np.ndarray:
    """The textbook definition, one column at a time, written out."""
    m, n = x.shape
    divergence = []
    for j in range(n):
        column = x[:, j]
        if column.max() == column.min():
            divergence.append(0.0)
            continue
        if normalise == "minmax":
            span = column.max() - column.min()
            v = (column - column.min()) / span if benefit[j] else (column.max() - column) / span
        else:
            v = column if benefit[j] else 1 / column
        p = v / v.sum()
        e = -sum(pi * math.log(pi) for pi in p if pi > 0) / math.log(m)
        divergence.append(1 - e)
    d = np.array(divergence)
    return d / d.sum()


@settings(max_examples=200, deadline=None)
@given(matrices(positive=True))
def test_entropy_sum_equals_pymcdm_on_positive_matrices(x: np.ndarray) -> None:
    assume(not np.all(x.max(axis=0) == x.min(axis=0)))
    assert entropy(x, normalise="sum") == pytest.approx(entropy_weights(x), rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(matrices(positive=True), st.data())
def test_entropy_sum_cost_columns_are_pymcdms_sum_normalisation_of_1_over_x(
    x: np.ndarray, data: st.DataObject
) -> None:
    # pymcdm's entropy_weights takes no criteria types; its sum normalisation of a cost
    # column is (1/x) / Σ(1/x), which is what sum-normalising the column 1/x gives
    assume(not np.all(x.max(axis=0) == x.min(axis=0)))
    benefit = data.draw(flags(x.shape[1]))
    as_benefit = np.where(benefit, x, 1 / x)
    assert entropy(x, benefit=benefit, normalise="sum") == pytest.approx(
        entropy_weights(as_benefit), rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(matrices(), st.data(), st.sampled_from(["minmax", "sum"]))
def test_entropy_is_the_textbook_definition(x: np.ndarray, data: st.DataObject,
                                            normalise: str) -> None:
    assume(not np.all(x.max(axis=0) == x.min(axis=0)))
    benefit = data.draw(flags(x.shape[1]))
    if normalise == "sum":
        x = np.abs(x) + 1.0
    weights = entropy(x, benefit=benefit, normalise=normalise)  # type: ignore[arg-type]
    assert weights == pytest.approx(reference_entropy(x, benefit, normalise), rel=1e-9,
                                    abs=1e-12)
    assert np.all(weights >= 0) and weights.sum() == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(matrices(), st.data())
def test_minmax_laws(x: np.ndarray, data: st.DataObject) -> None:
    assume(not np.all(x.max(axis=0) == x.min(axis=0)))
    n = x.shape[1]
    benefit = data.draw(flags(n))
    weights = entropy(x, benefit=benefit)
    # a cost column is the benefit column negated
    flipped = np.where(benefit, x, -x)
    assert entropy(flipped) == pytest.approx(weights, rel=1e-9, abs=1e-12)
    # a positive affine change of a column's unit changes nothing
    scale = np.array(data.draw(st.lists(st.sampled_from([0.5, 2.0, 100.0]), min_size=n,
                                        max_size=n)))
    assert entropy(x * scale + 7.0, benefit=benefit) == pytest.approx(weights, rel=1e-9,
                                                                      abs=1e-12)
    # the order of the rows does not matter; the order of the columns carries over
    rows = data.draw(st.permutations(range(x.shape[0])))
    columns = data.draw(st.permutations(range(n)))
    assert entropy(x[rows], benefit=benefit) == pytest.approx(weights, rel=1e-9, abs=1e-12)
    assert entropy(x[:, columns], benefit=[benefit[c] for c in columns]) == pytest.approx(
        weights[columns], rel=1e-9, abs=1e-12)


# --- CRITIC: hand-worked -----------------------------------------------------------------

def test_critic_by_hand() -> None:
    # X = [[1, 10], [2, 30], [4, 20]], column 2 a cost.
    # z1 = (x − 1)/3 = 0, 1/3, 1;   mean 4/9, deviations −4/9, −1/9, 5/9, Σd² = 42/81
    #   σ1 = √(42/81 / 2) = √21 / 9 ≈ 0.509175
    # z2 = (30 − x)/20 = 1, 0, 1/2; mean 1/2, deviations 1/2, −1/2, 0, Σd² = 1/2, σ2 = 1/2
    # r12 = Σd1·d2 / √(Σd1² Σd2²) = (−2/9 + 1/18) / √(21/81) = −3 / (2√21) ≈ −0.327327
    # C1 = σ1 (1 − r12) = √21/9 + 1/6 ≈ 0.675842;  C2 = 1/2 + 3/(4√21) ≈ 0.663663
    # w ≈ (0.504546, 0.495454)
    s = math.sqrt(21)
    c1, c2 = s / 9 + 1 / 6, 0.5 + 3 / (4 * s)
    weights = critic([[1, 10], [2, 30], [4, 20]], benefit=[True, False])
    assert weights == pytest.approx([c1 / (c1 + c2), c2 / (c1 + c2)], rel=1e-12)
    assert weights == pytest.approx([0.504546, 0.495454], abs=5e-6)


def test_critic_a_constant_column_weighs_zero_and_counts_as_uncorrelated() -> None:
    # z1 = 0, 1/2, 1 and z2 = 0, 1, 1/2: σ = 1/2 each, r12 = 1/2; column 3 constant: σ3 = 0,
    # r13 = r23 = 0 (undefined, taken as 0). C1 = C2 = 1/2 · (0 + 1/2 + 1) = 3/4, C3 = 0
    assert critic([[0, 0, 5], [1, 2, 5], [2, 1, 5]]).tolist() == pytest.approx([0.5, 0.5, 0.0])
    # without the constant column: C1 = C2 = 1/2 · 1/2: the same weights here, by symmetry,
    # but the constant column does add σ_j to every other C_j
    x = np.array([[0, 0, 5], [1, 3, 5], [2, 1, 5], [4, 2, 5]], dtype=float)
    z = (x[:, :2] - x[:, :2].min(axis=0)) / np.ptp(x[:, :2], axis=0)
    sigma = z.std(axis=0, ddof=1)
    r = np.corrcoef(z, rowvar=False)[0, 1]
    c = sigma * np.array([(1 - r) + 1, (1 - r) + 1])  # +1: the constant column's 1 − 0
    assert critic(x) == pytest.approx([*(c / c.sum()), 0.0], rel=1e-12)


# --- CRITIC: reference and laws ----------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(matrices(), st.data())
def test_critic_equals_pymcdm(x: np.ndarray, data: st.DataObject) -> None:
    # pymcdm's critic_weights takes no criteria types and warns on a constant column;
    # a cost column is min-max normalised as the benefit column −x, so compare on that
    assume(non_constant(x))
    benefit = data.draw(flags(x.shape[1]))
    weights = critic(x, benefit=benefit)
    signed = np.where(benefit, x, -x)
    z = (signed - signed.min(axis=0)) / np.ptp(signed, axis=0)
    # the columns all one column once normalised: C = 0 for all, pymcdm's answer is a
    # ratio of rounding errors (equal shares only when the columns are equal bit for bit)
    assume(not np.allclose(z, z[:, :1], rtol=0, atol=1e-12))
    expected = critic_weights(signed)
    assert weights == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert np.all(weights >= 0) and weights.sum() == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(matrices(), st.data())
def test_critic_laws(x: np.ndarray, data: st.DataObject) -> None:
    n = x.shape[1]
    benefit = data.draw(flags(n))
    assume(not np.all(x.max(axis=0) == x.min(axis=0)))
    weights = critic(x, benefit=benefit)
    assert np.all(weights >= 0) and weights.sum() == pytest.approx(1.0, rel=1e-12)
    assert np.all(weights[x.max(axis=0) == x.min(axis=0)] == 0)
    rows = data.draw(st.permutations(range(x.shape[0])))
    columns = data.draw(st.permutations(range(n)))
    assert critic(x[rows], benefit=benefit) == pytest.approx(weights, rel=1e-9, abs=1e-12)
    assert critic(x[:, columns], benefit=[benefit[c] for c in columns]) == pytest.approx(
        weights[columns], rel=1e-9, abs=1e-12)
    scale = np.array(data.draw(st.lists(st.sampled_from([0.5, 2.0, 100.0]), min_size=n,
                                        max_size=n)))
    assert critic(x * scale - 3.0, benefit=benefit) == pytest.approx(weights, rel=1e-9,
                                                                      abs=1e-12)


# --- refusals ----------------------------------------------------------------------------

@pytest.mark.parametrize("method", [entropy, critic])
def test_every_non_finite_cell_is_named(method: object) -> None:
    nan, inf = float("nan"), float("inf")
    with pytest.raises(FortressScoreError) as error:
        method([[1, nan, 3], [inf, 2, 3], [1, 2, -inf]])  # type: ignore[operator]
    assert paths(error) == ["X[0][1]", "X[1][0]", "X[2][2]"]
    assert "X[2][2]: must be a finite number, found -inf" in str(error.value)


def test_entropy_sum_names_negative_cells_and_zero_costs_with_bad_cells() -> None:
    with pytest.raises(FortressScoreError) as error:
        entropy([[1, -2, 0], [-1, 3, 4], [2, float("nan"), 5]], benefit=[True, True, False],
                normalise="sum")
    assert paths(error) == ["X[0][1]", "X[0][2]", "X[1][0]", "X[2][1]"]  # by place
    message = str(error.value)
    assert "X[0][1]: the 'sum' scheme needs values ≥ 0, found -2" in message
    assert "X[0][2]: the 'sum' scheme takes a cost column as 1/x" in message
    # min-max takes any finite values
    entropy([[1, -2, 0], [-1, 3, 4], [2, 0, 5]], benefit=[True, True, False])


@pytest.mark.parametrize("method", [entropy, critic])
@pytest.mark.parametrize(
    ("x", "benefit", "expected", "words"),
    [
        ([], None, ["X"], "empty"),
        ([[]], None, ["X"], "empty"),
        ([1, 2, 3], None, ["X"], "2-D"),
        ([[1, 2, 3]], None, ["X"], "at least 2 rows"),
        ([[1, 2], [3]], None, ["X[1]"], "1 entry, expected 2"),
        ([[1, "a"], [2, 3]], None, ["X[0][1]"], "must be a number"),
        ([[4, 4], [4, 4], [4, 4]], None, ["X"], "every column is constant"),
        ([[1, 2], [3, 4]], [True], ["benefit"], "one flag per column"),
        ([[1, 2], [3, 4]], [1, -1], ["benefit[0]", "benefit[1]"], "True (benefit) or False"),
        ([[1, 2], [3, 4]], [True, "cost"], ["benefit[1]"], "True (benefit) or False"),
    ],
)
def test_malformed_input_is_refused_with_its_place(
    method: object, x: object, benefit: object, expected: list[str], words: str
) -> None:
    with pytest.raises(FortressScoreError) as error:
        method(x, benefit=benefit)  # type: ignore[operator]
    assert paths(error) == expected
    assert words in str(error.value)


def test_entropy_refuses_an_unknown_scheme_with_the_others() -> None:
    with pytest.raises(FortressScoreError) as error:
        entropy([[1, 2], [3, 4]], benefit=[True, 0],  # type: ignore[list-item]
                normalise="summ")  # type: ignore[arg-type]
    assert paths(error) == ["normalise", "benefit[1]"]
    assert "did you mean 'sum'?" in str(error.value)


def test_critic_shares_equally_when_no_column_conflicts() -> None:
    # one column, or columns all perfectly positively correlated: C_j = 0 for every j and
    # the formula is 0 / 0; min-max normalised, such columns are the same column: equal
    # shares among the columns that vary (a constant one still weighs 0)
    assert critic([[1], [2], [4]]).tolist() == [1.0]
    assert critic([[1, 2], [2, 4], [3, 6]]).tolist() == [0.5, 0.5]
    assert critic([[1, 2, 3], [2, 4, 5], [3, 6, 7]]).tolist() == pytest.approx([1 / 3] * 3)
    assert critic([[1, 2, 9], [2, 4, 9], [4, 8, 9]]).tolist() == [0.5, 0.5, 0.0]
    # pymcdm gives the same for identical columns
    x = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0]])
    assert critic(x) == pytest.approx(critic_weights(x))
    # one varying column beside a constant one: here r = 0 with the constant column gives
    # C1 = σ1 · (0 + 1) > 0, so it takes the whole weight, as it would alone
    assert critic([[1, 5], [2, 5], [3, 5]]).tolist() == [1.0, 0.0]
    # a cost column reverses the sign of the correlation: then they conflict
    assert critic([[1, 2], [2, 4], [3, 6]], benefit=[True, False]).tolist() == pytest.approx(
        [0.5, 0.5])
    # and in general: the columns are a scaled copy of one column
    z = np.array([[0.0], [0.3], [1.0], [0.6]])
    assert critic(z * [1, 2, 50] + [0, -3, 7]).tolist() == pytest.approx([1 / 3] * 3)


def test_entropy_takes_one_column() -> None:
    assert entropy([[1], [2], [3]]).tolist() == [1.0]


def test_values_near_the_float_limit_neither_overflow_nor_change_the_weights() -> None:
    # both methods are blind to a column's unit: 1e308 · (1, −1, 0) weighs as (1, −1, 0)
    huge = [[1e308, 1], [-1e308, 2], [0, 3]]
    small = [[1, 1], [-1, 2], [0, 3]]
    assert entropy(huge) == pytest.approx(entropy(small), rel=1e-12)
    assert critic(huge) == pytest.approx(critic(small), rel=1e-12)
    assert entropy([[1e308, 1], [1e308, 2], [1e307, 3]], normalise="sum") == pytest.approx(
        entropy([[10, 1], [10, 2], [1, 3]], normalise="sum"), rel=1e-12)
