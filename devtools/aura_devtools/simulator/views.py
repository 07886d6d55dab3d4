"""The JSON shapes of Aura objects, by endpoint and by tier."""

from __future__ import annotations

from typing import Any

from aura_devtools.simulator.clock import rfc3339
from aura_devtools.simulator.config import Faults, Tenant
from aura_devtools.simulator.inventory import CustomerManagedKey, Instance, Snapshot
from aura_devtools.simulator.validation import CDC_TYPES, SECONDARIES_TYPES

METRICS_TYPES = frozenset({"enterprise-db", "business-critical"})
METRICS_BASE = "https://customer-metrics-api.neo4j.io/api/v1"


def reported_status(instance: Instance, faults: Faults) -> str:
    if instance.status == "updating" and faults.unknown_status:
        return faults.unknown_status
    return instance.status


def instance_view(instance: Instance, faults: Faults) -> dict[str, Any]:
    """GET /instances/{id} and every action that answers with an Instance."""
    data: dict[str, Any] = {
        "id": instance.id,
        "name": instance.name,
        "status": reported_status(instance, faults),
        # Aura reports no connection URL while an instance resumes.
        "connection_url": None if instance.status == "resuming" else instance.connection_url,
        "created_at": rfc3339(instance.created_at),
        "tenant_id": instance.tenant_id,
        "cloud_provider": instance.cloud_provider,
        "region": instance.region,
        "type": instance.type,
        "memory": instance.memory,
    }
    if instance.type == "free-db":
        data["graph_nodes"] = "0"
        data["graph_relationships"] = "0"
    else:
        data["storage"] = instance.storage
    if instance.status == "creating" and faults.null_sizes_while_creating:
        data["memory"] = None
        if "storage" in data:
            data["storage"] = None
    if instance.type in METRICS_TYPES:
        data["metrics_integration_url"] = (
            f"{METRICS_BASE}/{instance.tenant_id}/{instance.id}/metrics"
        )
    if instance.type in SECONDARIES_TYPES:
        data["secondaries_count"] = instance.secondaries_count
    if instance.type in CDC_TYPES:
        unreported = (
            faults.cdc_unreported_on_business_critical and instance.type == "business-critical"
        )
        data["cdc_enrichment_mode"] = None if unreported else instance.cdc_enrichment_mode
    if instance.customer_managed_key_id is not None:
        data["customer_managed_key_id"] = instance.customer_managed_key_id
    data["vector_optimized"] = instance.vector_optimized
    data["graph_analytics_plugin"] = instance.graph_analytics_plugin
    return data


def created_view(instance: Instance) -> dict[str, Any]:
    """The 202 body of POST /instances: the only response that carries the password."""
    return {
        "id": instance.id,
        "connection_url": instance.connection_url,
        "username": instance.username,
        "password": instance.password,
        "tenant_id": instance.tenant_id,
        "cloud_provider": instance.cloud_provider,
        "region": instance.region,
        "name": instance.name,
        "type": instance.type,
        "created_at": rfc3339(instance.created_at),
        "vector_optimized": instance.vector_optimized,
        "graph_analytics_plugin": instance.graph_analytics_plugin,
    }


def summary_view(instance: Instance) -> dict[str, Any]:
    return {
        "id": instance.id,
        "name": instance.name,
        "tenant_id": instance.tenant_id,
        "cloud_provider": instance.cloud_provider,
        "created_at": rfc3339(instance.created_at),
    }


def snapshot_view(snapshot: Snapshot, now: float) -> dict[str, Any]:
    status = snapshot.status(now)
    return {
        "instance_id": snapshot.instance_id,
        "snapshot_id": snapshot.snapshot_id,
        "profile": snapshot.profile,
        "status": status,
        "timestamp": rfc3339(snapshot.started_at),
        "exportable": status == "Completed",
    }


def key_summary(key: CustomerManagedKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "tenant_id": key.tenant_id}


def key_view(key: CustomerManagedKey, now: float) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "created": rfc3339(key.created_at),
        "cloud_provider": key.cloud_provider,
        "key_id": key.key_id,
        "region": key.region,
        "type": key.instance_type,
        "tenant_id": key.tenant_id,
        "status": key.status(now),
        "instance_type": key.instance_type,
    }


def tenant_summary(tenant: Tenant) -> dict[str, Any]:
    return {"id": tenant.id, "name": tenant.name}


def tenant_view(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": tenant.id,
        "name": tenant.name,
        "instance_configurations": [c.model_dump() for c in tenant.instance_configurations],
    }


def instance_dump(instance: Instance, faults: Faults) -> dict[str, Any]:
    """Everything about an instance, for `/_sim/instances` assertions (password included)."""
    operation = instance.operation
    return {
        **instance_view(instance, faults),
        "status": instance.status,
        "reported_status": reported_status(instance, faults),
        "connection_url": instance.connection_url,
        "storage": instance.storage,
        "version": instance.version,
        "username": instance.username,
        "password": instance.password,
        "secondaries_count": instance.secondaries_count,
        "cdc_enrichment_mode": instance.cdc_enrichment_mode,
        "customer_managed_key_id": instance.customer_managed_key_id,
        "source_instance_id": instance.source_instance_id,
        "source_snapshot_id": instance.source_snapshot_id,
        "created_at_epoch": instance.created_at,
        "deleted": instance.deleted,
        "deleted_at": instance.deleted_at,
        "stuck": instance.stuck,
        "busy_operation": instance.busy_operation,
        "operation": None
        if operation is None
        else {
            "status": operation.status,
            "started_at": operation.started_at,
            "ends_at": operation.ends_at,
            "target": operation.target,
            "changes": operation.changes,
        },
    }
