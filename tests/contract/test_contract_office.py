"""Contract tests: office files in and out (the office-file issue).

Written from the issue's text alone, before the implementation was seen:

1. reading: ``fs.read_data(path, rules, *, sheet=None, encoding=None, header_row=None)`` and
   the CLI's DATA take CSV/TSV in UTF-8, UTF-8 with BOM and GBK/GB18030 (strict UTF-8 first,
   then GB18030; ``encoding`` / ``--encoding`` forces one), ``.xlsx`` and ``.xls`` (``sheet``
   / ``--sheet``), JSON and Parquet; headings are field ids or their titles (trimmed,
   full-width forms folded), found below a title line or blank rows or set by
   ``header_row``; errors name the cell (``Sheet1!D7``) or the file line;
2. writing: ``card.to_excel(path, *, period=None, formulas=False)`` and ``fortress-score
   score ... --format xlsx -o board.xlsx``: board sheets per period, indicator, explanation
   and provenance sheets, two-decimal number formats, frozen headings, A4 landscape with
   repeated heading rows; ``--format csv -o file.csv`` writes a BOM;
3. ``fortress-score rules export`` / ``rules import`` round-trip to the same ``rules.digest``;
4. ``formulas=True``: an audit workbook of live formulas that LibreOffice recalculates to the
   library's totals, stars and ranks (exact halves included), and that moves when an input
   cell is changed.

The written workbooks' layout is the implementer's: they are read by heading words and by
the entity and period values, tolerant of layout, strict on values. LibreOffice (``soffice``)
is required (CI installs it).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import fortress_score as fs

ROOT = Path(__file__).resolve().parents[2]
RULES_PATH = ROOT / "rules" / "three-dimensions.yaml"
CSV_PATH = ROOT / "examples" / "branches-2024.csv"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

TEXT_FIELDS = ("branch", "category", "month")
SHEET_TITLE = "2024年党支部战斗堡垒作用评价基础数据"
VETO_TITLE = "发生四级及以上人身、设备、电力、网络、交通安全事件"
DIMENSION_TITLES = ("生产经营业绩", "支部工作氛围", "党员群众口碑")
HALF_ROW = ("办公室党支部", "2024-12")  # unrounded total 85.275 in the sample: reports 85.28
VETO_ROW = ("凭祥供电分局党支部", "2024-08")  # the sample's one row with the safety veto

TOTAL_WORDS = ("总分", "总得分", "综合得分", "最终得分", "得分合计", "total")
STAR_WORDS = ("星", "star")
RANK_WORDS = ("排名", "名次", "rank")
CN_DIGITS = {0: "零", 1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def rules() -> fs.RuleSet:
    return fs.load_rules(RULES_PATH)


@pytest.fixture(scope="module")
def rule_doc() -> dict[str, Any]:
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def titles(rule_doc: dict[str, Any]) -> dict[str, str]:
    """field id -> title, from the rule file."""
    return {fid: spec["title"] for fid, spec in rule_doc["fields"].items()}


@pytest.fixture(scope="module")
def sample_text() -> str:
    return CSV_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_rows(sample_text: str) -> list[list[str]]:
    """The sample CSV as text cells, heading first."""
    return list(csv.reader(io.StringIO(sample_text)))


@pytest.fixture(scope="module")
def card(rules: fs.RuleSet) -> fs.Scorecard:
    return fs.score(rules, fs.read_data(CSV_PATH, rules))


@pytest.fixture(scope="module")
def expected(card: fs.Scorecard) -> list[dict[str, Any]]:
    """What the UTF-8 CSV scores to: every other way in must give exactly this."""
    return card.to_records()


@pytest.fixture(scope="module")
def by_key(expected: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["entity"], r["period"]): r for r in expected}


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh LibreOffice profile that recalculates every formula of an OOXML file on load."""
    assert SOFFICE, "LibreOffice (soffice) is required for these tests; CI installs it"
    profile = tmp_path_factory.mktemp("lo-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    return profile


def soffice_convert(src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    """Convert with LibreOffice headless; returns the converted file."""
    assert SOFFICE, "LibreOffice (soffice) is required for these tests; CI installs it"
    outdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=600,
    )
    out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    assert proc.returncode == 0 and out.exists() and out.stat().st_size > 0, (
        f"soffice could not convert {src.name} to {fmt}:\n{proc.stdout}\n{proc.stderr}")
    return out


# --------------------------------------------------------------------------- helpers


def records_of(path: Path, ruleset: fs.RuleSet, **kw: Any) -> list[dict[str, Any]]:
    return fs.score(ruleset, fs.read_data(path, ruleset, **kw)).to_records()


def run_cli(*argv: Any) -> tuple[int, str, str]:
    """fortress_score.cli.main(argv) in-process: (exit code, stdout, stderr)."""
    from fortress_score.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return int(code or 0), out.getvalue(), err.getvalue()


def json_records(code: int, out: str, err: str) -> list[dict[str, Any]]:
    assert code == 0, err
    assert "Traceback" not in err, err
    return json.loads(out)


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], *,
               title: str | None = None, blank_rows: int = 0,
               month_as_date: bool = False, number_format: str | None = None) -> None:
    """Write sheets with XlsxWriter; numbers as numbers, empty text as no cell.

    Each sheet's first row is its heading; a title line (merged across) and blank rows may
    be put above it. Numeric-looking cells become number cells; `month_as_date` writes the
    month column as real dates.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy年m月"})
    num_fmt = wb.add_format({"num_format": number_format}) if number_format else None
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        r0 = 0
        if title is not None:
            ws.merge_range(0, 0, 0, max(len(rows[0]) - 1, 1), title)
            r0 = 1
        r0 += blank_rows
        heading = rows[0]
        for c, text in enumerate(heading):
            ws.write_string(r0, c, text)
        for i, row in enumerate(rows[1:], start=r0 + 1):
            for c, cell in enumerate(row):
                col = field_of_heading(heading[c])
                if isinstance(cell, str) and cell == "":
                    continue
                if col == "month" and month_as_date and isinstance(cell, str):
                    y, m = cell.split("-")
                    ws.write_datetime(i, c, dt.datetime(int(y), int(m), 1), date_fmt)
                elif isinstance(cell, str) and col not in TEXT_FIELDS and _is_number(cell):
                    ws.write_number(i, c, float(cell), num_fmt)
                elif isinstance(cell, str):
                    ws.write_string(i, c, cell)
                else:
                    ws.write(i, c, cell)
    wb.close()


_FIELD_OF_TITLE: dict[str, str] = {
    spec["title"]: fid
    for fid, spec in yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))["fields"].items()}


def field_of_heading(text: str) -> str:
    """The field id a heading of the generated files stands for (an id or a title)."""
    return _FIELD_OF_TITLE.get(text, text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def titled(rows: list[list[str]], titles: dict[str, str]) -> list[list[str]]:
    """The sample with its heading row replaced by the rule file's field titles."""
    return [[titles.get(h, h) for h in rows[0]], *rows[1:]]


