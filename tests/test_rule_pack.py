"""The seed's rule pack `rules/three-dimensions.yaml` on `examples/branches-2024.csv`.

Every expected figure is worked out here, in plain Python, from the CSV row and the rule
pack's own parameters (read from the YAML with PyYAML, not through the library), following
the scoring model of DESIGN.md §4 and the evaluator semantics of issue 2.  The one number
written out is the seed's own: 13 of 16 KPIs on the red list is 81.25 %.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fortress_score as fs
from fortress_score import read_data

ROOT = Path(__file__).resolve().parents[1]
RULES_PATH = ROOT / "rules" / "three-dimensions.yaml"
DATA_PATH = ROOT / "examples" / "branches-2024.csv"

# Tolerance for comparing a hand figure (unrounded) with a reported one (rounded half up to
# the pack's precision): half a unit of the last digit, plus float noise.
ROUNDING = 0.005 + 1e-9


# -- fixtures: the pack as plain data, the sample data, the scored card ------------------------


@pytest.fixture(scope="module")
def pack() -> dict[str, Any]:
    """The rule pack as a plain mapping: the parameters the hand computations use."""
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return read_data(str(DATA_PATH))


@pytest.fixture(scope="module")
def card(rows):
    engine = fs.Engine(entry_points=False)
    return engine.score(engine.load_rules(str(RULES_PATH)), rows)


@pytest.fixture(scope="module")
def records(card) -> list[dict[str, Any]]:
    return card.to_records()


@pytest.fixture(scope="module")
def by_key(records) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["entity"], r["period"]): r for r in records}


@pytest.fixture(scope="module")
def row_of(rows):
    index = {(r["branch"], r["month"]): r for r in rows}

    def get(branch: str, month: str) -> dict[str, Any]:
        return index[(branch, month)]

    return get


# -- plain-Python helpers ----------------------------------------------------------------------


def indicator(pack: dict[str, Any], ind_id: str) -> dict[str, Any]:
    for dim in pack["dimensions"]:
        for ind in dim["indicators"]:
            if ind["id"] == ind_id:
                return ind
    raise KeyError(ind_id)


def dimension(pack: dict[str, Any], dim_id: str) -> dict[str, Any]:
    return next(d for d in pack["dimensions"] if d["id"] == dim_id)


def item(pack: dict[str, Any], section: str, item_id: str) -> dict[str, Any]:
    return next(a for a in pack[section] if a["id"] == item_id)


def clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def hand_attainment(ev: dict[str, Any], row: dict[str, Any], points: float) -> float | None:
    """Attainment of one `evaluate` table on one row; None = does not apply."""
    kind = ev["kind"]
    if kind == "target":
        x = row[ev["input"]]
        if x is None:
            return None
        return clip01((x - ev["floor"]) / (ev["target"] - ev["floor"]))
    if kind == "growth":
        cur, base = row[ev["current"]], row[ev["baseline"]]
        if cur is None or base is None or base == 0:
            return None
        g = (cur - base) / base * 100
        return clip01((g - ev["floor"]) / (ev["target"] - ev["floor"]))
    if kind == "ratio":
        num, den = row[ev["numerator"]], row[ev["denominator"]]
        if num is None or den is None:
            return None
        if den == 0:
            empty = ev.get("empty", "skip")
            return None if empty == "skip" else float(empty)
        return clip01(num / den)
    if kind == "checklist":
        weights = ev.get("weights") or [1] * len(ev["inputs"])
        met = sum(w for col, w in zip(ev["inputs"], weights) if row[col])
        return met / sum(weights)
    if kind == "bands":
        x = row[ev["input"]]
        if x is None:
            return None
        for band in ev["bands"]:
            if band.get("min", -math.inf) <= x < band.get("max", math.inf):
                return float(band["score"])
        return float(ev.get("otherwise", 0.0))
    if kind == "survey":
        need = ev.get("min_responses", 1)
        for group in ev["groups"]:
            counts = {level: row[col] or 0 for level, col in group["fields"].items()}
            n = sum(counts.values())
            if n > 0 and n >= need:
                return sum(ev["levels"][level] * c for level, c in counts.items()) / n
        return None
    if kind == "per_event":
        x = row[ev["input"]]
        if x is None:
            return None
        return min(x * ev["each"] / points, 1.0)
    if kind == "threshold":
        x = row[ev["input"]]
        if x is None:
            return None
        ops = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
               "==": operator.eq, "!=": operator.ne}
        return 1.0 if ops[ev["op"]](x, ev["value"]) else 0.0
    raise AssertionError(f"no hand evaluator for {kind!r}")


def hand_applies(applies: Any, row: dict[str, Any]) -> bool:
    """``applies_to`` on one row: a 0/1 column, {column: values} (all of them), or a list
    of these (any of them); None applies everywhere."""
    if applies is None:
        return True
    if isinstance(applies, list):
        return any(hand_applies(one, row) for one in applies)
    if isinstance(applies, str):
        return row[applies] == 1
    return all(row[column] in values for column, values in applies.items())


def hand_indicator(pack: dict[str, Any], ind: dict[str, Any], row: dict[str, Any]) -> float | None:
    """Attainment of an indicator after its library and its missing-data policy (skip or
    zero, the two the pack uses); None = left out."""
    if not hand_applies(ind.get("applies_to"), row):
        return None
    a = hand_attainment(ind["evaluate"], row, ind["points"])
    policy = ind.get("missing", pack.get("missing", "skip"))
    assert policy in ("skip", "zero")
    return 0.0 if a is None and policy == "zero" else a


def hand_score(pack: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The scoring model of DESIGN.md §4 (weighted means, clamp on), unrounded."""
    assert pack.get("clamp", True) is True
    assert pack.get("aggregate") is None and all(d.get("aggregate") is None
                                                 for d in pack["dimensions"])
    scale = pack.get("scale", 100)
    indicators: dict[str, float | None] = {}
    dimensions: dict[str, float | None] = {}
    for dim in pack["dimensions"]:
        assert dim.get("applies_to") is None and dim.get("min_available") is None
        earned = possible = 0.0
        for ind in dim["indicators"]:
            a = hand_indicator(pack, ind, row)
            indicators[ind["id"]] = None if a is None else a * ind["points"]
            if a is not None:
                earned += a * ind["points"]
                possible += ind["points"]
        dimensions[dim["id"]] = 100 * earned / possible if possible else None
    weights = {d["id"]: d["weight"] for d in pack["dimensions"] if dimensions[d["id"]] is not None}
    weighted = sum(w * dimensions[d] for d, w in weights.items())
    base = scale * weighted / (100 * sum(weights.values()))
    adjustments = {}
    for adj in pack.get("adjustments", []):
        a = hand_attainment(adj["evaluate"], row, adj["cap"]) or 0.0
        adjustments[adj["id"]] = (1 if adj["kind"] == "bonus" else -1) * a * adj["cap"]
    total = min(max(base + sum(adjustments.values()), 0.0), scale)
    vetoes = [v["id"] for v in pack.get("vetoes", [])
              if hand_attainment(v["when"], row, 1.0) == 1.0]
    for v in pack.get("vetoes", []):
        if v["id"] in vetoes and v["effect"].get("total") is not None:
            total = min(total, v["effect"]["total"])
    return {"indicators": indicators, "dimensions": dimensions, "base": base,
            "adjustments": adjustments, "total": total, "vetoes": vetoes}


