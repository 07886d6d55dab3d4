"""The AuraRestore custom resource: one restore or overwrite of an Aura instance, sent once."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from pydantic import AwareDatetime, ConfigDict, Field

from aura_operator.api.base import ApiModel
from aura_operator.api.cel_rules import immutable, rule, validations
from aura_operator.api.constants import GROUP
from aura_operator.api.references import (
    SNAPSHOT_ID_MAX_LENGTH,
    InstanceTarget,
    LocalObjectReference,
    TargetDescriptions,
    one_target,
)
from aura_operator.api.resource import KindRoot, root_schema
from aura_operator.api.spec import InstanceId
from aura_operator.api.status import INT64, MAP_LIST_BY_TYPE, Condition

RESTORE_KIND: Final = "AuraRestore"
RESTORE_LIST_KIND: Final = "AuraRestoreList"
RESTORE_PLURAL: Final = "aurarestores"
RESTORE_SINGULAR: Final = "aurarestore"
RESTORE_SHORT_NAMES: Final = ("aurars",)
RESTORE_CRD_NAME: Final = f"{RESTORE_PLURAL}.{GROUP}"
SNAPSHOT_BEFORE_SUFFIX: Final = "-before"
"""spec.snapshotBefore takes an AuraSnapshot named `<metadata.name>-before`."""
OBJECT_NAME_MAX_LENGTH: Final = 253
SNAPSHOT_BEFORE_NAME_MAX_LENGTH: Final = OBJECT_NAME_MAX_LENGTH - len(SNAPSHOT_BEFORE_SUFFIX)
"""The longest metadata.name whose snapshot-before name is still a valid object name."""

SOURCE_FIELDS: Final = ("snapshotRef", "snapshotId", "sourceInstanceRef", "sourceInstanceId")
IMMUTABLE_RESTORE_FIELDS: Final = (
    "instanceRef",
    "instanceId",
    *SOURCE_FIELDS,
    "snapshotBefore",
    "credentialsSecretRef",
)
"""Every spec field but confirmInstanceId: an edit never sends a second restore."""


class Operation(StrEnum):
    """The Aura call that replaces the target's data."""

    RESTORE = "restore"  # a snapshot of the target itself, restored in place
    OVERWRITE = "overwrite"  # another instance, or a snapshot of one


class RestorePhase(StrEnum):
    PENDING = "Pending"
    SNAPSHOTTING = "SnapshottingBefore"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


_EXACTLY_ONE_SOURCE = " + ".join(f"(has(self.{f}) ? 1 : 0)" for f in SOURCE_FIELDS) + " == 1"


class AuraRestoreSpec(InstanceTarget):
    """The instance whose data is replaced, and where the data comes from."""

    model_config = ConfigDict(
        json_schema_extra=validations(
            one_target("target"),
            rule(
                _EXACTLY_ONE_SOURCE,
                "set exactly one source: spec.snapshotRef, spec.snapshotId, "
                "spec.sourceInstanceRef or spec.sourceInstanceId",
            ),
            rule(
                "!has(self.instanceId) || !has(self.sourceInstanceId)"
                " || self.instanceId != self.sourceInstanceId",
                "spec.sourceInstanceId is the target itself: an instance cannot be overwritten "
                "from itself (restore one of its snapshots with spec.snapshotRef or "
                "spec.snapshotId)",
                ".sourceInstanceId",
            ),
            *(immutable(field) for field in IMMUTABLE_RESTORE_FIELDS),
        )
    )

    described_as = TargetDescriptions(
        instance_ref="Target: the AuraInstance (in this namespace) whose data is replaced. "
        "Exactly one of instanceRef and instanceId. Immutable.",
        instance_id="Target: id of the Aura instance whose data is replaced. Exactly one of "
        "instanceRef and instanceId. Immutable.",
        credentials="Secret with the Aura API credentials in this namespace. "
        "Defaults to the target AuraInstance's, else the operator-wide Secret. Immutable.",
    )

    snapshot_ref: LocalObjectReference | None = Field(
        None,
        description="Source: an AuraSnapshot in this namespace; the operator waits for it to "
        "complete. A snapshot of the target is restored in place, one of another instance "
        "overwrites the target. Immutable.",
    )
    snapshot_id: str | None = Field(
        None,
        min_length=1,
        max_length=SNAPSHOT_ID_MAX_LENGTH,
        description="Source: an Aura snapshot id (of the target: restore; of another instance: "
        "overwrite, the snapshot must be exportable). Immutable.",
    )
    source_instance_ref: LocalObjectReference | None = Field(
        None,
        description="Source: an AuraInstance in this namespace; Aura overwrites the target "
        "with a fresh snapshot of it. Immutable.",
    )
    source_instance_id: InstanceId | None = Field(
        None,
        description="Source: id of an Aura instance; Aura overwrites the target with a fresh "
        "snapshot of it. Immutable.",
    )
    confirm_instance_id: InstanceId | None = Field(
        None,
        description="Must equal the target's Aura instance id, or nothing is sent (the "
        "restore replaces all of the target's data). Until it does, the status says "
        "Stalled, reason ConfirmationMissing, with the id to put here. The only field that "
        "may change after creation.",
    )
    snapshot_before: bool = Field(
        False,
        description="Take (and wait for) an AuraSnapshot of the target first, named "
        "`<metadata.name>-before`; its id is recorded in status.snapshotBeforeId. Immutable.",
    )


