"""Warm kernels: every notebook runs in a fresh kernel forked from a process that has imported the
heavy libraries once.

A report notebook spends about 2.5 s importing pandas, matplotlib, seaborn, statsmodels and this
package and well under a second computing. Forking from a preloaded process removes the import cost
while keeping one process per run. The pieces:

* a **preload process** (one per runner worker, started on the first kernel launch;
  :mod:`analysis.runner.preload`) imports the heavy modules and then forks one kernel per request,
  each reset to what a fresh process has after the same imports;
* ``WarmProvisioner``, a ``jupyter_client`` kernel provisioner (the supported hook for launching a
  kernel differently; registered as the entry point ``analysis-warm`` and selected through the
  kernel spec's ``metadata.kernel_provisioner``) asks the preload process for a kernel instead of
  calling ``Popen``. papermill and nbclient are unchanged: the runner passes
  ``kernel_manager_class=WarmKernelManager``, whose kernel spec is ``python3`` plus that metadata,
  and whose client waits for the kernel without jupyter_client's fixed pause (``WarmKernelClient``).

When forking is not possible (no ``os.fork``, a kernel command that is not
``python -m ipykernel_launcher``, another interpreter, or a preload process that failed or has
threads), the provisioner starts an ordinary kernel and says so once on stderr.

The kernel protocol stays jupyter's: this module never talks to a kernel itself. It is our own code
because no maintained library forks Jupyter kernels from a preloaded process (papermill's
maintainers point to custom engines, nteract/papermill#326, #616); see
``shared/docs/architecture.md``, "Warm kernels and distributed runs".
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
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
from traitlets import DottedObjectName

from analysis.runner.preload import alive

PROVISIONER_NAME = "analysis-warm"
# Variables that differ from one kernel launch to the next; the rest of the environment must match
# the preload process's, since modules read some of it when they are imported (MPLBACKEND, ...).
PER_LAUNCH_PREFIXES = ("JPY_", "ANALYSIS_ROOT")
KILL_WAIT_SECONDS = 2.0  # how long ``kill`` waits for a killed kernel to be gone


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


class WarmStartError(RuntimeError):
    """The preload process could not be started or could not fork a kernel."""


class Preloader:
    """Handle on one preload process; ``fork`` returns the pid of a new kernel."""

    def __init__(self, env: dict[str, str], timeout: float = 180.0) -> None:
        self.env = dict(env)
        self._lock = threading.Lock()
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        code = f"from analysis.runner.preload import preload_main; preload_main({req_r}, {rep_w})"
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
            dead = not alive(self.pid)
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

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel and return once it is gone: jupyter_client then finds it dead at its first
        check, instead of sleeping its 0.1 s poll interval (the runner kills each kernel once its
        notebook is done: ``execute.PAPERMILL_OPTIONS``)."""
        await super().kill(restart)
        process = self.process
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while process is not None and process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.002)


class WarmKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel spec selects ``WarmProvisioner`` and whose client is ready
    as soon as the kernel answers (:class:`analysis.runner.kernel_client.QuickReadyClient`)."""

    client_class = DottedObjectName("analysis.runner.kernel_client.QuickReadyClient")

    @property
    def kernel_spec(self):  # type: ignore[override]
        spec = super().kernel_spec
        if spec is not None and "kernel_provisioner" not in spec.metadata:
            spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}}
        return spec
