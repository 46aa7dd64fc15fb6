"""Pictures of a Scorecard: a radar, a leaderboard bar chart and an attainment heat map.

Needs matplotlib, the optional extra: ``pip install 'fortress-score[plot]'``. The module
imports without it; each function imports matplotlib when called and raises an
``ImportError`` saying how to install it when it is missing.

Every function returns a new :class:`matplotlib.figure.Figure` built with the
object-oriented API (``matplotlib.figure.Figure()``, never ``pyplot``): nothing global is
touched, so the functions work headless (``fig.savefig("board.png")``), in scripts, in
web servers and in notebooks, where a returned Figure is shown as the cell's output.

- :func:`radar` — one entity's dimension scores against the median of its peers (the rows
  of the same period and the same ``group_by`` value, the entity included), 0–100.
- :func:`leaderboard_bars` — the board as horizontal bars of the total, place 1 at the
  top, each bar coloured by its stars with a fixed palette (:data:`STAR_COLOURS`, the same
  colour for the same stars in every picture) and a legend of the rule set's star titles.
- :func:`heatmap` — entities × indicators attainment (0..1; an indicator that does not
  apply to a row is a grey cell), entities best total first, indicator titles below and
  dimension titles above.

Chinese text (font strategy)
----------------------------
Titles, names and labels come from the rule file and the data, so they are usually
Chinese, and matplotlib's default font (DejaVu Sans) has no Chinese glyphs: the text
would come out as empty boxes (豆腐块). The first time a picture is drawn, the module
looks for a font that really has the glyphs (it opens each candidate and checks that
``党支部评价`` is covered), in this order:

1. a font matplotlib already knows (``matplotlib.font_manager.fontManager``) whose family
   is one of Noto Sans CJK SC / Noto Sans SC, Source Han Sans (思源黑体), WenQuanYi
   Zen Hei / Micro Hei (文泉驿), Microsoft YaHei (微软雅黑), SimHei (黑体), PingFang SC
   (苹方), Heiti / Hiragino Sans GB, Droid Sans Fallback, or any other Noto CJK face;
2. a font file of one of those families among the system's fonts
   (``font_manager.findSystemFonts()``), which also finds a font installed after
   matplotlib built its font cache, so ``apt-get install fonts-noto-cjk`` works at once;
3. a font shipped by a pip package: ``pylopdf-fonts-zh-cn`` (Noto Sans SC, SIL Open Font
   License, a 17 MB wheel, installed with the ``plot`` extra), or ``mplfonts`` if that
   happens to be installed;
4. none of these: one :class:`CJKFontWarning` (a ``UserWarning``) saying how to install a
   font (``apt-get install fonts-noto-cjk`` on Debian/Ubuntu, or
   ``pip install pylopdf-fonts-zh-cn``), and the pictures are drawn anyway.

So on a fresh Linux machine ``pip install 'fortress-score[plot]'`` is enough for Chinese
to render. The choice is made once per process (:func:`find_cjk_font`); each function also
takes ``font=`` (a path to a font file) to use a font of your own. The font is applied
only to the text of the figures made here (``fontproperties`` on each text element), never
through ``matplotlib.rcParams``, so other figures in the same notebook are unchanged;
axis numbers keep matplotlib's default font.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import math
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from ..analysis.boards import leaderboard
from ..analysis.explain import explain_row
from ..analysis.records import to_columns
from ..analysis.sensitivity import Sensitivity
from ..analysis.uncertainty import Uncertainty
from ..errors import PeriodError, Problem, shown
from ..keys import matching
from ..periods import wanted_period
from ..scoring.result import HasResult, Result, result_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.projections.polar import PolarAxes


__all__ = [
    "NO_STAR_LABEL",
    "STAR_COLOURS",
    "CJKFontWarning",
    "find_cjk_font",
    "heatmap",
    "leaderboard_bars",
    "radar",
    "rank_intervals",
    "sensitivity_bars",
]

STAR_COLOURS: tuple[str, ...] = ("#b4b4b4", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33",
                                 "#b30000")
"""Bar colour by stars, 0 to 5 (grey for no star, then light orange to deep red); a row
with more than 5 stars takes the colour of 5."""

NO_STAR_LABEL = "未定星"
"""Legend label of 0 stars (a star band's own label is its ``title`` in the rule file)."""

PEER_MEDIAN_LABEL = "同组中位数"
"""Legend label of the peers' median on the radar."""

INSTALL_HINT = "pip install 'fortress-score[plot]'"

_PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Heiti SC", "Hiragino Sans GB", "Noto Sans CJK", "Source Han Sans", "PingFang",
    "Droid Sans Fallback", "Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif",
    "Noto Serif CJK",
)
"""Family names looked for (case-insensitive substrings), best first: Simplified Chinese
sans-serif faces, then any CJK face that covers Chinese."""

