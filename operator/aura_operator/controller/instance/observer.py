"""The budget-aware observer: one task that decides when each AuraInstance is looked at.

Instead of a kopf timer per object (N timers ask for N/p calls whatever the budget), every
object has one due time here; reads run through the limiter's background lane, after user
intent and creates. Drift checks stretch with the fleet size (schedule.drift_period).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
import time
from collections.abc import Awaitable, Callable

from aura_operator.controller.instance.listing import Confirmation
from aura_operator.controller.schedule import (
    TENANT_LIST_PERIOD,
    drift_period,
    jittered,
    startup_offset,
)
from aura_operator.controller.tracking import Fleet, Key

logger = logging.getLogger("aura_operator.controller")

Observe = Callable[[Key], Awaitable[None]]
ConfirmByListing = Callable[[list[Key]], Awaitable[Confirmation]]
ABSENT_SPREAD = 30.0  # Aura seconds over which instances missing from a listing are read
LISTING_DEBOUNCE = 0.5
"""Real seconds without a newly resumed object before the start-up listing goes out (kopf
resumes a large fleet in batches; one listing should cover them all)."""
LISTING_GATHER_MAX = 30.0  # real seconds: list what has been gathered by then anyway


class Observer:
    def __init__(
        self,
        fleet: Fleet,
        observe: Observe,
        confirm_by_listing: ConfirmByListing,
        *,
        requests_per_minute: int,
        background_share: float,
        time_scale: float = 1.0,
        max_concurrent: int = 32,
        rng: random.Random | None = None,
    ) -> None:
        self.fleet = fleet
        self._observe = observe
        self._confirm = confirm_by_listing
        self.requests_per_minute = requests_per_minute
        self.background_share = background_share
        self.time_scale = time_scale
        self._rng = rng or random.Random()
        self._due: dict[Key, float] = {}
        self._heap: list[tuple[float, int, Key]] = []
        self._counter = itertools.count()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(max_concurrent)
        self._to_list: list[Key] = []
        self._listing_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def drift_period(self) -> float:
        return drift_period(
            max(1, len(self.fleet)),
            requests_per_minute=self.requests_per_minute,
            background_share=self.background_share,
        )

    def schedule(self, key: Key, aura_seconds: float | None) -> None:
        """Look at `key` after `aura_seconds` (None: one jittered drift period)."""
        if aura_seconds is None:
            aura_seconds = jittered(self.drift_period(), self._rng)
        due = time.monotonic() + max(0.0, aura_seconds) / self.time_scale
        self._due[key] = due
        heapq.heappush(self._heap, (due, next(self._counter), key))
        self._wake.set()

    def forget(self, key: Key) -> None:
        self._due.pop(key, None)

    def due_in(self, key: Key) -> float | None:
        """Real seconds until `key` is looked at (for tests and the demo)."""
        due = self._due.get(key)
        return None if due is None else due - time.monotonic()

    def confirm_at_startup(self, key: Key) -> None:
        """A resumed object that looked settled: confirm it with a tenant listing, not a GET."""
        self._to_list.append(key)
        if self._listing_task is None or self._listing_task.done():
            self._listing_task = asyncio.create_task(self._list_soon())

    async def _list_soon(self) -> None:
        # Objects resumed while a listing runs are listed in the next round.
        while self._to_list:
            await self._until_quiet()
            keys, self._to_list = self._to_list, []
            try:
                found = await self._confirm(keys)
            except Exception:
                logger.exception("start-up listing failed; reading each resource, spread out")
                found = Confirmation(unconfirmed=keys)
            period = self.drift_period()
            for key in found.present + found.unconfirmed:
                self.schedule(key, startup_offset(period, self._rng))
            for key in found.absent:
                self.schedule(key, self._rng.uniform(0.0, ABSENT_SPREAD))

    async def _until_quiet(self) -> None:
        started = time.monotonic()
        while True:
            seen = len(self._to_list)
            await asyncio.sleep(LISTING_DEBOUNCE)
            if len(self._to_list) == seen or time.monotonic() - started > LISTING_GATHER_MAX:
                return

    async def run(self) -> None:
        """Run until cancelled; also lists every tenant again every TENANT_LIST_PERIOD."""
        next_listing = time.monotonic() + TENANT_LIST_PERIOD / self.time_scale
        while True:
            now = time.monotonic()
            if now >= next_listing:
                next_listing = now + TENANT_LIST_PERIOD / self.time_scale
                self._relist_all()
            key = self._pop_due(now)
            if key is None:
                timeout = min(self._next_due() - now, next_listing - now)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, timeout))
                continue
            await self._slots.acquire()
            task = asyncio.create_task(self._look(key))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _relist_all(self) -> None:
        keys = [t.key for t in self.fleet.all() if t.instance_id and not t.deleting]
        if keys:
            self._to_list.extend(keys)
            if self._listing_task is None or self._listing_task.done():
                self._listing_task = asyncio.create_task(self._relist())

    async def _relist(self) -> None:
        keys, self._to_list = self._to_list, []
        try:
            found = await self._confirm(keys)
        except Exception:
            logger.exception("periodic tenant listing failed; next time")
            return
        for key in found.absent:  # gone at Aura: read it to report InstanceNotFound
            self.schedule(key, self._rng.uniform(0.0, ABSENT_SPREAD))
        for key in found.present + found.unconfirmed:
            if key not in self._due:  # never left without a next look
                self.schedule(key, None)

    def _next_due(self) -> float:
        while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
            heapq.heappop(self._heap)  # superseded entry
        return self._heap[0][0] if self._heap else float("inf")

    def _pop_due(self, now: float) -> Key | None:
        if self._next_due() > now:
            return None
        _, _, key = heapq.heappop(self._heap)
        del self._due[key]
        return key

    async def _look(self, key: Key) -> None:
        tracked = self.fleet.get(key)
        try:
            if tracked is None:
                return
            tracked.background = asyncio.current_task()
            tracked.background_cancellable = True
            await self._observe(key)
        except asyncio.CancelledError:
            pass  # pre-empted by user intent (which schedules the next look) or shutdown
        except Exception:
            logger.exception("observing %s failed; retrying later", key)
            self.schedule(key, 60.0)
        finally:
            if tracked is not None:
                tracked.background = None
                tracked.background_cancellable = False
            self._slots.release()
