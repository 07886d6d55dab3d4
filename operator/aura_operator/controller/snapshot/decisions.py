"""Pure rules of the AuraSnapshot engine: which listed snapshot answers a lost request, which
days to list, and what a snapshot status means."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from aura_operator.aura import Snapshot, SnapshotStatus

CLOCK_SKEW = timedelta(minutes=2)
"""How far Aura's snapshot timestamp may lag our `requestedAt` and still match the intent."""
AD_HOC = "AdHoc"


class Progress(enum.Enum):
    DONE = "done"
    FAILED = "failed"
    RUNNING = "running"


def progress(aura_status: str | None) -> Progress:
    """Completed is done; Failed and Cancelled are final failures; anything else (Pending,
    InProgress, or a status this operator does not know) is still running."""
    if aura_status == SnapshotStatus.COMPLETED:
        return Progress.DONE
    if aura_status in (SnapshotStatus.FAILED, SnapshotStatus.CANCELLED):
        return Progress.FAILED
    return Progress.RUNNING


def days_to_list(requested_at: datetime, now: datetime, *, most: int = 3) -> list[date]:
    """The UTC days a snapshot requested at `requested_at` may be listed under (Aura lists one
    day at a time): from the intent's day (less clock skew) to today, the latest `most`."""
    first = (requested_at - CLOCK_SKEW).date()
    last = max(now.date(), first)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return days[-most:]


def matching_snapshots(
    listing: list[Snapshot], *, instance_id: str, requested_at: datetime, claimed: set[str]
) -> list[Snapshot]:
    """Snapshots that may be the outcome of our request, earliest first: on-demand (AdHoc), of
    the instance, taken at or after the intent (less clock skew), not another object's."""
    earliest = requested_at - CLOCK_SKEW
    found = [
        s
        for s in listing
        if s.profile == AD_HOC
        and s.instance_id in (None, instance_id)
        and s.snapshot_id not in claimed
        and s.timestamp is not None
        and s.timestamp >= earliest
    ]
    unique = {s.snapshot_id: s for s in found}
    return sorted(unique.values(), key=lambda s: (s.timestamp, s.snapshot_id))
