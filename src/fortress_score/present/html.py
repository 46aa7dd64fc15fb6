"""The notebook view of a result: its latest period as an HTML table."""

from __future__ import annotations

from ..analysis.records import to_records
from ..scoring.result import Result
from ..text import cell, figure, star_text
from .tables import column_title

__all__ = ["board_html"]


def board_html(result: Result, summary: str = "", top: int = 60) -> str:
    """The notebook view of a Result: its latest period by peer group and rank (the
    card's own ranks), with stars, total, dimensions and vetoes; the first ``top`` rows."""
    rules = result.rules
    period = result.periods()[-1] if rules.period is not None else None
    records = to_records(result)
    if period is not None:
        records = [r for r in records if str(r["period"]) == str(period)]
    records.sort(key=lambda r: (str(r["group"]),
                                r["rank"] if r["rank"] is not None else float("inf"),
                                str(r["entity"])))
    head = [] if rules.group_by is None else [column_title(result, rules.group_by)]
    head += ["名次 rank", column_title(result, rules.entity), "星级", "总分"]
    head += [d.title or d.id for d in rules.dimensions] + (["否决"] if rules.vetoes else [])
    rows = []
    for r in records[:top]:
        cells = [] if rules.group_by is None else [r["group"]]
        cells += [r["rank"], r["entity"], star_text(r["stars"]), figure(r["total"])]
        cells += [figure(r["dimensions"][d.id]) for d in rules.dimensions]
        if rules.vetoes:
            cells.append(", ".join(r["vetoes"]))
        rows.append("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in cells) + "</tr>")
    caption = f"{cell(rules.title or rules.ruleset)}" + (f" · {cell(period)}" if period else "")
    more = f"<p><small>and {len(records) - top} more rows</small></p>" if len(records) > top else ""
    return (f"<div><p><b>{caption}</b> <small>{cell(summary)}</small></p><table>"
            f"<thead><tr>{''.join(f'<th>{cell(h)}</th>' for h in head)}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}</div>")
