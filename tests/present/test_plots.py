"""Pictures (fortress_score.plots): what a reader of each figure relies on.

The bars are the board's rows in place order and coloured by stars; the radar's lines are
the entity's dimension scores and its peers' medians; the heat map's cells are the
attainment; Chinese text is set in a font that has its glyphs; figures save as PNG and
leave matplotlib's global state alone.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

import fortress_score as fs
from fortress_score.present import plots
from fortress_score import read_data

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2024-12"
GROUP = "县区供电分局"
ENTITY = "天等供电分局党支部"


@pytest.fixture(scope="module")
def card() -> fs.Scorecard:
    rules = fs.load_rules(str(ROOT / "rules/three-dimensions.yaml"))
    data = read_data(str(ROOT / "examples/branches-2024.csv"), rules)
    return fs.Engine(entry_points=False).score(rules, data)


def _visible_labels(labels) -> list[str]:
    return [label.get_text() for label in labels]


def _missing_glyphs(text) -> str:
    """The characters of a Text that the font it is drawn with has no glyph for."""
    path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
    font = FT2Font(path)
    return "".join(ch for ch in text.get_text()
                   if not ch.isspace() and font.get_char_index(ord(ch)) == 0)


def _suptitle(fig: Figure):
    return fig._suptitle  # the Text itself (get_suptitle() gives only its string)


# -- the leaderboard bars ---------------------------------------------------------------------


def test_bars_are_the_board_rows_in_place_order(card: fs.Scorecard) -> None:
    board = card.leaderboard(period=PERIOD, group=GROUP)
    fig = plots.leaderboard_bars(card, period=PERIOD, group=GROUP)
    ax = fig.axes[0]
    bars = list(ax.containers[0])
    assert len(bars) == len(board) == 10
    # place 1 at the top: the y axis runs downwards and bar k sits at y = k
    assert ax.yaxis_inverted()
    centres = [bar.get_y() + bar.get_height() / 2 for bar in bars]
    assert centres == sorted(centres)
    assert [bar.get_width() for bar in bars] == [row["total"] for row in board]
    labels = _visible_labels(ax.get_yticklabels())
    assert labels == [f"{row['place']}. {row['entity']}" for row in board]
    places = [row["place"] for row in board]
    assert places == sorted(places) and places[0] == 1


def test_bar_colours_follow_stars_with_a_fixed_palette_and_legend(card: fs.Scorecard) -> None:
    board = card.leaderboard(period=PERIOD)
    fig = plots.leaderboard_bars(card, period=PERIOD)
    bars = list(fig.axes[0].containers[0])
    stars = [row["stars"] for row in board]
    assert len(set(stars)) >= 4, "the sample should show several star levels"
    assert [to_hex(bar.get_facecolor()) for bar in bars] == [
        to_hex(plots.STAR_COLOURS[s]) for s in stars]
    same = [to_hex(bar.get_facecolor()) for bar, s in zip(bars, stars) if s == 5]
    assert same and len(set(same)) == 1
    legend = fig.axes[0].get_legend()
    assert _visible_labels(legend.get_texts()) == [
        "五星党支部", "四星党支部", "三星党支部", "二星党支部", "一星党支部", plots.NO_STAR_LABEL]
    assert [to_hex(h.get_facecolor()) for h in legend.legend_handles] == [
        to_hex(plots.STAR_COLOURS[s]) for s in (5, 4, 3, 2, 1, 0)]


def test_bars_default_to_the_latest_period_and_keep_top(card: fs.Scorecard) -> None:
    latest = plots.leaderboard_bars(card)
    assert len(latest.axes[0].containers[0]) == len(card.leaderboard(period=card.periods()[-1]))
    assert PERIOD in _suptitle(latest).get_text()
    top = plots.leaderboard_bars(card, period="2024-06", top=3)
    assert len(top.axes[0].containers[0]) == len(card.leaderboard(period="2024-06", top=3))


# -- the radar --------------------------------------------------------------------------------


def test_radar_draws_the_entity_and_the_peer_median(card: fs.Scorecard) -> None:
    why = card.explain(ENTITY, PERIOD)
    fig = plots.radar(card, ENTITY, PERIOD)
    ax = fig.axes[0]
    assert ax.name == "polar"
    assert ax.get_ylim() == (0, 100)
    lines = {line.get_gid(): line for line in ax.get_lines()}
    assert set(lines) == {"entity", "median"} and len(ax.get_lines()) == 2
    dims = [d.id for d in card.rules.dimensions]

    own = lines["entity"].get_ydata()
    assert list(own[:-1]) == [why.dimensions[d] for d in dims]
    assert own[-1] == own[0]  # closed
    assert lines["entity"].get_label() == ENTITY

    peers = [r for r in card.to_records() if r["period"] == PERIOD and r["group"] == GROUP]
    assert len(peers) == 10
    expected = [float(np.median([r["dimensions"][d] for r in peers])) for d in dims]
    median = lines["median"].get_ydata()
    assert list(median[:-1]) == pytest.approx(expected)
    assert median[-1] == median[0]
    assert lines["median"].get_label().startswith(plots.PEER_MEDIAN_LABEL)
    assert "10" in lines["median"].get_label()

    assert _visible_labels(ax.get_xticklabels()) == [d.title for d in card.rules.dimensions]
    title = _suptitle(fig).get_text()
    assert ENTITY in title and PERIOD in title and f"{why.total:g}" in title


def test_radar_of_an_unknown_entity_is_the_explain_error(card: fs.Scorecard) -> None:
    with pytest.raises(fs.DataError, match="no row for entity"):
        plots.radar(card, "不存在的党支部", PERIOD)


# -- the heat map -----------------------------------------------------------------------------


def test_heatmap_cells_are_the_attainment(card: fs.Scorecard) -> None:
    fig = plots.heatmap(card, period=PERIOD)
    ax = fig.axes[0]
    image = ax.images[0]
    cells = image.get_array()
    indicators = card.rules.indicators
    entities = _visible_labels(ax.get_yticklabels())
    assert cells.shape == (len(entities), len(indicators)) == (30, 14)

    columns = card.to_columns()
    in_period = columns["period"].astype(str) == PERIOD
    row_of = {columns["entity"][r]: r for r in np.flatnonzero(in_period)}
    assert sorted(entities) == sorted(row_of)
    expected = np.array([[card.figures.attainment[i][row_of[e]] for i in range(len(indicators))]
                         for e in entities])
    assert np.isnan(expected).any(), "the sample has indicators that do not apply"
    np.testing.assert_array_equal(np.ma.getmaskarray(cells), np.isnan(expected))
    np.testing.assert_array_equal(cells.filled(np.nan), expected)
    assert image.get_clim() == (0.0, 1.0)
    red, green, blue, alpha = image.get_cmap().get_bad()
    assert red == green == blue and alpha == 1  # cells that do not apply are grey

    totals = [columns["total"][row_of[e]] for e in entities]
    assert totals == sorted(totals, reverse=True)  # best first, as on the board
    assert _visible_labels(ax.get_xticklabels()) == [ind.title for _, ind in indicators]


def test_heatmap_of_an_unknown_period_says_so(card: fs.Scorecard) -> None:
    with pytest.raises(fs.PeriodError, match="2031-01"):
        plots.heatmap(card, period="2031-01")


# -- Chinese text, PNG, global state ----------------------------------------------------------


def _figures(card: fs.Scorecard) -> dict[str, Figure]:
    return {
        "radar": plots.radar(card, ENTITY, PERIOD),
        "board": plots.leaderboard_bars(card, period=PERIOD, group=GROUP),
        "heatmap": plots.heatmap(card, period=PERIOD),
    }


def test_titles_hold_the_rule_pack_title_in_a_font_with_its_glyphs(card: fs.Scorecard) -> None:
    assert plots.find_cjk_font() is not None, (
        "no CJK font: install the plot extra (pip install 'fortress-score[plot]') or "
        "apt-get install fonts-noto-cjk")
    for name, fig in _figures(card).items():
        title = _suptitle(fig)
        assert card.rules.title in title.get_text(), name
        assert _missing_glyphs(title) == "", name
        ax = fig.axes[0]
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            if any("\u4e00" <= ch <= "\u9fff" for ch in label.get_text()):
                assert _missing_glyphs(label) == "", (name, label.get_text())


def test_figures_save_as_png_without_missing_glyphs(card: fs.Scorecard, tmp_path: Path) -> None:
    for name, fig in _figures(card).items():
        path = tmp_path / f"{name}.png"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib warns of every glyph it lacks
            fig.savefig(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        height, width, _ = matplotlib.image.imread(path).shape
        assert height > 200 and width > 200


def test_figures_leave_matplotlib_global_state_alone(card: fs.Scorecard) -> None:
    from matplotlib._pylab_helpers import Gcf

    before = dict(matplotlib.rcParams)
    figures = _figures(card)
    assert dict(matplotlib.rcParams) == before
    assert Gcf.get_num_fig_managers() == 0  # not pyplot figures: nothing to close
    assert all(type(fig) is Figure for fig in figures.values())


def test_a_font_of_ones_own(card: fs.Scorecard) -> None:
    dejavu = Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"
    fig = plots.leaderboard_bars(card, period=PERIOD, font=dejavu)
    assert Path(_suptitle(fig).get_fontproperties().get_file()) == dejavu
    with pytest.raises(FileNotFoundError, match="nowhere.ttf"):
        plots.radar(card, ENTITY, PERIOD, font="/nowhere.ttf")


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch):
    """A machine with no CJK font anywhere: no known family, no system file, no package."""
    monkeypatch.setattr(plots, "_installed_fonts", list)
    monkeypatch.setattr(plots, "_system_font_files", list)
    monkeypatch.setattr(plots, "_packaged_fonts", list)
    plots.find_cjk_font.cache_clear()
    yield
    plots.find_cjk_font.cache_clear()


def test_the_font_search_takes_the_first_font_that_has_the_glyphs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    cjk = plots.find_cjk_font()
    assert cjk is not None
    dejavu = str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf")
    monkeypatch.setattr(plots, "_system_font_files", list)
    monkeypatch.setattr(plots, "_packaged_fonts", list)
    # a known family whose file lacks the glyphs is passed over for the next one
    monkeypatch.setattr(plots, "_installed_fonts", lambda: [
        ("Noto Sans CJK SC", dejavu, 400, "normal"), ("WenQuanYi Zen Hei", str(cjk), 400, "normal"),
        ("DejaVu Sans", dejavu, 400, "normal")])
    assert plots._search() == cjk
    # a system font file matplotlib's cache does not know yet (installed after it was built)
    fresh = tmp_path / "NotoSansCJKsc-Regular.otf"
    fresh.symlink_to(cjk)
    monkeypatch.setattr(plots, "_installed_fonts", list)
    monkeypatch.setattr(plots, "_system_font_files", lambda: [dejavu, str(fresh)])
    assert plots._search() == fresh
    # nothing on the system: the font a pip package ships
    monkeypatch.setattr(plots, "_system_font_files", lambda: [dejavu])
    monkeypatch.setattr(plots, "_packaged_fonts", lambda: [cjk])
    assert plots._search() == cjk
    monkeypatch.setattr(plots, "_packaged_fonts", list)
    assert plots._search() is None


def test_without_a_cjk_font_one_warning_says_how_to_install_one(
    card: fs.Scorecard, no_cjk_font: None, tmp_path: Path,
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = _figures(card)
    ours = [w for w in caught if issubclass(w.category, plots.CJKFontWarning)]
    assert len(ours) == 1 and len(caught) == 1
    assert issubclass(ours[0].category, UserWarning)
    assert "apt-get install fonts-noto-cjk" in str(ours[0].message)
    assert ours[0].filename == __file__  # points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the boxes matplotlib warns about, glyph by glyph
        figures["board"].savefig(tmp_path / "boxes.png")
    assert (tmp_path / "boxes.png").stat().st_size > 0


def test_the_module_imports_without_matplotlib_and_says_how_to_get_it() -> None:
    script = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "from fortress_score import plots\n"
        "try:\n"
        "    plots.heatmap(None)\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert "pip install 'fortress-score[plot]'" in done.stdout


# -- rank intervals and sensitivity ----------------------------------------------------------


def test_rank_intervals_draw_each_branch_of_the_group_in_rank_order(card: fs.Scorecard,
                                                                    tmp_path: Path) -> None:
    u = card.uncertainty(300, weights=0.3, seed=2)
    fig = plots.rank_intervals(u, PERIOD, GROUP)
    ax = fig.axes[0]
    mine = [r for r in card.to_records() if r["period"] == PERIOD and r["group"] == GROUP]
    mine.sort(key=lambda r: (r["rank"], r["entity"]))
    assert _visible_labels(ax.get_yticklabels()) == [r["entity"] for r in mine]
    segments = ax.collections[0].get_segments()
    columns = u.to_columns()
    at = {(str(e), str(p)): i for i, (e, p) in enumerate(zip(columns["entity"], columns["period"]))}
    for segment, record in zip(segments, mine):
        i = at[(record["entity"], PERIOD)]
        assert (segment[0][0], segment[1][0]) == (u.rank_p05[i], u.rank_p95[i])
    assert not _missing_glyphs(_suptitle(fig))
    fig.savefig(tmp_path / "intervals.png")


def test_sensitivity_bars_show_both_indices_of_each_weight(card: fs.Scorecard) -> None:
    s = card.sensitivity(64, weights=0.3, seed=1)
    fig = plots.sensitivity_bars(s)
    ax = fig.axes[0]
    first, total = ax.containers
    assert [b.get_width() for b in first] == pytest.approx(np.nan_to_num(s.board_first_order))
    assert [b.get_width() for b in total] == pytest.approx(np.nan_to_num(s.board_total))
    assert _visible_labels(ax.get_yticklabels()) == [f"{d.title} 权重" for d in card.rules.dimensions]
