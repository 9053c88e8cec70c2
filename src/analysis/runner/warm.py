"""Warm kernels: every notebook runs in a fresh kernel forked from a process that has imported the
heavy libraries once.

A report notebook spends about 2.5 s importing pandas, matplotlib, seaborn, statsmodels and this
package and well under a second computing. Forking from a preloaded process removes the import cost
while keeping one process per run. The pieces:

* a **preload process** (one per runner worker, started on the first kernel launch): a plain
  ``python -c`` process that imports the heavy modules and then waits on a pipe. It opens no
  socket, starts no thread and no event loop (ipykernel#410: forking after zmq or an event loop
  exists is unsafe); it checks that it has exactly one OS thread before it accepts a request, and
  it sets no BLAS thread pools (``OPENBLAS_NUM_THREADS`` etc. are set to 1 for every kernel).
* for each kernel, the preload process forks a child that becomes the kernel: new session (its own
  process group, as ``jupyter_client.launch_kernel`` gives), working directory and environment of
  the launch, signal dispositions, random seeds, matplotlib rcParams and warning filters reset to
  what a fresh process has after the same imports, then ``ipykernel.kernelapp.launch_new_instance``
  with the same ``-f connection_file`` an ordinary kernel gets. The child creates its own zmq
  context, sockets and event loop.
* ``WarmProvisioner``, a ``jupyter_client`` kernel provisioner (the supported hook for launching a
  kernel differently; registered as the entry point ``analysis-warm`` and selected through the
  kernel spec's ``metadata.kernel_provisioner``) asks the preload process for a kernel instead of
  calling ``Popen``. papermill and nbclient are unchanged: the runner passes
  ``kernel_manager_class=WarmKernelManager``, whose kernel spec is ``python3`` plus that metadata.

When forking is not possible (no ``os.fork``, a kernel command that is not
``python -m ipykernel_launcher``, another interpreter, or a preload process that failed or has
threads), the provisioner starts an ordinary kernel and says so once on stderr.

The kernel protocol stays jupyter's: this module never talks to a kernel itself. It is our own code
because no maintained library forks Jupyter kernels from a preloaded process (papermill's
maintainers point to custom engines, nteract/papermill#326, #616); see
``shared/docs/architecture.md``, "Warm kernels and distributed runs".
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

PROVISIONER_NAME = "analysis-warm"
# Modules imported once by the preload process: what the report templates import, plus the kernel.
PRELOAD_MODULES = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "seaborn",
    "statsmodels.api",
    "IPython",
    "IPython.display",
    "ipykernel.kernelapp",
    "matplotlib_inline.backend_inline",
    "analysis.page",
    "analysis.sections",
)
# Variables that differ from one kernel launch to the next; the rest of the environment must match
# the preload process's, since modules read some of it when they are imported (MPLBACKEND, ...).
PER_LAUNCH_PREFIXES = ("JPY_", "ANALYSIS_ROOT")
_PR_SET_PDEATHSIG = 1


_last_launch = ""


def last_launch() -> str:
    """How this process's last kernel was started: "warm", "spawn" or "" (none yet)."""
    return _last_launch


def fork_available() -> str | None:
    """None when warm kernels can work here, else the reason they cannot."""
    if not hasattr(os, "fork") or sys.platform == "win32":
        return "os.fork is not available on this platform"
    if sys.platform == "darwin":
        return "forking after importing macOS system frameworks is unsafe"
    return None


# --------------------------------------------------------------------------------------------
# The preload process (runs in its own interpreter, started by Preloader below)


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


def _preload_main(request_fd: int, reply_fd: int) -> None:
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
        children = [c for c in children if _alive(c)] + [pid]
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
    for child in children:  # the runner went away: take the kernels with us
        with contextlib.suppress(OSError):
            os.killpg(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------------------------
# The runner side


class WarmStartError(RuntimeError):
    """The preload process could not be started or could not fork a kernel."""


class Preloader:
    """Handle on one preload process; ``fork`` returns the pid of a new kernel."""

    def __init__(self, env: dict[str, str], timeout: float = 180.0) -> None:
        self.env = dict(env)
        self._lock = threading.Lock()
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        code = f"from analysis.runner.warm import _preload_main; _preload_main({req_r}, {rep_w})"
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code],
                env=self.env,
                stdin=subprocess.DEVNULL,
                pass_fds=(req_r, rep_w),
                cwd=os.getcwd(),
            )
        finally:
            os.close(req_r)
            os.close(rep_w)
        self._requests = os.fdopen(req_w, "w", encoding="utf-8")
        self._replies = os.fdopen(rep_r, "r", encoding="utf-8")
        self._timeout = timeout
        self.info: dict[str, Any] | None = None  # the ready message, read on the first fork

    def ready(self) -> dict[str, Any]:
        """Wait until the preload process has imported everything; raise if it cannot fork."""
        if self.info is None:
            self.info = self._read(self._timeout)
        if not self.info.get("ready"):
            raise WarmStartError(self.info.get("error", "the preload process is not ready"))
        return self.info

    def _read(self, timeout: float) -> dict[str, Any]:
        ready, _, _ = select.select([self._replies], [], [], timeout)
        if not ready:
            raise WarmStartError(f"the preload process did not answer within {timeout:.0f}s")
        line = self._replies.readline()
        if not line:
            raise WarmStartError(f"the preload process exited (status {self.process.poll()})")
        return json.loads(line)

    def alive(self) -> bool:
        return self.process.poll() is None

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        with self._lock:
            self.ready()
            try:
                self._requests.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n")
                self._requests.flush()
            except (BrokenPipeError, ValueError) as exc:
                raise WarmStartError(f"the preload process is gone: {exc}") from exc
            reply = self._read(30.0)
        if "pid" not in reply:
            raise WarmStartError(reply.get("error", "no pid in the preload process's reply"))
        return int(reply["pid"])

    def close(self) -> None:
        for stream in (self._requests, self._replies):
            with contextlib.suppress(OSError, AttributeError):
                stream.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_preloaders: dict[tuple[tuple[str, str], ...], Preloader] = {}
