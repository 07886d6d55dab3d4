"""Pure rules of the AuraSnapshot engine: which listed snapshot answers a lost request, which
days to list, and what a snapshot status means."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from aura_operator.aura import Snapshot, SnapshotStatus

TIMESTAMP_SLACK = timedelta(seconds=1)
"""`requestedAt` is a lower bound of Aura's time (whole seconds): a snapshot taken for the
request has a timestamp at or after it, less this rounding."""
LATE_COMMIT = 600.0
"""Aura seconds after the intent that a request whose answer was lost may still take effect."""
FIRST_RELISTING = 30.0
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
    day at a time): from the intent's day to today (Aura's), the latest `most`."""
    first = (requested_at - TIMESTAMP_SLACK).date()
    last = max(now.date(), first)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return days[-most:]


def matching_snapshots(
    listing: list[Snapshot], *, instance_id: str, requested_at: datetime, claimed: set[str]
) -> list[Snapshot]:
    """Snapshots that may be the outcome of our request, earliest first: on-demand (AdHoc), of
    the instance, taken at or after the intent (both Aura's clock), not another object's."""
    earliest = requested_at - TIMESTAMP_SLACK
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


def next_listing_in(age: float, empty_listings: int) -> float | None:
    """Aura seconds until the next listing for a lost answer, after `empty_listings` found
    nothing, the last when the intent was `age` old; None: it did not take effect (two empty
    listings at least, the last past the late-commit window). Listings come 30 s, then
    doubling gaps, after the intent, and one at the window's end."""
    if empty_listings >= 2 and age >= LATE_COMMIT:
        return None
    return max(FIRST_RELISTING, min(max(age, FIRST_RELISTING), LATE_COMMIT - age))