def band_stars(pack: dict[str, Any], total: float) -> int:
    earned = [r["stars"] for r in pack["ratings"] if r["min"] <= total]
    return max(earned, default=0)


def star_cap(pack: dict[str, Any], vetoes: list[str]) -> int | None:
    caps = [item(pack, "vetoes", v)["effect"].get("max_stars") for v in vetoes]
    caps = [c for c in caps if c is not None]
    return min(caps) if caps else None


# -- the seed's own number ---------------------------------------------------------------------


def test_seed_red_list_13_of_16_is_81_25_percent(pack, card, by_key, row_of):
    branch, month = "大新供电分局党支部", "2024-04"
    row = row_of(branch, month)
    ev = indicator(pack, "red_list_share")["evaluate"]
    assert ev["kind"] == "ratio"
    assert (row[ev["numerator"]], row[ev["denominator"]]) == (13, 16)

    expected_attainment = row[ev["numerator"]] / row[ev["denominator"]]
    assert expected_attainment == 0.8125  # the seed: 13 of 16 = 81.25 %
    max_points = indicator(pack, "red_list_share")["points"]
    assert max_points == 20

    why = card.explain(branch, month)
    line = next(ln for ln in why.indicators if ln.indicator == "red_list_share")
    assert line.attainment == pytest.approx(expected_attainment, abs=1e-12)
    assert line.max_points == max_points
    assert line.points == pytest.approx(expected_attainment * max_points)  # 16.25
    assert by_key[(branch, month)]["indicators"]["red_list_share"] == pytest.approx(16.25)


