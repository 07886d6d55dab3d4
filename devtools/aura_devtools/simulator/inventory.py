"""Instances, snapshots and customer-managed keys, with lazily computed transitions.

Nothing runs in the background: an instance in a transitional status carries an Operation with
an end time on the simulated clock, and `Inventory.refresh(now)` completes every operation that
is due. The app calls it before each request, so a clock advance takes effect at once and idle
instances cost nothing.
"""

from __future__ import annotations

import math
import random
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from aura_devtools.simulator.config import Durations

V1_STATUSES: tuple[str, ...] = (
    "creating",
    "destroying",
    "running",
    "pausing",
    "paused",
    "suspending",
    "suspended",
    "resuming",
    "loading",
    "loading failed",
    "restoring",
    "updating",
    "overwriting",
)
DELETED = "<deleted>"
# Transitional status -> where it ends by itself.
NATURAL_TARGET: dict[str, str] = {
    "creating": "running",
    "updating": "running",
    "pausing": "paused",
    "resuming": "running",
    "destroying": DELETED,
    "restoring": "running",
    "overwriting": "running",
    "loading": "running",
    "suspending": "suspended",
}
BUSY_STATUSES = frozenset(NATURAL_TARGET)


@dataclass
class Operation:
    status: str
    started_at: float
    ends_at: float
    target: str
    # Instance attributes set when the operation completes (e.g. the new memory of a resize).
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Instance:
    id: str
    name: str
    tenant_id: str
    cloud_provider: str
    region: str
    type: str
    memory: str
    storage: str
    version: str
    created_at: float
    password: str = field(repr=False)
    username: str = "neo4j"
    status: str = "creating"
    vector_optimized: bool = False
    graph_analytics_plugin: bool = False
    secondaries_count: int = 0
    cdc_enrichment_mode: str = "OFF"
    customer_managed_key_id: str | None = None
    source_instance_id: str | None = None
    source_snapshot_id: str | None = None
    operation: Operation | None = None
    stuck: bool = False
    # The observed quirk: GET says the status, but actions are refused as busy with this one.
    busy_operation: str | None = None
    deleted_at: float | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def connection_url(self) -> str:
        return f"neo4j+s://{self.id}.databases.neo4j.io"

    @property
    def memory_gb(self) -> int:
        return gigabytes(self.memory)

    @property
    def storage_gb(self) -> int:
        return gigabytes(self.storage)


def gigabytes(size: str) -> int:
    """`"8GB"` -> 8; anything else -> 0."""
    number = size[:-2] if size.upper().endswith("GB") else ""
    return int(number) if number.isdigit() else 0


@dataclass
class Snapshot:
    snapshot_id: str
    instance_id: str
    profile: str
    started_at: float
    in_progress_at: float
    completed_at: float
    fails: bool = False

    def visible(self, now: float) -> bool:
        return self.started_at <= now

    def status(self, now: float) -> str:
        if now < self.in_progress_at:
            return "Pending"
        if now < self.completed_at:
            return "InProgress"
        return "Failed" if self.fails else "Completed"

    def running(self, now: float) -> bool:
        return self.visible(now) and self.status(now) in ("Pending", "InProgress")


@dataclass
class CustomerManagedKey:
    id: str
    name: str
    tenant_id: str
    cloud_provider: str
    region: str
    instance_type: str
    key_id: str
    created_at: float
    ready_at: float

    def status(self, now: float) -> str:
        return "ready" if now >= self.ready_at else "pending"


class DurationSampler:
    """Draws transition durations: the configured value times a seeded lognormal factor."""

    def __init__(self, durations: Durations, jitter: float, rng: random.Random) -> None:
        self.durations = durations
        self.jitter = jitter
        self._rng = rng

    def draw(self, name: str) -> float:
        base: float = getattr(self.durations, name)
        if self.jitter <= 0 or base <= 0:
            return base
        return base * math.exp(self._rng.gauss(0.0, self.jitter))


