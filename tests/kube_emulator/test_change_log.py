"""The change log behind watch streams: contiguous revisions, retention, waking waiters."""

from __future__ import annotations

import asyncio

import kmock
import pytest

from aura_devtools.kube_emulator.changes import ChangeLog, ChangesExpiredError

WIDGETS = kmock.resource("example.com", "v1", "widgets")


def stamped(revision: int) -> dict[str, object]:
    return {"metadata": {"name": "w", "resourceVersion": str(revision)}}


def test_changes_after_a_revision_are_the_newer_ones() -> None:
    log = ChangeLog()
    for revision in (1, 2, 3):
        log.record("MODIFIED", WIDGETS, stamped(revision), previous=None)

    assert [change.revision for change in log.changes_after(1)] == [2, 3]
    assert log.changes_after(3) == []


def test_an_object_must_carry_the_next_revision() -> None:
    log = ChangeLog()

    with pytest.raises(ValueError, match="resourceVersion"):
        log.record("ADDED", WIDGETS, stamped(7), previous=None)


def test_revisions_older_than_the_retention_are_expired() -> None:
    log = ChangeLog(retention=2)
    for revision in (1, 2, 3):
        log.record("MODIFIED", WIDGETS, stamped(revision), previous=None)

    assert [change.revision for change in log.changes_after(1)] == [2, 3]
    with pytest.raises(ChangesExpiredError):
        log.changes_after(0)


async def test_waiters_wake_on_a_newer_change_or_an_interruption() -> None:
    log = ChangeLog()
    on_change = asyncio.create_task(log.wait_after(0))
    await asyncio.sleep(0)
    assert not on_change.done()

    log.record("ADDED", WIDGETS, stamped(1), previous=None)
    on_interrupt = asyncio.create_task(log.wait_after(1))
    await asyncio.sleep(0)
    log.interrupt()

    async with asyncio.timeout(1):
        await asyncio.gather(on_change, on_interrupt)
