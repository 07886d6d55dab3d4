"""The AuraSnapshot custom resource: one on-demand snapshot of an Aura instance."""

from __future__ import annotations

from typing import Any, Final

from pydantic import AwareDatetime, ConfigDict, Field

from aura_operator.api.base import ApiModel
from aura_operator.api.cel_rules import rule, validations
from aura_operator.api.constants import GROUP
from aura_operator.api.references import InstanceTarget, TargetDescriptions, one_target
from aura_operator.api.resource import KindRoot
from aura_operator.api.status import INT64, MAP_LIST_BY_TYPE, Condition

SNAPSHOT_KIND: Final = "AuraSnapshot"
SNAPSHOT_LIST_KIND: Final = "AuraSnapshotList"
SNAPSHOT_PLURAL: Final = "aurasnapshots"
SNAPSHOT_SINGULAR: Final = "aurasnapshot"
SNAPSHOT_SHORT_NAMES: Final = ("aurasnap",)
SNAPSHOT_CRD_NAME: Final = f"{SNAPSHOT_PLURAL}.{GROUP}"

FORGET_ON_DELETE = (
    "Aura cannot delete snapshots: deleting an AuraSnapshot only forgets it, the snapshot stays "
    "at Aura until Aura's retention removes it."
)


def whole_spec_immutable(kind: str, what: str) -> dict[str, Any]:
    return rule(
        "self == oldSelf",
        f"the spec of an {kind} is immutable: {what}",
    )


class AuraSnapshotSpec(InstanceTarget):
    """Which Aura instance to snapshot. Immutable: a new snapshot is a new AuraSnapshot."""

    model_config = ConfigDict(
        json_schema_extra=validations(
            one_target("instance to snapshot"),
            whole_spec_immutable("AuraSnapshot", "create a new AuraSnapshot for a new snapshot"),
        )
    )
    described_as = TargetDescriptions(
        instance_ref="The AuraInstance (in this namespace) whose Aura instance is snapshotted; "
        "the operator waits until it has an instance id. Exactly one of instanceRef and "
        "instanceId.",
        instance_id="Id of the Aura instance to snapshot (8 lowercase hex characters). Exactly "
        "one of instanceRef and instanceId.",
        credentials="Secret with the Aura API credentials in this namespace. "
        "Defaults to the referenced AuraInstance's, else the operator-wide Secret.",
    )


class SnapshotIntent(ApiModel):
    """A snapshot request about to be sent; kept until its snapshot id is recorded, so a lost
    answer is looked up in Aura's snapshot list instead of asking for a second snapshot."""

    instance_id: str = Field(description="Aura instance the snapshot is requested of.")
    requested_at: AwareDatetime = Field(description="When the request was about to be sent.")


class AuraSnapshotStatus(ApiModel):
    """Observed state of the snapshot, written by the operator."""

    instance_id: str | None = Field(None, description="Id of the snapshotted Aura instance.")
    snapshot_id: str | None = Field(None, description="Id of the Aura snapshot.")
    snapshot_status: str | None = Field(
        None,
        description="Status as Aura reports it: `Pending`, `InProgress`, `Completed`, `Failed` "
        "(unknown values kept verbatim).",
    )
    exportable: bool | None = Field(
        None, description="Whether the snapshot can be used to clone or overwrite another instance."
    )
    timestamp: AwareDatetime | None = Field(None, description="When Aura took the snapshot.")
    observed_generation: int | None = Field(
        None, ge=0, description="metadata.generation last acted on.", json_schema_extra=INT64
    )
    last_request_id: str | None = Field(
        None, description="X-Request-Id of the last Aura API response, for support tickets."
    )
    last_sync_time: AwareDatetime | None = Field(
        None, description="When the operator last wrote this status."
    )
    snapshot_intent: SnapshotIntent | None = Field(
        None, description="Set while a snapshot request may be in flight."
    )
    conditions: list[Condition] | None = Field(
        None,
        max_length=16,
        description="Ready (the snapshot is Completed), Synced and Stalled, one entry per type.",
        json_schema_extra=MAP_LIST_BY_TYPE,
    )


class AuraSnapshot(KindRoot):
    __doc__ = f"An on-demand snapshot of a Neo4j Aura instance, taken once. {FORGET_ON_DELETE}"

    spec: AuraSnapshotSpec = Field(
        description="The instance to snapshot; immutable. The operator takes one snapshot per "
        f"object. {FORGET_ON_DELETE}"
    )
    status: AuraSnapshotStatus | None = Field(
        None, description="Observed state of the snapshot, written by the operator."
    )