# -- a branch without masses is assessed by its members ----------------------------------------


@pytest.mark.parametrize("branch", ["党建工作部党支部", "纪检监察部党支部"])
def test_no_masses_assessed_by_members(pack, rows, by_key, branch):
    ind = indicator(pack, "recognition")
    ev = ind["evaluate"]
    masses = next(g for g in ev["groups"] if g["name"] == "masses")["fields"]
    members = next(g for g in ev["groups"] if g["name"] == "members")["fields"]
    levels = ev["levels"]
    assert levels == {"satisfied": 1.0, "basic": 0.6, "dissatisfied": 0.0}

    months = [r for r in rows if r["branch"] == branch]
    assert len(months) == 12
    for row in months:
        assert all(row[col] == 0 for col in masses.values()), row  # no non-member staff
        counts = {level: row[col] for level, col in members.items()}
        n = sum(counts.values())
        assert n >= ev.get("min_responses", 1)
        share = sum(levels[level] * c for level, c in counts.items()) / n
        rec = by_key[(branch, row["month"])]
        got = rec["indicators"]["recognition"]
        assert got is not None, f"{branch} {row['month']}: recognition should fall back to members"
        assert got == pytest.approx(share * ind["points"], abs=ROUNDING)
        # the dimension holds only this indicator, so its score is the same share of 100
        assert rec["dimensions"]["reputation"] == pytest.approx(100 * share, abs=ROUNDING)


# -- zero planned tasks: the work chart does not apply -----------------------------------------


@pytest.mark.parametrize("branch", ["信息中心党支部", "物流服务中心党支部"])
def test_zero_planned_tasks_work_chart_does_not_apply(pack, card, by_key, row_of, branch):
    month = "2024-01"
    row = row_of(branch, month)
    work_chart = indicator(pack, "work_chart")
    assert row[work_chart["evaluate"]["denominator"]] == 0
    assert work_chart["evaluate"].get("empty", "skip") == "skip"

    rec = by_key[(branch, month)]
    assert rec["indicators"]["work_chart"] is None
    line = next(ln for ln in card.explain(branch, month).indicators if ln.indicator == "work_chart")
    assert line.attainment is None and line.points is None and line.contribution is None

    # atmosphere by hand, over the indicators that remain
    earned = possible = 0.0
    for ind in dimension(pack, "atmosphere")["indicators"]:
        if ind["id"] == "work_chart":
            continue
        a = hand_attainment(ind["evaluate"], row, ind["points"])
        assert a is not None
        earned += a * ind["points"]
        possible += ind["points"]
    all_points = sum(i["points"] for i in dimension(pack, "atmosphere")["indicators"])
    assert possible == all_points - work_chart["points"]
    assert rec["dimensions"]["atmosphere"] == pytest.approx(100 * earned / possible, abs=ROUNDING)
    # and not as if the work chart had scored zero
    if earned > 0:
        assert rec["dimensions"]["atmosphere"] > 100 * earned / all_points + ROUNDING


