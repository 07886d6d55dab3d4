"""Instances: requests, the create response, summaries, the full object and its statuses."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import ModelWrapValidatorHandler, SecretStr, ValidationError, model_validator

from aura_operator.aura.models.base import AuraRequest, AuraResponse, LenientDatetime


class InstanceStatus(enum.StrEnum):
    """The statuses of the v1 contract. `Instance.status` is a plain string: Aura may send
    others (e.g. `resizing`), which are kept as they are."""

    CREATING = "creating"
    DESTROYING = "destroying"
    RUNNING = "running"
    PAUSING = "pausing"
    PAUSED = "paused"
    SUSPENDING = "suspending"
    SUSPENDED = "suspended"
    RESUMING = "resuming"
    LOADING = "loading"
    LOADING_FAILED = "loading failed"
    RESTORING = "restoring"
    UPDATING = "updating"
    OVERWRITING = "overwriting"


TRANSITIONAL_STATUSES = frozenset(
    {
        InstanceStatus.CREATING,
        InstanceStatus.DESTROYING,
        InstanceStatus.PAUSING,
        InstanceStatus.SUSPENDING,
        InstanceStatus.RESUMING,
        InstanceStatus.LOADING,
        InstanceStatus.RESTORING,
        InstanceStatus.UPDATING,
        InstanceStatus.OVERWRITING,
    }
)


def is_known_status(status: str) -> bool:
    return status in InstanceStatus._value2member_map_


def is_transitional(status: str) -> bool:
    """A known status that Aura leaves by itself (an operation is in progress)."""
    return status in TRANSITIONAL_STATUSES


def is_failed(status: str) -> bool:
    return status == InstanceStatus.LOADING_FAILED


class CreateInstanceRequest(AuraRequest):
    name: str
    tenant_id: str
    cloud_provider: str
    region: str
    type: str
    memory: str
    version: str = "5"
    storage: str | None = None
    source_instance_id: str | None = None
    source_snapshot_id: str | None = None
    customer_managed_key_id: str | None = None
    vector_optimized: bool | None = None
    graph_analytics_plugin: bool | None = None


class InstancePatch(AuraRequest):
    """The mutable fields; only those set (not None) are sent."""

    name: str | None = None
    memory: str | None = None
    storage: str | None = None
    vector_optimized: bool | None = None
    graph_analytics_plugin: bool | None = None
    secondaries_count: int | None = None
    cdc_enrichment_mode: str | None = None


class OverwriteRequest(AuraRequest):
    """Without source_instance_id, the snapshot's own instance is the source."""

    source_instance_id: str | None = None
    source_snapshot_id: str | None = None


class CreatedInstance(AuraResponse):
    """The 202 body of a create: the only response that ever holds the password."""

    id: str
    connection_url: str | None = None
    username: str = "neo4j"
    password: SecretStr
    tenant_id: str | None = None
    cloud_provider: str | None = None
    region: str | None = None
    name: str | None = None
    type: str | None = None
    created_at: LenientDatetime = None
    vector_optimized: bool | None = None
    graph_analytics_plugin: bool | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _keep_the_password(
        cls, data: Any, handler: ModelWrapValidatorHandler[CreatedInstance]
    ) -> CreatedInstance:
        """Losing this body loses the password for good: a detail in an unexpected shape is
        dropped (its default used) rather than failing the whole body. Only a missing or
        malformed id or password still fails it."""
        try:
            return handler(data)
        except ValidationError as exc:
            if not isinstance(data, dict):
                raise
            malformed = {error["loc"][0] for error in exc.errors() if error["loc"]}
            if malformed & {"id", "password"}:
                raise
            return handler({key: value for key, value in data.items() if key not in malformed})


class InstanceSummary(AuraResponse):
    """An item of `GET /instances`: no status, type, region or memory."""

    id: str
    name: str = ""
    tenant_id: str | None = None
    cloud_provider: str | None = None
    created_at: LenientDatetime = None


class Instance(AuraResponse):
    id: str
    name: str = ""
    status: str
    connection_url: str | None = None
    tenant_id: str | None = None
    cloud_provider: str | None = None
    region: str | None = None
    type: str | None = None
    memory: str | None = None
    storage: str | None = None
    created_at: LenientDatetime = None
    metrics_integration_url: str | None = None
    customer_managed_key_id: str | None = None
    graph_nodes: str | int | None = None
    graph_relationships: str | int | None = None
    secondaries_count: int | None = None
    cdc_enrichment_mode: str | None = None
    vector_optimized: bool | None = None
    graph_analytics_plugin: bool | None = None

    @property
    def is_transitional(self) -> bool:
        return is_transitional(self.status)
