"""The command line: parse arguments, call the public API, print. Nothing else.

Errors raised on purpose (FortressScoreError) print as ``fortress-score: error: ...`` on
stderr with exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import numpy as np
from rich.table import Table as RichTable

from .engine import Engine
from .errors import FortressScoreError, PeriodError, Problem, shown
from .periods import wanted_period
from .present.tables import board_table, leaderboard_table, uncertainty_table
from .reading.files import read_data
from .rules.schema import rule_file_schema
from .rules.sheet import export_rules, import_rules, write_rules_yaml
from .scorecard import Scorecard
from .text import render

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fortress-score",
        description="Score organisational units (party branches) from a rule file.",
    )
    common = argparse.ArgumentParser(add_help=False)
    for options in (parser, common):
        # given before or after the command; after it, absent must not reset the value
        default = False if options is parser else argparse.SUPPRESS
        options.add_argument("--debug", action="store_true", default=default,
                             help="show tracebacks of our errors too")
        options.add_argument("--no-entry-points", action="store_true", default=default,
                             help="ignore evaluators installed by other packages")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", parents=[common], help="check a rule file and report every problem")
    validate.add_argument("rules", metavar="RULES")

    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument("--sheet", help="the workbook's sheet, by name (default: the first)")
    reading.add_argument("--encoding", help="the text file's encoding (default: UTF-8, else GBK)")
    reading.add_argument("--header-row", type=int, dest="header_row", metavar="N",
                         help="the line or sheet row of the headings (default: found)")

    roll_up = argparse.ArgumentParser(add_help=False)
    roll_up.add_argument("--roll-up", choices=("quarter", "year"), dest="roll_up",
                         help="score coarser periods: the mean of their months (or quarters)")

    score = commands.add_parser("score", parents=[common, reading, roll_up], help="score data and print the board")
    score.add_argument("rules", metavar="RULES")
    score.add_argument("data", metavar="DATA",
                       help="CSV/TSV (UTF-8 or GBK), xlsx/xls/ods, JSON or Parquet")
    score.add_argument("--period", help="only this period (table: default the latest)")
    score.add_argument("--format", choices=("table", "csv", "json", "xlsx"), default="table",
                       help="xlsx: the workbook an office prints (needs -o)")
    score.add_argument("-o", "--output", metavar="FILE",
                       help="write csv, json or xlsx to FILE (CSV with a BOM, for Excel)")
    score.add_argument("--formulas", action="store_true",
                       help="xlsx: the audit workbook, every scoring step as a live formula")

    board = commands.add_parser("board", parents=[common, reading, roll_up],
                                help="the leaderboard of one period (一榜), in place order")
    board.add_argument("rules", metavar="RULES")
    board.add_argument("data", metavar="DATA")
    board.add_argument("--period", help="default: the latest")
    board.add_argument("--group", help="only this peer group")
    board.add_argument("--by", default="total", help="total, a dimension id or an indicator id")
    board.add_argument("--top", type=int, help="places 1..N (ties at the cut kept)")

    titles = commands.add_parser("benchmarks", parents=[common, reading, roll_up],
                                 help="list the benchmark titles (标杆) held, and commendations")
    titles.add_argument("rules", metavar="RULES")
    titles.add_argument("data", metavar="DATA")
    titles.add_argument("--period", help="only this period")

    spread = commands.add_parser("uncertainty", parents=[common, reading],
                                 help="the board with each rank's interval when the weights "
                                      "vary (draws of weights around the declared ones)")
    spread.add_argument("rules", metavar="RULES")
    spread.add_argument("data", metavar="DATA")
    spread.add_argument("--period", help="default: the latest")
    spread.add_argument("--draws", type=int, default=1000, help="default: 1000")
    spread.add_argument("--seed", type=int, default=0, help="default: 0")
    spread.add_argument("--weights", type=float, default=0.2,
                        help="relative spread of each dimension weight (default: 0.2)")
    spread.add_argument("--points", type=float, default=0.0,
                        help="relative spread of each indicator's points (default: 0)")
    explain = commands.add_parser("explain", parents=[common, reading], help="show how one entity's total came about")
    explain.add_argument("rules", metavar="RULES")
    explain.add_argument("data", metavar="DATA")
    explain.add_argument("entity", metavar="ENTITY")
    explain.add_argument("--period", help="default: the entity's latest period")

    commands.add_parser("evaluators", parents=[common], help="list the registered evaluators")
    commands.add_parser("schema", parents=[common],
                        help="print the JSON Schema of rule files (for editors), evaluators included")

    sheet = commands.add_parser("rules", parents=[common],
                                help="the rule set as the workbook a committee reviews (评分细则), and back")
    actions = sheet.add_subparsers(dest="action", required=True, metavar="ACTION")
    sheet_export = actions.add_parser("export", parents=[common], help="write RULES as an .xlsx workbook")
    sheet_export.add_argument("rules", metavar="RULES")
    sheet_export.add_argument("-o", "--output", required=True, metavar="OUT.xlsx")
    sheet_import = actions.add_parser("import", parents=[common],
                                      help="read a workbook back and write it as a YAML rule file")
    sheet_import.add_argument("sheet", metavar="SHEET.xlsx")
    sheet_import.add_argument("-o", "--output", required=True, metavar="OUT.yaml")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # `fortress-score score ... | head`
        sys.stderr.close()
        return 0
    except FortressScoreError as exc:
        if args.debug:
            raise
        print(f"fortress-score: error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    engine = Engine(entry_points=not args.no_entry_points)
    if args.command == "evaluators":
        sources = engine.sources()
        width = max(map(len, sources), default=0)
        for name, evaluator in engine.evaluators().items():
            print(f"{name:<{width}}  {evaluator.description}  [{sources[name]}]")
        return 0
    if args.command == "schema":
        json.dump(rule_file_schema(engine.evaluators()), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if args.command == "rules":
        evaluators = engine.evaluators()
        if args.action == "export":
            rules = engine.load_rules(args.rules)
            export_rules(rules, args.output, evaluators=evaluators)
        else:
            rules = import_rules(args.sheet, evaluators=evaluators)
            write_rules_yaml(rules, args.output, evaluators=evaluators,
                             comment=f"{rules.title or rules.ruleset}\nRead from {args.sheet} by "
                                     "`fortress-score rules import`.")
        print(f"{args.output}: ruleset {rules.ruleset}, {len(rules.indicators)} indicators; "
              f"digest {rules.digest[:12]}")
        return 0
    rules = engine.load_rules(args.rules)
    if args.command == "validate":
        n = len(rules.indicators)
        print(f"{args.rules}: ok — ruleset {rules.ruleset}, {len(rules.dimensions)} dimensions, "
              f"{n} indicators, {len(rules.adjustments)} adjustments, {len(rules.vetoes)} vetoes; "
              f"digest {rules.digest[:12]}")
        return 0
    card = engine.score(rules, read_data(args.data, rules, sheet=args.sheet,
                                         encoding=args.encoding, header_row=args.header_row))
    if getattr(args, "roll_up", None):
        card = card.roll_up(args.roll_up)
    if args.command == "explain":
        print(str(card.explain(args.entity, args.period)))
        return 0
    if args.command == "benchmarks":
        return _print_titles(card, args.period)
    if args.command == "uncertainty":
        period = args.period if args.period is not None or card.rules.period is None \
            else card.periods()[-1]
        spread = card.uncertainty(args.draws, weights=args.weights, points=args.points,
                                  seed=args.seed)
        sys.stdout.write(render(uncertainty_table(spread, period)))
        return 0
    if args.command == "board":
        period = args.period if args.period is not None or card.rules.period is None \
            else card.periods()[-1]
        records = card.leaderboard(period=period, group=args.group, top=args.top, by=args.by)
        heading = " · ".join(str(part) for part in (card.rules.title or card.rules.ruleset,
                                                    period, args.group) if part is not None)
        sys.stdout.write(render(leaderboard_table(card.result, records, args.by, heading)))
        return 0
    return _print_scores(card, args)


def _print_titles(card: Scorecard, period: str | None) -> int:
    held = [t for t in card.benchmarks()
            if period is None or str(t["period"]) == str(wanted_period(period, card.table.period))]
    table = RichTable(title=f"{card.rules.benchmark.title if card.rules.benchmark else '标杆'}",
                      title_justify="left")
    for name in ("period", "entity", "consecutive periods"):
        table.add_column(name)
    for title in sorted(held, key=lambda t: (str(t["period"]), str(t["entity"]))):
        table.add_row(str(title["period"]), str(title["entity"]), str(title["consecutive"]))
    sys.stdout.write(render(table))
    liked = card.commendations(period)
    if liked:
        board = RichTable(title="支部点赞台", title_justify="left")
        for name in ("period", "entity", "commendation", "reason"):
            board.add_column(name)
        for c in liked:
            board.add_row(str(c["period"]), str(c["entity"]), c["title"] or c["id"], c["reason"])
        sys.stdout.write(render(board))
    return 0


def _print_scores(card: Scorecard, args: argparse.Namespace) -> int:
    if args.format == "xlsx" or args.formulas:
        if args.format != "xlsx" or args.output is None:
            raise FortressScoreError(Problem(
                "a workbook is written to a file: give --format xlsx -o FILE.xlsx"
                + (" (--formulas writes the audit workbook)" if args.formulas else "")))
        card.to_excel(args.output, period=args.period, formulas=args.formulas)
        what = "audit workbook" if args.formulas else "workbook"
        print(f"{args.output}: {what} written"
              + (f" (period {args.period})" if args.period is not None else ""))
        return 0
    if args.output is not None and args.format == "table":
        raise FortressScoreError(Problem("-o writes csv, json or xlsx; give --format"))
    if args.output is None:
        return _write_scores(card, args, sys.stdout)
    try:  # Excel opens a CSV as UTF-8 only when it starts with a byte-order mark
        with open(args.output, "w", encoding="utf-8-sig" if args.format == "csv" else "utf-8",
                  newline="") as out:
            return _write_scores(card, args, out)
    except OSError as exc:
        raise FortressScoreError(Problem(f"cannot write: {exc.strerror}", file=args.output)) \
            from None


def _write_scores(card: Scorecard, args: argparse.Namespace, out: TextIO) -> int:
    columns = card.to_columns()
    keep = np.ones(len(card), dtype=bool)
    period = args.period
    if period is not None:
        keep = columns["period"].astype(str) == str(wanted_period(period, columns["period"]))
        if not keep.any():
            raise PeriodError(Problem(f"no row has period {shown(period)}", column=card.rules.period))
    if args.format == "json":
        records = [r for r, kept in zip(card.to_records(), keep) if kept]
        json.dump(records, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif args.format == "csv":
        names = [n for n in columns if not n.startswith("vetoes.")]
        fired = card.fired_vetoes()
        writer = csv.writer(out, lineterminator="\r\n" if out is not sys.stdout else "\n")
        writer.writerow([*names, "vetoes"])
        for i in np.flatnonzero(keep):
            writer.writerow([*(_csv_cell(columns[n][i]) for n in names), ";".join(fired[i])])
    else:
        if period is None and card.rules.period is not None:
            period = card.periods()[-1]
        sys.stdout.write(render(board_table(card.result, period)))
        p = card.provenance
        print(f"ruleset {p.ruleset} (digest {p.rules_digest[:12]}), data digest "
              f"{card.data_digest[:12]}, fortress-score {p.library_version}")
    return 0


def _csv_cell(value: Any) -> Any:
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:g}" if value.is_integer() else value
    return value


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
