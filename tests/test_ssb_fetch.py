"""End-to-end tests of ``python -m analysis fetch-ssb`` against the local fake PxWebApi server.

Full fetch -> cache -> observations; rerun from cache; offline; and a fetch process killed
mid-response (SIGKILL) that must leave no partial or corrupt cache entry and resume on rerun.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from ssb_fakeserver import UPDATED, FakeSsb, project_root

from analysis.cli import main

REPO = Path(__file__).resolve().parents[1]
CURATED_HEADER = (
    "entity_code,period,indicator,category,value,unit,status,source_id,locator,excerpt,preferred,note,quality\n"
)


@pytest.fixture
def server():
    with FakeSsb() as srv:
        yield srv


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return project_root(tmp_path)


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
    assert "[6/9] table 12362" in out.out and "[7/9] table 12367" in out.out and "fetch-ssb: wrote" in out.out

    curated = root / "data" / "curated"
    obs = read_csv(curated / "ssb_observations.csv")
    sources = {r["source_id"]: r for r in read_csv(curated / "ssb_sources.csv")}
    missing = read_csv(curated / "ssb_missing.csv")
    assert list(obs[0]) == CURATED_HEADER.strip().split(",")

    # source ids carry table, content code and 'updated' stamp and point at cached files with their
    # hashes; the title (the book's source line) names the table, the code and SSB's label
    assert "ssb-12362-KOSbelop0000-2025-06-15" in sources
    src = sources["ssb-12362-KOSbelop0000-2025-06-15"]
    assert src["title"].startswith("12362: ") and src["title"].endswith(
        "ContentsCode KOSbelop0000 'Beløp (1000 kr)'"
    )
    rate = sources["ssb-13995-KOSsosantkliente0000-2025-06-15"]
    assert rate["title"].endswith(
        "ContentsCode KOSsosantkliente0000 'Sosialhjelpsmottakere per 1000 innbyggere'"
    )
    assert src["kind"] == "api" and src["licence"].startswith("CC BY 4.0")
    cached = root / src["file"]
    assert cached.is_file() and hashlib.sha256(cached.read_bytes()).hexdigest() == src["sha256"]
    assert {r["source_id"] for r in obs} <= set(sources)

    # 12362 (kommunekonsern) and 12367 (municipal fund): gross/net by KOKart, category by function
    # and, for the fund, the accounts scope; NOK 1000
    exp = [r for r in obs if r["source_id"] == "ssb-12362-KOSbelop0000-2025-06-15"]
    fund = [r for r in obs if r["source_id"] == "ssb-12367-KOSbelop0000-2025-06-15"]
    assert (
        {r["indicator"] for r in exp}
        == {r["indicator"] for r in fund}
        == {
            "exp_gross_operating",
            "exp_net_operating",
        }
    )
    assert {r["unit"] for r in exp + fund} == {"NOK_1000"}
    assert {r["category"] for r in exp} == {"function=281", "function=276", "function=275"}
    assert {r["category"] for r in fund} == {f"function={f};accounts=municipal_fund" for f in (281, 276, 275)}
    assert all("KOKregnskapsomfa0000=B" in r["locator"] for r in fund)
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

    # label-resolved contents: cases, recipients and the rate per 1000 are three indicators, one
    # content code each; 12362's unmatched per-capita amount is listed and not fetched
    sa = [r for r in obs if r["source_id"].startswith("ssb-13995-")]
    keys = {(r["indicator"], r["category"]): r["source_id"] for r in sa}
    assert keys[("sa_cases", "")] == "ssb-13995-KOSsostilfeller0000-2025-06-15"
    assert keys[("sa_recipients", "")] == "ssb-13995-KOSsosmottakere0000-2025-06-15"
    assert keys[("sa_recipients_per_1000_inhabitants", "")] == "ssb-13995-KOSsosantkliente0000-2025-06-15"
    assert {r["unit"] for r in sa if r["indicator"] == "sa_payout_gross"} == {"NOK_1000"}
    assert {r["unit"] for r in sa if r["indicator"] == "sa_cases"} == {"cases"}
    assert {r["unit"] for r in sa if r["indicator"] == "sa_recipients"} == {"persons"}
    unmatched = "ContentsCode KOSbelopinnb0000 'Beløp per innbygger (kr)' matches no rule; not fetched"
    assert unmatched in out.out and not [r for r in obs if "KOSbelopinnb0000" in r["locator"]]
    # one row per entity, period, indicator, category: no two codes collide
    row_keys = [(r["entity_code"], r["period"], r["indicator"], r["category"]) for r in obs]
    assert len(row_keys) == len(set(row_keys))
    # 12210's case count for 2018-2021 is dropped in favour of 13138 (listed in the output)
    assert "KOSsosantkliente0000: sa_cases 2018-2021 comes from table 13138" in out.out
    assert not [r for r in obs if r["source_id"] == "ssb-12210-KOSsosantkliente0000-2025-06-15"]

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
    assert len([e for e in entries if e["kind"] == "data"]) == 9
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


def test_without_a_network_the_fetch_stops_at_once_and_suggests_offline(root: Path, capsys) -> None:
    with socket.socket() as sock:  # a closed local port: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rc = run(
        root, "--entities", "0301", "--from", "2022", "--base-url", f"http://127.0.0.1:{port}/api/pxwebapi/v2"
    )
    err = capsys.readouterr().err
    assert rc == 1 and err.count("\n") == 1
    assert err.startswith("fetch-ssb: error: table 13995: cannot connect to 127.0.0.1:")
    assert "run with --offline" in err
    assert not (root / "data" / "curated" / "ssb_observations.csv").exists()


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
    # 12362 is the 5th table fetched for 2015-2021 (13995 starts in 2022); its data response
    # stalls half-way
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
    assert [r["table"] for r in new] == ["12362", "12367", "07459", "03014"]  # the rest came from the cache
    assert before >= {"12210", "12362"}
    entries = check_cache(cache)
    assert {e["table"] for e in entries if e["kind"] == "data"} == done | {"12362", "12367", "07459", "03014"}
    obs = read_csv(root / "data" / "curated" / "ssb_observations.csv")
    assert any(r["source_id"] == "ssb-12362-KOSbelop0000-2025-06-15" for r in obs)
