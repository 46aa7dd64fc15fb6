"""Reading an office workbook: fs.read_data against pandas.read_excel (openpyxl), one run.

    python benchmarks/read_excel.py --rows 100000 --columns 40 --repeat 3

Writes a workbook as an office would send it — a title line, Chinese headings (the rule
file's field titles), text keys and numbers with some cells left empty — then reads it
with both in turn and prints the medians and their ratio. Both give the same numbers
(checked). pandas reads the heading row only because it is told which one it is; the
library finds it and maps the titles to field ids itself.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter

import fortress_score as fs


def rules(columns: int) -> fs.RuleSet:
    fields: dict[str, Any] = {"branch": {"title": "党支部", "type": "str"},
                              "month": {"title": "月份", "type": "str"}}
    fields |= {f"x{i}": {"title": f"指标{i}", "unit": "%", "optional": True} for i in range(columns)}
    indicators = [{"id": f"i{i}", "points": 1, "evaluate": {
        "kind": "target", "input": f"x{i}", "target": 90, "floor": 10}} for i in range(columns)]
    return fs.load_rules({"ruleset": "bench", "entity": "branch", "period": "month",
                          "fields": fields,
                          "dimensions": [{"id": "d", "weight": 1, "indicators": indicators}]})


def write(path: Path, n_rows: int, columns: int) -> None:
    rng = np.random.default_rng(7)
    values = rng.uniform(0, 100, size=(n_rows, columns)).round(2)
    empty = rng.random((n_rows, columns)) < 0.05
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("考核数据")
    sheet.write(0, 0, "各党支部考核数据")
    sheet.write_row(2, 0, ["党支部", "月份", *(f"指标{i}" for i in range(columns))])
    for r in range(n_rows):
        sheet.write_string(3 + r, 0, f"第{r // 12:05d}党支部")
        sheet.write_string(3 + r, 1, f"2024-{r % 12 + 1:02d}")
        for c in range(columns):
            if not empty[r, c]:
                sheet.write_number(3 + r, 2 + c, values[r, c])
    book.close()


def median_time(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--columns", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import pandas as pd

    ruleset = rules(args.columns)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.xlsx"
        write(path, args.rows, args.columns)
        ours, records = median_time(lambda: fs.read_data(path, ruleset), args.repeat)
        theirs, frame = median_time(lambda: pd.read_excel(path, header=2, engine="openpyxl"),
                                    args.repeat)
    mine = np.array([[np.nan if r[f"x{i}"] is None else r[f"x{i}"] for i in range(args.columns)]
                     for r in records])
    assert np.array_equal(mine, frame.iloc[:, 2:].to_numpy(dtype=float), equal_nan=True)
    print(f"{args.rows:,} rows x {args.columns} columns (.xlsx), median of {args.repeat}")
    print(f"  fs.read_data                      {ours:8.2f} s")
    print(f"  pandas.read_excel (openpyxl)      {theirs:8.2f} s")
    print(f"  ratio (ours / pandas)             {ours / theirs:8.2f}")


if __name__ == "__main__":
    main()
