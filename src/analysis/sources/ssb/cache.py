"""The SSB client's on-disk, content-addressed response cache and its rate limiter.

The cache layout and policy are described in :mod:`analysis.sources.ssb.client`. Standard library only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def request_key(method: str, url: str, body: Mapping[str, Any] | None) -> str:
    canon = json.dumps({"m": method, "u": url, "b": body}, sort_keys=True, ensure_ascii=False)
    return sha256_hex(canon.encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Cache:
    """Content-addressed response store with a JSON-lines manifest (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.manifest_path = self.folder / "manifest.jsonl"
        self._lock = threading.Lock()

    def object_path(self, sha: str) -> Path:
        return self.folder / f"{sha}.json"

    def entries(self) -> list[dict[str, Any]]:
        """Manifest lines that parse (a damaged line is skipped, never fatal)."""
        if not self.manifest_path.exists():
            return []
        out = []
        for line in self.manifest_path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and "key" in entry:
                out.append(entry)
        return out

    def read_object(self, sha: str) -> bytes | None:
        """The bytes stored under ``sha``, or None if missing or corrupt (hash mismatch)."""
        path = self.object_path(sha)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return data if sha256_hex(data) == sha else None

    def lookup(
        self, key: str, *, metadata_updated: str | None = None, kind: str | None = None
    ) -> dict | None:
        """Newest usable manifest entry for ``key`` (optionally for the given table stamp)."""
        best = None
        for entry in self.entries():
            if entry.get("key") != key or (kind and entry.get("kind") != kind):
                continue
            if metadata_updated is not None and entry.get("metadata_updated") != metadata_updated:
                continue
            if entry.get("kind") != "split" and self.read_object(entry.get("sha256", "")) is None:
                continue
            if best is None or str(entry.get("retrieved", "")) >= str(best.get("retrieved", "")):
                best = entry
        return best

    def store(self, data: bytes | None, entry: dict[str, Any]) -> dict[str, Any]:
        """Write the object (if any) atomically, then append ``entry`` to the manifest atomically."""
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            if data is not None:
                sha = sha256_hex(data)
                path = self.object_path(sha)
                if self.read_object(sha) is None:
                    _atomic_write(path, data)
                entry = {**entry, "sha256": sha, "bytes": len(data)}
            old = self.manifest_path.read_bytes() if self.manifest_path.exists() else b""
            if old and not old.endswith(b"\n"):
                old += b"\n"
            line = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
            _atomic_write(self.manifest_path, old + line)
            return entry


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
