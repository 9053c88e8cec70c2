"""A kernel client that is ready as soon as the kernel answers, without jupyter_client's fixed pause.

``jupyter_client``'s ``wait_for_ready`` (8.x) sends ``kernel_info`` until the kernel replies and an
IOPub message shows that IOPub is connected, then drains IOPub until it has been quiet for 0.2 s:
a fixed 0.2 s on every kernel start, a tenth of a warm run's overhead. The drain only discards the
status messages of the ``kernel_info`` requests; nbclient, which executes the notebook, reads IOPub
messages by the id of the request they answer and ignores the rest, so nothing depends on it.
:class:`QuickReadyClient` does the same handshake and drains only what has already arrived.

Our own code because jupyter_client has no setting for the pause; it overrides one public method
of ``AsyncKernelClient`` and keeps its protocol.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous.client import AsyncKernelClient

IOPUB_CHECK_SECONDS = 0.2  # as jupyter_client: how long to wait for the IOPub message after a reply
SHELL_POLL_SECONDS = 1.0  # as jupyter_client: how long to wait for a kernel_info reply


class QuickReadyClient(AsyncKernelClient):
    """``AsyncKernelClient`` whose ``wait_for_ready`` returns once the kernel has answered."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:  # type: ignore[override]
        """Send ``kernel_info`` until the kernel replies and IOPub is connected; raise
        ``RuntimeError`` if the kernel dies or does not answer within ``timeout`` seconds."""
        deadline = time.time() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=SHELL_POLL_SECONDS)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub is connected once the kernel's status message for the request arrives
                        await self.iopub_channel.get_msg(timeout=IOPUB_CHECK_SECONDS)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.time() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:  # discard what has arrived (the requests' status messages); never wait for more
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break