# -- the vetoed month --------------------------------------------------------------------------


def test_safety_veto_caps_stars(pack, card, by_key, row_of):
    branch, month = "凭祥供电分局党支部", "2024-08"
    row = row_of(branch, month)
    veto = item(pack, "vetoes", "safety")
    assert row[veto["when"]["input"]] == 1
    max_stars = veto["effect"]["max_stars"]
    assert max_stars == 2

    rec = by_key[(branch, month)]
    assert rec["vetoes"] == ["safety"]
    assert rec["total"] >= 90
    assert band_stars(pack, rec["total"]) > max_stars  # the band alone would give more
    assert rec["stars"] <= max_stars
    assert rec["stars"] == min(band_stars(pack, rec["total"]), max_stars)
    # the veto of this pack caps the rating only: the total is still the scored one
    assert rec["total"] == pytest.approx(hand_score(pack, row)["total"], abs=ROUNDING)

    why = card.explain(branch, month)
    assert why.next_star is None
    assert why.gap_to_next_star is None
    assert "safety" in why.next_star_note
    assert ("safety", veto["title"]) in why.vetoes
    text = str(why)
    assert "next star: none" in text
    assert "needs" not in text  # no gap offered


def test_only_the_vetoed_month_is_vetoed(pack, rows, by_key):
    veto = item(pack, "vetoes", "safety")
    for row in rows:
        fired = row[veto["when"]["input"]] > veto["when"]["value"]
        assert (by_key[(row["branch"], row["month"])]["vetoes"] == ["safety"]) == fired


# -- the tie -----------------------------------------------------------------------------------


def test_tie_shares_rank_and_next_rank_is_skipped(pack, rows, by_key, row_of):
    month = "2024-05"
    a, b = "人力资源部党支部", "企业管理部党支部"
    ra, rb = row_of(a, month), row_of(b, month)
    assert ra["category"] == rb["category"]
    category = ra["category"]
    assert hand_score(pack, ra)["total"] == pytest.approx(hand_score(pack, rb)["total"], abs=1e-9)

    rec_a, rec_b = by_key[(a, month)], by_key[(b, month)]
    assert rec_a["total"] == rec_b["total"]
    assert rec_a["total"] == pytest.approx(hand_score(pack, ra)["total"], abs=ROUNDING)
    assert rec_a["rank"] == rec_b["rank"]

    peers = [by_key[(r["branch"], month)] for r in rows
             if r["month"] == month and r["category"] == category]
    better = sum(1 for p in peers if p["total"] > rec_a["total"])
    worse = [p for p in peers if p["total"] < rec_a["total"]]
    tied = [p for p in peers if p["total"] == rec_a["total"]]
    assert len(tied) == 2
    assert rec_a["rank"] == better + 1
    ranks = sorted(p["rank"] for p in peers)
    # competition ranking: the place after the pair is not given out
    assert rec_a["rank"] + 1 not in ranks
    if worse:
        assert min(p["rank"] for p in worse) == rec_a["rank"] + 2
    assert ranks == sorted(1 + sum(1 for q in peers if q["total"] > p["total"]) for p in peers)


# -- caps on adjustments -----------------------------------------------------------------------