_FILE_HINTS: tuple[str, ...] = (
    "notosanscjksc", "notosanssc", "sourcehansanssc", "sourcehansanscn", "wqy-zenhei",
    "wqy-microhei", "msyh", "simhei", "pingfang", "notosanscjk", "sourcehansans",
    "droidsansfallback", "notoserifcjk", "notoserifsc",
)
"""Font file names of those families (lower case, spaces and underscores dropped)."""

_PROBE = "党支部评价"
"""Characters a font must have to be chosen."""


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: Chinese text will show as boxes."""


# -- matplotlib, imported lazily -------------------------------------------------------------


def _matplotlib() -> Any:
    try:
        import matplotlib
        import matplotlib.figure
        import matplotlib.font_manager
        import matplotlib.patches
    except ImportError as exc:
        raise ImportError(
            f"fortress_score.plots needs matplotlib: {INSTALL_HINT}"
        ) from exc
    return matplotlib


# -- the font ---------------------------------------------------------------------------------


def _covers(path: str | os.PathLike[str], text: str = _PROBE) -> bool:
    """True when the font file at ``path`` has a glyph for every character of ``text``."""
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(os.fspath(path))
        return all(font.get_char_index(ord(ch)) != 0 for ch in text)
    except (OSError, RuntimeError, ValueError):  # unreadable or unsupported file
        return False


def _installed_fonts() -> list[tuple[str, str, int, str]]:
    """(family, path, weight, style) of every font matplotlib knows."""
    from matplotlib import font_manager

    return [(f.name, f.fname, _weight(f.weight), f.style) for f in font_manager.fontManager.ttflist]


def _weight(weight: Any) -> int:
    if isinstance(weight, int | float):
        return int(weight)
    from matplotlib import font_manager

    return int(font_manager.weight_dict.get(str(weight), 400))


def _system_font_files() -> list[str]:
    from matplotlib import font_manager

    return list(font_manager.findSystemFonts())


def _packaged_fonts() -> list[Path]:
    """Font files shipped by pip-installable packages that are installed."""
    found: list[Path] = []
    if importlib.util.find_spec("pylopdf_fonts_zh_cn") is not None:
        module = importlib.import_module("pylopdf_fonts_zh_cn")
        found.append(Path(module.sans_path()))
    spec = importlib.util.find_spec("mplfonts")
    if spec is not None and spec.submodule_search_locations:
        fonts = Path(next(iter(spec.submodule_search_locations))) / "fonts"
        found += [fonts / "NotoSansCJKsc-Regular.otf", fonts / "SourceHanSansSC-Regular.otf"]
    return [path for path in found if path.is_file()]


def _regular_first(weight: int, style: str, path: str) -> tuple[int, bool, str]:
    return (abs(weight - 400), style != "normal", path)


def _search() -> Path | None:
    """The best font with Chinese glyphs, by the order in the module docstring."""
    known = _installed_fonts()
    for family in _PREFERRED_FAMILIES:
        wanted = family.lower()
        by_weight = sorted(_regular_first(w, s, p) for name, p, w, s in known
                           if wanted in name.lower())
        for *_, known_path in by_weight:
            if _covers(known_path):
                return Path(known_path)

    def squeeze(path: str) -> str:
        return Path(path).name.lower().replace(" ", "").replace("_", "")

    files = _system_font_files()
    for hint in _FILE_HINTS:
        regular_first = sorted(("regular" not in squeeze(p), p) for p in files
                               if hint in squeeze(p))
        for _, file in regular_first:
            if _covers(file):
                return Path(file)
    for packaged in _packaged_fonts():
        if _covers(packaged):
            return packaged
    return None


@functools.cache
def find_cjk_font() -> Path | None:
    """The font file used for Chinese text, chosen once per process; None when there is none.

    The search is described in the module docstring. When nothing is found, one
    :class:`CJKFontWarning` says how to install a font. ``find_cjk_font.cache_clear()``
    searches again (after installing a font in a running notebook).
    """
    _matplotlib()
    path = _search()
    if path is None:
        warnings.warn(
            "no font with Chinese glyphs was found, so Chinese text in the pictures will show "
            "as boxes. Install one: 'apt-get install fonts-noto-cjk' (Debian/Ubuntu), or "
            f"'pip install pylopdf-fonts-zh-cn' (or {INSTALL_HINT}); then restart Python or "
            "call fortress_score.plots.find_cjk_font.cache_clear()",
            CJKFontWarning, stacklevel=4,
        )
    return path


class _Text:
    """Font keyword arguments for the text of one figure: the CJK font when there is one."""

    def __init__(self, font: str | os.PathLike[str] | None) -> None:
        from matplotlib.font_manager import FontProperties

        path = Path(font) if font is not None else find_cjk_font()
        if path is not None and not path.is_file():
            raise FileNotFoundError(f"font file not found: {path}")
        self._properties: FontProperties | None = (
            FontProperties(fname=os.fspath(path)) if path is not None else None)

    def properties(self, size: float | None = None) -> FontProperties | None:
        if self._properties is None:
            if size is None:
                return None
            from matplotlib.font_manager import FontProperties

            return FontProperties(size=size)
        properties = self._properties.copy()
        if size is not None:
            properties.set_size(size)
        return properties

    def kw(self, size: float | None = None) -> dict[str, Any]:
        """``fontproperties=...`` for a call that makes text (``set_title``, tick labels)."""
        properties = self.properties(size)
        return {} if properties is None else {"fontproperties": properties}


# -- rows of the card -------------------------------------------------------------------------


def _latest(result: Result, period: Any) -> Any:
    """``period``, or the card's latest period when None (None when it has no periods)."""
    if period is not None:
        return period
    periods = result.periods()
    return periods[-1] if periods else None


