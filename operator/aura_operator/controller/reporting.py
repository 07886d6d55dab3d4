"""Turning what the engine learned into a status patch and Events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aura_operator.api import Phase
from aura_operator.controller.conditions import (
    CREDENTIALS_AVAILABLE,
    READY,
    STALLED,
    SYNCED,
    ConditionUpdate,
    find,
    set_conditions,
)


@dataclass
class Report:
    """One reconcile's findings; `status_patch` turns it into the status merge-patch."""

    phase: Phase | None = None
    ready: ConditionUpdate | None = None
    synced: ConditionUpdate | None = None
    stalled: ConditionUpdate | None = None
    credentials: ConditionUpdate | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    observed_generation: int | None = None
    stall_event: bool = True
    """Whether a new stall posts its Warning Event from the publisher (False: the caller did)."""

    def ready_if(self, ok: bool, reason: str, message: str = "") -> None:
        self.ready = ConditionUpdate(READY, ok, reason, message)

    def synced_ok(self, reason: str = "Synced", message: str = "") -> None:
        self.synced = ConditionUpdate(SYNCED, True, reason, message)

    def not_stalled(self) -> None:
        self.stalled = ConditionUpdate(STALLED, False, "NotStalled")

    def stall(self, reason: str, message: str, *, event: bool = True) -> None:
        """A problem only a person can fix: Stalled, not Ready, not Synced. The generation is
        evaluated, so the status carries it (Argo CD and kstatus then stop waiting)."""
        self.stall_event = event
        self.stalled = ConditionUpdate(STALLED, True, reason, message)
        self.synced = ConditionUpdate(SYNCED, False, reason, message)
        self.ready = ConditionUpdate(READY, False, reason, message)

    def credentials_available(self, ok: bool, reason: str, message: str = "") -> None:
        self.credentials = ConditionUpdate(CREDENTIALS_AVAILABLE, ok, reason, message)

    def status_patch(self, current: dict[str, Any], *, generation: int, now: str) -> dict[str, Any]:
        """The keys of status that change (None removes one); empty when nothing changes."""
        updates = [c for c in (self.ready, self.synced, self.stalled, self.credentials) if c]
        wanted: dict[str, Any] = dict(self.fields)
        if wanted.get("lastRequestId", "") is None:  # no response, no id: keep the last one
            del wanted["lastRequestId"]
        if self.phase is not None:
            wanted["phase"] = self.phase.value
        if self.observed_generation is not None:
            wanted["observedGeneration"] = self.observed_generation
        elif self.stalled is not None and self.stalled.status:
            wanted["observedGeneration"] = generation
        if updates:
            conditions = set_conditions(
                current.get("conditions"), updates, generation=generation, now=now
            )
            if conditions != current.get("conditions"):
                wanted["conditions"] = conditions
        return {k: v for k, v in wanted.items() if current.get(k) != v}

    def new_stall(self, current: dict[str, Any], *, generation: int) -> ConditionUpdate | None:
        """The stall this report starts (None: none, or the same one is already reported for
        this generation), whose Warning Event is then posted once."""
        if self.stalled is None or not self.stalled.status or not self.stall_event:
            return None
        previous = find(current.get("conditions"), STALLED) or {}
        same = (
            previous.get("status") == "True"
            and previous.get("reason") == self.stalled.reason
            and previous.get("observedGeneration") == generation
        )
        return None if same else self.stalled