def csv_text(rows: Iterable[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def error_text(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, fs.FortressScoreError):
        text += "\n" + "\n".join(str(p) for p in exc.problems)
    return text


def names_line(exc: fs.FortressScoreError, path: Path, line: int) -> bool:
    """The error places a problem at `line` of `path` (attributes or words)."""
    for p in exc.problems:
        if p.file is not None and Path(p.file).name == path.name and p.line == line:
            return True
        if any(re.search(rf"\bline {line}\b", r) for r in p.rows):
            return True
    text = error_text(exc)
    return path.name in text and bool(
        re.search(rf"(\bline {line}\b|{re.escape(path.name)}:{line}\b|第\s*{line}\s*行)", text))


def norm(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower() if text is not None else ""


def norm_period(value: Any) -> str | None:
    """A cell read back from a workbook as a month label YYYY-MM, or None."""
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 190001 <= value <= 299912:
            s = str(int(value))
            return f"{s[:4]}-{s[4:]}" if 1 <= int(s[4:]) <= 12 else None
        return None
    if isinstance(value, str):
        s = unicodedata.normalize("NFKC", value).strip()
        m = re.fullmatch(r"(\d{4})\s*(?:-|年|/|\.)?\s*(\d{1,2})\s*月?", s)
        if m and 1 <= int(m[2]) <= 12:
            return f"{int(m[1]):04d}-{int(m[2]):02d}"
    return None


def title_period(title: str) -> str | None:
    m = re.search(r"(?<!\d)(\d{4})\s*(?:-|年|/|\.|_)?\s*(\d{1,2})(?!\d)", title)
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    return None


def load_wb(path: Path, **kw: Any) -> Any:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, **kw)


@dataclass
class Table:
    """A sheet read as rows keyed by (entity, period), headings per column."""

    ws: Any
    grid: list[list[Any]]
    rows: dict[tuple[str, str], int]  # key -> 0-based row index in grid
    first_data_row: int  # 0-based
    headings: list[list[str]]  # per column: the texts above the first data row

    def heading(self, col: int) -> str:
        return " ".join(self.headings[col])

    def columns_with(self, words: Iterable[str]) -> list[int]:
        words = [norm(w) for w in words]
        return [c for c in range(len(self.headings))
                if any(w in norm(self.heading(c)) for w in words)]

    def value(self, key: tuple[str, str], col: int) -> Any:
        row = self.grid[self.rows[key]]
        return row[col] if col < len(row) else None

    def heading_row_of(self, col: int) -> int | None:
        """0-based row of the lowest heading cell of `col` above the data."""
        for r in range(self.first_data_row - 1, -1, -1):
            cell = self.grid[r][col] if col < len(self.grid[r]) else None
            if cell not in (None, ""):
                return r
        return None


def keyed_table(ws: Any, entities: set[str], periods: set[str],
                default_period: str | None = None) -> Table | None:
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    if not grid:
        return None
    width = max(len(r) for r in grid)
    grid = [r + [None] * (width - len(r)) for r in grid]
    counts = [sum(1 for r in grid if isinstance(r[c], str) and r[c].strip() in entities)
              for c in range(width)]
    if not counts or max(counts) == 0:
        return None
    ent_col = counts.index(max(counts))
    data_rows = [i for i, r in enumerate(grid)
                 if isinstance(r[ent_col], str) and r[ent_col].strip() in entities]
    per_col, best = None, 0
    for c in range(width):
        if c == ent_col:
            continue
        n = sum(1 for i in data_rows if norm_period(grid[i][c]) in periods)
        if n > best:
            per_col, best = c, n
    if per_col is not None and best < len(data_rows):
        per_col = None
    sheet_period = title_period(ws.title)
    if per_col is None:
        sheet_period = sheet_period if sheet_period in periods else default_period
        if sheet_period is None:
            return None
    keyed: dict[tuple[str, str], int] = {}
    for i in data_rows:
        period = norm_period(grid[i][per_col]) if per_col is not None else sheet_period
        key = (grid[i][ent_col].strip(), period)
        keyed.setdefault(key, i)
    first = data_rows[0]
    headings = [[str(grid[r][c]) for r in range(first) if grid[r][c] not in (None, "")]
                for c in range(width)]
    return Table(ws, grid, keyed, first, headings)


def tables_of(wb: Any, entities: set[str], periods: set[str],
              default_period: str | None = None) -> list[Table]:
    found = []
    for ws in wb.worksheets:
        t = keyed_table(ws, entities, periods, default_period)
        if t is not None:
            found.append(t)
    return found


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same_total(v: Any, want: Any) -> bool:
    if want is None:
        return v in (None, "")
    return is_number(v) and abs(float(v) - float(want)) <= 1e-9 * max(1.0, abs(float(want)))


def same_rank(v: Any, want: Any) -> bool:
    if want is None:
        return v in (None, "")
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v.strip())
    return is_number(v) and float(v) == float(want)


def same_stars(v: Any, want: int, rating_titles: dict[int, str]) -> bool:
    if v is None or v == "":
        return want == 0
    if is_number(v):
        return float(v) == float(want)
    if isinstance(v, str):
        s = unicodedata.normalize("NFKC", v).strip()
        if "★" in s or "☆" in s:
            return s.count("★") == want
        if want in rating_titles and rating_titles[want] in s:
            return True
        m = re.fullmatch(r"(\d)\s*(星|stars?)?.*", s)
        if m:
            return int(m[1]) == want
        if want and s.startswith(CN_DIGITS[want] + "星"):
            return True
        return want == 0 and not any(ch.isdigit() for ch in s) and not any(
            s.startswith(CN_DIGITS[n] + "星") for n in range(1, 6))
    return False


def covered(tables: list[Table], words: Iterable[str], want: dict[tuple[str, str], Any],
            same: Callable[[Any, Any], bool]) -> tuple[set[tuple[str, str]], list[str], list]:
    """Keys of `want` covered by a column (heading with one of `words`) whose every keyed
    value equals the wanted one; the worst mismatches of the best other column for the report;
    the (table, col) pairs that matched fully."""
    done: set[tuple[str, str]] = set()
    report: list[str] = []
    best_bad = None
    full = []
    for t in tables:
        for c in t.columns_with(words):
            keys = [k for k in t.rows if k in want]
            if not keys:
                continue
            bad = [k for k in keys if not same(t.value(k, c), want[k])]
            if not bad:
                done.update(keys)
                full.append((t, c))
            elif best_bad is None or len(bad) < best_bad[0]:
                best_bad = (len(bad), [
                    f"{t.ws.title}!col {c + 1} ({t.heading(c)!r}) {k}: "
                    f"{t.value(k, c)!r} != {want[k]!r}" for k in bad[:8]])
    if best_bad is not None:
        report = [f"{best_bad[0]} mismatches in the closest column:", *best_bad[1]]
    return done, report, full


def assert_covered(tables: list[Table], words: Iterable[str], want: dict[tuple[str, str], Any],
                   same: Callable[[Any, Any], bool], what: str) -> list:
    done, report, full = covered(tables, words, want, same)
    missing = sorted(set(want) - done)
    assert not missing, (
        f"{what}: {len(missing)} of {len(want)} rows not found with the library's values "
        f"(first {missing[:3]}); sheets {[t.ws.title for t in tables]}\n" + "\n".join(report))
    return full


def all_text(ws: Any) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v not in (None, "")]