def _period_mask(result: Result, columns: dict[str, npt.NDArray[Any]],
                 period: Any) -> npt.NDArray[np.bool_]:
    n = len(columns["entity"])
    if period is None:
        return np.ones(n, dtype=bool)
    if result.rules.period is None:
        raise PeriodError(Problem(f"period {shown(period)} was asked for, but the rule set has no "
                                  "period column"))
    mask = matching(columns["period"], wanted_period(period, columns["period"]))
    if not mask.any():
        known = ", ".join(str(p) for p in result.periods()[:20])
        raise PeriodError(Problem(f"no rows for period {shown(period)} (periods: {known})",
                                  column=result.rules.period))
    return mask


def _title(result: Result) -> str:
    return result.rules.title or result.rules.ruleset


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _star_colour(stars: int) -> str:
    return STAR_COLOURS[min(max(int(stars), 0), len(STAR_COLOURS) - 1)]


def _new_figure(size: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained")


# -- the pictures -----------------------------------------------------------------------------


def radar(card: Result | HasResult, entity: Any, period: Any = None, *,
          font: str | os.PathLike[str] | None = None) -> Figure:
    """One entity's dimension scores against its peers' median, on a polar axes (0–100).

    Peers are the rows of the same period and the same ``group_by`` value, the entity
    included; the median of each dimension is taken over the peers it applies to. Both
    lines hold the reported (rounded) dimension scores; a dimension that does not apply
    to the entity leaves a gap in its line.

    Args:
        card: the scored rows.
        entity: the entity to draw.
        period: its period (default: its latest, as :meth:`Scorecard.explain`).
        font: a font file for the text instead of the one :func:`find_cjk_font` chose.

    Returns:
        A Figure with one polar axes holding two closed lines (the first value repeated
        at the end): the entity's (gid ``"entity"``, labelled with its name) and the
        median's (gid ``"median"``, labelled :data:`PEER_MEDIAN_LABEL` and the number of
        peers); the figure's suptitle holds the rule set's title, the entity, period and
        group, and the total with its stars.

    Raises:
        DataError, PeriodError: no row for ``entity`` in ``period``.
    """
    _matplotlib()
    text = _Text(font)
    result = result_of(card)
    why = explain_row(result, result.row_of(entity, period))
    rules = result.rules
    ids = [d.id for d in rules.dimensions]
    labels = [d.title or d.id for d in rules.dimensions]
    own = np.array([_float(why.dimensions.get(i)) for i in ids])

    columns = to_columns(result)
    peers = np.ones(len(columns["entity"]), dtype=bool)
    if rules.period is not None:
        peers &= columns["period"].astype(str) == str(why.period)
    if rules.group_by is not None:
        peers &= columns["group"].astype(str) == str(why.group)
    median = np.full(len(ids), np.nan)
    for k, i in enumerate(ids):
        values = columns[f"dimensions.{i}"][peers].astype(np.float64)
        values = values[~np.isnan(values)]
        if values.size:
            median[k] = float(np.median(values))

    fig = _new_figure((6.4, 6.4))
    ax = cast("PolarAxes", fig.add_subplot(projection="polar"))
    angles = np.linspace(0.0, 2 * np.pi, len(ids), endpoint=False)
    closed = np.append(angles, angles[:1])
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_rlabel_position(0)
    ax.tick_params(axis="y", labelsize=8, labelcolor="#666666")
    ax.set_xticks(angles, labels, **text.kw(11))

    median_line, = ax.plot(closed, np.append(median, median[:1]), color="#7f7f7f",
                           linestyle="--", linewidth=1.5, marker="o", markersize=4,
                           label=f"{PEER_MEDIAN_LABEL}（{int(peers.sum())}）")
    median_line.set_gid("median")
    own_line, = ax.plot(closed, np.append(own, own[:1]), color="#c00000", linewidth=2,
                        marker="o", markersize=5, label=str(why.entity))
    own_line.set_gid("entity")
    ax.fill(closed, np.nan_to_num(np.append(own, own[:1])), color="#c00000", alpha=0.15)
    for angle, value in zip(angles, own):
        if not np.isnan(value):
            ax.annotate(f"{value:g}", (angle, value), textcoords="offset points",
                        xytext=(0, 7), ha="center", fontsize=9, color="#c00000")

    where = " · ".join(str(p) for p in (why.entity, why.period, why.group) if p is not None)
    total = "—" if why.total is None else f"{why.total:g}"
    fig.suptitle(f"{_title(result)}\n{where}\n总分 {total} · {'★' * why.stars or NO_STAR_LABEL}",
                 **text.kw(12))
    fig.legend(handles=[own_line, median_line], loc="outside lower center", ncols=2,
               frameon=False, prop=text.properties(10))
    return fig


def leaderboard_bars(card: Result | HasResult, period: Any = None, group: Any = None,
                     top: int | None = None, *,
                     font: str | os.PathLike[str] | None = None) -> Figure:
    """The board as horizontal bars of the total, place 1 at the top, coloured by stars.

    The rows are :meth:`Scorecard.leaderboard` ``(period, group, top)``: competition
    places, ties by entity, ties at a ``top`` cut kept, rows without a total left out.
    Each bar is coloured by its stars from :data:`STAR_COLOURS` (fixed: the same stars
    always have the same colour) and labelled with its total and stars; the legend lists
    the rule set's star bands by their titles.

    Args:
        card: the scored rows.
        period: one period (default: the latest; a card without periods shows every row).
        group: one ``group_by`` value, or None for all groups together.
        top: keep places up to ``top``.
        font: a font file for the text instead of the one :func:`find_cjk_font` chose.

    Returns:
        A Figure with one axes whose first container holds the bars, in place order
        (the first bar is place 1, drawn at the top); the suptitle holds the rule set's
        title, the period and the group.
    """
    _matplotlib()
    from matplotlib.patches import Patch

    text = _Text(font)
    result = result_of(card)
    period = _latest(result, period)
    board = leaderboard(result, period=period, group=group, top=top)
    rules = result.rules
    n = len(board)
    fig = _new_figure((8.0, max(3.0, 0.32 * n + 1.8)))
    ax = fig.add_subplot()
    totals = [float(row["total"]) for row in board]
    colours = [_star_colour(row["stars"]) for row in board]
    bars = ax.barh(np.arange(n), totals, color=colours, edgecolor="white", height=0.75)
    ax.set_yticks(np.arange(n), [f"{row['place']}. {row['entity']}" for row in board],
                  **text.kw(9))
    ax.invert_yaxis()  # place 1 at the top
    ax.bar_label(bars, [f"{row['total']:g} {'★' * row['stars']}" for row in board],
                 padding=3, **text.kw(8))
    ax.set_xlim(0, rules.scale * 1.12)
    ax.set_xlabel("总分", **text.kw(10))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)

    titles = {r.stars: r.title or f"{r.stars}★" for r in rules.ratings}
    levels = sorted({0, *titles}, reverse=True)
    handles = [Patch(facecolor=_star_colour(s), label=titles.get(s, NO_STAR_LABEL))
               for s in levels]
    ax.legend(handles=handles, loc="lower right", prop=text.properties(8), framealpha=0.9)
    heading = " · ".join(str(p) for p in (period, group) if p is not None)
    fig.suptitle(f"{_title(result)}\n{heading + ' · ' if heading else ''}排行榜",
                 **text.kw(12))
    return fig