@pytest.mark.parametrize(("branch", "month", "adjustment", "kind", "count"), [
    ("宁明供电分局党支部", "2024-06", "violations", "deduction", 6),   # 6 × 2 = 12 > 10
    ("扶绥供电分局党支部", "2024-11", "honours", "bonus", 3),          # 3 × 2 = 6 > 5
])
def test_adjustment_capped(pack, by_key, row_of, branch, month, adjustment, kind, count):
    row = row_of(branch, month)
    adj = item(pack, "adjustments", adjustment)
    assert adj["kind"] == kind
    uncapped = row[adj["evaluate"]["input"]] * adj["evaluate"]["each"]
    assert row[adjustment] == count and uncapped > adj["cap"]

    sign = 1 if kind == "bonus" else -1
    rec = by_key[(branch, month)]
    assert rec["adjustments"][adjustment] == sign * adj["cap"]
    hand = hand_score(pack, row)
    expected = min(max(hand["base"] + sign * adj["cap"], 0), pack["scale"])
    assert rec["total"] == pytest.approx(expected, abs=ROUNDING)


def test_adjustments_below_cap_are_per_event(pack, rows, by_key):
    """Every row: each adjustment is sign × min(count × each, cap)."""
    for row in rows:
        rec = by_key[(row["branch"], row["month"])]
        for adj in pack["adjustments"]:
            ev = adj["evaluate"]
            sign = 1 if adj["kind"] == "bonus" else -1
            expected = sign * min(row[ev["input"]] * ev["each"], adj["cap"])
            assert rec["adjustments"][adj["id"]] == pytest.approx(expected), (row, adj["id"])


# -- KPIs a branch is not answerable for -------------------------------------------------------


def _performance_by_hand(pack, row):
    earned = possible = 0.0
    applicable = []
    for ind in dimension(pack, "performance")["indicators"]:
        a = hand_indicator(pack, ind, row)
        if a is None:
            continue
        applicable.append(ind["id"])
        earned += a * ind["points"]
        possible += ind["points"]
    return earned, possible, applicable


@pytest.mark.parametrize("branch,month", [("人力资源部党支部", "2024-05"),
                                          ("信息中心党支部", "2024-01")])
def test_empty_kpis_do_not_apply(pack, card, by_key, row_of, branch, month):
    row = row_of(branch, month)
    rec = by_key[(branch, month)]
    perf = dimension(pack, "performance")
    empty = [ind["id"] for ind in perf["indicators"]
             if any(row[c] is None for c in (ind["evaluate"].get(k) for k in
                    ("input", "current", "baseline", "numerator", "denominator")) if c)]
    assert empty, "the row should have KPIs it is not answerable for"
    for ind_id in empty:
        assert rec["indicators"][ind_id] is None

    earned, possible, applicable = _performance_by_hand(pack, row)
    assert set(applicable) == {i["id"] for i in perf["indicators"]} - set(empty)
    expected = 100 * earned / possible
    assert rec["dimensions"]["performance"] == pytest.approx(expected, abs=ROUNDING)
    # Σ points / Σ max points over the applicable indicators, from the reported points
    reported = sum(rec["indicators"][i] for i in applicable)
    assert rec["dimensions"]["performance"] == pytest.approx(100 * reported / possible, abs=0.05)
    # empty cells do not lower the score: counted as zero the score would be lower
    all_points = sum(i["points"] for i in perf["indicators"])
    assert rec["dimensions"]["performance"] > 100 * earned / all_points + ROUNDING

    lines = {ln.indicator: ln for ln in card.explain(branch, month).indicators}
    for ind_id in empty:
        assert lines[ind_id].attainment is None
        assert lines[ind_id].contribution is None


def _without_libraries(pack: dict[str, Any]) -> dict[str, Any]:
    """The pack with no indicator library declared: every KPI applies to every branch."""
    stripped = yaml.safe_load(yaml.safe_dump(pack, allow_unicode=True))
    for dim in stripped["dimensions"]:
        for ind in dim["indicators"]:
            ind.pop("applies_to", None)
    return stripped


