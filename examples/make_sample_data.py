"""Generate ``examples/branches-2024.csv``, the sample data for ``rules/three-dimensions.yaml``.

What it makes
-------------
One row per (branch, month) for 30 party branches (党支部) of a city power-supply bureau
over the twelve months ``2024-01`` … ``2024-12`` (360 rows).  The columns are exactly the
keys under ``fields:`` in ``rules/three-dimensions.yaml``, in the same order.  Branches
fall into three peer groups (``category``), ten each:

* ``县区供电分局`` – the county branches; they answer for nearly every business KPI.
* ``生产单位`` – production units (输电、变电、配电、调度 …); outage, voltage, loss or
  investment KPIs depending on the unit, never sales.
* ``职能部门`` – functional departments; no line loss / outage / sales, some have a
  finance or investment KPI, most are judged on the red-list share alone.

"一支部+一指标库": every branch has its own indicator library, declared in the rule pack
(``applies_to`` on each business KPI: every county branch, and other branches by name) and
followed here (the KPI tuple in ``BRANCHES``; 新和's investment figures are drawn last, see
``build``).  A KPI cell is **empty** exactly where the branch's library does not have the
KPI; where it does, the cell has a figure (the pack scores a blank there 0).  Only the
fields marked ``optional: true`` are ever empty; every other cell always has a value.

Ranges follow the seed, the 2021 report of 崇左供电局: sales growth around +8.7 % (spread
−3 % … +15 %), revenue growth around +9.6 %, bill recovery 98–100 % (mostly 100), line
loss 1.8–4.5 %, medium-voltage outage 8–22 h per household, low-voltage 7–20 h, voltage
qualification 97.5–99.9 %, investment completion 70–110 %, 16 assessed KPIs with 8–16 of
them on the company's red list, 3–12 work-chart tasks, 3–7 committee members, the "6+2"
checklist mostly met, 0–4 "三会" meetings (mostly 3+), a masses survey of 10–60
respondents and a members survey of 5–30, honours and violations mostly 0, no level-4
safety events.  Sales and revenue carry a sugar-cane season (榨季, Nov–Apr) load shape.

Each branch has a base "quality" in [0, 1] that drives every input, plus monthly noise,
so the board shows the whole range of stars instead of everyone at five.

The awkward cases (deliberate; their places are fixed here so tests can refer to them)
-------------------------------------------------------------------------------------
1. **Branches with no masses** ("没有群众的党支部"): 纪检监察部党支部 and 党建工作部党支部
   have no non-member staff, so their ``masses_*`` counts are 0 in every month and the
   recognition survey has to fall back to the members' group.
2. **Zero planned tasks**: 信息中心党支部 and 物流服务中心党支部 in ``2024-01`` have
   ``tasks_planned = 0`` and ``tasks_done = 0`` (no work chart drawn up yet in January);
   the work-chart indicator is skipped (``empty: skip``) rather than scored 0 or 100.
3. **A vetoed month**: 凭祥供电分局党支部 in ``2024-08`` has ``safety_l4_events = 1``
   while every other input is at its best, so its total is five-star level but the safety
   veto caps it at two stars and bars the benchmark title.  It is the only non-zero
   ``safety_l4_events`` in the file.
4. **A tie**: 人力资源部党支部 and 企业管理部党支部 (both ``职能部门``, same indicator
   library) have identical inputs in every column except ``branch`` in ``2024-05``, so
   they tie on the total and must share a rank.
5. **Capped adjustments**: 宁明供电分局党支部 in ``2024-06`` has ``violations = 6``
   (6 × 2 = 12 points, hits the 10-point deduction cap); 扶绥供电分局党支部 in ``2024-11``
   has ``honours = 3`` (3 × 2 = 6 points, hits the 5-point bonus cap; it is a good but not
   perfect month so the bonus is not swallowed by the 100 ceiling).
6. **Strong and weak branches**: 江州供电分局党支部 is excellent all year,
   变电管理所党支部 from ``2024-03`` on and 计划财务部党支部 from ``2024-04`` on, so all
   three have runs of five-star months long enough for the benchmark title (three in a
   row); 电力调度控制中心党支部 is strong too (five stars in most months).
   天等供电分局党支部 and 物流服务中心党支部 are weak (mostly one star or below 50).
7. **13 of 16**: 大新供电分局党支部 in ``2024-04`` has ``kpis_on_red_list = 13`` with
   ``kpis_total = 16`` (other rows have 13 too, but this one is pinned).

Run from the repository root::

    python examples/make_sample_data.py

The output is deterministic (fixed seed, stdlib only), so re-running it reproduces the
committed CSV byte for byte.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20240101
OUT = Path(__file__).resolve().parent / "branches-2024.csv"
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]

# Column order = the order of the keys under ``fields:`` in rules/three-dimensions.yaml.
FIELDS = [
    "branch", "category", "month",
    "sales_kwh", "sales_kwh_last_year", "revenue", "revenue_last_year",
    "bill_recovery_rate", "line_loss_rate", "mv_outage_hours", "lv_outage_hours",
    "voltage_qualified_rate", "investment_completion",
    "kpis_on_red_list", "kpis_total", "tasks_planned", "tasks_done",
    "committee_members", "committee_on_track",
    "good_team", "good_members", "good_org_life", "good_rules", "good_role", "good_results",
    "branch_list_done", "member_list_done", "meetings_held",
    "masses_satisfied", "masses_basic", "masses_dissatisfied",
    "members_satisfied", "members_basic", "members_dissatisfied",
    "honours", "violations", "safety_l4_events",
]

COUNTY, PRODUCTION, FUNCTIONAL = "县区供电分局", "生产单位", "职能部门"

# KPI groups of the indicator library; each maps to one or two optional columns.
ALL_KPIS = ("sales", "revenue", "bill", "loss", "mv", "lv", "voltage", "invest")

# name, category, base quality, indicator library, masses head-count, members head-count,
# committee members.  Masses 0 = no non-member staff (awkward case 1).
BRANCHES = [
    # 县区供电分局
    ("江州供电分局党支部", COUNTY, 0.97, ALL_KPIS, 52, 26, 7),
    ("扶绥供电分局党支部", COUNTY, 0.72, ALL_KPIS, 58, 28, 7),
    ("天等供电分局党支部", COUNTY, 0.15, ALL_KPIS, 41, 19, 5),
    ("凭祥供电分局党支部", COUNTY, 0.86, ALL_KPIS, 45, 22, 5),
    ("龙州供电分局党支部", COUNTY, 0.55, ALL_KPIS, 44, 20, 5),
    ("宁明供电分局党支部", COUNTY, 0.45, ALL_KPIS, 47, 21, 5),
    ("大新供电分局党支部", COUNTY, 0.60, ALL_KPIS, 46, 23, 5),
    ("城区供电分局党支部", COUNTY, 0.66, ALL_KPIS, 38, 18, 5),
    ("城郊供电分局党支部", COUNTY, 0.38, ALL_KPIS, 33, 14, 3),
    ("新和供电分局党支部", COUNTY, 0.30, ("sales", "revenue", "bill", "loss", "mv", "lv", "voltage"),
     24, 11, 3),
    # 生产单位
    ("输电管理所党支部", PRODUCTION, 0.76, ("mv", "voltage", "invest"), 36, 21, 5),
    ("变电管理所党支部", PRODUCTION, 0.80, ("mv", "voltage", "invest"), 40, 24, 5),
    ("配电管理所党支部", PRODUCTION, 0.50, ("loss", "mv", "lv", "voltage", "invest"), 34, 17, 5),
    ("变电修试所党支部", PRODUCTION, 0.55, ("mv", "voltage"), 27, 15, 3),
    ("供电服务中心党支部", PRODUCTION, 0.62, ("bill", "lv"), 60, 25, 7),
    ("电力调度控制中心党支部", PRODUCTION, 0.88, ("mv", "voltage"), 18, 16, 5),
    ("信息中心党支部", PRODUCTION, 0.45, ("invest",), 14, 12, 3),
    ("计量中心党支部", PRODUCTION, 0.50, ("loss",), 16, 9, 3),
    ("物流服务中心党支部", PRODUCTION, 0.15, ("invest",), 12, 7, 3),
    ("基建项目管理中心党支部", PRODUCTION, 0.40, ("invest",), 15, 10, 3),
    # 职能部门
    ("计划财务部党支部", FUNCTIONAL, 0.80, ("revenue", "bill", "invest"), 13, 12, 5),
    ("办公室党支部", FUNCTIONAL, 0.65, (), 15, 11, 5),
    ("人力资源部党支部", FUNCTIONAL, 0.58, (), 10, 9, 3),
    ("企业管理部党支部", FUNCTIONAL, 0.55, (), 11, 8, 3),
    ("党建工作部党支部", FUNCTIONAL, 0.68, (), 0, 10, 3),
    ("纪检监察部党支部", FUNCTIONAL, 0.60, (), 0, 7, 3),
    ("生产技术部党支部", FUNCTIONAL, 0.50, ("voltage", "invest"), 12, 10, 3),
    ("市场营销部党支部", FUNCTIONAL, 0.52, ("bill",), 14, 9, 3),
    ("安全监管部党支部", FUNCTIONAL, 0.42, (), 10, 6, 3),
    ("工会党支部", FUNCTIONAL, 0.25, (), 10, 5, 3),
]

# Monthly load shape: sugar-cane season (榨季) Nov–Apr, summer peak Jul–Aug.
SEASON = [1.12, 1.00, 1.10, 1.02, 0.90, 0.93, 1.01, 1.03, 0.92, 0.90, 1.00, 1.14]

# County monthly sales last year, 万千瓦时 (before the season factor).
COUNTY_SALES_BASE = {
    "江州供电分局党支部": 21500.0, "扶绥供电分局党支部": 26800.0,
    "天等供电分局党支部": 5200.0, "凭祥供电分局党支部": 7600.0,
    "龙州供电分局党支部": 9100.0, "宁明供电分局党支部": 8300.0,
    "大新供电分局党支部": 14700.0, "城区供电分局党支部": 11900.0,
    "城郊供电分局党支部": 6400.0, "新和供电分局党支部": 3100.0,
}

STRONG_FROM = {  # strong branches: (first strong month index, quality while strong)
    "江州供电分局党支部": (0, 0.985),
    "变电管理所党支部": (2, 0.98),
    "计划财务部党支部": (3, 0.98),
}

# Fixed places of the awkward cases (see the module docstring).
NO_MASSES = ("党建工作部党支部", "纪检监察部党支部")
ZERO_TASKS = (("信息中心党支部", "2024-01"), ("物流服务中心党支部", "2024-01"))
VETO = ("凭祥供电分局党支部", "2024-08")
TIE = ("人力资源部党支部", "企业管理部党支部", "2024-05")
BIG_DEDUCTION = ("宁明供电分局党支部", "2024-06")
BIG_BONUS = ("扶绥供电分局党支部", "2024-11")
RED_13 = ("大新供电分局党支部", "2024-04")
LATE_INVEST = "新和供电分局党支部"  # its investment figures: drawn last (see build)


def clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def f2(x: float) -> str:
    """Format a float with at most two decimals (no trailing zeros)."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def lerp(bad: float, good: float, q: float) -> float:
    return bad + (good - bad) * q