class OperationIntent(ApiModel):
    """A restore or overwrite about to be sent; kept until Aura's answer is recorded, so a lost
    answer or a restart looks at the target instead of sending it again."""

    operation: Operation = Field(description="restore or overwrite.")
    instance_id: str = Field(description="The target's Aura instance id.")
    requested_at: AwareDatetime = Field(description="When the request was about to be sent.")


class AuraRestoreStatus(ApiModel):
    """Observed state of the restore, written by the operator."""

    phase: RestorePhase | None = Field(
        None,
        description="Pending, SnapshottingBefore, Running (Aura is restoring or overwriting), "
        "Succeeded or Failed.",
    )
    instance_id: str | None = Field(None, description="The target's Aura instance id.")
    operation: Operation | None = Field(None, description="restore or overwrite.")
    source_instance_id: str | None = Field(
        None, description="The Aura instance the data comes from."
    )
    source_snapshot_id: str | None = Field(
        None, description="The Aura snapshot the data comes from."
    )
    snapshot_before_name: str | None = Field(
        None, description="The AuraSnapshot taken of the target first (spec.snapshotBefore)."
    )
    snapshot_before_id: str | None = Field(
        None, description="Aura id of the snapshot taken of the target first."
    )
    target_aura_status: str | None = Field(
        None, description="The target's status as Aura last reported it."
    )
    started_at: AwareDatetime | None = Field(None, description="When Aura accepted the request.")
    completed_at: AwareDatetime | None = Field(
        None, description="When the target was seen running again afterwards."
    )
    request_id: str | None = Field(
        None, description="X-Request-Id of Aura's answer to the restore or overwrite request."
    )
    last_request_id: str | None = Field(
        None, description="X-Request-Id of the last Aura API response, for support tickets."
    )
    last_sync_time: AwareDatetime | None = Field(
        None, description="When the operator last wrote this status."
    )
    observed_generation: int | None = Field(
        None, ge=0, description="metadata.generation last acted on.", json_schema_extra=INT64
    )
    operation_intent: OperationIntent | None = Field(
        None, description="Set while the request may be in flight."
    )
    conditions: list[Condition] | None = Field(
        None,
        max_length=16,
        description="Ready (done), Synced and Stalled, one entry per type.",
        json_schema_extra=MAP_LIST_BY_TYPE,
    )


def _restore_schema(schema: dict[str, Any], model: type[Any]) -> None:
    root_schema(schema, model)
    schema.update(
        validations(
            rule(
                "!has(self.spec.snapshotBefore) || !self.spec.snapshotBefore"
                f" || size(self.metadata.name) <= {SNAPSHOT_BEFORE_NAME_MAX_LENGTH}",
                f"metadata.name is longer than {SNAPSHOT_BEFORE_NAME_MAX_LENGTH} characters, so "
                f"the AuraSnapshot spec.snapshotBefore takes, <metadata.name>"
                f"{SNAPSHOT_BEFORE_SUFFIX}, would have a name longer than the 253 an object "
                "name may have: shorten metadata.name, or take the AuraSnapshot yourself and "
                "restore it with spec.snapshotRef",
            ),
        )
    )


class AuraRestore(KindRoot):
    """Replaces all data of an Aura instance, once: restores one of its snapshots in place, or
    overwrites it from another instance or snapshot. Nothing is sent until
    spec.confirmInstanceId equals the target's instance id. Deleting the object neither stops
    nor undoes a restore under way."""

    model_config = ConfigDict(json_schema_extra=_restore_schema)

    spec: AuraRestoreSpec = Field(
        description="Target, source and confirmation. Immutable but for confirmInstanceId: "
        "a new restore is a new AuraRestore."
    )
    status: AuraRestoreStatus | None = Field(
        None, description="Observed state of the restore, written by the operator."
    )
