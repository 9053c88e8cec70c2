"""Online path end to end, offline: fetch from the local fake PxWebApi server → cache → tidy
observations → one notebook run that shows the fetched figure.

The fake server's values are deterministic (crc32 of the cell key modulo 100 000, see
``tests/ssb_fakeserver.py``), so the expected payout is computed here independently of the client.
The figures are synthetic test data, never published.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from ssb_fakeserver import FakeSsb

REPO = Path(__file__).resolve().parents[1]
GRID = 'runs:\n  - entity_code: "4601"\n    years: [2022]\n    templates: [payouts]\n'


@pytest.mark.slow
def test_fetch_then_notebook_uses_fetched_payout(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    (root / "book").mkdir()
    (root / "book" / "runs.yml").write_text(GRID, encoding="utf-8")
    env = {**os.environ, "ANALYSIS_SHARED_SOURCES": str(REPO.parent / "shared" / "sources")}

    def analysis(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "analysis", "--root", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )

    with FakeSsb() as server:
        fetched = analysis(
            "fetch-ssb", "--entities", "4601", "--from", "2022", "--to", "2023", "--base-url", server.base_url
        )
    assert fetched.returncode == 0, fetched.stderr
    assert (root / "data" / "curated" / "ssb_observations.csv").exists()

    ran = analysis("run", "--jobs", "1")
    assert ran.returncode == 0, ran.stderr
    figures = json.loads(
        (root / "book" / "reports" / "4601" / "2022" / "payouts.key_figures.json").read_text()
    )
    payout = next(f for f in figures if f["key"] == "payout_gross")
    expected = zlib.crc32(b"13995|ContentsCode=KOSutbetalt0000|KOKkommuneregion0000=4601|Tid=2022") % 100000
    assert payout["value"] == pytest.approx(expected)
    assert payout["unit"] == "NOK_1000"
    assert "ssb-13995-KOSutbetalt0000-2025-06-15" in payout["sources"]
    # the page's source line for that number names the table, the content code and SSB's label
    page = (root / "book" / "reports" / "4601" / "2022" / "payouts.ipynb").read_text(encoding="utf-8")
    line = next(x for x in page.split("\\n") if "`ssb-13995-KOSutbetalt0000-2025-06-15`" in x)
    assert "13995: Sosialhjelpstilfeller, utbetalt beløp og stønadstid" in line
    assert "ContentsCode KOSutbetalt0000 'Utbetalt økonomisk sosialhjelp (1000 kr)'" in line