def month_quality(rng: random.Random, name: str, base: float, mi: int) -> float:
    if name in STRONG_FROM and mi >= STRONG_FROM[name][0]:
        return clip(STRONG_FROM[name][1] + rng.gauss(0, 0.01), 0.95, 1.0)
    return clip(base + rng.gauss(0, 0.08), 0.0, 1.0)


def survey(rng: random.Random, n: int, q: float) -> tuple[int, int, int]:
    """Split ``n`` respondents into satisfied / basic / dissatisfied."""
    if n == 0:
        return 0, 0, 0
    p_sat = clip(0.35 + 0.62 * q + rng.gauss(0, 0.04), 0.3, 0.97)
    p_dis = clip(0.22 * (1 - q) + rng.gauss(0, 0.02), 0.0, 0.25)
    sat = round(n * p_sat)
    dis = min(round(n * p_dis), n - sat)
    return sat, n - sat - dis, dis


def make_row(rng: random.Random, spec: tuple, mi: int, q: float) -> dict[str, str]:
    name, category, _base, kpis, masses_n, members_n, committee = spec
    month = MONTHS[mi]
    row: dict[str, str] = {k: "" for k in FIELDS}
    row.update(branch=name, category=category, month=month)

    # --- performance: only the indicators in this branch's library -------------------
    if "sales" in kpis:
        last = COUNTY_SALES_BASE[name] * SEASON[mi] * (1 + rng.gauss(0, 0.03))
        growth = clip(9.4 + 12.0 * (q - 0.6) + rng.gauss(0, 3.0), -3.0, 15.0)
        row["sales_kwh_last_year"] = f2(last)
        row["sales_kwh"] = f2(last * (1 + growth / 100))
        if "revenue" in kpis:
            price = 0.545 + rng.uniform(-0.02, 0.02)  # 元/千瓦时 → 万元 per 万千瓦时
            rev_last = last * price
            rev_growth = clip(growth + 0.9 + rng.gauss(0, 1.0), -3.0, 16.0)
            row["revenue_last_year"] = f2(rev_last)
            row["revenue"] = f2(rev_last * (1 + rev_growth / 100))
    # A "revenue" library without "sales" (计划财务部) gets the bureau-wide revenue,
    # filled in after the county rows (see build).
    if "bill" in kpis:
        if rng.random() < 0.55 + 0.45 * q:
            row["bill_recovery_rate"] = "100"
        else:
            row["bill_recovery_rate"] = f2(clip(rng.uniform(98.0, 99.95), 98.0, 99.99))
    if "loss" in kpis:
        row["line_loss_rate"] = f2(clip(lerp(4.4, 1.85, q) + rng.gauss(0, 0.15), 1.8, 4.5))
    if "mv" in kpis:
        row["mv_outage_hours"] = f2(clip(lerp(21.5, 8.2, q) + rng.gauss(0, 1.0), 8.0, 22.0))
    if "lv" in kpis:
        row["lv_outage_hours"] = f2(clip(lerp(19.5, 7.2, q) + rng.gauss(0, 1.0), 7.0, 20.0))
    if "voltage" in kpis:
        row["voltage_qualified_rate"] = f2(clip(lerp(97.6, 99.85, q) + rng.gauss(0, 0.12),
                                                97.5, 99.9))
    if "invest" in kpis:
        row["investment_completion"] = f2(clip(lerp(72.0, 106.0, q) + rng.gauss(0, 3.0),
                                               70.0, 110.0))
    row["kpis_total"] = "16"
    red = round(clip(lerp(8.0, 16.3, q) + rng.gauss(0, 0.8), 8, 16))
    row["kpis_on_red_list"] = str(red)

    # --- atmosphere -------------------------------------------------------------------
    planned = rng.randint(3, 12)
    missed = sum(rng.random() < 0.35 * (1 - q) for _ in range(planned))
    row["tasks_planned"] = str(planned)
    row["tasks_done"] = str(planned - missed)
    off_track = sum(rng.random() < 0.3 * (1 - q) for _ in range(committee))
    row["committee_members"] = str(committee)
    row["committee_on_track"] = str(committee - off_track)
    for col in ("good_team", "good_members", "good_org_life", "good_rules", "good_role",
                "good_results", "branch_list_done", "member_list_done"):
        row[col] = "0" if rng.random() < 0.02 + 0.45 * (1 - q) else "1"
    if q >= 0.75:
        meetings = rng.choice([3, 3, 3, 4])
    else:
        meetings = rng.choices([0, 1, 2, 3, 4], weights=[1, 2, 2 + 6 * (1 - q), 8, 2])[0]
    row["meetings_held"] = str(meetings)

    # --- reputation -------------------------------------------------------------------
    m_n = masses_n and max(10, min(60, masses_n + rng.randint(-3, 2)))
    p_n = max(5, min(30, members_n + rng.randint(-2, 0)))
    for group, n in (("masses", m_n), ("members", p_n)):
        sat, basic, dis = survey(rng, n, q)
        row[f"{group}_satisfied"] = str(sat)
        row[f"{group}_basic"] = str(basic)
        row[f"{group}_dissatisfied"] = str(dis)

    # --- adjustments and veto ---------------------------------------------------------
    row["honours"] = str(rng.choices([0, 1, 2], weights=[93, 6, 1])[0] if q > 0.6 else 0)
    row["violations"] = str(rng.choices([0, 1, 2, 3], weights=[int(80 + 15 * q), 12, 3, 1])[0])
    row["safety_l4_events"] = "0"
    return row


