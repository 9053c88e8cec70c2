"""The preload process of warm kernels: import the heavy modules once, then fork one kernel per request.

Runs in its own interpreter (``python -c "...preload_main(r, w)"``, started by
:class:`analysis.runner.warm.Preloader`) and talks to it over two pipes, one JSON line per message.
It opens no socket, starts no thread and no event loop (ipykernel#410: forking after zmq or an
event loop exists is unsafe); it checks that it has exactly one OS thread before it accepts a
request, and it sets no BLAS thread pools (``OPENBLAS_NUM_THREADS`` etc. are set to 1 for every
kernel). Each forked child resets the per-process state a fresh interpreter would have (session,
signals, working directory, environment, random seeds, matplotlib rcParams, warning filters) and
runs ``ipykernel`` with the same arguments an ordinary kernel gets; it creates its own zmq context,
sockets and event loop. Why this is our own code: see :mod:`analysis.runner.warm`.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import signal
import sys
import threading
import time
from typing import Any

# Modules imported once by the preload process: what the report templates import, plus the kernel
# and what a kernel imports while it starts or runs a report (pandas' Styler pulls in jinja2; the
# kernel's history uses sqlite3, its shell IPython's debugger and completer modules). Each must
# start no thread when imported (the preload process checks).
PRELOAD_MODULES = (
    "numpy",
    "pandas",
    "pandas.io.formats.style",
    "scipy.stats",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "seaborn",
    "statsmodels.api",
    "psutil",
    "sqlite3",
    "IPython",
    "IPython.display",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "ipykernel.kernelapp",
    "matplotlib_inline.backend_inline",
    "analysis.page",
    "analysis.sections",
)
# Kept out of forked kernels: ipykernel imports its debugger (debugpy with the ~110 modules of
# pydevd, about 0.1 s of CPU and a debugger warning) in every kernel it starts, and importing it
# starts threads, so it cannot be preloaded. A report run never debugs; with the import blocked
# ipykernel starts without a debugger (``kernel_info`` no longer lists the feature) and the
# executed notebook is the same byte for byte.
BLOCKED_MODULES = ("debugpy",)
_PR_SET_PDEATHSIG = 1


def _os_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _set_parent_death_signal() -> None:
    """Linux: die with SIGKILL when the parent dies, so no orphan kernel outlives its worker."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _become_kernel(request: dict[str, Any], snapshot: dict[str, Any], parent_pid: int) -> None:
    """In the forked child: reset per-process state and run ipykernel; never returns."""
    code = 1
    try:
        os.setsid()
        _set_parent_death_signal()
        if os.getppid() != parent_pid:  # the preload process died between fork and prctl
            os._exit(1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # CPython ignores SIGPIPE at start-up
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [snapshot["launcher"], *request["argv"]]
        if sys.path and sys.path[0] == "":
            del sys.path[0]  # as ipykernel_launcher does; IPython puts it back
        import random

        import matplotlib as mpl
        import numpy as np

        random.seed()
        np.random.seed()
        mpl.rcParams.update(snapshot["rcparams"])
        import warnings

        warnings.filters[:] = snapshot["warning_filters"]
        warnings._filters_mutated()  # type: ignore[attr-defined]
        for name in BLOCKED_MODULES:
            sys.modules[name] = None  # type: ignore[assignment]  # "import debugpy" raises ImportError
        from ipykernel import kernelapp

        try:
            # = kernelapp.launch_new_instance(), except parent_handle: its default was read from
            # JPY_PARENT_PID when the preload process imported kernelapp, and a forked kernel's
            # parent is the preload process, so that is the one to watch.
            kernelapp.IPKernelApp.launch_instance(parent_handle=parent_pid)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 - report and leave: this is a child process
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def preload_main(request_fd: int, reply_fd: int) -> None:
    """Entry point of the preload process: import, report ready, fork one kernel per request."""
    started = time.monotonic()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the runner, which closes the pipe
    requests = os.fdopen(request_fd, "r", encoding="utf-8")
    replies = os.fdopen(reply_fd, "w", encoding="utf-8")
    import importlib

    failed = []
    for name in PRELOAD_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a missing optional module only costs time
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    import warnings

    import ipykernel_launcher
    import matplotlib as mpl

    snapshot = {
        "rcparams": dict(mpl.rcParams),
        "warning_filters": list(warnings.filters),
        "launcher": ipykernel_launcher.__file__,
    }
    threads = _os_threads()
    ready = {
        "ready": threads == 1,
        "threads": threads,
        "seconds": round(time.monotonic() - started, 3),
        "failed_imports": failed,
        "pid": os.getpid(),
    }
    if threads != 1:
        ready["error"] = f"the preload process has {threads} OS threads after its imports; forking is unsafe"
    replies.write(json.dumps(ready) + "\n")
    replies.flush()
    if threads != 1:
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the OS; none is waited for
    children: list[int] = []
    parent_pid = os.getpid()
    for line in requests:
        request = json.loads(line)
        try:
            pid = os.fork()
        except OSError as exc:
            replies.write(json.dumps({"error": f"fork failed: {exc}"}) + "\n")
            replies.flush()
            continue
        if pid == 0:
            requests.close()
            replies.close()
            _become_kernel(request, snapshot, parent_pid)
        children = [c for c in children if alive(c)] + [pid]
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
    for child in children:  # the runner went away: take the kernels with us
        with contextlib.suppress(OSError):
            os.killpg(child, signal.SIGKILL)


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (a zombie counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
