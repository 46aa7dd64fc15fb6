"""The data path under hostile values and shapes, for every kind of input.

Whatever goes in, what comes out is a correct score or a FortressScoreError, never another
exception, and the caller's data is left exactly as it was.
"""

from __future__ import annotations

import copy
import decimal
import json
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import fortress_score as fs

RULES = fs.load_rules({
    "ruleset": "hostile", "entity": "branch", "period": "month",
    "dimensions": [{"id": "d", "weight": 1, "indicators": [
        {"id": "rate", "points": 10,
         "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 90}}]}],
    "ratings": [{"stars": 5, "min": 90}]})

hostile_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**400, 10**400),
    st.booleans(), st.none(), st.text(max_size=5), st.just("9" * 400),
    st.sampled_from([decimal.Decimal("95.5"), decimal.Decimal("NaN"), decimal.Decimal("sNaN"),
                     decimal.Decimal("Infinity"), np.float32(95.0), np.int64(97), np.bool_(True),
                     [95.0], {"v": 1}, complex(1, 2), "95", "", " "]),
    st.floats(80, 110),
)
hostile_keys = st.one_of(st.sampled_from(["甲", "乙", "丙", "丁", "A", "B"]), st.none(),
                         st.integers(0, 3), st.just("x" * 10_000), st.just(["A"]), st.just(""))
hostile_months = st.one_of(st.sampled_from(["2024-01", "2024年1月", "２０２４-01", "2024/1", "H1",
                                            "2024-13", ""]), st.none(), st.integers(202401, 202402))


@st.composite
def tables(draw: st.DrawFn) -> dict[str, list[Any]]:
    n = draw(st.integers(1, 5))
    columns = {"branch": draw(st.lists(hostile_keys, min_size=n, max_size=n)),
               "month": draw(st.lists(hostile_months, min_size=n, max_size=n)),
               "rate": draw(st.lists(hostile_numbers, min_size=n, max_size=n))}
    if draw(st.booleans()):  # a ragged or missing column now and then
        columns[draw(st.sampled_from(list(columns)))] = draw(
            st.lists(hostile_numbers, min_size=0, max_size=n + 1))
    return columns


def records(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    n = max(len(v) for v in columns.values())
    return [{k: v[i] for k, v in columns.items() if i < len(v)} for i in range(n)]


def expected_total(value: Any) -> float | None:
    """The hand-written model for one row: target 100 from floor 90, 10 points, scale 100."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    attainment = min(max((float(value) - 90.0) / 10.0, 0.0), 1.0)
    return float(fs.round_half_up(100.0 * attainment, 2))


def scored_or_refused(data: Any, rates: list[Any]) -> None:
    try:
        card = fs.score(RULES, data)
    except fs.FortressScoreError:
        return
    got = [r["total"] for r in card.to_records()]
    plain = [None if v is None or (isinstance(v, str) and not v.strip()) else v for v in rates]
    assert got == [expected_total(v) for v in plain]


def snapshot(data: Any) -> bytes:
    """Everything the caller holds, as bytes (a polars frame of Python objects as text)."""
    try:
        return pickle.dumps(data)
    except Exception:  # noqa: BLE001 - polars cannot pickle an Object column
        return repr(data.to_dict(as_series=False)).encode()


def unchanged(before: bytes, data: Any) -> None:
    assert snapshot(data) == before


SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(columns=tables())
def test_mappings_and_records(columns: dict[str, list[Any]]) -> None:
    for data in (columns, records(columns),
                 {k: np.array(v, dtype=object) for k, v in columns.items()}):
        before = snapshot(data)
        scored_or_refused(data, columns["rate"])
        unchanged(before, data)


@SETTINGS
@given(columns=tables())
def test_frames(columns: dict[str, list[Any]]) -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    assume(len({len(v) for v in columns.values()}) == 1)
    makers = (lambda c: pd.DataFrame(c), lambda c: pl.DataFrame(c, strict=False),
              lambda c: pa.table(c))
    for make in makers:
        try:
            frame = make(copy.deepcopy(columns))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - the frame library cannot hold these values
            continue  # (polars panics with a BaseException): not our path
        before = snapshot(frame)
        rates = frame["rate"].to_list() if hasattr(frame["rate"], "to_list") else list(frame["rate"])
        try:
            card = fs.score(RULES, frame)
        except fs.FortressScoreError:
            pass
        else:
            assert len(card) == len(rates)
            for record in card.to_records():
                assert record["total"] is None or 0.0 <= record["total"] <= 100.0
        unchanged(before, frame)
        del rates


@SETTINGS
@given(columns=tables(), kind=st.sampled_from(["csv", "json"]))
def test_files(tmp_path_factory: pytest.TempPathFactory, columns: dict[str, list[Any]],
               kind: str) -> None:
    path: Path = tmp_path_factory.mktemp("hostile") / f"data.{kind}"
    if kind == "json":
        try:
            path.write_text(json.dumps(records(columns), ensure_ascii=False, allow_nan=True),
                            encoding="utf-8")
        except (TypeError, ValueError):  # not representable in JSON at all
            return
    else:
        names = list(columns)
        lines = [",".join(names)] + [
            ",".join("" if r.get(k) is None else str(r.get(k)).replace(",", ";").replace("\n", " ")
                     for k in names) for r in records(columns)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        data = fs.read_data(path, RULES)
        card = fs.score(RULES, data)
    except fs.FortressScoreError as exc:
        assert exc.problems
        return
    for record in card.to_records():
        assert record["total"] is None or 0.0 <= record["total"] <= 100.0


def test_scoring_from_many_threads_gives_the_same_cards() -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = {"branch": [f"b{i}" for i in range(200)], "month": ["2024年3月"] * 200,
            "rate": np.linspace(85.0, 101.0, 200).tolist()}
    alone = fs.score(RULES, data).to_records(provenance=True)
    with ThreadPoolExecutor(max_workers=8) as pool:
        cards = list(pool.map(lambda _: fs.score(RULES, data), range(16)))
        explained = list(pool.map(lambda c: c.explain("b7").total, cards))
    assert all(card.to_records(provenance=True) == alone for card in cards)
    assert set(explained) == {alone[7]["total"]}
