# %% [markdown]
# # fortress_score walkthrough: from the rule file to the board, the explanation and the pictures
#
# Runs as a script (`python examples/walkthrough.py`, as CI does) and opens as a notebook
# in Jupyter or VS Code (the `# %%` cells). It scores the seed's three-dimension scheme on
# the sample city bureau: 30 branches over the 12 months of 2024.

# %%
from pathlib import Path

import fortress_score as fs
from fortress_score import read_data

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = Path.cwd() / "walkthrough-output"

rules = fs.load_rules(ROOT / "rules" / "three-dimensions.yaml")
data = read_data(str(HERE / "branches-2024.csv"), rules)   # or a pandas/polars DataFrame
card = fs.score(rules, data)
print(repr(card))

# %% [markdown]
# ## The board of the latest month, per peer group (一榜)

# %%
for group in ("县区供电分局", "生产单位", "职能部门"):
    top = card.leaderboard(period="2024-12", group=group, top=3)
    print(group, [(r["place"], r["entity"], r["total"], "★" * r["stars"]) for r in top])

# %% [markdown]
# ## Red and black lists on one KPI (红榜 / 黑榜), and the seed's own number
#
# 13 of 16 company KPIs on the red list is 81.25 % attainment on `red_list_share`.

# %%
print("红榜 line loss:", [(r["entity"], r["value"]) for r in card.red_list("line_loss", period="2024-12", top=3)])
print("黑榜 line loss:", [(r["entity"], r["value"]) for r in card.black_list("line_loss", period="2024-12", top=3)])
seed = card.explain("大新供电分局党支部", "2024-04")
share = next(line for line in seed.indicators if line.indicator == "red_list_share")
print("13 of 16 on the red list ->", share.attainment)
assert share.attainment == 0.8125

# %% [markdown]
# ## Why a branch scored what it did, and the cheapest way to the next star

# %%
print(card.explain("天等供电分局党支部", "2024-12"))
change = card.what_if("天等供电分局党支部", "2024-12", changes={"masses_satisfied": 60})
print(change)

# %% [markdown]
# ## Quarters, the benchmark title (标杆) and the likes board (点赞台)

# %%
quarter = card.roll_up("quarter")
print(repr(quarter))
print([(t["entity"], t["period"]) for t in card.benchmarks() if t["period"] == "2024-12"])
print([(c["entity"], c["title"], c["reason"]) for c in card.commendations("2024-12")])

# %% [markdown]
# ## In a notebook: the card and its explanations display as tables; frames for analysis

# %%
assert card._repr_html_().startswith("<div>")           # what Jupyter shows for `card`
assert "<table>" in seed._repr_html_()                    # ... and for `card.explain(...)`
frame = card.to_pandas()                                  # or card.to_polars()
print(frame[["entity", "period", "total", "stars", "rank"]].head())
print(card.to_polars().shape)

# %% [markdown]
# ## Pictures (needs `pip install 'fortress-score[plot]'`)

# %%
try:
    from fortress_score import plots
except ImportError:  # pragma: no cover - the plot extra is optional
    plots = None
if plots is not None:
    try:
        OUT.mkdir(exist_ok=True)
        plots.radar(card, "天等供电分局党支部", "2024-12").savefig(OUT / "radar.png")
        plots.leaderboard_bars(card, period="2024-12", group="县区供电分局").savefig(OUT / "board.png")
        plots.heatmap(card, period="2024-12").savefig(OUT / "heatmap.png")
        print("pictures written to", OUT)
    except ImportError as exc:
        print("pictures skipped:", exc)
