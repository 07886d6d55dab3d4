"""The observed state of an AuraInstance (`status`), written by the operator only."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from aura_operator.api.base import ApiModel
from aura_operator.api.enums import ConditionStatus, Phase

# The shape and limits of metav1.Condition, so `kubectl wait --for=condition=...` and kstatus
# tooling read these conditions like any built-in ones.
CONDITION_TYPE_PATTERN = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
)
CONDITION_REASON_PATTERN = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"
CONDITION_REASON_MAX_LENGTH = 1024
CONDITION_MESSAGE_MAX_LENGTH = 32768
INT64: dict[str, Any] = {"format": "int64"}
MAP_LIST_BY_TYPE: dict[str, Any] = {
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
}


class Condition(ApiModel):
    """One aspect of the resource's state (Kubernetes condition conventions, KEP-1623)."""

    type: str = Field(
        max_length=316,
        pattern=CONDITION_TYPE_PATTERN,
        description="Condition type: Ready, Synced, Stalled or CredentialsAvailable.",
    )
    status: ConditionStatus = Field(description="True, False or Unknown.")
    reason: str = Field(
        min_length=1,
        max_length=CONDITION_REASON_MAX_LENGTH,
        pattern=CONDITION_REASON_PATTERN,
        description="Machine-readable CamelCase reason for the last transition.",
    )
    message: str = Field(
        max_length=CONDITION_MESSAGE_MAX_LENGTH,
        description="Human-readable details, including the Aura request id where one applies.",
    )
    last_transition_time: AwareDatetime = Field(
        description="When the status of this condition last changed.",
    )
    observed_generation: int | None = Field(
        None,
        ge=0,
        description="metadata.generation this condition was set for.",
        json_schema_extra=INT64,
    )


class CreateIntent(ApiModel):
    """A create request about to be sent to Aura; kept until the new instance id is recorded, so a
    restart after an ambiguous outcome looks for the instance instead of creating another."""

    name: str = Field(description="Aura display name the instance is created with.")
    tenant_id: str = Field(description="Aura project (tenant) id the instance is created in.")
    requested_at: AwareDatetime = Field(
        description="Aura's time (from the Date header of its answers, not the pod's clock) "
        "just before the create request was sent; only an instance created at or after it can "
        "be this create's outcome."
    )
    listings: int | None = Field(
        None,
        ge=0,
        description="Tenant listings since the create that did not show the instance.",
        json_schema_extra=INT64,
    )
    last_listed_at: AwareDatetime | None = Field(
        None, description="Aura's time of the latest of those listings."
    )
    conclusive_at: AwareDatetime | None = Field(
        None,
        description="From this time (Aura's clock) on, a listing without the instance proves "
        "the create did not happen (allowing for a late commit and a lagging listing); the "
        "create is then sent again.",
    )


class AuraInstanceStatus(ApiModel):
    """Observed state of the Aura instance, written by the operator."""

    instance_id: str | None = Field(None, description="Id of the Aura instance.")
    claimed_at: AwareDatetime | None = Field(
        None,
        description="When the operator recorded this resource as the owner of instanceId. An "
        "Aura instance belongs to one AuraInstance cluster-wide: the earliest claim.",
    )
    aura_status: str | None = Field(
        None,
        description="Status as Aura reports it (for example `running`, `paused`, `updating`), "
        "kept verbatim even when the operator does not know the value.",
    )
    phase: Phase | None = Field(None, description="Summary of the lifecycle state.")
    connection_url: str | None = Field(
        None, description="Connection URI, for example `neo4j+s://<id>.databases.neo4j.io`."
    )
    connection_secret_name: str | None = Field(
        None, description="Name of the Secret holding the connection details."
    )
    memory: str | None = Field(None, description="Memory size Aura reports.")
    storage: str | None = Field(None, description="Storage size Aura reports.")
    observed_generation: int | None = Field(
        None,
        ge=0,
        description="metadata.generation of the spec last reconciled.",
        json_schema_extra=INT64,
    )
    last_request_id: str | None = Field(
        None, description="X-Request-Id of the last Aura API response, for support tickets."
    )
    last_sync_time: AwareDatetime | None = Field(
        None, description="When the operator last read the instance from Aura."
    )
    create_intent: CreateIntent | None = Field(
        None, description="Set while a create request may be in flight."
    )
    conditions: list[Condition] | None = Field(
        None,
        max_length=16,
        description="Ready, Synced, Stalled and CredentialsAvailable, one entry per type.",
        json_schema_extra=MAP_LIST_BY_TYPE,
    )

    def condition(self, condition_type: str) -> Condition | None:
        """The condition of that type, if present."""
        return next((c for c in self.conditions or () if c.type == condition_type), None)
