"""A small client for Statistics Norway's PxWebApi v2 with an on-disk, content-addressed cache.

Why not ``pxwebpy``: it caches in memory only and drops the ``status`` symbols; the book needs
every response kept on disk with a manifest so that a rebuild is reproducible offline, and the
suppressed cells kept as such.

What is a library and what is ours: HTTP, time-outs and retries are ``requests`` with urllib3's
``Retry`` (:mod:`analysis.sources.ssb.transport`, which :class:`PxWebClient` extends). Ours is only
what no library does for this API: the content-addressed on-disk cache with its manifest
(``pxwebpy`` and ``requests-cache`` key by request, not by content, and keep no table stamp),
splitting a selection at ``maxDataCells`` or on HTTP 403, and the pace read from ``/config``.

Behaviour
---------
* ``GET /config`` once per client; calls are then kept under ``maxCallsPerTimeWindow`` per
  ``timeWindow`` seconds (sliding window). Without a usable ``/config`` the documented defaults
  (30 calls per 60 s, 800,000 cells) are used.
* ``GET /tables/{id}/metadata`` (JSON-stat 2.0 without values).
* Data by ``GET /tables/{id}/data?valueCodes[VAR]=a,b`` or, when that URL would be longer than
  :attr:`PxWebClient.max_url_length` characters, ``POST`` with ``{"selection": [...]}``.
* Retries, backoff, ``Retry-After`` and the fast failure without a network: see
  :mod:`analysis.sources.ssb.transport`.
* A selection over ``maxDataCells``, or one the server refuses with HTTP 403, is split in two
  along its longest variable (time first on ties) and the parts are fetched and merged.
* Responses are checked (valid JSON, a JSON-stat dataset the decoder can read) *before* they are
  cached; a malformed response is never cached.

Cache layout (``data/raw/ssb/``)
--------------------------------
* ``<sha256>.json`` -- the response bytes; the file name is the SHA-256 of its content. Written to
  a temporary file in the same folder and moved into place with ``os.replace`` (atomic), so a
  process killed mid-fetch leaves either no entry or a complete one.
* ``manifest.jsonl`` -- one JSON object per line: ``kind`` (metadata / data / split), ``method``,
  ``url``, ``body`` (POST body or null), ``table``, ``updated`` (the dataset's stamp),
  ``metadata_updated`` (the table's stamp when the data was fetched), ``retrieved`` (UTC),
  ``sha256``, ``bytes``. A ``split`` line records that a request was answered in parts. The
  manifest is rewritten atomically (temp file + ``os.replace``) after the object is in place.
  A manifest line whose object is missing or whose bytes do not hash to its name is ignored.

Cache policy: online, the table's metadata is always fetched (one call) and a data request is a
hit when the manifest has the same request for the same ``metadata_updated`` stamp -- so a
revision published by SSB (15 March preliminary, 15 June final) is fetched anew. Offline
(``offline=True``), no network is used at all: the newest cached metadata and data are used, and a
request that is not cached raises :class:`NotCachedError` naming it.

May import :mod:`analysis.schema` and ssb siblings.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.schema import SSB_BASE_URL
from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.cache import Cache, request_key
from analysis.sources.ssb.selection import Selection
from analysis.sources.ssb.transport import (
    CellLimitError,
    NetworkUnreachableError,
    NotCachedError,
    RateLimiter,
    SsbError,
    Transport,
)

DEFAULT_BASE_URL = SSB_BASE_URL
DEFAULT_MAX_CELLS = 800_000
DEFAULT_MAX_CALLS = 30
DEFAULT_TIME_WINDOW = 60.0


@dataclass
class Response:
    """A decoded JSON response and where it came from."""

    doc: dict[str, Any]
    data: bytes
    entry: dict[str, Any]
    from_cache: bool


@dataclass
class DataResult:
    """Decoded data for one table request, possibly merged from several responses."""

    frame: pd.DataFrame
    responses: list[Response] = field(default_factory=list)

    @property
    def updated(self) -> str | None:
        return self.frame.attrs.get("updated")


@dataclass(eq=False)
class PxWebClient(Transport):
    """PxWebApi v2 client with cache, rate limiting, retries and selection splitting.

    ``PxWebClient(base_url, cache_dir, offline=..., log=...)``; the HTTP settings (``timeout``,
    ``connect_timeout``, ``connect_retries``, ``max_retries``, ``backoff``, ``max_backoff``,
    ``max_retry_after``, ``sleep``) are :class:`~analysis.sources.ssb.transport.Transport`'s.
    """

    base_url: str = DEFAULT_BASE_URL
    cache_dir: Path | str = Path("data/raw/ssb")
    _: KW_ONLY
    lang: str = "no"
    max_url_length: int = 2000
    clock: Callable[[], float] = time.monotonic
    cache: Cache = field(init=False, repr=False)
    _config: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.cache = Cache(Path(self.cache_dir))

    # -------------------------------------------------------------- config / limits

    def config(self) -> dict[str, Any]:
        """``GET /config`` (once); falls back to the documented limits if it cannot be read."""
        if self._config is not None:
            return self._config
        cfg: dict[str, Any] = {}
        if not self.offline:
            self.limiter = RateLimiter(DEFAULT_MAX_CALLS, DEFAULT_TIME_WINDOW, self.clock, self.sleep)
            try:
                _, doc = self.request_json("GET", f"{self.base_url}/config", None)
                cfg = doc if isinstance(doc, dict) else {}
            except NetworkUnreachableError:
                raise
            except SsbError as exc:
                self.log(f"warning: could not read /config ({exc}); using default limits")
        self._config = {
            "maxDataCells": int(cfg.get("maxDataCells") or DEFAULT_MAX_CELLS),
            "maxCallsPerTimeWindow": int(cfg.get("maxCallsPerTimeWindow") or DEFAULT_MAX_CALLS),
            "timeWindow": float(cfg.get("timeWindow") or DEFAULT_TIME_WINDOW),
        }
        limiter = RateLimiter(
            self._config["maxCallsPerTimeWindow"], self._config["timeWindow"], self.clock, self.sleep
        )
        if self.limiter is not None:  # the /config call itself counts
            limiter.starts.extend(self.limiter.starts)
        self.limiter = limiter
        return self._config

    @property
    def max_cells(self) -> int:
        return int(self.config()["maxDataCells"])

    # -------------------------------------------------------------- endpoints

    def _query(self, extra: Sequence[tuple[str, str]] = ()) -> str:
        pairs = [("lang", self.lang), ("outputFormat", "json-stat2"), *extra]
        return urllib.parse.urlencode(pairs, safe="[],*()", quote_via=urllib.parse.quote)

    def metadata_url(self, table: str) -> str:
        return f"{self.base_url}/tables/{table}/metadata?{self._query()}"

    def metadata(self, table: str) -> Response:
        """The table's metadata (JSON-stat 2.0 without values); always fresh online."""
        req = _Request(table, "GET", self.metadata_url(table), None)
        if self.offline:
            entry = self.cache.lookup(req.key, kind="metadata")
            if entry is None:
                raise NotCachedError(f"table {table} metadata (GET {req.url})")
            data = self.cache.read_object(entry["sha256"]) or b""
            return Response(json.loads(data), data, entry, True)
        self.config()
        data, doc = self.request_json("GET", req.url, None)
        try:
            jsonstat.dimensions(doc)
        except jsonstat.JsonStatError as exc:
            raise SsbError(f"table {table}: metadata is not JSON-stat 2.0: {exc} (nothing cached)") from None
        entry = self.cache.store(data, req.entry("metadata", updated=doc.get("updated")))
        return Response(doc, data, entry, False)

    def data_request(self, table: str, selection: Selection) -> tuple[str, str, dict[str, Any] | None]:
        """(method, url, body) for a selection: GET if the URL is short enough, else POST."""
        get_url = f"{self.base_url}/tables/{table}/data?{self._query(selection.query_pairs())}"
        if len(get_url) <= self.max_url_length:
            return "GET", get_url, None
        return "POST", f"{self.base_url}/tables/{table}/data?{self._query()}", selection.post_body()

    def data(self, table: str, selection: Selection, *, metadata_updated: str | None) -> DataResult:
        """Fetch (or read from cache) the selection, splitting it when needed; merged frame."""
        responses: list[Response] = []
        self._data(table, selection, metadata_updated, responses)
        frames = [jsonstat.decode(r.doc) for r in responses]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        # a part without any status symbol decodes to an object column, one with symbols to pandas'
        # string dtype; the merged frame gets the string dtype, as one response would have it
        typed = [f["status"].dtype for f in frames if f["status"].dtype != object]
        if len(frames) > 1 and typed:
            frame["status"] = frame["status"].astype(typed[0])
        frame.attrs = dict(frames[0].attrs)
        stamps = sorted({str(f.attrs.get("updated")) for f in frames})
        if len(stamps) > 1:
            self.log(f"  warning: table {table}: parts carry different 'updated' stamps {stamps}")
        return DataResult(frame, responses)

    def _data(
        self, table: str, selection: Selection, metadata_updated: str | None, out: list[Response]
    ) -> None:
        """Append the responses that answer ``selection`` to ``out``: from the cache, from the API, or
        from its two halves where the cache says so or the API would refuse it."""
        req = _Request(table, *self.data_request(table, selection))
        what = f"table {table} data ({selection.cells} cells, {req.method} {req.url}" + (
            f" body {json.dumps(req.body, ensure_ascii=False)})" if req.body else ")"
        )
        stamp = None if self.offline else metadata_updated
        entry = self.cache.lookup(req.key, metadata_updated=stamp)
        if entry is not None and entry.get("kind") != "split":
            data = self.cache.read_object(entry["sha256"]) or b""
            out.append(Response(json.loads(data), data, entry, True))
            return
        if entry is None:
            if self.offline:
                raise NotCachedError(what)
            fetched = self._fetch(req, selection, metadata_updated)
            if fetched is not None:
                out.append(fetched)
                return
        halves = selection.split()
        if halves is None:
            raise SsbError(f"table {table}: cannot split a single-cell selection any further: {what}")
        for part in halves:
            self._data(table, part, metadata_updated, out)

    def _fetch(self, req: _Request, selection: Selection, metadata_updated: str | None) -> Response | None:
        """Fetch, check and cache one data request; None (a ``split`` line in the manifest) when the
        selection is over ``maxDataCells`` or the server refuses it with HTTP 403."""
        table = req.table
        if selection.cells > self.max_cells:
            self.log(f"  {table}: {selection.cells} cells > maxDataCells {self.max_cells}; splitting")
            self.cache.store(None, req.entry("split", reason="cell limit", metadata_updated=metadata_updated))
            return None
        try:
            data, doc = self.request_json(req.method, req.url, req.body)
        except CellLimitError:
            self.log(f"  {table}: HTTP 403 for {selection.cells} cells; splitting the request")
            self.cache.store(None, req.entry("split", reason="HTTP 403", metadata_updated=metadata_updated))
            return None
        try:
            jsonstat.decode(doc, labels=False)
        except jsonstat.JsonStatError as exc:
            raise SsbError(
                f"table {table}: response is not a readable JSON-stat dataset: {exc} "
                f"(nothing cached; {req.method} {req.url})"
            ) from None
        updated = doc.get("updated")
        entry = self.cache.store(data, req.entry("data", updated=updated, metadata_updated=metadata_updated))
        if metadata_updated and updated and updated < metadata_updated:
            self.log(
                f"  warning: table {table}: data stamp {updated} older than metadata "
                f"{metadata_updated} (stale proxy copy?)"
            )
        return Response(doc, data, entry, False)


@dataclass(frozen=True)
class _Request:
    """One request of a table, as the cache keys and records it."""

    table: str
    method: str
    url: str
    body: Mapping[str, Any] | None

    @property
    def key(self) -> str:
        return request_key(self.method, self.url, self.body)

    def entry(self, kind: str, **more: Any) -> dict[str, Any]:
        """Its manifest line of ``kind`` (see the module docstring); ``retrieved`` is now, in UTC."""
        return {
            "key": self.key,
            "kind": kind,
            "method": self.method,
            "url": self.url,
            "body": self.body,
            "table": self.table,
            **more,
            "retrieved": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