def best_month(row: dict[str, str]) -> None:
    """Overwrite a row's graded inputs with a flawless month (used for the veto row)."""
    for col, val in (("bill_recovery_rate", "100"), ("line_loss_rate", "1.86"),
                     ("mv_outage_hours", "8.4"), ("lv_outage_hours", "7.6"),
                     ("voltage_qualified_rate", "99.82"), ("investment_completion", "104.5")):
        if row[col] != "":
            row[col] = val
    if row["sales_kwh_last_year"]:
        last = float(row["sales_kwh_last_year"])
        row["sales_kwh"] = f2(last * 1.112)
        rev_last = float(row["revenue_last_year"])
        row["revenue"] = f2(rev_last * 1.121)
    row["kpis_on_red_list"] = "16"
    row["tasks_done"] = row["tasks_planned"]
    row["committee_on_track"] = row["committee_members"]
    for col in ("good_team", "good_members", "good_org_life", "good_rules", "good_role",
                "good_results", "branch_list_done", "member_list_done"):
        row[col] = "1"
    row["meetings_held"] = "4"
    for group in ("masses", "members"):
        n = sum(int(row[f"{group}_{lvl}"]) for lvl in ("satisfied", "basic", "dissatisfied"))
        row[f"{group}_satisfied"], row[f"{group}_basic"] = str(n - 1), "1"
        row[f"{group}_dissatisfied"] = "0"
    row["violations"] = "0"