def test_declared_libraries_keep_functional_departments_whole(pack, rows, by_key):
    """Under `missing: zero` a blank cell scores 0; it is the declared library that keeps a
    department's performance over the KPIs it answers for. Without the libraries the same
    blanks would count as zeros."""
    assert pack["missing"] == "zero"
    engine = fs.Engine(entry_points=False)
    functional = [r for r in rows if r["category"] == "职能部门" and r["month"] == "2024-05"]
    bare = {(r["entity"], r["period"]): r
            for r in engine.score(_without_libraries(pack), functional).to_records()}
    for row in functional:
        key = (row["branch"], row["month"])
        earned, _, _ = _performance_by_hand(pack, row)
        all_points = sum(i["points"] for i in dimension(pack, "performance")["indicators"])
        assert bare[key]["dimensions"]["performance"] == pytest.approx(100 * earned / all_points,
                                                                      abs=ROUNDING)
        assert by_key[key]["dimensions"]["performance"] > bare[key]["dimensions"]["performance"]
        assert set(bare[key]["imputed"].values()) == {"zero"}


# -- indicator libraries: a blank cell never pays --------------------------------------------


KPI_INPUTS = ("input", "current", "baseline", "numerator", "denominator")


def _library_inputs(pack: dict[str, Any]) -> dict[str, list[str]]:
    """Indicator id → the columns it reads, for the indicators with a declared library."""
    return {ind["id"]: [ind["evaluate"][k] for k in KPI_INPUTS if k in ind["evaluate"]]
            for dim in pack["dimensions"] for ind in dim["indicators"] if "applies_to" in ind}


def test_the_sample_data_follows_the_declared_libraries(pack, rows, records):
    """A KPI cell is filled exactly where the branch's library has the KPI: nothing in the
    sample is imputed, and no cell outside a library holds a figure that goes unread."""
    libraries = _library_inputs(pack)
    assert len(libraries) == 8
    for row in rows:
        for ind_id, columns in libraries.items():
            applies = hand_applies(indicator(pack, ind_id)["applies_to"], row)
            filled = [row[c] is not None for c in columns]
            assert filled == [applies] * len(columns), (row["branch"], row["month"], ind_id)
    assert all(rec["imputed"] == {} for rec in records)


def test_every_county_branch_answers_for_every_kpi(pack, rows):
    county = [r for r in rows if r["category"] == "县区供电分局"]
    assert len({r["branch"] for r in county}) == 10
    for ind_id in _library_inputs(pack):
        assert all(hand_applies(indicator(pack, ind_id)["applies_to"], r) for r in county)


def test_every_named_branch_is_in_the_sample(pack, rows):
    """A branch named in a library but spelt otherwise in the data would silently lose the
    KPI; every name the pack lists is a branch of the sample."""
    branches = {r["branch"] for r in rows}
    for ind_id in _library_inputs(pack):
        for way in indicator(pack, ind_id)["applies_to"]:
            if isinstance(way, dict) and "branch" in way:
                assert set(way["branch"]) <= branches, ind_id


def _optional_columns(pack: dict[str, Any]) -> list[str]:
    return [name for name, spec in pack["fields"].items() if spec.get("optional")]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_blank_cell_raises_any_total(pack, rows, by_key, data):
    """Blank any set of KPI cells of the sample: no branch's total goes up in any month."""
    optional = _optional_columns(pack)
    cells = [(i, c) for i, row in enumerate(rows) for c in optional if row[c] is not None]
    chosen = data.draw(st.lists(st.sampled_from(cells), min_size=1, max_size=40, unique=True))
    blanked = [dict(row) for row in rows]
    for i, column in chosen:
        blanked[i][column] = None
    engine = fs.Engine(entry_points=False)
    after = engine.score(engine.load_rules(str(RULES_PATH)), blanked).to_records()
    for rec in after:
        before = by_key[(rec["entity"], rec["period"])]
        assert rec["total"] <= before["total"], (rec["entity"], rec["period"])
    touched = {(rows[i]["branch"], rows[i]["month"]) for i, _ in chosen}
    assert all("zero" in set(rec["imputed"].values())
               for rec in after if (rec["entity"], rec["period"]) in touched)


@pytest.mark.parametrize("column", ["kpis_total", "tasks_planned", "meetings_held",
                                    "masses_satisfied", "violations"])
