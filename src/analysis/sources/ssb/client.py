"""A small client for Statistics Norway's PxWebApi v2 with an on-disk, content-addressed cache.

Why not ``pxwebpy``: it caches in memory only and drops the ``status`` symbols; the book needs
every response kept on disk with a manifest so that a rebuild is reproducible offline, and the
suppressed cells kept as such.

What is a library and what is ours: HTTP, connection pooling, time-outs, retries, exponential
backoff and ``Retry-After`` are ``requests`` with urllib3's ``Retry`` (maintained, and it honours
``Retry-After`` on 429/503 as SSB asks). Ours is only what no library does for this API: the
content-addressed on-disk cache with its manifest (``pxwebpy`` and ``requests-cache`` key by
request, not by content, and keep no table stamp), splitting a selection at ``maxDataCells`` or on
HTTP 403, and a small sliding-window limiter whose window is read from ``/config`` at run time
(urllib3 retries after a refusal; it does not pace calls before one), with an injectable clock so
the tests need no real waiting.

Behaviour
---------
* ``GET /config`` once per client; calls are then kept under ``maxCallsPerTimeWindow`` per
  ``timeWindow`` seconds (sliding window). Without a usable ``/config`` the documented defaults
  (30 calls per 60 s, 800,000 cells) are used.
* ``GET /tables/{id}/metadata`` (JSON-stat 2.0 without values).
* Data by ``GET /tables/{id}/data?valueCodes[VAR]=a,b`` or, when that URL would be longer than
  :attr:`PxWebClient.max_url_length` characters, ``POST`` with ``{"selection": [...]}``.
* HTTP 429/503 with ``Retry-After``: wait that long (capped at ``max_retry_after``) and retry;
  HTTP 429/500/502/503/504 without it, dropped connections and read time-outs: exponential backoff
  (urllib3: no wait before the first retry, then ``backoff * 2**(n-1)``). At most ``max_retries``
  retries. A connection that cannot be opened at all (no network, refused, DNS) is retried
  ``connect_retries`` times with a ``connect_timeout`` of a few seconds, then
  :class:`NetworkUnreachableError` -- within about ten seconds, never minutes.
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

May import :mod:`analysis.schema`, :mod:`analysis.fileio` and ssb siblings.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError as Urllib3ConnectTimeout
from urllib3.exceptions import InvalidHeader, NewConnectionError
from urllib3.util.retry import Retry

from analysis.schema import SSB_BASE_URL
from analysis.sources.ssb import jsonstat
from analysis.sources.ssb.cache import Cache, RateLimiter, request_key
from analysis.sources.ssb.selection import Selection

DEFAULT_BASE_URL = SSB_BASE_URL
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


class NetworkUnreachableError(SsbError):
    """No connection could be opened to the API (no network, refused, name not resolved)."""


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


class _Retry(Retry):
    """urllib3's ``Retry`` with the client's sleep and log (a subclass per client, see ``_retry``).

    Only :meth:`sleep` is overridden, to route the wait through an injectable function (the tests
    record it instead of waiting) and to log one line per retry; what is retried, ``Retry-After``
    parsing and the backoff formula are urllib3's.
    """

    sleeper: Callable[[float], None] = staticmethod(time.sleep)
    logger: Callable[[str], None] = staticmethod(lambda _msg: None)

    def sleep(self, response: Any = None) -> None:
        delay = None
        if self.respect_retry_after_header and response is not None:
            with contextlib.suppress(InvalidHeader):
                delay = self.get_retry_after(response)
        if delay is None:
            delay = self.get_backoff_time()
        last = self.history[-1] if self.history else None
        if last is not None and last.status:
            why = f"HTTP {last.status}" + (" (rate limited)" if last.status == 429 else "")
        elif last is not None and last.error is not None:
            why = f"connection problem: {type(last.error).__name__}"
        else:
            why = "retry"
        type(self).logger(f"  {why}; retry {len(self.history)} in {delay:.2g} s")
        type(self).sleeper(delay)


class PxWebClient:
    """PxWebApi v2 client with cache, rate limiting, retries and selection splitting."""

    RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        cache_dir: Path | str = Path("data/raw/ssb"),
        *,
        offline: bool = False,
        lang: str = "no",
        timeout: float = 60.0,
        connect_timeout: float = 3.0,
        connect_retries: int = 1,
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
        self.connect_timeout = connect_timeout
        self.connect_retries = connect_retries
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
        self.calls = 0  # HTTP requests sent (urllib3's retries of one request not counted)
        self._session: requests.Session | None = None

    def _retry(self) -> Retry:
        """The retry policy (a ``Retry`` subclass bound to this client's sleep and log)."""
        cls = type(
            "ClientRetry", (_Retry,), {"sleeper": staticmethod(self.sleep), "logger": staticmethod(self.log)}
        )
        return cls(
            total=self.max_retries,
            connect=self.connect_retries,
            read=self.max_retries,
            status=self.max_retries,
            other=0,
            # SSB's data POST is a query, safe to repeat
            allowed_methods=frozenset({"GET", "POST"}),
            status_forcelist=self.RETRY_STATUSES,
            backoff_factor=self.backoff,
            backoff_max=self.max_backoff,
            retry_after_max=int(self.max_retry_after),
            respect_retry_after_header=True,
            raise_on_status=True,
        )

    def session(self) -> requests.Session:
        if self._session is None:
            sess = requests.Session()
            adapter = HTTPAdapter(max_retries=self._retry())
            sess.mount("http://", adapter)
            sess.mount("https://", adapter)
            sess.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
            self._session = sess
        return self._session

    def connect_budget(self) -> float:
        """Worst case in seconds before :class:`NetworkUnreachableError` (no network at all)."""
        # urllib3 waits nothing before the first retry, then backoff * 2**(k-1) before retry k
        waits = sum(
            min(self.max_backoff, self.backoff * 2 ** (k - 1)) for k in range(2, self.connect_retries + 1)
        )
        return (self.connect_retries + 1) * self.connect_timeout + waits

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
        if self._limiter is not None:  # the /config call itself counts
            limiter.starts.extend(self._limiter.starts)
        self._limiter = limiter
        return self._config

    @property
    def max_cells(self) -> int:
        return int(self.config()["maxDataCells"])

    # -------------------------------------------------------------- HTTP

    def _request_bytes(self, method: str, url: str, body: Mapping[str, Any] | None) -> bytes:
        """One request (urllib3 retries it as configured); returns the body of a 2xx response."""
        if self.offline:
            raise NotCachedError(f"{method} {url}")
        if self._limiter is not None:
            waited = self._limiter.acquire()
            if waited > 0.5:
                self.log(f"  rate limit: waited {waited:.1f} s")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json; charset=utf-8"} if payload is not None else {}
        attempts = f"after {self.max_retries + 1} attempts"
        self.calls += 1
        try:
            resp = self.session().request(
                method, url, data=payload, headers=headers, timeout=(self.connect_timeout, self.timeout)
            )
            data = resp.content
        except requests.exceptions.RetryError as exc:  # retried statuses until the budget ran out
            reason = str(getattr(exc.args[0], "reason", exc) if exc.args else exc)
            m = re.search(r"too many (\d+) error responses", reason)
            last = f"HTTP {m.group(1)}" if m else reason
            raise SsbError(f"gave up on {method} {url} {attempts}: {last}") from None
        except requests.exceptions.ConnectionError as exc:
            reason = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else exc
            if isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(
                reason, NewConnectionError | Urllib3ConnectTimeout
            ):
                raise NetworkUnreachableError(
                    f"cannot connect to {urllib.parse.urlsplit(url).netloc} "
                    f"({type(reason).__name__}) after {self.connect_retries + 1} attempt(s)"
                ) from None
            raise SsbError(
                f"gave up on {method} {url} {attempts}: connection problem: {type(reason).__name__}"
            ) from None
        except requests.exceptions.Timeout:
            raise SsbError(
                f"gave up on {method} {url} {attempts}: read time-out ({self.timeout:g} s)"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise SsbError(
                f"{method} {url}: connection dropped while reading ({type(exc).__name__}; nothing cached)"
            ) from None
        if resp.status_code >= 400:
            detail = resp.text[:300].strip().replace("\n", " ")
            if resp.status_code == 403:
                raise CellLimitError(403, url, detail or "forbidden (too many cells?)")
            raise HttpStatusError(resp.status_code, url, detail)
        return data

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