def col_width(ws: Any, col: int) -> float | None:
    """Width of 1-based column `col`, however openpyxl grouped the <col> ranges."""
    from openpyxl.utils import get_column_letter

    for dim in ws.column_dimensions.values():
        lo, hi = dim.min, dim.max
        if lo is not None and hi is not None and lo <= col <= hi and dim.width:
            return float(dim.width)
    dim = ws.column_dimensions.get(get_column_letter(col))
    return float(dim.width) if dim is not None and dim.width else None


def has_two_decimals(fmt: str | None) -> bool:
    return bool(fmt) and bool(re.search(r"0\.00(?![0#])", fmt)) and "0.000" not in fmt


# =========================================================================== 1. reading


def test_utf8_csv_is_the_reference(expected: list[dict[str, Any]]) -> None:
    assert len(expected) == 360
    assert expected[0]["entity"] == "江州供电分局党支部"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_in_gbk_gb18030_or_utf8_with_bom_scores_as_the_utf8_csv(
        tmp_path: Path, rules: fs.RuleSet, sample_text: str, expected: list, encoding: str) -> None:
    path = tmp_path / f"branches-{encoding}.csv"
    path.write_bytes(sample_text.encode(encoding))
    assert records_of(path, rules) == expected


def test_gbk_csv_with_title_headings_and_a_title_line_scores_as_the_utf8_csv(
        tmp_path: Path, rules: fs.RuleSet, sample_rows: list, titles: dict, expected: list) -> None:
    rows = titled(sample_rows, titles)
    text = SHEET_TITLE + "\n\n" + csv_text(rows)
    path = tmp_path / "branches-titles-gbk.csv"
    path.write_bytes(text.encode("gbk"))
    assert records_of(path, rules) == expected


def test_forced_encoding_reads_gbk(tmp_path: Path, rules: fs.RuleSet, sample_text: str,
                                   expected: list) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(sample_text.encode("gbk"))
    assert records_of(path, rules, encoding="gbk") == expected
    assert records_of(path, rules, encoding="gb18030") == expected


def test_forced_utf8_refuses_a_gbk_file_instead_of_guessing(
        tmp_path: Path, rules: fs.RuleSet, sample_text: str) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(sample_text.encode("gbk"))
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, fs.read_data(path, rules, encoding="utf-8"))
    assert path.name in error_text(info.value)


def test_a_csv_in_mixed_encodings_is_refused_naming_the_file(
        tmp_path: Path, rules: fs.RuleSet, sample_text: str) -> None:
    lines = sample_text.splitlines(keepends=True)
    raw = b"".join(line.encode("utf-8") for line in lines[:5]) + b"".join(
        line.encode("gbk") for line in lines[5:])
    for enc in ("utf-8", "gb18030"):  # the stated rule can read it neither way
        with pytest.raises(UnicodeDecodeError):
            raw.decode(enc)
    path = tmp_path / "mixed.csv"
    path.write_bytes(raw)
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, fs.read_data(path, rules))
    text = error_text(info.value)
    assert path.name in text
    assert re.search(r"utf-?8|gb18030|gbk|encoding|编码", text, re.I), text


def test_an_undecodable_byte_is_refused_at_its_file_line(tmp_path: Path) -> None:
    ruleset = fs.load_rules({
        "ruleset": "t", "entity": "branch", "dimensions": [{"id": "d", "weight": 1, "indicators": [
            {"id": "i", "points": 100,
             "evaluate": {"kind": "target", "input": "rate", "target": 100, "floor": 0}}]}]})
    body = b"branch,rate\nA,1\nB,2\nC,3\nD,4\nE,5\nF\xff\xfe,6\nG,7\n"  # line 7
    for enc in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            body.decode(enc)
    path = tmp_path / "bad-bytes.csv"
    path.write_bytes(body)
    with pytest.raises(fs.DataError) as info:
        fs.score(ruleset, fs.read_data(path, ruleset))
    assert names_line(info.value, path, 7), error_text(info.value)