def test_a_blank_required_cell_is_an_error_at_its_place(rows, column):
    blanked = [dict(row) for row in rows]
    blanked[41][column] = None
    engine = fs.Engine(entry_points=False)
    with pytest.raises(fs.FortressScoreError) as info:
        engine.score(engine.load_rules(str(RULES_PATH)), blanked)
    text = str(info.value)
    assert column in text and rows[41]["branch"] in text and rows[41]["month"] in text


def test_blanking_the_weakest_kpis_no_longer_pays(pack, card, by_key, row_of):
    """The case measured when the libraries were declared: 天等's two weakest KPIs in
    December, left blank, raised its total under `missing: skip`; now they count as 0."""
    branch, month = "天等供电分局党支部", "2024-12"
    row, before = row_of(branch, month), by_key[(branch, month)]
    libraries = _library_inputs(pack)
    weakest = sorted(libraries, key=lambda i: before["indicators"][i]
                     / indicator(pack, i)["points"])[:2]
    blanked = dict(row, **{c: None for i in weakest for c in libraries[i]})
    engine = fs.Engine(entry_points=False)
    rules = engine.load_rules(str(RULES_PATH))
    after = engine.score(rules, [blanked]).to_records()[0]
    assert after["imputed"] == {i: "zero" for i in weakest}
    earned, possible, _ = _performance_by_hand(pack, row)
    lost = sum(before["indicators"][i] for i in weakest)
    assert after["dimensions"]["performance"] == pytest.approx(100 * (earned - lost) / possible,
                                                              abs=ROUNDING)
    assert after["total"] <= before["total"]
    # under skip the same blanks would leave the weak KPIs out and lift the mean: what the
    # declared libraries with `missing: zero` stop
    assert all(before["indicators"][i] / indicator(pack, i)["points"] < earned / possible
               for i in weakest)
    skipping = engine.score(dict(pack, missing="skip"), [blanked]).to_records()[0]
    assert skipping["total"] > before["total"]


# -- every row ---------------------------------------------------------------------------------


def test_every_row_matches_the_hand_model(pack, rows, by_key):
    assert len(rows) == len(by_key) == 360
    for row in rows:
        rec = by_key[(row["branch"], row["month"])]
        hand = hand_score(pack, row)
        where = f"{row['branch']} {row['month']}"
        assert rec["group"] == row["category"], where
        for ind_id, pts in hand["indicators"].items():
            got = rec["indicators"][ind_id]
            if pts is None:
                assert got is None, (where, ind_id)
            else:
                assert got == pytest.approx(pts, abs=ROUNDING), (where, ind_id)
        for dim_id, score in hand["dimensions"].items():
            assert rec["dimensions"][dim_id] == pytest.approx(score, abs=ROUNDING), (where, dim_id)
        assert rec["total"] == pytest.approx(hand["total"], abs=ROUNDING), where
        assert rec["vetoes"] == hand["vetoes"], where


def test_every_row_total_in_bounds_and_stars_from_bands(pack, records):
    for rec in records:
        assert 0 <= rec["total"] <= pack["scale"], rec
        # reported to the pack's precision
        assert rec["total"] == round(rec["total"], pack["precision"])
        expected = band_stars(pack, rec["total"])
        cap = star_cap(pack, rec["vetoes"])
        if cap is not None:
            expected = min(expected, cap)
        assert rec["stars"] == expected, rec


def test_every_row_ranked_within_month_and_category(records):
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        groups[(rec["period"], rec["group"])].append(rec)
    assert len(groups) == 12 * 3
    for members in groups.values():
        for rec in members:
            better = sum(1 for other in members if other["total"] > rec["total"])
            assert rec["rank"] == better + 1, rec
        assert min(r["rank"] for r in members) == 1


