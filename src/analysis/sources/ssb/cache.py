"""The SSB client's on-disk, content-addressed response store with its JSON-lines manifest.

The cache layout and policy are described in :mod:`analysis.sources.ssb.client`. May import
:mod:`analysis.fileio` (the one atomic write and SHA-256 helper).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.fileio import atomic_write, sha256_hex


def request_key(method: str, url: str, body: Mapping[str, Any] | None) -> str:
    canon = json.dumps({"m": method, "u": url, "b": body}, sort_keys=True, ensure_ascii=False)
    return sha256_hex(canon.encode("utf-8"))


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
                    atomic_write(path, data)
                entry = {**entry, "sha256": sha, "bytes": len(data)}
            old = self.manifest_path.read_bytes() if self.manifest_path.exists() else b""
            if old and not old.endswith(b"\n"):
                old += b"\n"
            line = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
            atomic_write(self.manifest_path, old + line)
            return entry
