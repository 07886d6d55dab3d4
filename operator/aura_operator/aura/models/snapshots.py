"""Snapshots. Snapshot ids are opaque (UUIDs or timestamp strings)."""

from __future__ import annotations

import enum

from aura_operator.aura.models.base import AuraResponse, LenientDatetime


class SnapshotStatus(enum.StrEnum):
    PENDING = "Pending"
    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELLED = "Cancelled"


class SnapshotRef(AuraResponse):
    """The 202 body of a snapshot request."""

    snapshot_id: str


class Snapshot(AuraResponse):
    snapshot_id: str
    instance_id: str | None = None
    status: str = ""
    profile: str | None = None
    timestamp: LenientDatetime = None
    exportable: bool | None = None
