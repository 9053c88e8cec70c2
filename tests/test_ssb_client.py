"""Tests for the PxWebApi v2 client (analysis.sources.ssb.client) against a local HTTP server.

The server (``tests/ssb_fakeserver.py``) is real ``http.server`` on 127.0.0.1; no network.
Sleeps are recorded (and kept tiny) so the tests stay fast.
"""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pandas as pd
import pytest
from ssb_fakeserver import FakeSsb

from analysis.sources.ssb.cache import Cache
from analysis.sources.ssb.client import NetworkUnreachableError, NotCachedError, PxWebClient, SsbError
from analysis.sources.ssb.selection import Selection
from analysis.sources.ssb.transport import RateLimiter

SEL_12367 = Selection.of(
    {
        "KOKkommuneregion0000": ["EAK", "0301", "4601"],
        "KOKregnskapsomfa0000": ["A", "B"],
        "KOKfunksjon0000": ["281", "276"],
        "KOKart0000": ["AGD10", "AGD2"],
        "ContentsCode": ["KOSbelop0000"],
        "Tid": ["2020", "2021", "2022", "2023"],
    }
)  # 3*2*2*2*1*4 = 96 cells


@pytest.fixture
def server():
    with FakeSsb() as srv:
        yield srv


def make_client(srv: FakeSsb, cache: Path, **kw) -> tuple[PxWebClient, list[float]]:
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)

    kw.setdefault("backoff", 0.01)
    kw.setdefault("timeout", 5)
    cl = PxWebClient(srv.base_url, cache, sleep=sleep, **kw)
    return cl, sleeps