def heatmap(card: Result | HasResult, period: Any = None, *,
            font: str | os.PathLike[str] | None = None) -> Figure:
    """Entities × indicators attainment (0..1), grey where an indicator does not apply.

    Rows are the entities of ``period``, best reported total first (ties and rows
    without a total by entity); columns are the indicators in rule-file order, titled
    below, with the dimension titles above. The colours are the unrounded attainment
    (``card.figures.attainment``) on a fixed 0..1 scale.

    Args:
        card: the scored rows.
        period: one period (default: the latest; a card without periods shows every row).
        font: a font file for the text instead of the one :func:`find_cjk_font` chose.

    Returns:
        A Figure whose first axes holds the image: its array is (rows, indicators), NaN
        masked; the y tick labels name the rows' entities, top to bottom; the suptitle
        holds the rule set's title and the period.

    Raises:
        PeriodError: ``period`` is not in the data, or the rule set has no period.
    """
    mpl = _matplotlib()
    text = _Text(font)
    result = result_of(card)
    period = _latest(result, period)
    columns = to_columns(result)
    rows = np.flatnonzero(_period_mask(result, columns, period))
    totals = columns["total"][rows].astype(np.float64)
    names = columns["entity"][rows].astype(str)
    order = np.lexsort((names, np.where(np.isnan(totals), np.inf, -totals)))
    rows = rows[order]
    rules = result.rules
    indicators = rules.indicators
    attainment = result.figures.attainment
    matrix = np.column_stack([attainment[i][rows] for i in range(len(indicators))]) \
        if indicators else np.empty((rows.size, 0))

    n_rows, n_cols = matrix.shape
    fig = _new_figure((max(6.0, 0.55 * n_cols + 4.5), max(4.0, 0.3 * n_rows + 4.0)))
    ax = fig.add_subplot()
    cmap = mpl.colormaps["RdYlGn"].with_extremes(bad="#d9d9d9")
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, vmin=0.0, vmax=1.0,
                      aspect="auto", interpolation="nearest")
    ax.set_xticks(np.arange(n_cols), [ind.title or ind.id for _, ind in indicators],
                  rotation=50, ha="right", rotation_mode="anchor", **text.kw(8))
    ax.set_yticks(np.arange(n_rows), [str(columns["entity"][r]) for r in rows], **text.kw(8))
    ax.tick_params(length=0)

    spans: list[tuple[float, str]] = []
    start = 0
    for dimension in rules.dimensions:
        width = len(dimension.indicators)
        if width:
            spans.append((start + (width - 1) / 2, dimension.title or dimension.id))
            if start:
                ax.axvline(start - 0.5, color="white", linewidth=3)
        start += width
    top = ax.secondary_xaxis("top")
    top.set_xticks([s for s, _ in spans], [t for _, t in spans], **text.kw(10))
    top.tick_params(length=0)
    top.spines["top"].set_visible(False)

    bar = fig.colorbar(image, ax=ax, shrink=0.6, pad=0.02)
    bar.set_label("达成度（灰色：不适用）", **text.kw(9))
    heading = f" · {period}" if period is not None else ""
    fig.suptitle(f"{_title(result)}{heading}\n指标达成度", **text.kw(12))
    return fig



