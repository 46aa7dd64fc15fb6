"""The data as columns: every problem of a data set at once, and the caller's data untouched."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import fortress_score as fs

RULES: dict[str, Any] = {
    "ruleset": "data", "entity": "branch", "period": "month",
    "fields": {
        "rate": {"title": "电费回收率", "min": 0, "max": 100},
        "events": {"type": "int", "min": 0},
        "flag": {"type": "bool", "optional": True},
        "note": {"type": "str", "optional": True},
        "dept": {"type": "str"},
    },
    "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "recovery", "points": 10, "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}},
        {"id": "loss", "points": 10, "evaluate": {"kind": "target", "input": "loss", "target": 2, "floor": 4}},
    ]}],
    "adjustments": [{"id": "ev", "kind": "deduction", "cap": 5,
                     "evaluate": {"kind": "per_event", "input": "events", "each": 1}}],
}


def good() -> dict[str, list[Any]]:
    return {"branch": ["A", "B", "C"], "month": ["2024-01"] * 3, "rate": [99.0, 95.0, 100.0],
            "loss": [2.5, None, 3.0], "events": [0, 1, 2], "flag": [1, 0, None], "dept": ["x", "y", "z"]}


def problems_of(data: Any, rules: dict[str, Any] = RULES) -> dict[str | None, list[fs.Problem]]:
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, data)
    by_column: dict[str | None, list[fs.Problem]] = {}
    for p in info.value.problems:
        by_column.setdefault(p.column, []).append(p)
    return by_column


def test_good_data_in_every_shape_gives_the_same_records() -> None:
    data = good()
    expected = fs.score(RULES, data).to_records()
    records = [dict(zip(data, row)) for row in zip(*data.values())]
    assert fs.score(RULES, records).to_records() == expected
    pd = pytest.importorskip("pandas")
    assert fs.score(RULES, pd.DataFrame(data)).to_records() == expected


def test_all_problems_of_a_data_set_at_once() -> None:
    data = good()
    data.pop("loss")
    data["rate"] = [101.0, "n/a", float("inf")]
    data["events"] = [0.5, -1, 2]
    data["flag"] = [2, 0, 1]
    data["dept"] = ["x", None, "z"][:3]
    found = problems_of(data)
    assert "needed by loss" in found["loss"][0].message
    assert {p.message for p in found["rate"]} == {"must hold numbers; found text"}
    assert found["rate"][0].rows == ("row 1 (branch=B, month=2024-01)",)
    events = {p.message: p.rows for p in found["events"]}
    assert events["must be >= 0"] == ("row 1 (branch=B, month=2024-01)",)
    assert events["must hold whole numbers (type int)"] == ("row 0 (branch=A, month=2024-01)",)
    assert "0/1" in found["flag"][0].message


def test_infinity_and_range_and_empty_values() -> None:
    data = good()
    data["rate"] = [101.0, float("inf"), None]
    found = {p.message: p.rows for p in problems_of(data)["rate"]}
    assert found["must be finite; found infinity"] == ("row 1 (branch=B, month=2024-01)",)
    assert found["must be <= 100"] == ("row 0 (branch=A, month=2024-01)", "row 1 (branch=B, month=2024-01)")
    assert found["must have a value in every row (not declared optional)"] == ("row 2 (branch=C, month=2024-01)",)


def test_keys_must_be_present_filled_and_unique() -> None:
    data = good()
    data["branch"] = ["A", "A", None]
    found = problems_of(data)
    messages = {p.message: p.rows for p in found["branch"]}
    assert messages["must have a value in every row"] == ("row 2 (branch=None, month=2024-01)",)
    data = good()
    data["branch"] = ["A", "A", "B"]
    (dup,) = problems_of(data)["branch"]
    assert dup.message == "each (branch, month) must appear once; found repeats"
    assert dup.rows == ("row 1 (branch=A, month=2024-01)",)
    data = good()
    del data["branch"], data["month"]
    found = problems_of(data)
    assert "entity column" in found["branch"][0].message and "period column" in found["month"][0].message


def test_declared_columns_must_exist_unless_optional() -> None:
    data = good()
    del data["dept"], data["flag"]  # flag and note are optional: absent is fine
    found = problems_of(data)
    assert found["dept"][0].message == "is missing (declared under fields)"
    assert "note" not in found and "flag" not in found


def test_many_offending_rows_are_summarised() -> None:
    n = 12
    data = {"branch": [f"b{i}" for i in range(n)], "month": ["2024-01"] * n, "rate": [-1.0] * n,
            "loss": [3.0] * n, "events": [0] * n, "dept": ["x"] * n}
    (problem,) = [p for p in problems_of(data)["rate"]]
    assert problem.rows[-1] == "and 7 more" and len(problem.rows) == 6


def test_empty_and_wrongly_shaped_data() -> None:
    with pytest.raises(fs.DataError, match="no rows"):
        fs.score(RULES, {k: [] for k in good()})
    with pytest.raises(fs.DataError, match="one length"):
        fs.score(RULES, {"branch": ["A"], "month": ["x", "y"]})
    with pytest.raises(fs.DataError, match="must be a pandas or polars DataFrame"):
        fs.score(RULES, 42)
    with pytest.raises(fs.DataError, match="must hold mappings"):
        fs.score(RULES, [good(), 3])


def test_the_callers_data_is_never_modified() -> None:
    rate = np.array([99.0, 95.0, 100.0])
    data: dict[str, Any] = good() | {"rate": rate}
    before = {k: (v.copy() if isinstance(v, np.ndarray) else list(v)) for k, v in data.items()}
    card = fs.score(RULES, data)
    assert rate.flags.writeable  # the caller's array keeps its own flags
    for k, v in before.items():
        assert (np.array_equal(data[k], v) if isinstance(v, np.ndarray) else data[k] == v)
    assert card.to_records()[0]["indicators"]["recovery"] == 9.0


def test_pandas_nullable_and_float_columns() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(good())
    frame["events"] = frame["events"].astype("Int64")
    frame.loc[0, "loss"] = None
    recs = fs.score(RULES, frame).to_records()
    assert recs[0]["indicators"]["loss"] is None
    assert recs[2]["adjustments"] == {"ev": -2.0}


@pytest.mark.parametrize(("change", "column", "fragment"), [
    ({"rate": 5}, "rate", "must be a sequence of values, one a row; got int"),
    ({"branch": "ABC"}, "branch", "must be a sequence of values, one a row; got str"),
    ({"rate": [10**400, 95.0, 100.0]}, "rate", "must be finite; found infinity"),
    ({"rate": [1 + 2j, 95.0, 100.0]}, "rate", "found complex numbers"),
    ({"rate": [{"v": 1}, 95.0, 100.0]}, "rate", "must hold one value a row"),
    ({"branch": [["A"], ["B"], ["C"]]}, "branch", "must hold one value a row"),
    ({"branch": ["A", ("B",), "C"]}, "branch", "must hold one value a row"),
    ({"rate": np.array(95.0)}, "rate", "must be one-dimensional"),
    ({"rate": np.ones((3, 2))}, "rate", "must be one-dimensional"),
    ({"rate": {"0": 99.0, "1": 95.0, "2": 100.0}}, "rate", "pandas' DataFrame.to_json"),
    ({"rate": np.array([1 + 2j, 95, 100])}, "rate", "found complex numbers"),
    ({"branch": ["A", "", "C"]}, "branch", "must have a value in every row"),
    ({"branch": np.array(["A", " ", "C"])}, "branch", "must have a value in every row"),
])
def test_odd_shapes_and_values_are_data_errors(change: dict[str, Any], column: str, fragment: str) -> None:
    found = problems_of(good() | change)
    assert any(fragment in p.message for p in found[column]), found


def test_generators_decimals_and_pandas_extension_types_are_read() -> None:
    from decimal import Decimal

    data = good() | {"rate": (x for x in [99.0, 95.0, 100.0]), "loss": [Decimal("2.5"), None, 3]}
    assert fs.score(RULES, data).to_records()[0]["indicators"]["loss"] == 7.5
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(good())
    frame["branch"] = frame["branch"].astype("string")
    frame.loc[1, "branch"] = None
    found = problems_of(frame)
    assert found["branch"][0].rows == ("row 1 (branch=None, month=2024-01)",)
    frame = pd.DataFrame(good()).rename(columns={"rate": 0})
    assert fs.score(dict(RULES, fields={}, dimensions=[{"id": "d", "weight": 1, "indicators": [
        {"id": "r", "points": 1, "evaluate": {"kind": "target", "input": "0", "target": 100, "floor": 90}}]}],
        adjustments=[]), frame).to_records()[0]["indicators"]["r"] == 0.9
    twice = pd.DataFrame([[1, 2]], columns=["x", "x"])
    with pytest.raises(fs.DataError, match="column names must be unique"):
        fs.score(RULES, twice)


def test_pandas_nullable_integer_keys_stay_integers() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(good())
    frame["branch"] = pd.array([101, 102, 103], dtype="Int64")
    assert [r["entity"] for r in fs.score(RULES, frame).to_records()] == [101, 102, 103]


def test_arrow_tables_are_read_by_their_column_names() -> None:
    pa = pytest.importorskip("pyarrow")
    data = good()
    data["twin"] = list(data["rate"])  # the same values as another column: no clash
    table = pa.table(data)
    assert fs.score(RULES, table).to_records() == fs.score(RULES, good()).to_records()
    twice = pa.table([pa.array(v) for v in good().values()] + [pa.array([1.0, 2.0, 3.0])],
                     names=[*good(), "rate"])
    with pytest.raises(fs.DataError, match=r"column names must be unique; repeated: \['rate'\]"):
        fs.score(RULES, twice)


def test_a_date_period_names_its_month_and_a_missing_one_is_empty() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(good())
    frame["month"] = pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-31"])
    card = fs.score(RULES, frame)
    assert [r["period"] for r in card.to_records()] == ["2024-01"] * 3
    assert card.explain("A").period == "2024-01"
    frame["month"] = pd.to_datetime(["2024-01-01", None, "2024-01-01"])
    found = problems_of(frame)
    assert found["month"][0].message == "must have a value in every row"


def test_true_and_false_are_numbers_only_in_bool_fields() -> None:
    pd = pytest.importorskip("pandas")
    for flags in ([True, False, True], np.array([True, False, True]),
                  pd.Series([True, False, True])):
        data = good()
        data["rate"] = flags  # type: ignore[assignment]
        found = problems_of(data)
        assert found["rate"][0].message.startswith("must hold numbers; found true/false")
    records = [dict(zip(good(), row)) for row in zip(*good().values())]
    records[1]["events"] = True
    assert problems_of(records)["events"][0].rows == ("row 1 (branch=B, month=2024-01)",)
    data = good()
    data["flag"] = [True, False, None]  # a declared bool field: 1, 0, empty
    assert fs.score(RULES, data).to_records()[0]["total"] is not None


def test_unordered_collections_are_not_columns() -> None:
    for column in ({99.0, 95.0, 100.0}, frozenset({1.0})):
        data = good()
        data["rate"] = column  # type: ignore[assignment]
        assert problems_of(data)["rate"][0].message.startswith("must be an ordered sequence")


def test_series_are_read_by_label_never_by_position() -> None:
    pd = pytest.importorskip("pandas")
    data = {name: pd.Series(values, index=[10, 11, 12]) for name, values in good().items()}
    shuffled = dict(data, rate=data["rate"].iloc[[2, 0, 1]])  # same labels, other order
    assert fs.score(RULES, shuffled).to_records() == fs.score(RULES, good()).to_records()
    other = dict(data, rate=data["rate"].set_axis([0, 1, 2]))
    assert "hold other labels" in problems_of(other)[None][0].message
    mixed = dict(shuffled, branch=good()["branch"])  # an unlabelled column cannot follow
    assert "another order" in problems_of(mixed)[None][0].message


def test_a_heading_that_differs_only_in_spaces_width_or_case_is_pointed_at() -> None:
    data = good()
    data["Ｒａｔｅ "] = data.pop("rate")
    problem = problems_of(data)["rate"][0]
    assert problem.message.endswith("the data has 'Ｒａｔｅ ', which differs only in spaces, "
                                    "full-width forms or case: headings are matched exactly")
    data = good()
    data["rte"] = data.pop("rate")
    assert problems_of(data)["rate"][0].message.endswith("(did you mean 'rte'?)")


def test_columns_that_are_tables_masks_or_nested_types_are_named() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    import collections

    for change, fragment in (
        ({"rate": pd.DataFrame({"x": [1, 2, 3]})}, "got a table"),
        ({"rate": np.ma.masked_array([99.0, 95.0, 100.0], [0, 1, 0])}, "masked array"),
        ({"branch": ["A", collections.OrderedDict(a=1), "C"]}, "must hold one value a row"),
        ({"branch": ["A", pd.Series([1, 2]), "C"]}, "must hold one value a row"),
    ):
        column = next(iter(change))
        assert fragment in problems_of({**good(), **change})[column][0].message
    frame = pl.DataFrame({**good(), "rate": [[99.0], [95.0], [100.0]]}).with_columns(
        pl.col("rate").cast(pl.Array(pl.Float64, 1)))
    assert "the column is of type Array" in problems_of(frame)["rate"][0].message


def test_one_group_or_branch_written_two_ways_is_refused() -> None:
    rules = dict(RULES, group_by="dept")
    for spellings in (["县区", "县区 ", "生产"], ["Ａ", "A", "B"], ["a b", "ab", "c"]):
        data = good()
        data["dept"] = spellings
        found = problems_of(data, rules)["dept"][0]
        assert found.message.startswith("holds values that differ only in spaces or full-width")
        assert found.rows == ("row 1 (branch=B, month=2024-01)",)
    data = good()
    data["dept"] = ["县区", "县区", "生产"]
    assert fs.score(rules, data).to_records()[0]["group"] == "县区"