_preload_lock = threading.Lock()
_said_fallback: set[str] = set()


def _env_key(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in env.items() if not k.startswith(PER_LAUNCH_PREFIXES)))


def preloader_for(env: dict[str, str]) -> Preloader:
    """The preload process for this environment (per-launch variables aside), started if needed."""
    key = _env_key(env)
    with _preload_lock:
        current = _preloaders.get(key)
        if current is not None and current.alive():
            return current
        for old in _preloaders.values():  # one preload process per worker at a time
            old.close()
        _preloaders.clear()
        _preloaders[key] = Preloader(dict(key))
        return _preloaders[key]


def start_preloader(env: dict[str, str] | None = None) -> str | None:
    """Start the preload process now (e.g. while the runner hashes its inputs); None or a reason."""
    reason = fork_available()
    if reason:
        return reason
    try:
        preloader_for(dict(env if env is not None else os.environ))
    except (WarmStartError, OSError) as exc:
        return str(exc)
    return None


@atexit.register
def _close_preloaders() -> None:
    for preloader in _preloaders.values():
        preloader.close()
    _preloaders.clear()


def say_fallback(reason: str) -> None:
    if reason not in _said_fallback:
        _said_fallback.add(reason)
        print(f"run: warm kernels unavailable ({reason}); using ordinary kernels", file=sys.stderr)


class ForkedKernel:
    """The parts of ``subprocess.Popen`` that ``LocalProvisioner`` uses, for a forked kernel.

    The kernel is the preload process's child, not ours, so it cannot be waited for: it is watched
    through a pidfd (Linux ≥ 5.3) or ``kill(pid, 0)``, and its exit status is not known (reported
    as 0, or -9 after we killed it).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._pidfd: int | None = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self._pidfd = None
        self._killed = False

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self._pidfd is not None:
            ready, _, _ = select.select([self._pidfd], [], [], 0)
            dead = bool(ready)
        else:
            dead = not _alive(self.pid)
        if dead:
            self.returncode = -signal.SIGKILL if self._killed else 0
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            if signum == signal.SIGKILL:
                self._killed = True
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _forkable_command(cmd: list[str]) -> bool:
    """True for ``<this python> -m ipykernel_launcher -f <file>`` (what the python3 spec gives)."""
    if len(cmd) < 5 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    try:
        return Path(cmd[0]).resolve() == Path(sys.executable).resolve() or cmd[0] == "python"
    except OSError:
        return False


def _set_last_launch(how: str) -> None:
    global _last_launch
    _last_launch = how


class WarmProvisioner(LocalProvisioner):
    """``LocalProvisioner`` whose kernels are forked from a preload process when possible."""

    warm = False

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        reason = fork_available()
        if reason is None and not _forkable_command(cmd):
            reason = f"kernel command {cmd[:3]} is not python -m ipykernel_launcher"
        if reason is None:
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client.launch_kernel sets it
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                pid = preloader_for(env).fork(cmd[3:], env, cwd)
            except (WarmStartError, OSError) as exc:
                reason = str(exc)
            else:
                self.process = ForkedKernel(pid)  # type: ignore[assignment]
                self.pid = self.pgid = pid
                self.cwd = cwd
                self.warm = True
                _set_last_launch("warm")
                return self.connection_info
        say_fallback(reason)
        _set_last_launch("spawn")
        return await super().launch_kernel(cmd, **kwargs)


class WarmKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel spec selects ``WarmProvisioner`` (nothing else differs)."""

    @property
    def kernel_spec(self):  # type: ignore[override]
        spec = super().kernel_spec
        if spec is not None and "kernel_provisioner" not in spec.metadata:
            spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}}
        return spec
