"""A small client for Statistics Norway's PxWebApi v2 with an on-disk, content-addressed cache.

Why not ``pxwebpy``: it caches in memory only and drops the ``status`` symbols; the book needs
every response kept on disk with a manifest so that a rebuild is reproducible offline, and the
suppressed cells kept as such. The client is standard library only (``urllib``).

Behaviour
---------
* ``GET /config`` once per client; calls are then kept under ``maxCallsPerTimeWindow`` per
  ``timeWindow`` seconds (sliding window). Without a usable ``/config`` the documented defaults
  (30 calls per 60 s, 800,000 cells) are used.
* ``GET /tables/{id}/metadata`` (JSON-stat 2.0 without values).
* Data by ``GET /tables/{id}/data?valueCodes[VAR]=a,b`` or, when that URL would be longer than
  :attr:`PxWebClient.max_url_length` characters, ``POST`` with ``{"selection": [...]}``.
* HTTP 429: wait ``Retry-After`` seconds (capped) and retry. HTTP 502/503/504, dropped
  connections and time-outs: exponential backoff and retry. At most ``max_retries`` retries.
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
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.cache import Cache, RateLimiter, request_key
from analysis.sources.ssb.selection import Selection

DEFAULT_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
DEFAULT_MAX_CELLS = 800_000
DEFAULT_MAX_CALLS = 30
DEFAULT_TIME_WINDOW = 60.0
USER_AGENT = "sosialhjelp-book (analysis.sources.ssb; +https://data.ssb.no)"


class SsbError(RuntimeError):
    """A failure talking to the API or reading the cache; the message is one clear line."""


class NotCachedError(SsbError):
    """Offline mode and the request is not in the cache."""

    def __init__(self, what: str) -> None:
        super().__init__(f"not cached (offline): {what}")
        self.what = what


class HttpStatusError(SsbError):
    def __init__(self, status: int, url: str, detail: str = "") -> None:
        msg = f"HTTP {status} from {url}"
        super().__init__(f"{msg}: {detail}" if detail else msg)
        self.status = status
        self.url = url


class CellLimitError(HttpStatusError):
    """HTTP 403: the selection has too many cells (the client splits it)."""


# ------------------------------------------------------------------ client


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


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class PxWebClient:
    """PxWebApi v2 client with cache, rate limiting, retries and selection splitting."""

    RETRY_STATUSES = frozenset({500, 502, 503, 504})

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        cache_dir: Path | str = Path("data/raw/ssb"),
        *,
        offline: bool = False,
        lang: str = "no",
        timeout: float = 60.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        max_url_length: int = 2000,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache = Cache(Path(cache_dir))
        self.offline = offline
        self.lang = lang
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.max_url_length = max_url_length
        self.sleep = sleep
        self.clock = clock
        self.log = log or (lambda _msg: None)
        self._config: dict[str, Any] | None = None
        self._limiter: RateLimiter | None = None
        self.calls = 0  # HTTP requests actually sent (tests use it)

    # -------------------------------------------------------------- config / limits

    def config(self) -> dict[str, Any]:
        """``GET /config`` (once); falls back to the documented limits if it cannot be read."""
        if self._config is not None:
            return self._config
        cfg: dict[str, Any] = {}
        if not self.offline:
            self._limiter = RateLimiter(DEFAULT_MAX_CALLS, DEFAULT_TIME_WINDOW, self.clock, self.sleep)
            try:
                _, doc = self._request_json("GET", f"{self.base_url}/config", None)
                cfg = doc if isinstance(doc, dict) else {}
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
        if self._limiter is not None:  # the /config call itself counts
            limiter.starts.extend(self._limiter.starts)
        self._limiter = limiter
        return self._config

    @property
    def max_cells(self) -> int:
        return int(self.config()["maxDataCells"])

    # -------------------------------------------------------------- HTTP

    def _once(self, method: str, url: str, body: bytes | None) -> bytes:
        if self._limiter is not None:
            waited = self._limiter.acquire()
            if waited > 0.5:
                self.log(f"  rate limit: waited {waited:.1f} s")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        self.calls += 1
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            return resp.read()

    def _request_bytes(self, method: str, url: str, body: Mapping[str, Any] | None) -> bytes:
        """One request with bounded retries; returns the body of a 2xx response."""
        if self.offline:
            raise NotCachedError(f"{method} {url}")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        last = ""
        for attempt in range(self.max_retries + 1):
            delay: float | None = None
            try:
                return self._once(method, url, payload)
            except urllib.error.HTTPError as exc:
                detail = ""
                with contextlib.suppress(Exception):
                    detail = exc.read(300).decode("utf-8", "replace").strip().replace("\n", " ")
                if exc.code == 429:
                    ra = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                    delay = min(ra if ra is not None else self._backoff(attempt), self.max_retry_after)
                    last = f"HTTP 429 (rate limited), Retry-After {delay:g} s"
                elif exc.code in self.RETRY_STATUSES:
                    ra = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                    delay = min(ra, self.max_retry_after) if ra is not None else self._backoff(attempt)
                    last = f"HTTP {exc.code} (unavailable)"
                elif exc.code == 403:
                    raise CellLimitError(403, url, detail or "forbidden (too many cells?)") from None
                else:
                    raise HttpStatusError(exc.code, url, detail) from None
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"connection problem: {type(reason).__name__}: {reason}".rstrip(": ")
                delay = self._backoff(attempt)
            if attempt < self.max_retries:
                self.log(f"  {last}; retry {attempt + 1}/{self.max_retries} in {delay:.2g} s")
                self.sleep(delay or 0.0)
        raise SsbError(f"gave up on {method} {url} after {self.max_retries + 1} attempts: {last}")

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * (2**attempt), self.max_backoff)

    def _request_json(self, method: str, url: str, body: Mapping[str, Any] | None) -> tuple[bytes, Any]:
        data = self._request_bytes(method, url, body)
        try:
            return data, json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SsbError(f"malformed JSON from {method} {url}: {exc} (nothing cached)") from None

    # -------------------------------------------------------------- endpoints

    def _query(self, extra: Sequence[tuple[str, str]] = ()) -> str:
        pairs = [("lang", self.lang), ("outputFormat", "json-stat2"), *extra]
        return urllib.parse.urlencode(pairs, safe="[],*()", quote_via=urllib.parse.quote)

    def metadata_url(self, table: str) -> str:
        return f"{self.base_url}/tables/{table}/metadata?{self._query()}"

    def metadata(self, table: str) -> Response:
        """The table's metadata (JSON-stat 2.0 without values); always fresh online."""
        url = self.metadata_url(table)
        key = request_key("GET", url, None)
        if self.offline:
            entry = self.cache.lookup(key, kind="metadata")
            if entry is None:
                raise NotCachedError(f"table {table} metadata (GET {url})")
            data = self.cache.read_object(entry["sha256"]) or b""
            return Response(json.loads(data), data, entry, True)
        self.config()
        data, doc = self._request_json("GET", url, None)
        try:
            jsonstat.dimensions(doc)
        except jsonstat.JsonStatError as exc:
            raise SsbError(f"table {table}: metadata is not JSON-stat 2.0: {exc} (nothing cached)") from None
        entry = self.cache.store(
            data,
            {
                "key": key,
                "kind": "metadata",
                "method": "GET",
                "url": url,
                "body": None,
                "table": table,
                "updated": doc.get("updated"),
                "retrieved": _now(),
            },
        )
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
        self._data(table, selection, metadata_updated, responses, depth=0)
        frames = [jsonstat.decode(r.doc) for r in responses]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        frame.attrs = dict(frames[0].attrs)
        stamps = sorted({str(f.attrs.get("updated")) for f in frames})
        if len(stamps) > 1:
            self.log(f"  warning: table {table}: parts carry different 'updated' stamps {stamps}")
        return DataResult(frame, responses)

    def _data(
        self,
        table: str,
        selection: Selection,
        metadata_updated: str | None,
        out: list[Response],
        depth: int,
    ) -> None:
        method, url, body = self.data_request(table, selection)
        key = request_key(method, url, body)
        what = f"table {table} data ({selection.cells} cells, {method} {url}" + (
            f" body {json.dumps(body, ensure_ascii=False)})" if body else ")"
        )
        stamp = None if self.offline else metadata_updated
        entry = self.cache.lookup(key, metadata_updated=stamp)
        if entry is not None and entry.get("kind") == "split":
            for part in self._halves(table, selection, what):
                self._data(table, part, metadata_updated, out, depth + 1)
            return
        if entry is not None:
            data = self.cache.read_object(entry["sha256"]) or b""
            out.append(Response(json.loads(data), data, entry, True))
            return
        if self.offline:
            raise NotCachedError(what)
        if selection.cells > self.max_cells:
            self.log(f"  {table}: {selection.cells} cells > maxDataCells {self.max_cells}; splitting")
            self._record_split(key, method, url, body, table, metadata_updated, "cell limit")
            for part in self._halves(table, selection, what):
                self._data(table, part, metadata_updated, out, depth + 1)
            return
        try:
            data, doc = self._request_json(method, url, body)
        except CellLimitError:
            self.log(f"  {table}: HTTP 403 for {selection.cells} cells; splitting the request")
            self._record_split(key, method, url, body, table, metadata_updated, "HTTP 403")
            for part in self._halves(table, selection, what):
                self._data(table, part, metadata_updated, out, depth + 1)
            return
        try:
            jsonstat.decode(doc, labels=False)
        except jsonstat.JsonStatError as exc:
            raise SsbError(
                f"table {table}: response is not a readable JSON-stat dataset: {exc} "
                f"(nothing cached; {method} {url})"
            ) from None
        entry = self.cache.store(
            data,
            {
                "key": key,
                "kind": "data",
                "method": method,
                "url": url,
                "body": body,
                "table": table,
                "updated": doc.get("updated"),
                "metadata_updated": metadata_updated,
                "retrieved": _now(),
            },
        )
        if metadata_updated and doc.get("updated") and doc.get("updated") < metadata_updated:
            self.log(
                f"  warning: table {table}: data stamp {doc.get('updated')} older than metadata "
                f"{metadata_updated} (stale proxy copy?)"
            )
        out.append(Response(doc, data, entry, False))

    def _halves(self, table: str, selection: Selection, what: str) -> tuple[Selection, Selection]:
        halves = selection.split()
        if halves is None:
            raise SsbError(f"table {table}: cannot split a single-cell selection any further: {what}")
        return halves

    def _record_split(self, key, method, url, body, table, metadata_updated, reason) -> None:
        self.cache.store(
            None,
            {
                "key": key,
                "kind": "split",
                "method": method,
                "url": url,
                "body": body,
                "table": table,
                "reason": reason,
                "metadata_updated": metadata_updated,
                "retrieved": _now(),
            },
        )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
