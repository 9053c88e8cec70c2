"""Stopping a run: Ctrl-C and SIGTERM end the grid, its workers and kernels; orphans end themselves.

- The runner turns SIGTERM into the same :class:`KeyboardInterrupt` as Ctrl-C
  (:func:`interrupts_raise`), and on either ends every process it started — pool workers, kernels
  and their children — with :func:`end_descendants` (SIGTERM, then SIGKILL after a grace period).
  Kernels run in their own session (jupyter_client starts them so), so they never see the
  terminal's Ctrl-C and must be ended this way.
- Pool workers ignore Ctrl-C (the runner decides; no traceback per worker) and watch their parent:
  if the runner is killed outright (``kill -9``), a worker ends its kernels and exits within a
  second (:func:`worker_init`).

Process trees come from ``psutil`` (children by parent pid, recursively); there is no library for
the "exit when the parent dies" part that works beyond Linux's ``prctl``, hence the small thread.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psutil

GRACE_SECONDS = 2.0
PARENT_POLL_SECONDS = 0.5


def _raise_interrupt(signum: int, frame: object) -> None:
    # a second Ctrl-C while we clean up must not abort the clean-up
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def interrupts_raise() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise KeyboardInterrupt (once); handlers restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in old:
        signal.signal(s, _raise_interrupt)
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _resource_tracker_pid() -> int | None:
    # multiprocessing's resource tracker ignores SIGINT/SIGTERM and exits by itself when this
    # process does; killing it makes the interpreter's exit print tracebacks about leaked semaphores
    from multiprocessing import resource_tracker

    return getattr(resource_tracker._resource_tracker, "_pid", None)


def end_descendants(pid: int | None = None, grace: float = GRACE_SECONDS) -> list[int]:
    """End every descendant of ``pid`` (default: this process): SIGTERM, then SIGKILL after ``grace``.

    Returns the pids that were running. The tree is read once, before any signal, so a child that
    dies first cannot hide its own children. This process's multiprocessing resource tracker is
    spared (it ends with this process).
    """
    try:
        procs = psutil.Process(pid or os.getpid()).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    if pid is None or pid == os.getpid():
        tracker = _resource_tracker_pid()
        procs = [p for p in procs if p.pid != tracker]
    for proc in procs:
        with suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        with suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace)
    return [p.pid for p in procs]


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent_pid:
            end_descendants(grace=0.5)
            os._exit(1)


def worker_init(parent_pid: int) -> None:
    """Initializer of a pool worker: ignore Ctrl-C, and exit (ending its kernels) if the runner dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="watch-parent").start()
