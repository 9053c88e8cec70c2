"""A local stand-in for SSB's PxWebApi v2, for the tests of ``analysis.sources.ssb`` (no network).

It is a real HTTP server (``http.server`` on 127.0.0.1, random free port, in a thread) that
implements the endpoints the client uses -- ``GET /config``, ``GET /tables/{id}/metadata`` and
``GET``/``POST /tables/{id}/data`` -- and answers JSON-stat 2.0 shaped like the real responses
in ``../shared/fixtures/ssb`` (KOSTRA dimension ids ``KOKkommuneregion0000``,
``KOKregnskapsomfa0000``, ``KOKfunksjon0000``, ``KOKart0000``, ``ContentsCode`` ``KOSbelop0000``
"Beløp (1000 kr)", ``Tid``; ``status`` as a sparse object with ``:`` for suppressed cells and
``null`` in ``value``; ``role`` time/metric; ``extension.px.tableid``). Values are a
deterministic function of the cell's codes, so a request split in parts merges to the same
numbers as one request.

Faults are queued with :meth:`FakeSsb.add_fault` and consumed by the next matching request.
Run as a script (``python ssb_fakeserver.py``) it serves until killed and prints its port.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

UPDATED = "2025-06-15T06:00:00Z"

REGION_LABELS = {
    "EAK": "Landet",
    "EAKUO": "Landet uten Oslo",
    "0301": "Oslo",
    "1201": "Bergen (-2019)",
    "4601": "Bergen",
    "0213": "Ski (-2019)",
    "0217": "Oppegård (-2019)",
    "3020": "Nordre Follo (2020-2023)",
    "3207": "Nordre Follo",
    "1103": "Stavanger",
}


@dataclass
class Dim:
    id: str
    label: str
    codes: list[str]
    labels: dict[str, str] = field(default_factory=dict)
    elimination: bool = False

    def label_of(self, code: str) -> str:
        return self.labels.get(code, code)


@dataclass
class Table:
    id: str
    title: str
    dims: list[Dim]
    sparse_values: bool = False
    suppress_every: int = 7  # crc % n == 0 -> ':' (0 disables)

    def dim(self, dim_id: str) -> Dim:
        return next(d for d in self.dims if d.id == dim_id)


def _years(a: int, b: int) -> Dim:
    codes = [str(y) for y in range(a, b + 1)]
    return Dim("Tid", "år", codes, {c: c for c in codes})


def _kostra_region(codes: list[str]) -> Dim:
    return Dim("KOKkommuneregion0000", "region", codes, {c: REGION_LABELS.get(c, c) for c in codes})


def default_tables() -> dict[str, Table]:
    sa_regions = ["EAK", "EAKUO", "0301", "4601", "3207", "1103"]
    old_regions = ["EAK", "0301", "1201", "4601", "0213", "0217", "3020", "1103"]
    tables = [
        Table(
            "13995",
            "13995: Økonomisk sosialhjelp, etter region, statistikkvariabel og år",
            [
                _kostra_region(sa_regions),
                Dim(
                    "ContentsCode",
                    "statistikkvariabel",
                    ["KOSsosmottak0000", "KOSutbetalt0000", "KOSstonlengde0000", "KOSandel1824"],
                    {
                        "KOSsosmottak0000": "Sosialhjelpsmottakere",
                        "KOSutbetalt0000": "Utbetalt økonomisk sosialhjelp (1000 kr)",
                        "KOSstonlengde0000": "Gjennomsnittlig stønadslengde (måneder)",
                        "KOSandel1824": "Andel sosialhjelpsmottakere 18-24 år (prosent)",
                    },
                ),
                _years(2022, 2024),
            ],
        ),
        Table(
            "12210",
            "12210: Sosialhjelpsmottakere (avslutta serie), etter region, statistikkvariabel og år",
            [
                _kostra_region(old_regions),
                Dim(
                    "ContentsCode",
                    "statistikkvariabel",
                    ["KOSsosmottak0001"],
                    {"KOSsosmottak0001": "Sosialhjelpsmottakere"},
                ),
                _years(2015, 2021),
            ],
        ),
        Table(
            "12203",
            "12203: Stønadslengde (avslutta serie)",
            [
                _kostra_region(old_regions),
                Dim(
                    "ContentsCode",
                    "statistikkvariabel",
                    ["KOSstonlengde0001"],
                    {"KOSstonlengde0001": "Gjennomsnittlig stønadslengde (måneder)"},
                ),
                _years(2015, 2021),
            ],
        ),
        Table(
            "13138",
            "13138: Utbetalt stønad (avslutta serie)",
            [
                _kostra_region(old_regions),
                Dim(
                    "ContentsCode",
                    "statistikkvariabel",
                    ["KOSutbetalt0001"],
                    {"KOSutbetalt0001": "Utbetalt økonomisk sosialhjelp (1000 kr)"},
                ),
                _years(2015, 2021),
            ],
        ),
        Table(
            "12213",
            "12213: Langtidsmottakere (avslutta serie)",
            [
                _kostra_region(old_regions),
                Dim(
                    "ContentsCode",
                    "statistikkvariabel",
                    ["KOSandellang0000"],
                    {"KOSandellang0000": "Andel langtidsmottakere (prosent)"},
                ),
                _years(2015, 2021),
            ],
        ),
        Table(
            "12362",
            "12362: Utgifter per funksjon, etter region, regnskapsomfang, funksjon, art, "
            "statistikkvariabel og år",
            [
                _kostra_region(["EAK", "EAKUO", "0301", "1201", "4601", "0213", "0217", "3020", "3207"]),
                Dim(
                    "KOKregnskapsomfa0000",
                    "regnskapsomfang",
                    ["A", "B"],
                    {
                        "A": "Kommuner/fylkeskommuner",
                        "B": "Kommuner/fylkeskommuner eksl. foretak, IKS, og samarbeid.",
                    },
                ),
                Dim(
                    "KOKfunksjon0000",
                    "funksjon",
                    ["100", "275", "276", "281"],
                    {
                        "100": "Politisk styring",
                        "275": "Introduksjonsordningen",
                        "276": "Kvalifiseringsordningen",
                        "281": "Økonomisk sosialhjelp",
                    },
                ),
                Dim(
                    "KOKart0000",
                    "art",
                    ["AGD4", "AGD10", "AGD2"],
                    {
                        "AGD4": "Korrigerte brutto driftsutgifter på funksjon/tjenesteområde",
                        "AGD10": "Brutto driftsutgifter på funksjon/tjenesteområde",
                        "AGD2": "Netto driftsutgifter på funksjon/tjenesteområde",
                    },
                ),
                Dim(
                    "ContentsCode",
                    "statistikkvariabel",
                    ["KOSbelop0000"],
                    {"KOSbelop0000": "Beløp (1000 kr)"},
                ),
                _years(2015, 2024),
            ],
        ),
        Table(
            "07459",
            "07459: Befolkning, etter region, kjønn, alder, statistikkvariabel og år",
            [
                Dim(
                    "Region",
                    "region",
                    ["0", "0301", "1201", "4601", "3207"],
                    {
                        "0": "Hele landet",
                        "0301": "Oslo",
                        "1201": "Bergen (-2019)",
                        "4601": "Bergen",
                        "3207": "Nordre Follo",
                    },
                ),
                Dim("Kjonn", "kjønn", ["1", "2"], {"1": "Menn", "2": "Kvinner"}, elimination=True),
                Dim(
                    "Alder",
                    "alder",
                    ["000", "001", "002"],
                    {"000": "0 år", "001": "1 år", "002": "2 år"},
                    elimination=True,
                ),
                Dim("ContentsCode", "statistikkvariabel", ["Personer1"], {"Personer1": "Personer"}),
                _years(2015, 2025),
            ],
            suppress_every=0,
        ),
        Table(
            "03014",
            "03014: Konsumprisindeks, etter konsumgruppe, statistikkvariabel og år",
            [
                Dim(
                    "Konsumgrp",
                    "konsumgruppe",
                    ["TOTAL", "01"],
                    {"TOTAL": "KPI Totalindeks", "01": "Matvarer og alkoholfrie drikkevarer"},
                ),
                Dim(
                    "ContentsCode",
                    "statistikkvariabel",
                    ["KpiAar", "KPIAarEndr"],
                    {"KpiAar": "Konsumprisindeks (2015=100)", "KPIAarEndr": "Årsendring (prosent)"},
                ),
                _years(2015, 2024),
            ],
            sparse_values=True,
            suppress_every=0,
        ),
    ]
    return {t.id: t for t in tables}


#: Years a region code exists (KOSTRA keeps old and new codes side by side, empty outside them).
VALID_YEARS = {
    "1201": (None, 2019),
    "0213": (None, 2019),
    "0217": (None, 2019),
    "4601": (2020, None),
    "3020": (2020, 2023),
    "3207": (2024, None),
}


def _exists(codes: dict[str, str]) -> bool:
    for var in ("KOKkommuneregion0000", "Region"):
        lo, hi = VALID_YEARS.get(codes.get(var, ""), (None, None))
        year = int(codes.get("Tid", "0")[:4] or 0)
        if (lo and year < lo) or (hi and year > hi):
            return False
    return True


class FakeSsb:
    """The server plus its knobs: limits, faults, and a log of requests."""

    def __init__(self, tables: dict[str, Table] | None = None) -> None:
        self.tables = tables or default_tables()
        self.config = {"maxDataCells": 800000, "maxCallsPerTimeWindow": 1000, "timeWindow": 1}
        self.enforced_max_cells: int | None = None  # 403 above this (may be below config)
        self.faults: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.slow_started = threading.Event()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/api/pxwebapi/v2"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> FakeSsb:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_fault(self, kind: str, match: str = "data", times: int = 1, **opts: Any) -> None:
        """kind: 429 | 503 | malformed | drop | slow | 404; match: config | metadata | data."""
        with self.lock:
            for _ in range(times):
                self.faults.append({"kind": kind, "match": match, **opts})

    def take_fault(self, endpoint: str, table: str | None) -> dict[str, Any] | None:
        with self.lock:
            for i, f in enumerate(self.faults):
                if f["match"] == endpoint and f.get("table") in (None, table):
                    return self.faults.pop(i)
        return None

    def data_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["endpoint"] == "data"]

    # ----------------------------------------------------------- JSON-stat

    def metadata(self, table: Table) -> dict[str, Any]:
        doc = self._dataset(table, {d.id: d.codes for d in table.dims})
        doc.pop("value")
        doc.pop("status", None)
        return doc

    def _dataset(self, table: Table, chosen: dict[str, list[str]]) -> dict[str, Any]:
        dims = [d for d in table.dims if d.id in chosen]
        dimension = {}
        for d in dims:
            codes = chosen[d.id]
            cat: dict[str, Any] = {
                "index": {c: i for i, c in enumerate(codes)},
                "label": {c: d.label_of(c) for c in codes},
            }
            if d.id == "ContentsCode":
                cat["unit"] = {c: {"base": d.label_of(c), "decimals": 0} for c in codes}
            dim_doc: dict[str, Any] = {"label": d.label, "category": cat}
            if d.elimination:
                dim_doc["extension"] = {"elimination": True}
            dimension[d.id] = dim_doc
        values: list[float | None] = []
        status: dict[str, str] = {}
        for pos, combo in enumerate(itertools.product(*[chosen[d.id] for d in dims])):
            codes = dict(zip([d.id for d in dims], combo, strict=True))
            key = table.id + "|" + "|".join(f"{k}={codes[k]}" for k in sorted(codes))
            crc = zlib.crc32(key.encode())
            if not _exists(codes):
                values.append(None)
                status[str(pos)] = "."
            elif table.suppress_every and crc % table.suppress_every == 0:
                values.append(None)
                status[str(pos)] = ":"
            else:
                v = crc % 100000
                values.append(v + 0.5 if table.id == "03014" else v)
        doc: dict[str, Any] = {
            "version": "2.0",
            "class": "dataset",
            "label": table.title,
            "source": "Statistisk sentralbyrå",
            "updated": UPDATED,
            "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
            "id": [d.id for d in dims],
            "size": [len(chosen[d.id]) for d in dims],
            "dimension": dimension,
            "extension": {"px": {"tableid": table.id, "decimals": 0, "language": "no"}},
        }
        if table.sparse_values:
            doc["value"] = {str(i): v for i, v in enumerate(values) if v is not None}
        else:
            doc["value"] = values
        if status:
            doc["status"] = status
        return doc

    def data(self, table: Table, selection: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        chosen: dict[str, list[str]] = {}
        for d in table.dims:
            if d.id not in selection:
                if d.elimination:
                    continue
                return 400, {"error": f"variable {d.id} must be selected"}
            want = selection[d.id]
            bad = [c for c in want if c not in d.codes]
            if bad:
                return 400, {"error": f"unknown codes {bad} for {d.id}"}
            chosen[d.id] = [c for c in d.codes if c in want]
        cells = 1
        for codes in chosen.values():
            cells *= len(codes)
        if self.enforced_max_cells is not None and cells > self.enforced_max_cells:
            return 403, {"error": f"too many cells: {cells}"}
        return 200, self._dataset(table, chosen)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSsb
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._handle(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            self._send(400, b'{"error":"bad body"}')
            return
        self._handle(body)

    def _handle(self, body: Any) -> None:
        fake = self.fake
        parsed = urllib.parse.urlsplit(self.path)
        parts = [p for p in parsed.path.split("/") if p]
        try:
            rest = parts[parts.index("v2") + 1 :]
        except ValueError:
            self._send(404, b'{"error":"not found"}')
            return
        query = urllib.parse.parse_qs(parsed.query)
        if rest == ["config"]:
            endpoint, table_id = "config", None
        elif len(rest) == 3 and rest[0] == "tables" and rest[2] in ("metadata", "data"):
            endpoint, table_id = rest[2], rest[1]
        else:
            self._send(404, b'{"error":"no such endpoint"}')
            return
        with fake.lock:
            fake.requests.append(
                {
                    "method": self.command,
                    "endpoint": endpoint,
                    "table": table_id,
                    "path": self.path,
                    "body": body,
                }
            )
        fault = fake.take_fault(endpoint, table_id)
        if fault:
            kind = fault["kind"]
            if kind == "429":
                self._send(
                    429, b'{"error":"too many requests"}', {"Retry-After": str(fault.get("retry_after", 0))}
                )
                return
            if kind in ("503", "404"):
                self._send(int(kind), b'{"error":"unavailable"}')
                return
            if kind == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if kind == "malformed":
                self._send(200, b'{"class": "dataset", "value": [1, 2,')
                return
        if endpoint == "config":
            self._send(200, json.dumps(fake.config).encode())
            return
        table = fake.tables.get(table_id or "")
        if table is None:
            self._send(404, json.dumps({"error": f"table {table_id} not found"}).encode())
            return
        if endpoint == "metadata":
            self._send(200, json.dumps(fake.metadata(table), ensure_ascii=False).encode())
            return
        if body is not None:
            selection = {s["variableCode"]: list(s["valueCodes"]) for s in body.get("selection", [])}
        else:
            selection = {}
            for k, v in query.items():
                if k.startswith("valueCodes[") and k.endswith("]"):
                    selection[k[len("valueCodes[") : -1]] = [c for c in v[0].split(",") if c]
        status, doc = fake.data(table, selection)
        payload = json.dumps(doc, ensure_ascii=False).encode()
        if fault and fault["kind"] == "slow" and status == 200:
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            fake.slow_started.set()
            time.sleep(float(fault.get("seconds", 30)))
            return
        self._send(status, payload)


if __name__ == "__main__":  # pragma: no cover - used by hand
    with FakeSsb() as srv:
        print(srv.base_url, flush=True)
        threading.Event().wait()
