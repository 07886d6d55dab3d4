"""Leader election on a coordination.k8s.io/v1 Lease: the decisions, free of I/O.

Time is judged the way client-go judges it, by this process's own monotonic clock: a Lease held
by another process has lapsed when this process has seen no change to it (holder or renew time)
for `leaseDurationSeconds`. Wall-clock times written into the Lease are for people reading it;
no decision depends on two clocks agreeing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

BUDGET_ANNOTATION = "aura.neo4j.io/budget"
"""The leader's recent Aura call times, carried to its successor (see budget_record.py)."""


class ElectionTimings(BaseModel):
    """Seconds (real time). The leader stops every write `renew_deadline` after its last
    successful renewal began, before any standby may take over (`lease_duration` after it last
    saw the Lease change)."""

    model_config = ConfigDict(frozen=True)

    lease_duration: float = Field(default=15.0, gt=0)
    renew_deadline: float = Field(default=10.0, gt=0)
    retry_period: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> ElectionTimings:
        if not self.retry_period < self.renew_deadline < self.lease_duration:
            raise ValueError(
                "need retry period < renew deadline < lease duration, got "
                f"{self.retry_period} < {self.renew_deadline} < {self.lease_duration}"
            )
        return self


def micro_time(moment: datetime | None = None) -> str:
    """A Kubernetes MicroTime."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Observation:
    """What a process last saw of the Lease and when (its monotonic clock)."""

    holder: str
    renew_time: str
    resource_version: str
    seen_at: float

    def changed(self, holder: str, renew_time: str) -> bool:
        return (holder, renew_time) != (self.holder, self.renew_time)


def observe(lease: dict[str, Any], previous: Observation | None, now: float) -> Observation:
    """The new observation; `seen_at` moves only when the holder or renew time changed."""
    spec = lease.get("spec") or {}
    holder = str(spec.get("holderIdentity") or "")
    renew_time = str(spec.get("renewTime") or "")
    version = str(lease["metadata"]["resourceVersion"])
    if previous is not None and not previous.changed(holder, renew_time):
        return Observation(holder, renew_time, version, previous.seen_at)
    return Observation(holder, renew_time, version, now)


def may_take(lease: dict[str, Any], observation: Observation, identity: str, now: float) -> bool:
    """Whether `identity` may write itself into this Lease now: it holds it already, nobody
    does (released), or the holder has not renewed for the Lease's duration as seen here."""
    if observation.holder in ("", identity):
        return True
    duration = float((lease.get("spec") or {}).get("leaseDurationSeconds") or 0)
    return now >= observation.seen_at + duration


def claimed(
    lease: dict[str, Any] | None,
    *,
    identity: str,
    lease_duration: float,
    now: datetime,
    annotations: dict[str, str],
) -> dict[str, Any]:
    """The Lease body that makes `identity` the holder (to create, or to replace `lease` with
    its resourceVersion, so that of two processes claiming at once only one succeeds)."""
    spec = dict((lease or {}).get("spec") or {})
    previous_holder = spec.get("holderIdentity") or ""
    stamp = micro_time(now)
    if previous_holder != identity:
        spec["acquireTime"] = stamp
        if lease is not None:
            spec["leaseTransitions"] = int(spec.get("leaseTransitions") or 0) + 1
    spec.setdefault("leaseTransitions", 0)
    spec.update(
        holderIdentity=identity,
        leaseDurationSeconds=max(1, round(lease_duration)),
        renewTime=stamp,
    )
    metadata = dict((lease or {}).get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), **annotations}
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": metadata,
        "spec": spec,
    }


def released(
    lease: dict[str, Any], *, now: datetime, annotations: dict[str, str]
) -> dict[str, Any]:
    """The Lease body a leader leaves on a graceful stop: no holder, so a standby takes over at
    its next look instead of waiting for the Lease to lapse."""
    metadata = dict(lease.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), **annotations}
    spec = {**(lease.get("spec") or {}), "holderIdentity": None, "leaseDurationSeconds": 1}
    spec["renewTime"] = micro_time(now)
    return {**lease, "metadata": metadata, "spec": spec}