def test_tsv_scores_as_the_csv(tmp_path: Path, rules: fs.RuleSet, sample_rows: list,
                               expected: list) -> None:
    path = tmp_path / "branches.tsv"
    path.write_text(csv_text(sample_rows, "\t"), encoding="utf-8")
    assert records_of(path, rules) == expected


def test_an_odd_delimiter_is_sniffed_or_refused_with_an_error(
        tmp_path: Path, rules: fs.RuleSet, sample_rows: list, expected: list) -> None:
    path = tmp_path / "semicolons.csv"
    path.write_text(csv_text(sample_rows, ";"), encoding="utf-8")
    try:
        got = records_of(path, rules)
    except fs.FortressScoreError as exc:
        assert path.name in error_text(exc)
    else:
        assert got == expected


def test_headings_are_trimmed_and_full_width_forms_folded(
        tmp_path: Path, rules: fs.RuleSet, sample_rows: list, titles: dict, expected: list) -> None:
    heading = list(sample_rows[0])
    full_width = {
        "sales_kwh": "ｓａｌｅｓ＿ｋｗｈ",  # the id in full-width letters
        "revenue": "  revenue  ",
        "line_loss_rate": "\u3000" + titles["line_loss_rate"] + "\u3000",  # ideographic spaces
        "honours": " " + titles["honours"] + " ",
        "meetings_held": titles["meetings_held"],
    }
    heading = [full_width.get(h, h) for h in heading]
    path = tmp_path / "fullwidth.csv"
    path.write_text(csv_text([heading, *sample_rows[1:]]), encoding="utf-8")
    assert records_of(path, rules) == expected


@pytest.mark.parametrize("variant", ["plain", "title-line", "dates-and-formats"])
def test_xlsx_with_title_headings_scores_as_the_utf8_csv(
        tmp_path: Path, rules: fs.RuleSet, sample_rows: list, titles: dict, expected: list,
        variant: str) -> None:
    path = tmp_path / f"branches-{variant}.xlsx"
    rows = titled(sample_rows, titles)
    if variant == "plain":
        write_xlsx(path, {"Sheet1": rows})
    elif variant == "title-line":
        write_xlsx(path, {"数据": rows}, title=SHEET_TITLE, blank_rows=1)
    else:  # months as real date cells; numbers shown with one decimal, stored in full
        write_xlsx(path, {"数据": rows}, title=SHEET_TITLE, blank_rows=2, month_as_date=True,
                   number_format="0.0")
    assert records_of(path, rules) == expected


def test_xls_scores_as_the_utf8_csv(tmp_path: Path, rules: fs.RuleSet, sample_rows: list,
                                    titles: dict, expected: list, lo_profile: Path) -> None:
    src = tmp_path / "branches.xlsx"
    write_xlsx(src, {"数据": titled(sample_rows, titles)}, title=SHEET_TITLE, blank_rows=1)
    xls = soffice_convert(src, "xls", tmp_path / "xls", lo_profile)
    assert records_of(xls, rules) == expected


def test_sheet_chooses_the_data_sheet(tmp_path: Path, rules: fs.RuleSet, sample_rows: list,
                                      titles: dict, expected: list) -> None:
    path = tmp_path / "two-sheets.xlsx"
    notes = [["说明"], ["本表为2024年各党支部月度评价基础数据"]]
    write_xlsx(path, {"说明": notes, "数据": titled(sample_rows, titles)})
    assert records_of(path, rules, sheet="数据") == expected


def test_a_missing_sheet_is_refused_naming_it(tmp_path: Path, rules: fs.RuleSet,
                                              sample_rows: list, titles: dict) -> None:
    path = tmp_path / "book.xlsx"
    write_xlsx(path, {"数据": titled(sample_rows, titles)})
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, fs.read_data(path, rules, sheet="不存在的表"))
    assert "不存在的表" in error_text(info.value)


def test_headings_naming_no_fields_are_refused_cleanly(tmp_path: Path, rules: fs.RuleSet,
                                                       sample_rows: list) -> None:
    path = tmp_path / "no-headings.xlsx"
    rows = [[f"列{i}" for i in range(len(sample_rows[0]))], *sample_rows[1:]]
    write_xlsx(path, {"Sheet1": rows})
    with pytest.raises(fs.DataError):
        fs.score(rules, fs.read_data(path, rules))


def test_header_row_sets_the_heading_row(tmp_path: Path, rules: fs.RuleSet, sample_rows: list,
                                         titles: dict, expected: list) -> None:
    # line 1 names every field by id (an export's machine row), line 2 by title (the real
    # heading): found automatically, line 1 would win; header_row picks line 2, whether
    # counted from 1 (header_row=2) or from 0 (header_row=1)
    rows = [list(sample_rows[0]), *titled(sample_rows, titles)]
    path = tmp_path / "two-heading-rows.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    outcomes = []
    for n in (1, 2):
        try:
            outcomes.append(records_of(path, rules, header_row=n) == expected)
        except fs.FortressScoreError:
            outcomes.append(False)
    assert any(outcomes), "neither header_row=1 (0-based) nor header_row=2 (1-based) read line 2"


def _with_cell(sample_rows: list, row: int, field: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in sample_rows]
    rows[row][rows[0].index(field)] = value
    return rows


def test_text_in_a_numeric_xlsx_cell_is_refused_naming_the_cell(
        tmp_path: Path, rules: fs.RuleSet, sample_rows: list, titles: dict) -> None:
    # title line (row 1), blank row (2), heading (3): data row 4 of the sample is Excel row 7;
    # column D is the fourth column, sales_kwh
    assert sample_rows[0][3] == "sales_kwh"
    rows = titled(_with_cell(sample_rows, 4, "sales_kwh", "很高"), titles)
    path = tmp_path / "text-cell.xlsx"
    write_xlsx(path, {"Sheet1": rows}, title=SHEET_TITLE, blank_rows=1)
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, fs.read_data(path, rules))
    assert "Sheet1!D7" in error_text(info.value), error_text(info.value)


