"""The ordered log of every write, which watch streams replay from a resourceVersion and follow.

Every write bumps one global revision (as etcd does), so the log's revisions are contiguous and
a watch resuming from resourceVersion N gets exactly the changes after N. Old changes are dropped
past `retention`; resuming from before them is answered with 410 Gone, as by the API server.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import kmock

ChangeType = Literal["ADDED", "MODIFIED", "DELETED"]


@dataclasses.dataclass(frozen=True)
class Change:
    revision: int
    type: ChangeType
    resource: kmock.resource
    object: Mapping[str, Any]
    previous: Mapping[str, Any] | None  # the state before the change; None for ADDED


class ChangesExpiredError(Exception):
    """The requested revision is older than the retained log (410 Gone)."""


class ChangeLog:
    def __init__(self, retention: int = 10_000) -> None:
        if retention < 1:
            raise ValueError("retention must be at least 1")
        self._retention = retention
        self._changes: list[Change] = []
        self._revision = 0
        self._dropped_through = 0  # the newest revision no longer in the log
        self._interruptions = 0
        self._wakeup = asyncio.Event()

    @property
    def revision(self) -> int:
        """The revision of the newest write (0 before any)."""
        return self._revision

    @property
    def next_revision(self) -> int:
        return self._revision + 1

    def record(
        self,
        change_type: ChangeType,
        resource: kmock.resource,
        obj: Mapping[str, Any],
        previous: Mapping[str, Any] | None,
    ) -> Change:
        """Append a write whose object is already stamped with `next_revision`."""
        revision = self.next_revision
        stamped = obj.get("metadata", {}).get("resourceVersion")
        if stamped != str(revision):
            raise ValueError(f"the object carries resourceVersion {stamped!r}, not {revision}")
        change = Change(revision, change_type, resource, obj, previous)
        self._changes.append(change)
        self._revision = revision
        if len(self._changes) > self._retention:
            self._drop(len(self._changes) - self._retention)
        self._wake_waiters()
        return change

    def changes_after(self, revision: int) -> Sequence[Change]:
        if revision < self._dropped_through:
            raise ChangesExpiredError(f"too old resource version: {revision}")
        return self._changes[max(revision - self._dropped_through, 0) :]

    @property
    def interruptions(self) -> int:
        """How many times `interrupt()` was called."""
        return self._interruptions

    async def wait_after(self, revision: int) -> None:
        """Return once a change newer than `revision` exists, or on `interrupt()`."""
        interruptions = self._interruptions
        while self._revision <= revision and self._interruptions == interruptions:
            await self._wakeup.wait()

    def interrupt(self) -> None:
        """Wake every waiter without a change (watch streams end on it)."""
        self._interruptions += 1
        self._wake_waiters()

    def _wake_waiters(self) -> None:
        # Wake everyone waiting on the current event; later waiters wait on a fresh one.
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def compact(self) -> None:
        """Forget every retained change, so watches resuming from before now get 410 Gone."""
        self._drop(len(self._changes))

    def _drop(self, count: int) -> None:
        if count:
            self._dropped_through = self._changes[count - 1].revision
            del self._changes[:count]
