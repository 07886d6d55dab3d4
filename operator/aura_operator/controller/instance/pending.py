"""Passwords whose connection Secret write failed: retried in the background until written.

The password of a new instance exists only in this process until its Secret holds it (promise
2), so the write is never given up while the process lives. It is retried here, in one task per
object, so that the failing object holds neither a create slot nor its reconcile lock and no
other object waits for it (design 3.1b). Deleting the object under Delete drops the password
with the instance; under Retain the write goes on, with no owner reference, so nothing
garbage-collects it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aura_operator.controller.instance.connection_secret import ConnectionDetails
from aura_operator.controller.instance.desired import Desired
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")

RETRY_MAX = 30.0  # real seconds between attempts, at most

WritePassword = Callable[[Tracked, Desired, ConnectionDetails, "bool | None"], Awaitable[str]]


@dataclass
class PendingWrite:
    tracked: Tracked
    desired: Desired
    details: ConnectionDetails = field(repr=False)
    problem: str
    owned: bool | None = None
    """None: as the deletion policy says; False once the object is deleted under Retain."""
    task: asyncio.Task[None] | None = None
    recorded: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the create's own status write is done, so the success is reported after it."""


class PendingPasswords:
    def __init__(
        self, write: WritePassword, publisher: Publisher, *, retry_first: float = 1.0
    ) -> None:
        self._write = write
        self.publish = publisher
        self.retry_first = retry_first
        self._pending: dict[str, PendingWrite] = {}

    def holds(self, tracked: Tracked) -> bool:
        return tracked.ref.uid in self._pending

    def start(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails, problem: str
    ) -> None:
        entry = PendingWrite(tracked, desired, details, problem)
        self._pending[tracked.ref.uid] = entry
        entry.task = asyncio.create_task(self._retry(entry))

    def report(self, tracked: Tracked, report: Report, name: str) -> None:
        """Say in `report` that the password waits in memory; the status it goes into is
        written before the background reports success."""
        entry = self._pending.get(tracked.ref.uid)
        problem = entry.problem if entry else "unknown error"
        report.credentials_available(
            False,
            "ConnectionSecretWritePending",
            f"Writing Secret {name} failed ({problem}); the operator holds the password in "
            "memory and keeps retrying in the background",
        )

    def recorded(self, tracked: Tracked) -> None:
        entry = self._pending.get(tracked.ref.uid)
        if entry is not None:
            entry.recorded.set()

    async def _retry(self, entry: PendingWrite) -> None:
        delay = self.retry_first
        tracked = entry.tracked
        while True:
            await asyncio.sleep(delay)
            delay = min(RETRY_MAX, delay * 2)
            try:
                name = await self._write(tracked, entry.desired, entry.details, entry.owned)
            except Exception as error:
                logger.warning("%s: connection Secret still not written: %s", tracked.ref, error)
                continue
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(entry.recorded.wait(), timeout=RETRY_MAX)
        logger.info("%s: connection Secret %s written with the password", tracked.ref, name)
        report = Report(fields={"connectionSecretName": name})
        report.credentials_available(True, "PasswordStored", f"Secret {name}")
        try:
            await self.publish.status(tracked, report)
        except Exception as error:  # the object may be gone (Retain): the Secret is what counts
            logger.info("%s: status after the Secret write not recorded: %s", tracked.ref, error)
        finally:
            if self._pending.get(tracked.ref.uid) is entry:
                del self._pending[tracked.ref.uid]

    def keep_after_delete(self, tracked: Tracked) -> None:
        """The object is deleted under Retain: write on, owned by nothing."""
        entry = self._pending.get(tracked.ref.uid)
        if entry is not None:
            entry.owned = False

    def drop(self, tracked: Tracked) -> None:
        """The instance is deleted with the object: its password no longer matters."""
        entry = self._pending.pop(tracked.ref.uid, None)
        if entry is not None and entry.task is not None:
            entry.task.cancel()

    async def drain(self, limit: float) -> None:
        tasks = {e.task for e in self._pending.values() if e.task is not None}
        if tasks:
            await asyncio.wait(tasks, timeout=limit)