def test_text_in_a_numeric_csv_cell_is_refused_at_its_file_line(
        tmp_path: Path, rules: fs.RuleSet, sample_rows: list) -> None:
    rows = _with_cell(sample_rows, 3, "line_loss_rate", "很高")
    path = tmp_path / "text-cell.csv"
    path.write_text(SHEET_TITLE + "\n\n" + csv_text(rows), encoding="utf-8")  # heading: line 3
    with pytest.raises(fs.DataError) as info:
        fs.score(rules, fs.read_data(path, rules))
    assert names_line(info.value, path, 6), error_text(info.value)


@pytest.mark.parametrize("container", ["csv", "xlsx"])
@pytest.mark.parametrize(("field", "text", "readings"), [
    ("sales_kwh", "1,234.5", ("1234.5",)),
    ("bill_recovery_rate", "85%", ("85", "0.85")),
])
def test_formatted_numbers_are_read_by_a_rule_or_refused_with_the_cell(
        tmp_path: Path, rules: fs.RuleSet, sample_rows: list, titles: dict, container: str,
        field: str, text: str, readings: tuple[str, ...]) -> None:
    data_row = 4
    rows = _with_cell(sample_rows, data_row, field, text)
    if container == "csv":
        path = tmp_path / "formatted.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
    else:
        path = tmp_path / "formatted.xlsx"
        write_xlsx(path, {"Sheet1": titled(rows, titles)})
    try:
        got = records_of(path, rules)
    except fs.DataError as exc:
        if container == "csv":
            assert names_line(exc, path, data_row + 1), error_text(exc)
        else:
            from openpyxl.utils import get_column_letter

            cell = f"Sheet1!{get_column_letter(sample_rows[0].index(field) + 1)}{data_row + 1}"
            assert cell in error_text(exc), error_text(exc)
        return
    possible = []
    for reading in readings:
        plain = tmp_path / f"plain-{reading}.csv"
        plain.write_text(csv_text(_with_cell(sample_rows, data_row, field, reading)),
                         encoding="utf-8")
        possible.append(records_of(plain, rules))
    assert got in possible, f"{text!r} was read as something other than {readings}"


def test_json_and_parquet_score_as_the_csv(tmp_path: Path, rules: fs.RuleSet, sample_rows: list,
                                           expected: list) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    heading, body = sample_rows[0], sample_rows[1:]
    columns: dict[str, list[Any]] = {}
    for c, name in enumerate(heading):
        cells = [r[c] for r in body]
        if name in TEXT_FIELDS:
            columns[name] = cells
        else:
            columns[name] = [float(x) if x != "" else None for x in cells]
    as_json = tmp_path / "branches.json"
    as_json.write_text(json.dumps(columns, ensure_ascii=False), encoding="utf-8")
    assert records_of(as_json, rules) == expected
    as_parquet = tmp_path / "branches.parquet"
    pq.write_table(pa.table(columns), as_parquet)
    assert records_of(as_parquet, rules) == expected


# --------------------------------------------------------------------------- reading: CLI


def test_cli_scores_gbk_csv_and_titled_xlsx_as_the_utf8_csv(
        tmp_path: Path, sample_text: str, sample_rows: list, titles: dict) -> None:
    reference = json_records(*run_cli("score", RULES_PATH, CSV_PATH, "--format", "json"))
    assert len(reference) == 360
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(sample_text.encode("gbk"))
    assert json_records(*run_cli("score", RULES_PATH, gbk, "--format", "json")) == reference
    assert json_records(*run_cli("score", RULES_PATH, gbk, "--encoding", "gbk",
                                 "--format", "json")) == reference
    book = tmp_path / "book.xlsx"
    write_xlsx(book, {"说明": [["说明"], ["见数据表"]], "数据": titled(sample_rows, titles)},
               title=SHEET_TITLE)
    assert json_records(*run_cli("score", RULES_PATH, book, "--sheet", "数据",
                                 "--format", "json")) == reference


def test_cli_refuses_forced_utf8_on_gbk_and_a_missing_sheet(
        tmp_path: Path, sample_text: str, sample_rows: list, titles: dict) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(sample_text.encode("gbk"))
    code, out, err = run_cli("score", RULES_PATH, gbk, "--encoding", "utf-8", "--format", "json")
    assert code == 2 and "fortress-score: error:" in err and "Traceback" not in err, err
    book = tmp_path / "book.xlsx"
    write_xlsx(book, {"数据": titled(sample_rows, titles)})
    code, out, err = run_cli("score", RULES_PATH, book, "--sheet", "不存在的表",
                             "--format", "json")
    assert code == 2 and "不存在的表" in err and "Traceback" not in err, err


# =========================================================================== 2. writing


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, card: fs.Scorecard) -> Path:
    path = tmp_path_factory.mktemp("printed") / "board.xlsx"
    card.to_excel(path)
    return path


@pytest.fixture(scope="module")
def rating_titles(rule_doc: dict[str, Any]) -> dict[int, str]:
    return {r["stars"]: r["title"] for r in rule_doc["ratings"]}


def board_for(wb: Any, period: str, by_key: dict, rating_titles: dict[int, str]
              ) -> tuple[Any, Table, int]:
    """The board sheet of `period`: a sheet named for it with one row per entity of the
    period, its totals equal to the library's. Returns (sheet, table, total column)."""
    want = {k: r for k, r in by_key.items() if k[1] == period}
    entities = {k[0] for k in by_key}
    tried = []
    for ws in wb.worksheets:
        if title_period(ws.title) != period:
            continue
        t = keyed_table(ws, entities, {period}, default_period=period)
        if t is None or not set(want) <= set(t.rows):
            tried.append(ws.title)
            continue
        done, report, full = covered([t], TOTAL_WORDS, {k: r["total"] for k, r in want.items()},
                                     same_total)
        if set(want) <= done:
            return ws, t, full[0][1]
        tried.append(f"{ws.title}: " + "; ".join(report))
    raise AssertionError(f"no board sheet for {period} with the library's totals: {tried}; "
                         f"sheets {wb.sheetnames}")