def test_explain_contributions_add_up_to_the_total(pack, card, records):
    """Σ contributions + Σ adjustments, clamped to [0, scale], is the reported total.

    For a row that is not clamped this is: Σ contributions = total − Σ adjustments.
    """
    scale = pack["scale"]
    n_indicators = sum(len(d["indicators"]) for d in pack["dimensions"])
    checked = 0
    for rec in records:
        if rec["vetoes"]:
            continue
        why = card.explain(rec["entity"], rec["period"])
        assert why.total == rec["total"]
        assert why.adjustments == pytest.approx(rec["adjustments"])
        assert [ln.indicator for ln in why.indicators] == list(rec["indicators"])
        contributions = sum(ln.contribution for ln in why.indicators if ln.contribution is not None)
        adjustments = sum(rec["adjustments"].values())
        tolerance = 0.01 * n_indicators
        assert min(max(contributions + adjustments, 0), scale) == pytest.approx(
            rec["total"], abs=tolerance), rec
        if 0 < rec["total"] < scale:
            assert contributions == pytest.approx(rec["total"] - adjustments, abs=tolerance), rec
        # each line: contribution = scale × dimension share × points / possible points of
        # its dimension (the max points of the indicators that apply to the row)
        weights = {d["id"]: d["weight"] for d in pack["dimensions"]
                   if rec["dimensions"][d["id"]] is not None}
        for ln in why.indicators:
            if ln.points is None:
                continue
            assert ln.points == pytest.approx(rec["indicators"][ln.indicator])
            dim = dimension(pack, ln.dimension)
            possible = sum(i["points"] for i in dim["indicators"]
                           if rec["indicators"][i["id"]] is not None)
            share = dim["weight"] / sum(weights.values())
            assert ln.weight == pytest.approx(share)
            unrounded = ln.attainment * ln.max_points
            assert ln.contribution == pytest.approx(scale * share * unrounded / possible,
                                                    abs=ROUNDING), (rec, ln)
        checked += 1
    assert checked == len(records) - 1  # one vetoed month


def test_explain_next_star_gap(pack, card, records):
    """Not vetoed and below the top band: the gap is the next band's min minus the total."""
    for rec in records[::7]:
        if rec["vetoes"]:
            continue
        why = card.explain(rec["entity"], rec["period"])
        above = sorted((r for r in pack["ratings"] if r["stars"] > rec["stars"]),
                       key=lambda r: r["stars"])
        if not above:
            assert why.next_star is None
            continue
        assert why.next_star == above[0]["stars"]
        assert why.gap_to_next_star == pytest.approx(above[0]["min"] - rec["total"], abs=1e-6)


def test_records_columns_and_pandas_agree(card, records):
    pd = pytest.importorskip("pandas")
    columns = card.to_columns()
    frame = card.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(records) == len(card)
    for name, values in columns.items():
        assert len(values) == len(records), name

    def same(a: Any, b: Any) -> bool:
        if a is None or (isinstance(a, float) and math.isnan(a)):
            return b is None or (isinstance(b, float) and math.isnan(b))
        if b is None or (isinstance(b, float) and math.isnan(b)):
            return False
        return a == b

    for i, rec in enumerate(records):
        flat = {"entity": rec["entity"], "period": rec["period"], "group": rec["group"],
                "total": rec["total"], "stars": rec["stars"], "rank": rec["rank"]}
        for section in ("dimensions", "indicators", "adjustments"):
            flat.update({f"{section}.{k}": v for k, v in rec[section].items()})
        for name, value in flat.items():
            col = columns[name][i]
            col = col.item() if hasattr(col, "item") else col
            assert same(value, col), (i, name, value, col)
            cell = frame[name].iloc[i]
            cell = cell.item() if hasattr(cell, "item") else cell
            assert same(value, cell), (i, name, value, cell)
        assert list(frame["vetoes"].iloc[i]) == rec["vetoes"]
        for veto_col in (n for n in columns if n.startswith("vetoes.")):
            assert bool(columns[veto_col][i]) == (veto_col.split(".", 1)[1] in rec["vetoes"])
