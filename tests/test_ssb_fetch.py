"""End-to-end tests of ``python -m analysis fetch-ssb`` against the local fake PxWebApi server.

Full fetch -> cache -> observations; rerun from cache; offline; and a fetch process killed
mid-response (SIGKILL) that must leave no partial or corrupt cache entry and resume on rerun.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ssb_fakeserver import UPDATED, FakeSsb

from analysis.cli import main

REPO = Path(__file__).resolve().parents[1]
CURATED_HEADER = "entity_code,period,indicator,category,value,unit,status,source_id,locator,excerpt,preferred,note,quality\n"


@pytest.fixture
def server():
    with FakeSsb() as srv:
        yield srv


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A throw-away repository root with the real reference tables and a tiny curated snapshot."""
    (tmp_path / "data" / "reference").mkdir(parents=True)
    (tmp_path / "data" / "curated").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("")
    for name in ("entities.csv", "indicators.csv"):
        shutil.copy(REPO / "data" / "reference" / name, tmp_path / "data" / "reference" / name)
    return tmp_path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), "fetch-ssb", *args])


def check_cache(folder: Path) -> list[dict]:
    for path in folder.glob("*.json"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem, f"corrupt object {path.name}"
    entries = []
    manifest = folder / "manifest.jsonl"
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)  # no torn lines
            if entry["kind"] != "split":
                assert (folder / f"{entry['sha256']}.json").is_file()
            entries.append(entry)
    return entries


def test_full_fetch_cache_and_observations(server: FakeSsb, root: Path, capsys) -> None:
    rc = run(root, "--entities", "0301,4601,EAK", "--from", "2018", "--base-url", server.base_url)
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "[6/8] table 12362" in out.out and "fetch-ssb: wrote" in out.out

    curated = root / "data" / "curated"
    obs = read_csv(curated / "ssb_observations.csv")
    sources = {r["source_id"]: r for r in read_csv(curated / "ssb_sources.csv")}
    missing = read_csv(curated / "ssb_missing.csv")
    assert list(obs[0]) == CURATED_HEADER.strip().split(",")

    # source ids carry table + 'updated' stamp and point at cached files with their hashes
    assert "ssb-12362-2025-06-15" in sources
    src = sources["ssb-12362-2025-06-15"]
    assert src["kind"] == "api" and src["licence"].startswith("CC BY 4.0")
    cached = root / src["file"]
    assert cached.is_file() and hashlib.sha256(cached.read_bytes()).hexdigest() == src["sha256"]
    assert {r["source_id"] for r in obs} <= set(sources)

    # 12362: gross/net by KOKart, category by function and accounts scope, NOK 1000
    exp = [r for r in obs if r["source_id"] == "ssb-12362-2025-06-15"]
    assert {r["indicator"] for r in exp} == {"exp_gross_operating", "exp_net_operating"}
    assert {r["unit"] for r in exp} == {"NOK_1000"}
    assert {r["category"] for r in exp} >= {
        "function=281",
        "function=281;accounts=municipal_fund",
        "function=276",
    }
    row = next(r for r in exp if "KOKfunksjon0000=281" in r["locator"] and "KOKart0000=AGD10" in r["locator"])
    assert row["locator"].startswith("table 12362: KOKkommuneregion0000=")
    assert row["indicator"] == "exp_gross_operating"
    assert row["excerpt"].endswith(f"{row['period']}: {row['value']}")
    assert "Brutto driftsutgifter på funksjon/tjenesteområde" in row["excerpt"]

    # 4601 Bergen: its predecessor 1201 is fetched for the years before 2020, under its own code
    # (KOSTRA leaves a code's cells empty, status '.', outside its years: logged, not written)
    bergen = {(r["entity_code"], r["period"]) for r in exp}
    assert ("1201", "2019") in bergen and ("4601", "2020") in bergen and ("4601", "2019") not in bergen
    assert ("4601", "2019", ".") in {(m["entity_code"], m["period"], m["symbol"]) for m in missing}

    # label-resolved contents; the unmatched 'Andel ... 18-24 år' is not fetched
    sa = [r for r in obs if r["source_id"] == "ssb-13995-2025-06-15"]
    assert {r["indicator"] for r in sa} == {"sa_cases", "sa_payout_gross", "sa_duration_months"}
    assert {r["unit"] for r in sa if r["indicator"] == "sa_payout_gross"} == {"NOK_1000"}
    assert "KOSandel1824" in out.out  # listed as not matching any rule

    # population from the non-KOSTRA region code '0' is recorded for EAK; CPI has no region
    assert any(r["indicator"] == "pop_inhabitants" and r["entity_code"] == "EAK" for r in obs)
    assert {r["entity_code"] for r in obs if r["indicator"] == "cpi"} == {"EAK"}
    assert any("." in r["value"] for r in obs if r["indicator"] == "cpi")

    # suppressed cells are listed, never written as values
    assert {m["symbol"] for m in missing} == {":", "."}
    obs_locators = {r["locator"] for r in obs}
    assert not obs_locators & {m["locator"] for m in missing}
    assert all(r["value"] not in ("", "nan") for r in obs)

    # the cache and manifest are complete
    entries = check_cache(root / "data" / "raw" / "ssb")
    assert len([e for e in entries if e["kind"] == "data"]) == 8
    assert all(e["updated"] == UPDATED for e in entries if e["kind"] == "data")

    # rerun online: metadata refreshed, data from cache
    n_data = len(server.data_requests())
    assert run(root, "--entities", "0301,4601,EAK", "--from", "2018", "--base-url", server.base_url) == 0
    assert len(server.data_requests()) == n_data
    assert read_csv(curated / "ssb_observations.csv") == obs