def test_printed_workbook_has_a_board_sheet_per_period(printed: Path, card: fs.Scorecard,
                                                       by_key: dict, rating_titles: dict) -> None:
    wb = load_wb(printed)
    periods = list(card.periods())
    named = {title_period(ws.title) for ws in wb.worksheets} - {None}
    assert named == set(periods), wb.sheetnames
    for period in periods:
        board_for(wb, period, by_key, rating_titles)


def test_board_sheet_shows_the_library_figures_grouped_with_titles(
        printed: Path, by_key: dict, rating_titles: dict) -> None:
    period = VETO_ROW[1]
    wb = load_wb(printed)
    ws, t, total_col = board_for(wb, period, by_key, rating_titles)
    want = {k: r for k, r in by_key.items() if k[1] == period}

    # totals: numbers shown with two decimals (91.50, not 91.5)
    for key in want:
        cell = ws.cell(row=t.rows[key] + 1, column=total_col + 1)
        assert is_number(cell.value), (key, cell.value)
        assert has_two_decimals(cell.number_format), (key, cell.number_format)

    # stars, in whatever form (number, ★, rating title)
    assert_covered([t], STAR_WORDS, {k: r["stars"] for k, r in want.items()},
                   lambda v, w: same_stars(v, w, rating_titles), f"stars on the {period} board")

    # grouped by peer group: each group's rows together, the group named on the sheet
    order = sorted(want, key=lambda k: t.rows[k])
    groups = [want[k]["group"] for k in order]
    runs = [g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g]
    assert len(runs) == len(set(groups)), f"groups interleave on the board: {runs}"
    text = all_text(ws)
    for group in set(groups):
        assert any(group in cell for cell in text), group

    # headings from the titles, not the ids
    for title in DIMENSION_TITLES:
        assert any(title in cell for cell in text), f"{title} not on the {period} board"
    for raw in ("performance", "atmosphere", "reputation", "safety"):
        assert raw not in [norm(cell) for cell in text], f"raw id {raw!r} on the board"

    # vetoes by title, on the vetoed row
    vetoed_row = [str(v) for v in t.grid[t.rows[VETO_ROW]] if v is not None]
    assert any(VETO_TITLE in v for v in vetoed_row), vetoed_row


def test_board_sheet_prints_a4_landscape_with_frozen_repeated_headings(
        printed: Path, by_key: dict, rating_titles: dict) -> None:
    wb = load_wb(printed)
    for period in ("2024-01", "2024-12"):
        ws, t, total_col = board_for(wb, period, by_key, rating_titles)
        heading_row = t.heading_row_of(total_col)
        assert heading_row is not None
        heading_row += 1  # 1-based
        first_data = t.first_data_row + 1

        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4

        assert ws.freeze_panes, "heading not frozen"
        frozen = int(re.sub(r"[A-Z$]", "", ws.freeze_panes))  # first row that scrolls
        assert heading_row < frozen <= first_data, (ws.freeze_panes, heading_row, first_data)

        assert ws.print_title_rows, "no rows repeated on each printed page"
        m = re.search(r"\$?(\d+):\$?(\d+)", str(ws.print_title_rows))
        assert m and int(m[1]) <= heading_row <= int(m[2]), ws.print_title_rows

        # widths fit Chinese text: a CJK character is about two units of Excel width
        entity_col = next(c for c in range(len(t.grid[0]))
                          if t.grid[t.first_data_row][c] in {k[0] for k in by_key})
        longest = max(len(k[0]) for k in by_key if k[1] == period)
        width = col_width(ws, entity_col + 1)
        assert width is not None and width >= 1.6 * longest, (width, longest)


def test_indicator_explanation_and_provenance_sheets(printed: Path, card: fs.Scorecard,
                                                     by_key: dict, rule_doc: dict,
                                                     rating_titles: dict) -> None:
    wb = load_wb(printed)
    boards = {board_for(wb, p, by_key, rating_titles)[0].title for p in card.periods()}
    others = [ws for ws in wb.worksheets if ws.title not in boards]
    indicator_titles = {i["id"]: i["title"] for d in rule_doc["dimensions"]
                        for i in d["indicators"]}
    entities = {k[0] for k in by_key}

    # points per indicator, for every row of a month (wide: a column an indicator; or long:
    # a row an indicator), within half a unit of the reported figure
    period = "2024-03"
    tables = [t for ws in wb.worksheets
              if (t := keyed_table(ws, entities, set(card.periods()))) is not None]
    want_keys = [k for k in by_key if k[1] == period]
    for ind, title in indicator_titles.items():
        want = {k: by_key[k]["indicators"][ind] for k in want_keys}
        done, _, _ = covered(tables, (title,), want,
                             lambda v, w: (w is None and not is_number(v))
                             or (w is not None and is_number(v) and abs(v - w) <= 0.005 + 1e-9))
        if set(want) <= done:
            continue
        # long form: a row holding the entity, the period, the indicator's title and its points
        found = set()
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                cells = [c for c in row if c is not None]
                ents = [c for c in cells if isinstance(c, str) and c.strip() in entities]
                pers = {norm_period(c) for c in cells} | {title_period(ws.title)}
                if not ents or period not in pers:
                    continue
                if not any(isinstance(c, str) and norm(title) in norm(c) for c in cells):
                    continue
                key = (ents[0].strip(), period)
                w = want.get(key)
                if w is not None and any(is_number(c) and abs(c - w) <= 0.005 + 1e-9
                                         for c in cells):
                    found.add(key)
        assert set(want) <= done | found | {k for k, v in want.items() if v is None}, (
            f"points of {ind} ({title}) for {period} not found; sheets {wb.sheetnames}")

    # an indicator sheet and a sheet of explanations: two sheets, besides the boards, that
    # speak of the indicators by title for the entities
    speaking = [ws.title for ws in others
                if any(t in cell for cell in all_text(ws) for t in indicator_titles.values())
                and any(cell.strip() in entities for cell in all_text(ws))]
    assert len(speaking) >= 2, f"indicator and explanation sheets expected: {wb.sheetnames}"

    # provenance: rule digest, data digest, version
    prov = card.provenance
    data_digest = card.data_digest() if callable(card.data_digest) else card.data_digest
    wanted = {"rules digest": prov.rules_digest, "data digest": str(data_digest),
              "version": prov.library_version}
    sheet_with = [ws for ws in others if any(prov.rules_digest in c for c in all_text(ws))]
    assert sheet_with, f"no sheet holds the rules digest: {wb.sheetnames}"
    text = "\n".join(all_text(sheet_with[0]))
    for what, value in wanted.items():
        assert value in text, f"{what} {value} not on the provenance sheet {sheet_with[0].title}"