def rank_intervals(uncertainty: Uncertainty, period: Any = None, group: Any = None, *,
                   font: str | os.PathLike[str] | None = None) -> Figure:
    """Each branch's rank over the weight draws: a bar from the 5 % to the 95 % rank, a dot
    at the median, a ring at the card's own rank; branches in the order of their own rank.

    Args:
        uncertainty: from :meth:`Scorecard.uncertainty`.
        period: one period (default: the latest).
        group: one ``group_by`` value (default: the first group of the period).
        font: a font file for the text instead of the one :func:`find_cjk_font` chose.

    Returns:
        A Figure with one axes: its first collection holds the intervals (one line a
        branch, top to bottom in rank order) and its y tick labels the branches.
    """
    _matplotlib()
    text = _Text(font)
    u = uncertainty
    result = u.result
    columns = u.to_columns()
    period = _latest(result, period)
    rows = np.flatnonzero(_period_mask(result, columns, period) & ~np.isnan(u.nominal_rank))
    if group is None and result.group_text is not None and rows.size:
        group = result.group_text[rows[0]]
    if group is not None and result.group_text is not None:
        rows = rows[result.group_text[rows] == str(group)]
    rows = rows[np.lexsort((result.entity_text[rows], u.nominal_rank[rows]))]
    n = rows.size
    fig = _new_figure((7.5, max(3.0, 0.34 * n + 1.8)))
    ax = fig.add_subplot()
    y = np.arange(n)
    ax.hlines(y, u.rank_p05[rows], u.rank_p95[rows], color="#fc8d59", linewidth=6,
              label="5–95 % 区间")
    ax.plot(u.median_rank[rows], y, "o", color="#b30000", markersize=5, label="中位名次")
    ax.plot(u.nominal_rank[rows], y, "o", markerfacecolor="none", markeredgecolor="#404040",
            markersize=9, label="本期名次")
    ax.set_yticks(y, [str(result.table.entity[r]) for r in rows], **text.kw(9))
    ax.invert_yaxis()
    ax.set_xlim(0.5, max(float(np.max(u.rank_p95[rows], initial=1.0)), 1.0) + 0.5)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("名次（1 为最好）", **text.kw(10))
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=3, prop=text.properties(8), frameon=False)
    heading = " · ".join(str(p) for p in (period, group) if p is not None)
    fig.suptitle(f"{_title(result)}\n{heading + ' · ' if heading else ''}"
                 f"权重浮动 {len(u.samples)} 次的名次区间", **text.kw(12))
    return fig