def build() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for spec in BRANCHES:
        name, _cat, base = spec[0], spec[1], spec[2]
        for mi, month in enumerate(MONTHS):
            q = month_quality(rng, name, base, mi)
            rows[(name, month)] = make_row(rng, spec, mi, q)

    # 计划财务部 answers for the bureau-wide revenue: the sum over the county branches.
    for month in MONTHS:
        cur = sum(float(rows[(b[0], month)]["revenue"]) for b in BRANCHES if b[1] == COUNTY)
        last = sum(float(rows[(b[0], month)]["revenue_last_year"])
                   for b in BRANCHES if b[1] == COUNTY)
        fin = rows[("计划财务部党支部", month)]
        fin["revenue"], fin["revenue_last_year"] = f2(cur), f2(last)

    # 新和 answers for the investment plan like every county branch; its figures come from a
    # stream of their own, drawn after the rest, so that no other row changed when they came.
    late = random.Random(SEED + 1)
    for month in MONTHS:
        row = rows[(LATE_INVEST, month)]
        q = clip(0.30 + late.gauss(0, 0.08), 0.0, 1.0)
        row["investment_completion"] = f2(clip(lerp(72.0, 106.0, q) + late.gauss(0, 3.0),
                                               70.0, 110.0))

    # 1. no masses: 0 head-count in BRANCHES gives 0/0/0 every month; check it.
    for name in NO_MASSES:
        for month in MONTHS:
            r = rows[(name, month)]
            assert r["masses_satisfied"] == r["masses_basic"] == r["masses_dissatisfied"] == "0"

    # 2. zero planned tasks (no work chart yet in January).
    for key in ZERO_TASKS:
        rows[key]["tasks_planned"] = rows[key]["tasks_done"] = "0"

    # 3. vetoed month: flawless otherwise, one level-4 safety event.
    best_month(rows[VETO])
    rows[VETO]["honours"] = "0"
    rows[VETO]["safety_l4_events"] = "1"

    # 4. tie: the second branch copies every input of the first in that month.
    first, second, month = TIE
    tie_row = dict(rows[(first, month)], branch=second)
    rows[(second, month)] = tie_row

    # 5. capped adjustments.
    rows[BIG_DEDUCTION]["violations"] = "6"
    rows[BIG_BONUS]["honours"] = "3"
    rows[BIG_BONUS]["violations"] = "0"

    # 7. exactly 13 of 16 KPIs on the red list.
    rows[RED_13]["kpis_on_red_list"] = "13"

    return [rows[(b[0], m)] for b in BRANCHES for m in MONTHS]


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