def test_to_excel_of_one_period_writes_its_board_only(tmp_path: Path, card: fs.Scorecard,
                                                      by_key: dict, rating_titles: dict) -> None:
    path = tmp_path / "one.xlsx"
    card.to_excel(path, period=VETO_ROW[1])
    wb = load_wb(path)
    named = {title_period(ws.title) for ws in wb.worksheets} - {None}
    assert named == {VETO_ROW[1]}, wb.sheetnames
    board_for(wb, VETO_ROW[1], by_key, rating_titles)


def test_to_excel_reads_a_period_as_written_anyhow(tmp_path: Path, card: fs.Scorecard,
                                                   by_key: dict, rating_titles: dict) -> None:
    path = tmp_path / "one.xlsx"
    card.to_excel(path, period="2024年8月")
    wb = load_wb(path)
    assert {title_period(ws.title) for ws in wb.worksheets} - {None} == {"2024-08"}


def test_printed_workbook_opens_in_libreoffice(printed: Path, tmp_path: Path,
                                               lo_profile: Path) -> None:
    pdf = soffice_convert(printed, "pdf", tmp_path / "pdf", lo_profile)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_cli_writes_the_board_workbook(tmp_path: Path, by_key: dict, rating_titles: dict) -> None:
    out = tmp_path / "board.xlsx"
    code, stdout, err = run_cli("score", RULES_PATH, CSV_PATH, "--period", "2024-06",
                                "--format", "xlsx", "-o", out)
    assert code == 0, err
    assert zipfile.is_zipfile(out)
    wb = load_wb(out)
    assert {title_period(ws.title) for ws in wb.worksheets} - {None} == {"2024-06"}
    board_for(wb, "2024-06", by_key, rating_titles)


def test_cli_csv_for_excel_has_a_bom(tmp_path: Path, expected: list) -> None:
    out = tmp_path / "board.csv"
    code, stdout, err = run_cli("score", RULES_PATH, CSV_PATH, "--format", "csv", "-o", out)
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    rows = [r for r in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) if r]
    assert len(rows) == 1 + len(expected)
    text = raw.decode("utf-8-sig")
    for rec in expected:
        assert rec["entity"] in text
    assert raw.count(b"\xef\xbb\xbf") == 1


# =========================================================================== 3. rule sheet


SMALL_RULES = {
    "ruleset": "office-roundtrip", "title": "“三个纬度”评价（测试）", "entity": "branch",
    "period": "month", "precision": 1, "missing": "zero",
    "fields": {"x": {"title": "指标值", "unit": "%", "min": 0, "max": 100},
               "n": {"title": "违章次数", "type": "int", "min": 0, "optional": True}},
    "dimensions": [{"id": "performance", "title": "生产经营业绩", "weight": 2.5, "indicators": [
        {"id": "line_loss", "title": "综合线损率", "points": 100,
         "evaluate": {"kind": "target", "input": "x", "target": 2.0, "floor": 4.0}}]},
        {"id": "atmosphere", "title": "支部工作氛围", "weight": 1, "indicators": [
            {"id": "meetings", "title": "“三会”召开情况", "points": 20, "evaluate": {
                "kind": "bands", "input": "x", "bands": [{"min": 3, "score": 1.0},
                                                          {"min": 1, "max": 3, "score": 0.5}],
                "otherwise": 0.0}}]}],
    "adjustments": [{"id": "violations", "title": "违章违纪", "kind": "deduction", "cap": 10,
                     "evaluate": {"kind": "per_event", "input": "n", "each": 2}}],
    "vetoes": [{"id": "safety", "title": "安全事件",
                "when": {"kind": "threshold", "input": "n", "op": ">=", "value": 5},
                "effect": {"max_stars": 2, "no_benchmark": True}}],
    "ratings": [{"stars": 5, "min": 90, "title": "五星"}, {"stars": 4, "min": 75, "title": "四星"}],
}


@pytest.mark.parametrize("which", ["seed-pack", "small"])
def test_rules_export_then_import_keeps_the_digest(tmp_path: Path, which: str) -> None:
    if which == "seed-pack":
        source = RULES_PATH
    else:
        source = tmp_path / "small.yaml"
        source.write_text(yaml.safe_dump(SMALL_RULES, allow_unicode=True, sort_keys=False),
                          encoding="utf-8")
    book = tmp_path / "rules.xlsx"
    code, out, err = run_cli("rules", "export", source, "-o", book)
    assert code == 0, err
    assert zipfile.is_zipfile(book)
    wb = load_wb(book)
    text = [c for ws in wb.worksheets for c in all_text(ws)]
    assert any("生产经营业绩" in c for c in text), "dimension titles not in the rule sheet"
    back = tmp_path / "rules.yaml"
    code, out, err = run_cli("rules", "import", book, "-o", back)
    assert code == 0, err
    assert fs.load_rules(back).digest == fs.load_rules(source).digest


