"""Recalculate a workbook with LibreOffice headless, for tests of written formulas."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    """The LibreOffice program (.ci/run installs it)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    return found


def convert(path: Path, to: str, out: Path) -> Path:
    """``path`` converted by LibreOffice to format ``to`` in folder ``out``, every formula
    recalculated on load (a fresh profile set to always recalculate)."""
    profile = out / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", to, "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300)
    converted = out / f"{path.stem}.{to.split(':')[0]}"
    assert converted.exists(), f"LibreOffice wrote no {converted}"
    return converted


def recalculated(path: Path, out: Path) -> Path:
    """``path`` recalculated by LibreOffice, saved as .xlsx in ``out``."""
    return convert(path, "xlsx", out)
