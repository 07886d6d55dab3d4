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

    def ready_if(self, ok: bool, reason: str, message: str = "") -> None:
        self.ready = ConditionUpdate(READY, ok, reason, message)

    def synced_ok(self, reason: str = "Synced", message: str = "") -> None:
        self.synced = ConditionUpdate(SYNCED, True, reason, message)

    def not_stalled(self) -> None:
        self.stalled = ConditionUpdate(STALLED, False, "NotStalled")

    def stall(self, reason: str, message: str) -> None:
        """A problem only a person can fix: Stalled, not Ready, not Synced."""
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
        if updates:
            conditions = set_conditions(
                current.get("conditions"), updates, generation=generation, now=now
            )
            if conditions != current.get("conditions"):
                wanted["conditions"] = conditions
        return {k: v for k, v in wanted.items() if current.get(k) != v}