def test_an_edited_rule_sheet_imports_the_edit(tmp_path: Path) -> None:
    book = tmp_path / "rules.xlsx"
    code, out, err = run_cli("rules", "export", RULES_PATH, "-o", book)
    assert code == 0, err
    wb = load_wb(book)
    # every cell holding the performance dimension's weight (40): a layout may repeat it on
    # each of the dimension's rows, and an office edits them all
    targets = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            texts = [norm(c.value) for c in row if isinstance(c.value, str)]
            if not any(t in ("performance", "生产经营业绩") or "dimensions[0]" in t
                       for t in texts):
                continue
            for cell in row:
                if not (is_number(cell.value) and cell.value == 40) and cell.value != "40":
                    continue
                above = [norm(ws.cell(row=r, column=cell.column).value)
                         for r in range(1, cell.row)]
                if any("weight" in t or "权重" in t for t in above + texts):
                    targets.append(cell)
    assert targets, "no weight cell (40) of the performance dimension found"
    for cell in targets:
        cell.value = 50
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    back = tmp_path / "edited.yaml"
    code, out, err = run_cli("rules", "import", edited, "-o", back)
    assert code == 0, err
    ruleset = fs.load_rules(back)
    assert ruleset.digest != fs.load_rules(RULES_PATH).digest
    assert {d.id: d.weight for d in ruleset.dimensions}["performance"] == 50


# =========================================================================== 4. audit workbook


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory, card: fs.Scorecard) -> Path:
    path = tmp_path_factory.mktemp("audit") / "audit.xlsx"
    card.to_excel(path, formulas=True)
    return path


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory, audit: Path, lo_profile: Path) -> Path:
    return soffice_convert(audit, "xlsx", tmp_path_factory.mktemp("recalc"), lo_profile)


def check_recalculated(book: Path, by_key: dict, rating_titles: dict) -> list:
    wb = load_wb(book, data_only=True)
    entities = {k[0] for k in by_key}
    periods = {k[1] for k in by_key}
    tables = tables_of(wb, entities, periods)
    assert tables, f"no sheet with a row per scored row: {wb.sheetnames}"
    full = assert_covered(tables, TOTAL_WORDS, {k: r["total"] for k, r in by_key.items()},
                          same_total, "recalculated totals")
    assert_covered(tables, STAR_WORDS, {k: r["stars"] for k, r in by_key.items()},
                   lambda v, w: same_stars(v, w, rating_titles), "recalculated stars")
    assert_covered(tables, RANK_WORDS, {k: r["rank"] for k, r in by_key.items()},
                   same_rank, "recalculated ranks")
    return full


def test_audit_totals_are_live_formulas(audit: Path, by_key: dict, recalculated: Path,
                                        rating_titles: dict) -> None:
    full = check_recalculated(recalculated, by_key, rating_titles)
    wb = load_wb(audit)
    for t, col in full:
        ws = wb[t.ws.title]
        for key, r in t.rows.items():
            v = ws.cell(row=r + 1, column=col + 1).value
            text = v if isinstance(v, str) else getattr(v, "text", None)
            assert isinstance(text, str) and text.startswith("="), (
                f"{ws.title} {key}: total cell holds {v!r}, not a formula")


def test_audit_recalculates_to_the_library_figures(recalculated: Path, by_key: dict,
                                                   rating_titles: dict) -> None:
    check_recalculated(recalculated, by_key, rating_titles)


def test_audit_reports_exact_halves_half_up(recalculated: Path, by_key: dict) -> None:
    assert by_key[HALF_ROW]["total"] == 85.28
    wb = load_wb(recalculated, data_only=True)
    tables = tables_of(wb, {k[0] for k in by_key}, {k[1] for k in by_key})
    done, report, _ = covered(tables, TOTAL_WORDS, {HALF_ROW: 85.28}, same_total)
    assert HALF_ROW in done, report


def test_changing_an_input_cell_moves_the_score(tmp_path: Path, audit: Path, rules: fs.RuleSet,
                                                sample_rows: list, titles: dict, by_key: dict,
                                                rating_titles: dict, lo_profile: Path) -> None:
    field = "line_loss_rate"
    heading = sample_rows[0]
    fcol = heading.index(field)
    # a row at full line-loss attainment: raising the rate to the floor removes its points
    row_no = next(i for i, r in enumerate(sample_rows[1:], start=1)
                  if r[fcol] and float(r[fcol]) <= 2.0 and r[heading.index("month")] == "2024-05")
    key = (sample_rows[row_no][0], sample_rows[row_no][heading.index("month")])
    new_value = 4.0

    # the library's figures for the changed data
    changed = [list(r) for r in sample_rows]
    changed[row_no][fcol] = "4.0"
    changed_csv = tmp_path / "changed.csv"
    changed_csv.write_text(csv_text(changed), encoding="utf-8")
    want = {(r["entity"], r["period"]): r for r in records_of(changed_csv, rules)}
    assert want[key]["total"] != by_key[key]["total"]

    # the input column in the audit workbook: headed by the field's id or title, holding the
    # sample's values
    wb = load_wb(audit)
    entities = {k[0] for k in by_key}
    periods = {k[1] for k in by_key}
    names = {norm(field), norm(titles[field])}
    inputs = {(r[0], r[heading.index("month")]): r[fcol] for r in sample_rows[1:]}
    target = None
    for t in tables_of(wb, entities, periods):
        for c, texts in enumerate(t.headings):
            stripped = {re.sub(r"\s*[(（\[].*?[)）\]]\s*$", "", norm(x)) for x in texts}
            if not (names & ({norm(x) for x in texts} | stripped)):
                continue
            ok = all((inputs[k] == "" and t.value(k, c) in (None, "")) or
                     (inputs[k] != "" and is_number(t.value(k, c))
                      and float(t.value(k, c)) == float(inputs[k]))
                     for k in t.rows if k in inputs)
            if ok and key in t.rows:
                target = (t.ws.title, t.rows[key] + 1, c + 1)
                break
        if target:
            break
    assert target is not None, f"no input column for {field} in {wb.sheetnames}"
    sheet, row, col = target
    wb[sheet].cell(row=row, column=col).value = new_value
    edited = tmp_path / "audit-edited.xlsx"
    wb.save(edited)

    again = soffice_convert(edited, "xlsx", tmp_path / "recalc", lo_profile)
    check_recalculated(again, want, rating_titles)