def test_offline_rerun_and_clear_failure(server: FakeSsb, root: Path, capsys) -> None:
    args = ("--entities", "0301", "--from", "2022", "--base-url", server.base_url)
    assert run(root, *args) == 0
    first = (root / "data" / "curated" / "ssb_observations.csv").read_text(encoding="utf-8")
    n = len(server.requests)
    assert run(root, *args, "--offline") == 0
    assert len(server.requests) == n
    assert (root / "data" / "curated" / "ssb_observations.csv").read_text(encoding="utf-8") == first
    capsys.readouterr()

    rc = run(root, "--entities", "0301,3207", "--from", "2022", "--base-url", server.base_url, "--offline")
    err = capsys.readouterr().err
    assert rc == 1
    assert err.startswith("fetch-ssb: error:") and err.count("\n") == 1
    assert "not cached" in err and "table 13995 data" in err and "KOKkommuneregion0000]=0301,3207" in err


def test_clear_errors(server: FakeSsb, root: Path, capsys) -> None:
    assert run(root, "--entities", "9999", "--from", "2020", "--base-url", server.base_url) == 1
    assert "unknown entity code(s) 9999" in capsys.readouterr().err
    assert (
        run(root, "--entities", "0301", "--from", "2020", "--to", "2019", "--base-url", server.base_url) == 1
    )
    assert "before --from" in capsys.readouterr().err
    del server.tables["12362"]
    rc = run(root, "--entities", "0301", "--from", "2022", "--base-url", server.base_url)
    err = capsys.readouterr().err
    assert rc == 1 and "HTTP 404" in err and "12362" in err and err.count("\n") == 1
    assert not (root / "data" / "curated" / "ssb_observations.csv").exists()


def test_conflict_with_curated_snapshot(server: FakeSsb, root: Path) -> None:
    args = ("--entities", "0301", "--from", "2023", "--to", "2023", "--base-url", server.base_url)
    assert run(root, *args) == 0
    obs = read_csv(root / "data" / "curated" / "ssb_observations.csv")
    net = next(r for r in obs if r["indicator"] == "exp_net_operating" and r["category"] == "function=281")
    gross = next(
        r for r in obs if r["indicator"] == "exp_gross_operating" and r["category"] == "function=281"
    )
    # one curated figure disagrees, one agrees after converting NOK_1000 -> NOK_million (printed precision)
    agree_million = f"{float(gross['value']) / 1000:.1f}"
    (root / "data" / "curated" / "observations.csv").write_text(
        CURATED_HEADER
        + "0301,2023,exp_net_operating,function=281,1,NOK_1000,actual,doc-a,line 3,x 1,true,,exact\n"
        + f"0301,2023,exp_gross_operating,function=281,{agree_million},NOK_million,actual,"
        + "doc-b,line 9,x,true,,exact\n",
        encoding="utf-8",
    )
    assert run(root, *args) == 0
    obs = read_csv(root / "data" / "curated" / "ssb_observations.csv")
    net2 = next(r for r in obs if r["locator"] == net["locator"])
    gross2 = next(r for r in obs if r["locator"] == gross["locator"])
    assert net2["preferred"] == "false" and "conflicts with curated doc-a line 3" in net2["note"]
    assert gross2["preferred"] == "true"
    conflicts = read_csv(root / "data" / "curated" / "ssb_conflicts.csv")
    assert [(c["ssb_locator"], c["curated_source_id"]) for c in conflicts] == [(net["locator"], "doc-a")]


def test_killed_mid_fetch_leaves_no_partial_entry_and_rerun_completes(server: FakeSsb, root: Path) -> None:
    # 12362 is the 5th table fetched for 2015-2021; its data response stalls half-way
    server.add_fault("slow", table="12362", seconds=20)
    cmd = [
        sys.executable,
        "-m",
        "analysis",
        "--root",
        str(root),
        "fetch-ssb",
        "--entities",
        "0301,4601",
        "--from",
        "2015",
        "--to",
        "2021",
        "--base-url",
        server.base_url,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert server.slow_started.wait(30), "the fetch never reached table 12362"
    finally:
        proc.kill()
        proc.wait(10)
    cache = root / "data" / "raw" / "ssb"
    entries = check_cache(cache)
    assert not [e for e in entries if e["table"] == "12362" and e["kind"] == "data"]
    done = {e["table"] for e in entries if e["kind"] == "data"}
    assert done == {"12210", "12203", "13138", "12213"}
    assert not (root / "data" / "curated" / "ssb_observations.csv").exists()

    before = {r["table"] for r in server.data_requests()}
    n_before = len(server.data_requests())
    assert (
        run(root, "--entities", "0301,4601", "--from", "2015", "--to", "2021", "--base-url", server.base_url)
        == 0
    )
    new = server.data_requests()[n_before:]
    assert [r["table"] for r in new] == ["12362", "07459", "03014"]  # finished tables came from the cache
    assert before >= {"12210", "12362"}
    entries = check_cache(cache)
    assert {e["table"] for e in entries if e["kind"] == "data"} == done | {"12362", "07459", "03014"}
    obs = read_csv(root / "data" / "curated" / "ssb_observations.csv")
    assert any(r["source_id"] == "ssb-12362-2025-06-15" for r in obs)
