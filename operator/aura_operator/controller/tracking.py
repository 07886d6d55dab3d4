"""What the operator remembers of each object between reconciles, in memory: `Tracked` carries
an object of any kind (most of its fields are the AuraInstance engine's memory), `Fleet` holds
every AuraInstance this process knows."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from aura_operator.api import (
    RECONCILE_ANNOTATION,
    RECONCILE_DISABLED,
    SYNC_NOW_ANNOTATION,
    Phase,
)
from aura_operator.controller.kube import ObjectRef

Key = tuple[str, str]  # (namespace, name)
AT_REST = frozenset({Phase.READY.value, Phase.PAUSED.value, Phase.FAILED.value})


PATCH_ATTEMPTS = 2
"""Times one PATCH of one generation is accepted by Aura without showing before it is not sent
again (PatchNotApplied)."""


@dataclass
class AcceptedPatch:
    """A PATCH Aura accepted for a generation, and how often."""

    generation: int
    patch: dict[str, Any]
    times: int
    request_id: str | None


@dataclass
class Tracked:
    ref: ObjectRef
    spec: dict[str, Any]
    metadata: dict[str, Any]
    status: dict[str, Any]
    """The status as last written by this operator (or read at start): only this operator
    writes status, so this copy is never older than the watch stream's."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    aura_status: str | None = None
    aura_status_since: float = field(default_factory=time.monotonic)
    not_found_since: float | None = None
    """When (monotonic) Aura first answered 404 for the instance in the current run of 404s."""
    confirmed_generation: int | None = None
    """The generation last seen carried out at Aura (Ready): a difference found while the
    spec is still at it is drift, otherwise it is the user's change."""
    background: asyncio.Task[None] | None = None
    background_cancellable: bool = False
    """True while the background task only reads, so user intent may cancel it."""
    sync_now_seen: str | None = None
    deleting: bool = False
    created_id: str | None = None
    """The id of a 202 this process read, kept until the status holds it."""
    create_sending: bool = False
    """True while this process's create POST for the object awaits its answer: a same-named
    instance that appears meanwhile may be that create's."""
    access: Any = None
    """The last Aura access that worked (access.Access), for deleting after the credentials
    Secret is gone (a namespace being deleted)."""
    writes_were_disabled: bool = False
    held_secret: str | None = None
    """The credentials Secret (in the object's namespace) this process holds for it."""
    accepted_patch: AcceptedPatch | None = None
    """The latest PATCH Aura accepted for this object (kept in memory)."""
    admission: Any = None
    """The place in the create admission (instance/admission.Ticket) the running reconcile
    holds, for the creator to give up once Aura answered."""
    last_good_spec: dict[str, Any] | None = None
    """The latest spec the operator could read, for a deletion after an unreadable edit."""

    @property
    def key(self) -> Key:
        return (self.ref.namespace, self.ref.name)

    @property
    def generation(self) -> int:
        return int(self.metadata.get("generation") or 1)

    @property
    def annotations(self) -> dict[str, str]:
        return dict(self.metadata.get("annotations") or {})

    @property
    def writes_disabled(self) -> bool:
        return self.annotations.get(RECONCILE_ANNOTATION) == RECONCILE_DISABLED

    @property
    def instance_id(self) -> str | None:
        value = self.status.get("instanceId") or self.spec.get("instanceId")
        return str(value) if value else None

    def note_patch_accepted(self, patch: dict[str, Any], request_id: str | None) -> None:
        accepted = self.accepted_patch
        if accepted and accepted.generation == self.generation and accepted.patch == patch:
            accepted.times += 1
            accepted.request_id = request_id
        else:
            self.accepted_patch = AcceptedPatch(self.generation, dict(patch), 1, request_id)

    def unheld_patch(self, patch: dict[str, Any]) -> AcceptedPatch | None:
        """The PATCH `patch`, if Aura already accepted it PATCH_ATTEMPTS times for this
        generation and the instance still does not show it."""
        accepted = self.accepted_patch
        if (
            accepted
            and accepted.generation == self.generation
            and accepted.patch == patch
            and accepted.times >= PATCH_ATTEMPTS
        ):
            return accepted
        return None

    def begin_write(self) -> None:
        """From here on the running reconcile may change Aura: it must not be cancelled."""
        self.background_cancellable = False

    def note_aura_status(self, status: str) -> float:
        """Remember the Aura status; return real seconds spent in it so far."""
        now = time.monotonic()
        if status != self.aura_status:
            self.aura_status, self.aura_status_since = status, now
        return now - self.aura_status_since

    def sync_now_requested(self) -> bool:
        """True once per new value of the sync-now annotation."""
        value = self.annotations.get(SYNC_NOW_ANNOTATION)
        if value is None or value == self.sync_now_seen:
            return False
        self.sync_now_seen = value
        return True


def _ready_for(status: dict[str, Any], generation: int) -> bool:
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    return bool(
        ready
        and ready.get("status") == "True"
        and ready.get("observedGeneration") == generation
        and ready.get("reason") != "PausedWithPendingChanges"  # not yet carried out
    )


class Fleet:
    """Every AuraInstance this process knows, by (namespace, name)."""

    def __init__(self) -> None:
        self._objects: dict[Key, Tracked] = {}

    def __len__(self) -> int:
        return len(self._objects)

    def get(self, key: Key) -> Tracked | None:
        return self._objects.get(key)

    def all(self) -> list[Tracked]:
        return list(self._objects.values())

    def track(self, body: dict[str, Any]) -> Tracked:
        """Record the latest spec and metadata of an object; seed status the first time."""
        metadata = dict(body.get("metadata") or {})
        ref = ObjectRef(metadata.get("namespace", ""), metadata["name"], metadata.get("uid", ""))
        tracked = self._objects.get((ref.namespace, ref.name))
        if tracked is None or tracked.ref.uid != ref.uid:
            tracked = Tracked(
                ref=ref,
                spec=dict(body.get("spec") or {}),
                metadata=metadata,
                status=dict(body.get("status") or {}),
            )
            tracked.sync_now_seen = tracked.annotations.get(SYNC_NOW_ANNOTATION)
            if _ready_for(tracked.status, tracked.generation):
                tracked.confirmed_generation = tracked.generation
            self._objects[tracked.key] = tracked
        else:
            tracked.writes_were_disabled = tracked.writes_disabled
            tracked.spec = dict(body.get("spec") or {})
            tracked.metadata = metadata
        return tracked

    def in_transition(self) -> int:
        """Objects waiting for Aura (to be created, or to finish an operation): the ones whose
        status is read until it settles."""
        return sum(1 for t in self._objects.values() if t.status.get("phase") not in AT_REST)

    def writes_enabled_again(self, tracked: Tracked) -> bool:
        """True when the last update removed `aura.neo4j.io/reconcile: disabled`."""
        return tracked.writes_were_disabled and not tracked.writes_disabled

    def forget(self, key: Key) -> None:
        tracked = self._objects.pop(key, None)
        if tracked and tracked.background and not tracked.background.done():
            tracked.background.cancel()
