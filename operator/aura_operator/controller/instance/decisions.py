"""What to do next for one AuraInstance: pure functions of desired and observed state.

The engine observes, calls `next_step`, and carries out the single step it returns. Nothing
here talks to Aura or Kubernetes, so every rule is unit-tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from aura_operator.api import Phase
from aura_operator.aura import request_id_text
from aura_operator.controller.instance.desired import Desired
from aura_operator.controller.tracking import AcceptedPatch


class Observed(Protocol):
    """The parts of Aura's GET /v1/instances/{id} answer the decisions read."""

    @property
    def status(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def memory(self) -> str | None: ...
    @property
    def storage(self) -> str | None: ...
    @property
    def vector_optimized(self) -> bool | None: ...
    @property
    def graph_analytics_plugin(self) -> bool | None: ...
    @property
    def secondaries_count(self) -> int | None: ...
    @property
    def cdc_enrichment_mode(self) -> str | None: ...


PHASE_OF_STATUS: dict[str, Phase] = {
    "creating": Phase.CREATING,
    "updating": Phase.UPDATING,
    "pausing": Phase.PAUSING,
    "paused": Phase.PAUSED,
    "resuming": Phase.RESUMING,
    "destroying": Phase.DELETING,
    "loading failed": Phase.FAILED,
}


class StepKind(StrEnum):
    WAIT = "wait"  # Aura is busy: look again later
    PATCH = "patch"
    PAUSE = "pause"
    RESUME = "resume"
    READY = "ready"  # nothing to do
    BLOCKED = "blocked"  # a person must act (Stalled)


@dataclass(frozen=True)
class Step:
    kind: StepKind
    phase: Phase
    reason: str = ""
    message: str = ""
    patch: dict[str, Any] = field(default_factory=dict)


def instance_patch(desired: Desired, observed: Observed) -> dict[str, Any]:
    """The PATCH body that moves the observed instance to the desired one (empty: in sync).

    Only fields the spec sets are compared, so what the user leaves open (storage derived from
    memory, features left unset) is never fought over.
    """
    patch = {
        key: value
        for key, value in desired.managed_fields().items()
        if value is not None and not _same(key, getattr(observed, key), value)
    }
    if "storage" in patch and "memory" not in patch and desired.spec.memory is not None:
        patch["memory"] = desired.spec.memory  # Aura resizes memory and storage together
    return patch


# What Aura leaves out of an instance that does not have the feature, and the spec value that
# means the same; asking for it would be refused on tiers without the feature.
_ABSENT_MEANS = {"secondaries_count": 0, "cdc_enrichment_mode": "OFF"}


def _same(key: str, observed: Any, wanted: Any) -> bool:
    if observed is None and _ABSENT_MEANS.get(key) == wanted:
        return True
    return bool(observed == wanted)


def next_step(desired: Desired, observed: Observed) -> Step:
    status = observed.status
    if status == "loading failed":
        return Step(
            StepKind.BLOCKED,
            Phase.FAILED,
            "LoadingFailed",
            "Aura reports the instance as 'loading failed'; restore a snapshot or contact support.",
        )
    if status in ("suspended", "suspending"):
        return Step(
            StepKind.WAIT,
            Phase.PAUSED,
            "SuspendedByAura",
            f"Aura {status} the instance (billing or policy); the operator waits.",
        )
    if status not in ("running", "paused"):
        phase = PHASE_OF_STATUS.get(status, Phase.UPDATING)
        return Step(
            StepKind.WAIT,
            phase,
            "AuraBusy",
            f"Waiting for Aura to finish '{status}'.",
        )
    patch = instance_patch(desired, observed)
    if desired.observe_only:
        return Step(StepKind.READY, PHASE_OF_STATUS.get(status, Phase.READY), "ObserveOnly")
    if status == "paused":
        if not desired.paused:
            return Step(StepKind.RESUME, Phase.RESUMING, "Resuming", "spec.paused is false")
        if patch:
            # Aura cannot resize a paused instance; the change waits for spec.paused: false.
            return Step(
                StepKind.READY,
                Phase.PAUSED,
                "PausedWithPendingChanges",
                f"Paused; {', '.join(sorted(patch))} will be applied after resume.",
            )
        return Step(StepKind.READY, Phase.PAUSED, "Paused")
    if patch:
        return Step(StepKind.PATCH, Phase.UPDATING, "Updating", patch=patch)
    if desired.paused:
        return Step(StepKind.PAUSE, Phase.PAUSING, "Pausing", "spec.paused is true")
    return Step(StepKind.READY, Phase.READY, "Running")


def spec_field(aura_field: str) -> str:
    """`spec.<camelCase>` of an Aura field name (`cdc_enrichment_mode`)."""
    head, *rest = aura_field.split("_")
    return "spec." + head + "".join(part.capitalize() for part in rest)


def unheld_patch_message(accepted: AcceptedPatch, observed: Observed) -> str:
    """Why a change Aura accepted again and again is not sent once more."""
    asked = ", ".join(f"{spec_field(k)}: {v}" for k, v in sorted(accepted.patch.items()))
    shown = ", ".join(f"{k} {getattr(observed, k, None)}" for k in sorted(accepted.patch))
    return (
        f"Aura accepted {asked} {accepted.times} times (the last: "
        f"{request_id_text(accepted.request_id)}) but still shows {shown}; it is not sent "
        "again until the spec changes. Aura may not show this field for this instance type: "
        "set it to what Aura shows, or remove it from the spec."
    )