def sensitivity_bars(sensitivity: Sensitivity, *,
                     font: str | os.PathLike[str] | None = None) -> Figure:
    """The first-order and total sensitivity indices of the board's mean absolute rank
    shift, one pair of bars a parameter (a dimension's weight, an indicator's points).

    Returns:
        A Figure with one axes whose two containers hold the first-order and the total
        bars, in parameter order.
    """
    _matplotlib()
    text = _Text(font)
    s = sensitivity
    rules = s.result.rules
    names = {f"weight.{d.id}": f"{d.title or d.id} 权重" for d in rules.dimensions}
    names |= {f"points.{ind.id}": f"{ind.title or ind.id} 分值" for _, ind in rules.indicators}
    k = len(s.parameters)
    fig = _new_figure((7.5, max(2.8, 0.5 * k + 1.6)))
    ax = fig.add_subplot()
    y = np.arange(k)
    ax.barh(y - 0.2, np.nan_to_num(s.board_first_order), height=0.4, color="#fdbb84",
            label="一阶指数 S（单独的影响）")
    ax.barh(y + 0.2, np.nan_to_num(s.board_total), height=0.4, color="#e34a33",
            label="总效应指数 ST（含交互）")
    ax.set_yticks(y, [names.get(p, p) for p in s.parameters], **text.kw(9))
    ax.invert_yaxis()
    ax.set_xlim(min(0.0, float(np.nanmin(s.board_first_order, initial=0.0))) - 0.02, 1.05)
    ax.set_xlabel("方差占比", **text.kw(10))
    ax.axvline(0, color="#808080", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=2, prop=text.properties(8), frameon=False)
    fig.suptitle(f"{_title(s.result)}\n全榜名次平均变动对各权重的敏感度（{s.base_samples} 组基样本）",
                 **text.kw(12))
    return fig
