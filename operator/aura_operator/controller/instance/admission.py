"""Ordered, bounded admission into the create pipeline.

Aura takes creates at about two a second, so preparing every object of a burst at once gains
nothing: all of them would read their credentials, reserve their connection Secret and write
their intent interleaved on the one event loop, and the first POST would leave only when most of
that work for all of them is done. Admitted a few at a time, oldest first, the first objects go
through the whole pipeline (credentials, Secret, intent, POST) within seconds
while the rest wait without doing any work, and the limiter still always has creates queued.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aura_operator.controller.tracking import Tracked

CREATES_ADMITTED = 16
"""Objects between the start of their create reconcile and Aura's answer at once (storing the
answer, which may take retries, holds no place). Enough to keep the POSTs paced by the limiter
going back to back (each admitted object needs a few Kubernetes requests before its POST);
bounded so that a burst of N resources does not crowd the API server and the event loop before
the first POST goes out."""

AdmissionKey = tuple[str, str, str]
"""(creationTimestamp, namespace, name): oldest first, then a stable order."""


def admission_key(metadata: dict[str, Any]) -> AdmissionKey:
    return (
        str(metadata.get("creationTimestamp") or ""),
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
    )


def awaits_create(tracked: Tracked) -> bool:
    """The next reconcile of this object would create its Aura instance (no instance, no create
    intent to recover, not being deleted): it goes through admission."""
    return (
        tracked.instance_id is None
        and not tracked.status.get("createIntent")
        and not tracked.deleting
        and not tracked.metadata.get("deletionTimestamp")
    )


class Ticket:
    """A place in the admission; `leave()` gives it up early (idempotent)."""

    def __init__(self, admission: Admission) -> None:
        self._admission = admission
        self._left = False

    def leave(self) -> None:
        if not self._left:
            self._left = True
            self._admission._leave()


class Admission:
    """A gate of `capacity` places; waiters are let in by their key, smallest first."""

    def __init__(self, capacity: int = CREATES_ADMITTED) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.admitted = 0
        self._waiting: list[tuple[AdmissionKey, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @property
    def waiting(self) -> int:
        return sum(1 for _, _, future in self._waiting if not future.done())

    @asynccontextmanager
    async def turn(self, key: AdmissionKey) -> AsyncIterator[Ticket]:
        """Hold a place while the body runs (or until the ticket is left); waits (by `key`)
        while all places are taken."""
        await self._enter(key)
        ticket = Ticket(self)
        try:
            yield ticket
        finally:
            ticket.leave()

    async def _enter(self, key: AdmissionKey) -> None:
        if self.admitted < self.capacity and not self.waiting:
            self.admitted += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (key, next(self._arrivals), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._leave()  # let in and cancelled in the same turn: pass the place on
            raise

    def _leave(self) -> None:
        self.admitted -= 1
        while self._waiting and self.admitted < self.capacity:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                self.admitted += 1
                future.set_result(None)
