"""HTTP to the SSB API: one pooled ``requests`` session, urllib3's retries, time-outs, the pace
set by ``/config``, and every failure as one :class:`SsbError` line.

HTTP, connection pooling, time-outs, retries, exponential backoff and ``Retry-After`` are
``requests`` with urllib3's ``Retry`` (maintained, and it honours ``Retry-After`` on 429/503 as SSB
asks); only the wait is routed through an injectable ``sleep`` so the tests need no real waiting.

* HTTP 429/503 with ``Retry-After``: wait that long (capped at ``max_retry_after``) and retry;
  HTTP 429/500/502/503/504 without it, dropped connections and read time-outs: exponential backoff
  (urllib3: no wait before the first retry, then ``backoff * 2**(n-1)``). At most ``max_retries``
  retries. A connection that cannot be opened at all (no network, refused, DNS) is retried
  ``connect_retries`` times with a ``connect_timeout`` of a few seconds, then
  :class:`NetworkUnreachableError` -- within about ten seconds, never minutes.
* Before each request, :attr:`Transport.limiter`, a sliding-window :class:`RateLimiter` (set once
  ``/config`` is read, see :mod:`analysis.sources.ssb.client`), keeps calls inside the API's time
  window. Own code, with an injectable clock: urllib3 retries after a refusal; it does not pace
  calls before one.
* Offline, no request is sent: :class:`NotCachedError`.

Imports no other module of the package.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError as Urllib3ConnectTimeout
from urllib3.exceptions import InvalidHeader, NewConnectionError
from urllib3.util.retry import Retry

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


class RateLimiter:
    """Sliding window: at most ``calls`` starts in any ``window`` seconds."""

    def __init__(
        self,
        calls: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.calls = max(1, int(calls))
        self.window = max(0.0, float(window))
        self.clock = clock
        self.sleep = sleep
        self.starts: deque[float] = deque()

    def acquire(self) -> float:
        """Wait if needed; return the seconds waited.

        The start is booked at ``now + wait`` (not re-read from the clock after sleeping), so an
        injected sleep that does not move the clock cannot make this loop.
        """
        now = self.clock()
        while self.starts and now - self.starts[0] >= self.window:
            self.starts.popleft()
        delay = 0.0
        if len(self.starts) >= self.calls:
            delay = max(0.0, self.window - (now - self.starts[-self.calls]))
            if delay > 0:
                self.sleep(delay)
        self.starts.append(now + delay)
        return delay


def _quiet(_msg: str) -> None:
    """The default log: say nothing."""


class _Retry(Retry):
    """urllib3's ``Retry`` with the client's sleep and log (a subclass per client, see ``_retry``).

    Only :meth:`sleep` is overridden, to route the wait through an injectable function (the tests
    record it instead of waiting) and to log one line per retry; what is retried, ``Retry-After``
    parsing and the backoff formula are urllib3's.
    """

    sleeper: Callable[[float], None] = staticmethod(time.sleep)
    logger: Callable[[str], None] = staticmethod(_quiet)

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


@dataclass(eq=False, kw_only=True)
class Transport:
    """Sends one request at a time with the retry policy above; returns the body or raises."""

    RETRY_STATUSES: ClassVar[frozenset[int]] = frozenset({429, 500, 502, 503, 504})

    offline: bool = False
    timeout: float = 60.0
    connect_timeout: float = 3.0
    connect_retries: int = 1
    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    max_retry_after: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = _quiet
    #: the API's pace, set by the client once ``/config`` is read (None: no pacing yet)
    limiter: RateLimiter | None = field(default=None, init=False, repr=False)
    #: HTTP requests sent (urllib3's retries of one request not counted)
    calls: int = field(default=0, init=False)
    _session: requests.Session | None = field(default=None, init=False, repr=False)

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

    def request_bytes(self, method: str, url: str, body: Mapping[str, Any] | None) -> bytes:
        """One request (urllib3 retries it as configured); returns the body of a 2xx response."""
        if self.offline:
            raise NotCachedError(f"{method} {url}")
        if self.limiter is not None:
            waited = self.limiter.acquire()
            if waited > 0.5:
                self.log(f"  rate limit: waited {waited:.1f} s")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json; charset=utf-8"} if payload is not None else {}
        self.calls += 1
        try:
            resp = self.session().request(
                method, url, data=payload, headers=headers, timeout=(self.connect_timeout, self.timeout)
            )
            data = resp.content
        except requests.exceptions.RequestException as exc:
            raise self._failure(method, url, exc) from None
        if resp.status_code >= 400:
            detail = resp.text[:300].strip().replace("\n", " ")
            if resp.status_code == 403:
                raise CellLimitError(403, url, detail or "forbidden (too many cells?)")
            raise HttpStatusError(resp.status_code, url, detail)
        return data

    def request_json(self, method: str, url: str, body: Mapping[str, Any] | None) -> tuple[bytes, Any]:
        """:meth:`request_bytes`, and the body parsed as JSON (a malformed body is one error line)."""
        data = self.request_bytes(method, url, body)
        try:
            return data, json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SsbError(f"malformed JSON from {method} {url}: {exc} (nothing cached)") from None

    def _failure(self, method: str, url: str, exc: requests.exceptions.RequestException) -> SsbError:
        """The one-line error for what ``requests`` raised once urllib3's retries were spent."""
        gave_up = f"gave up on {method} {url} after {self.max_retries + 1} attempts"
        if isinstance(exc, requests.exceptions.RetryError):  # retried statuses until the budget ran out
            reason = str(getattr(exc.args[0], "reason", exc) if exc.args else exc)
            m = re.search(r"too many (\d+) error responses", reason)
            return SsbError(f"{gave_up}: " + (f"HTTP {m.group(1)}" if m else reason))
        if isinstance(exc, requests.exceptions.ConnectionError):
            reason = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else exc
            if isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(
                reason, NewConnectionError | Urllib3ConnectTimeout
            ):
                return NetworkUnreachableError(
                    f"cannot connect to {urllib.parse.urlsplit(url).netloc} "
                    f"({type(reason).__name__}) after {self.connect_retries + 1} attempt(s)"
                )
            return SsbError(f"{gave_up}: connection problem: {type(reason).__name__}")
        if isinstance(exc, requests.exceptions.Timeout):
            return SsbError(f"{gave_up}: read time-out ({self.timeout:g} s)")
        return SsbError(
            f"{method} {url}: connection dropped while reading ({type(exc).__name__}; nothing cached)"
        )