class Inventory:
    def __init__(self, sampler: DurationSampler, initial_scheduled_snapshot: bool) -> None:
        self.sampler = sampler
        self.initial_scheduled_snapshot = initial_scheduled_snapshot
        self.instances: dict[str, Instance] = {}
        self.snapshots: dict[str, Snapshot] = {}
        self.keys: dict[str, CustomerManagedKey] = {}
        self._active: set[str] = set()
        self._pending: dict[str, tuple[Instance, str]] = {}
        """Creates accepted but not committed yet (a late commit): id -> (instance, target)."""

    def new_instance_id(self) -> str:
        while True:
            candidate = secrets.token_hex(4)
            if candidate not in self.instances and candidate not in self._pending:
                return candidate

    def add(self, instance: Instance) -> None:
        self.instances[instance.id] = instance

    def commit_later(self, instance: Instance, target: str) -> None:
        """The create commits at `instance.created_at` (in the future): until then the
        instance does not exist; then it starts `creating` toward `target`."""
        self._pending[instance.id] = (instance, target)

    def live(self, instance_id: str) -> Instance | None:
        instance = self.instances.get(instance_id)
        return None if instance is None or instance.deleted else instance

    def live_instances(self) -> list[Instance]:
        return [i for i in self.instances.values() if not i.deleted]

    def begin(
        self,
        instance: Instance,
        status: str,
        now: float,
        *,
        target: str | None = None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """Puts the instance into a transitional status for a drawn duration."""
        instance.status = status
        instance.operation = Operation(
            status=status,
            started_at=now,
            ends_at=now + self.sampler.draw(status),
            target=NATURAL_TARGET[status] if target is None else target,
            changes=dict(changes or {}),
        )
        self._active.add(instance.id)

    def refresh(self, now: float) -> None:
        for instance_id, (instance, target) in list(self._pending.items()):
            if now >= instance.created_at:
                del self._pending[instance_id]
                self.add(instance)
                self.begin(instance, "creating", instance.created_at, target=target)
        for instance_id in list(self._active):
            instance = self.instances[instance_id]
            operation = instance.operation
            if operation is None:
                self._active.discard(instance_id)
            elif not instance.stuck and now >= operation.ends_at:
                self._complete(instance, operation)
                self._active.discard(instance_id)

    def _complete(self, instance: Instance, operation: Operation) -> None:
        instance.operation = None
        if operation.target == DELETED:
            instance.deleted_at = operation.ends_at
            return
        for name, value in operation.changes.items():
            setattr(instance, name, value)
        instance.status = operation.target
        if (
            operation.status == "creating"
            and operation.target == "running"
            and self.initial_scheduled_snapshot
            and instance.type != "free-db"
        ):
            self.add_snapshot(instance.id, "Scheduled", operation.ends_at, fails=False)

    def force_status(self, instance: Instance, status: str, stuck: bool, now: float) -> None:
        """Sets a status by hand; a non-stuck transitional one then completes by itself."""
        instance.operation = None
        instance.stuck = stuck
        if not stuck and status in NATURAL_TARGET:
            self.begin(instance, status, now)
        else:
            instance.status = status

    def set_stuck(self, instance: Instance, stuck: bool, now: float) -> None:
        instance.stuck = stuck
        if not stuck and instance.operation is None and instance.status in NATURAL_TARGET:
            self.begin(instance, instance.status, now)

    def add_snapshot(self, instance_id: str, profile: str, start: float, fails: bool) -> Snapshot:
        in_progress_at = start + self.sampler.draw("snapshot_pending")
        snapshot = Snapshot(
            snapshot_id=str(uuid.uuid4()),
            instance_id=instance_id,
            profile=profile,
            started_at=start,
            in_progress_at=in_progress_at,
            completed_at=in_progress_at + self.sampler.draw("snapshot"),
            fails=fails,
        )
        self.snapshots[snapshot.snapshot_id] = snapshot
        return snapshot

    def snapshots_of(self, instance_id: str, now: float) -> list[Snapshot]:
        return [
            s for s in self.snapshots.values() if s.instance_id == instance_id and s.visible(now)
        ]

    def clear(self) -> None:
        self.instances.clear()
        self.snapshots.clear()
        self.keys.clear()
        self._active.clear()
        self._pending.clear()
