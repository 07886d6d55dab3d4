"""An event loop on a thread of its own, and a way to run coroutines on it from another loop.

The leader elector lives on one (process.py): renewing the Lease must not wait for the
operator's loop, which a burst of reconciles can keep busy for longer than the renew deadline.
The interpreter hands the GIL to another thread every few milliseconds (`sys.getswitchinterval`),
so however busy the main loop is, this loop runs its next step within milliseconds.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on this thread's loop and await its outcome from the caller's loop.
        Cancelling the caller cancels the coroutine here too."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    def stop(self) -> None:
        """Stop the loop (tasks still pending there are dropped) and wait for the thread."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        elif not self._loop.is_closed():  # never started
            self._loop.close()