def cache_is_consistent(folder: Path) -> list[dict]:
    """Every object hashes to its name; every manifest line parses and points at an object."""
    for path in folder.glob("*.json"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem, f"corrupt {path.name}"
    entries = []
    manifest = folder / "manifest.jsonl"
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["kind"] != "split":
                assert (folder / f"{entry['sha256']}.json").exists()
            entries.append(entry)
    return entries


def fetch(cl: PxWebClient, table: str = "12367", sel: Selection = SEL_12367):
    meta = cl.metadata(table)
    return cl.data(table, sel, metadata_updated=meta.doc["updated"])


def test_fetch_caches_and_manifest_then_hit_without_data_request(server: FakeSsb, tmp_path: Path) -> None:
    cl, _ = make_client(server, tmp_path / "c")
    res = fetch(cl)
    assert len(res.frame) == 96
    assert res.frame.attrs["updated"] == "2025-06-15T06:00:00Z"
    assert (res.frame["status"] == ":").sum() == res.frame["value"].isna().sum() > 0
    entries = cache_is_consistent(tmp_path / "c")
    data_entries = [e for e in entries if e["kind"] == "data"]
    assert len(data_entries) == 1
    e = data_entries[0]
    assert (
        e["table"] == "12367" and e["method"] == "GET" and "valueCodes[KOKfunksjon0000]=281,276" in e["url"]
    )
    assert e["updated"] == "2025-06-15T06:00:00Z" and e["retrieved"] and len(e["sha256"]) == 64
    assert [r["endpoint"] for r in server.requests] == ["config", "metadata", "data"]

    cl2, _ = make_client(server, tmp_path / "c")
    res2 = fetch(cl2)
    assert all(r.from_cache for r in res2.responses)
    assert len(server.data_requests()) == 1  # no second data request
    pd.testing.assert_frame_equal(res.frame, res2.frame)


def test_offline_uses_cache_only_and_names_what_is_missing(server: FakeSsb, tmp_path: Path) -> None:
    cl, _ = make_client(server, tmp_path / "c")
    fetch(cl)
    n = len(server.requests)
    off, _ = make_client(server, tmp_path / "c", offline=True)
    res = fetch(off)
    assert len(res.frame) == 96 and len(server.requests) == n  # no network at all
    with pytest.raises(NotCachedError, match=r"table 03014 metadata \(GET .*/tables/03014/metadata"):
        off.metadata("03014")
    other = Selection.of({**dict(SEL_12367.variables), "Tid": ("2015",)})
    with pytest.raises(NotCachedError, match=r"table 12367 data .*valueCodes\[Tid\]=2015"):
        off.data("12367", other, metadata_updated=None)


def test_new_table_stamp_invalidates_cached_data(server: FakeSsb, tmp_path: Path) -> None:
    cl, _ = make_client(server, tmp_path / "c")
    fetch(cl)
    cl.data("12367", SEL_12367, metadata_updated="2026-03-15T07:00:00Z")
    assert len(server.data_requests()) == 2


def test_429_honours_retry_after(server: FakeSsb, tmp_path: Path) -> None:
    # Retry-After in whole seconds (RFC 9110); the injected sleep records it, nothing waits
    server.add_fault("429", retry_after="7")
    cl, sleeps = make_client(server, tmp_path / "c")
    res = fetch(cl)
    assert len(res.frame) == 96
    assert sleeps == [7.0]
    assert len(server.data_requests()) == 2


def test_retry_after_is_capped_and_an_http_date_in_the_past_means_now(
    server: FakeSsb, tmp_path: Path
) -> None:
    server.add_fault("429", retry_after="3600")
    server.add_fault("429", retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    cl, sleeps = make_client(server, tmp_path / "c", max_retry_after=30)
    assert len(fetch(cl).frame) == 96
    assert sleeps == [30.0, 0.0]


def test_503_backs_off_exponentially_then_succeeds(server: FakeSsb, tmp_path: Path) -> None:
    # urllib3's documented schedule: no wait before the first retry, then backoff * 2**(n-1)
    server.add_fault("503", times=3)
    cl, sleeps = make_client(server, tmp_path / "c", backoff=0.01)
    res = fetch(cl)
    assert len(res.frame) == 96
    assert sleeps == [0.0, 0.02, 0.04]


def test_retries_are_bounded(server: FakeSsb, tmp_path: Path) -> None:
    server.add_fault("503", times=10)
    cl, sleeps = make_client(server, tmp_path / "c", max_retries=2)
    with pytest.raises(SsbError, match=r"gave up on GET .* after 3 attempts: HTTP 503"):
        fetch(cl)
    assert len(sleeps) == 2
    assert not [e for e in cache_is_consistent(tmp_path / "c") if e["kind"] == "data"]


def test_dropped_connection_is_retried(server: FakeSsb, tmp_path: Path) -> None:
    server.add_fault("drop")
    cl, sleeps = make_client(server, tmp_path / "c")
    res = fetch(cl)
    assert len(res.frame) == 96 and sleeps == [0.0]
    assert len(server.data_requests()) == 2


def test_no_network_fails_fast_with_a_clear_error(tmp_path: Path) -> None:
    # a closed local port: nothing listens there, the connection is refused at once
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps: list[float] = []
    cl = PxWebClient(f"http://127.0.0.1:{port}/api/pxwebapi/v2", tmp_path / "c", sleep=sleeps.append)
    with pytest.raises(NetworkUnreachableError, match=rf"cannot connect to 127.0.0.1:{port} .*2 attempt"):
        cl.metadata("13995")
    assert sleeps == [0.0]  # one connect retry, no backoff minutes; /config did not retry on its own
    assert not (tmp_path / "c" / "manifest.jsonl").exists()


def test_connect_budget_is_about_ten_seconds_at_most() -> None:
    # worst case when no packet comes back at all (unroutable address): attempts x connect time-out
    cl = PxWebClient("http://x/api/pxwebapi/v2", Path("/nonexistent"))
    assert cl.connect_retries + 1 == 2 and cl.connect_timeout == 3.0
    assert cl.connect_budget() == 6.0 <= 10


def test_malformed_json_is_a_clear_error_and_not_cached(server: FakeSsb, tmp_path: Path) -> None:
    server.add_fault("malformed")
    cl, _ = make_client(server, tmp_path / "c")
    with pytest.raises(SsbError, match=r"malformed JSON from GET .*/tables/12367/data.*nothing cached"):
        fetch(cl)
    entries = cache_is_consistent(tmp_path / "c")
    assert [e["kind"] for e in entries] == ["metadata"]
    assert len(list((tmp_path / "c").glob("*.json"))) == 1
    assert not list((tmp_path / "c").glob(".*.tmp"))  # no temporary file of analysis.fileio left


def test_403_over_cell_limit_splits_and_merges(server: FakeSsb, tmp_path: Path) -> None:
    whole, _ = make_client(server, tmp_path / "whole")
    expected = fetch(whole).frame
    server.enforced_max_cells = 30  # config still says 800000
    cl, _ = make_client(server, tmp_path / "c")
    res = fetch(cl)
    assert len(res.responses) > 1
    assert any(r["endpoint"] == "data" for r in server.requests)
    merged = res.frame.sort_values(list(dict(SEL_12367.variables))).reset_index(drop=True)
    exp = expected.sort_values(list(dict(SEL_12367.variables))).reset_index(drop=True)
    pd.testing.assert_frame_equal(merged, exp, check_like=True)
    entries = cache_is_consistent(tmp_path / "c")
    assert any(e["kind"] == "split" and e["reason"] == "HTTP 403" for e in entries)
    # offline replays the same split from the manifest
    off, _ = make_client(server, tmp_path / "c", offline=True)
    n = len(server.requests)
    again = off.data("12367", SEL_12367, metadata_updated=None)
    assert len(again.frame) == 96 and len(server.requests) == n


def test_config_cell_limit_splits_before_asking(server: FakeSsb, tmp_path: Path) -> None:
    server.config["maxDataCells"] = 40
    server.enforced_max_cells = 40
    cl, _ = make_client(server, tmp_path / "c")
    res = fetch(cl)
    assert len(res.frame) == 96
    assert len(server.data_requests()) == len(res.responses) >= 3  # never a 403 round trip


def test_long_selection_goes_by_post(server: FakeSsb, tmp_path: Path) -> None:
    cl, _ = make_client(server, tmp_path / "c", max_url_length=150)
    res = fetch(cl)
    assert len(res.frame) == 96
    req = server.data_requests()[0]
    assert req["method"] == "POST"
    assert {"variableCode": "Tid", "valueCodes": ["2020", "2021", "2022", "2023"]} in req["body"]["selection"]
    entry = [e for e in cache_is_consistent(tmp_path / "c") if e["kind"] == "data"][0]
    assert entry["method"] == "POST" and entry["body"]["selection"]


def test_url_length_decision() -> None:
    cl = PxWebClient("http://x/api/pxwebapi/v2", Path("/nonexistent"), max_url_length=2000)
    method, url, body = cl.data_request("12367", SEL_12367)
    assert method == "GET" and body is None and "valueCodes[Tid]=2020,2021,2022,2023" in url
    big = Selection.of({"Region": [f"{i:04d}" for i in range(600)], "Tid": ["2024"]})
    method, url, body = cl.data_request("07459", big)
    assert method == "POST" and "valueCodes" not in url and len(body["selection"][0]["valueCodes"]) == 600


def test_http_404_is_not_retried(server: FakeSsb, tmp_path: Path) -> None:
    cl, sleeps = make_client(server, tmp_path / "c")
    with pytest.raises(SsbError, match=r"HTTP 404 .*tables/99999/metadata"):
        cl.metadata("99999")
    assert sleeps == []


def test_rate_limiter_sliding_window() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    rl = RateLimiter(2, 10.0, clock=lambda: now[0], sleep=sleep)
    rl.acquire()
    rl.acquire()
    now[0] = 3.0
    rl.acquire()  # must wait until t=10
    assert waits == [7.0] and now[0] == 10.0


def test_client_respects_config_rate(server: FakeSsb, tmp_path: Path) -> None:
    server.config.update({"maxCallsPerTimeWindow": 2, "timeWindow": 60})
    cl, sleeps = make_client(server, tmp_path / "c")
    cl.config()
    cl.metadata("12367")
    cl.metadata("03014")  # config + 2 metadata = 3 calls, limit applies after /config was read
    assert cl._config["maxCallsPerTimeWindow"] == 2
    assert sleeps and sleeps[0] > 50


def test_cache_ignores_corrupt_objects_and_damaged_manifest_lines(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    entry = cache.store(b'{"a": 1}', {"key": "k", "kind": "data", "retrieved": "2025"})
    assert cache.lookup("k") is not None
    with (tmp_path / "manifest.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"key": "k", "kind": "da')  # torn line
    assert cache.lookup("k")["sha256"] == entry["sha256"]
    (tmp_path / f"{entry['sha256']}.json").write_bytes(b'{"a": 2}')  # corrupted object
    assert cache.lookup("k") is None
