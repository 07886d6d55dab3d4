"""Snapshot operations: take one, list per day, read one, restore in place."""

from __future__ import annotations

import re

from aura_devtools.simulator.clock import utc_date
from aura_devtools.simulator.errors import ApiError, invalid, snapshot_not_found
from aura_devtools.simulator.instances import ensure_idle, ensure_status, require_instance
from aura_devtools.simulator.inventory import Instance, Snapshot
from aura_devtools.simulator.state import SimulatorState

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def take_snapshot(state: SimulatorState, instance_id: str, now: float) -> Snapshot:
    instance = require_instance(state, instance_id)
    if state.faults.faults.snapshots_payment_required:
        raise ApiError(402, "Payment Required", "payment-required")
    ensure_idle(instance)
    ensure_status(state, instance, "running", "take a snapshot")
    if any(s.running(now) for s in state.inventory.snapshots_of(instance_id, now)):
        raise ApiError(
            409, "A snapshot of this instance is already in progress", "snapshot-not-allowed"
        )
    return state.inventory.add_snapshot(
        instance_id, "AdHoc", now, fails=state.faults.faults.snapshot_fail
    )


def list_snapshots(
    state: SimulatorState, instance_id: str, date: str | None, now: float
) -> list[Snapshot]:
    """Snapshots of one UTC day (default today), oldest first."""
    require_instance(state, instance_id)
    day = utc_date(now) if date is None else date
    if not DATE_PATTERN.match(day):
        raise invalid("date", "date must be formatted as YYYY-MM-DD")
    snapshots = [
        s for s in state.inventory.snapshots_of(instance_id, now) if utc_date(s.started_at) == day
    ]
    return sorted(snapshots, key=lambda s: s.started_at)


def get_snapshot(state: SimulatorState, instance_id: str, snapshot_id: str, now: float) -> Snapshot:
    require_instance(state, instance_id)
    snapshot = state.inventory.snapshots.get(snapshot_id)
    if snapshot is None or snapshot.instance_id != instance_id or not snapshot.visible(now):
        raise snapshot_not_found(snapshot_id)
    return snapshot


def restore_snapshot(
    state: SimulatorState, instance_id: str, snapshot_id: str, now: float
) -> Instance:
    snapshot = get_snapshot(state, instance_id, snapshot_id, now)
    instance = require_instance(state, instance_id)
    ensure_idle(instance)
    ensure_status(state, instance, "running", "be restored")
    if snapshot.status(now) != "Completed":
        raise invalid(
            None,
            f"Snapshot {snapshot_id} is {snapshot.status(now)} and cannot be restored",
            "snapshot-not-restorable",
        )
    state.inventory.begin(instance, "restoring", now, changes={"cdc_enrichment_mode": "OFF"})
    return instance
