"""One writer at a time: an inter-process lock on a folder of outputs (``book/reports`` by default).

The lock is ``filelock.FileLock`` (an OS-level lock: ``fcntl`` on POSIX, released by the kernel when
the holder dies, even by ``kill -9``), so a crashed runner never leaves a stale lock behind. The lock
file lives in ``book/.cache/locks/`` (gitignored), never in the folder it protects.

Use it around everything that decides what to write and writes it::

    with outputs_lock(paths):                      # book/reports
        ...  # compute the stale runs, execute them, write their outputs

    with outputs_lock(paths, scratch_folder):      # any other output folder
        ...

A second process that asks for a held lock waits, saying once who holds it (``on_wait``), or gives
up after ``timeout`` seconds with :class:`LockBusy` (a one-line message).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from analysis.paths import ProjectPaths

POLL_SECONDS = 0.5


class LockBusy(RuntimeError):
    """Another process holds the lock and ``timeout`` ran out; the message is one line."""


def lock_file(paths: ProjectPaths, target: Path | None = None) -> Path:
    """The lock file guarding ``target`` (default: ``book/reports``)."""
    target = (target or paths.reports).resolve()
    try:
        name = str(target.relative_to(paths.root))
    except ValueError:
        name = str(target)
    slug = name.replace(os.sep, "_").strip("_") or "root"
    digest = hashlib.sha256(str(target).encode()).hexdigest()[:8]
    return paths.book / ".cache" / "locks" / f"{slug[-60:]}-{digest}.lock"


def _holder(pid_file: Path) -> str:
    try:
        pid = pid_file.read_text(encoding="utf-8").strip()
    except OSError:
        return "another process"
    return f"process {pid}" if pid else "another process"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def outputs_lock(
    paths: ProjectPaths,
    target: Path | None = None,
    *,
    timeout: float | None = None,
    on_wait: Callable[[str], None] = _say,
) -> Iterator[Path]:
    """Hold the lock on ``target`` (default ``book/reports``) for the ``with`` block; yields the lock file.

    ``timeout=None`` waits as long as it takes (printing one line through ``on_wait`` first),
    ``timeout=0`` fails at once if the lock is held. Raises :class:`LockBusy` on time-out.
    """
    path = lock_file(paths, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    pid_file = path.with_suffix(".pid")
    lock = FileLock(str(path))
    shown = target or paths.reports
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = _holder(pid_file)
        if timeout is not None and timeout <= 0:
            raise LockBusy(f"{holder} is writing {shown}; try again when it has finished") from None
        on_wait(f"waiting: {holder} is writing {shown} (Ctrl-C to stop waiting)")
        try:
            lock.acquire(timeout=-1 if timeout is None else timeout, poll_interval=POLL_SECONDS)
        except Timeout:
            raise LockBusy(
                f"{holder} has been writing {shown} for more than {timeout:g} s; try again later"
            ) from None
    try:
        pid_file.write_text(f"{os.getpid()}\n", encoding="utf-8")
        yield path
    finally:
        pid_file.unlink(missing_ok=True)
        lock.release()
