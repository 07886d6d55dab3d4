"""Instance operations with Aura's rules: create (and clone), update, delete, pause, resume,
overwrite, upgrade and sizing. Each raises ApiError or returns the affected Instance."""

from __future__ import annotations

import math
import secrets
from typing import Any

from aura_devtools.simulator.config import MEMORY_LADDER_GB
from aura_devtools.simulator.errors import (
    ApiError,
    busy,
    db_not_found,
    incapable,
    invalid,
    key_not_found,
    snapshot_not_found,
    wrong_state,
)
from aura_devtools.simulator.inventory import BUSY_STATUSES, Instance, gigabytes
from aura_devtools.simulator.state import SimulatorState
from aura_devtools.simulator.validation import (
    CDC_MODES,
    CDC_TYPES,
    CMK_TYPES,
    SECONDARIES_MAX,
    SECONDARIES_TYPES,
    VECTOR_MIN_GB,
    Placement,
    check_name,
    check_plugin,
    check_unknown_fields,
    check_vector,
    get_bool,
    get_int,
    get_str,
    match_placement,
    match_size,
    require_object,
    require_str,
)

CREATE_FIELDS = frozenset(
    {
        "version",
        "region",
        "memory",
        "storage",
        "name",
        "type",
        "tenant_id",
        "cloud_provider",
        "source_instance_id",
        "source_snapshot_id",
        "customer_managed_key_id",
        "vector_optimized",
        "graph_analytics_plugin",
    }
)
PATCH_FIELDS = frozenset(
    {
        "name",
        "memory",
        "storage",
        "vector_optimized",
        "graph_analytics_plugin",
        "secondaries_count",
        "cdc_enrichment_mode",
    }
)
IMMUTABLE_FIELDS = frozenset(
    {"id", "type", "region", "cloud_provider", "version", "tenant_id", "customer_managed_key_id"}
)
OVERWRITE_FIELDS = frozenset({"source_instance_id", "source_snapshot_id"})
UPGRADE_FIELDS = frozenset({"memory", "storage"})
LIMIT_MESSAGE = (
    "Creating instances is not permitted at this time, "
    "probably due to hitting a maximum instances limit"
)


def require_instance(state: SimulatorState, instance_id: str, field: str | None = None) -> Instance:
    instance = state.inventory.live(instance_id)
    if instance is None:
        raise db_not_found(instance_id, field)
    return instance


def ensure_idle(instance: Instance) -> None:
    """409 `ongoing-database-operation` while the instance (or the busy quirk) is in flight."""
    if instance.busy_operation is not None:
        raise busy(instance.busy_operation)
    if instance.status in BUSY_STATUSES:
        raise busy(instance.status)


def ensure_status(state: SimulatorState, instance: Instance, expected: str, action: str) -> None:
    if instance.status != expected:
        raise wrong_state(
            state.faults.faults.wrong_state_status,
            f"Instance {instance.id} cannot {action} while {instance.status}",
        )


def unsupported_for_tier() -> ApiError:
    return ApiError(
        420, "Action unsupported for this tier of instance", "action-unsupported", kind="middleware"
    )


def _new_password() -> str:
    return secrets.token_urlsafe(32)


def _check_limits(state: SimulatorState, instance_type: str) -> None:
    faults = state.faults.faults
    live = state.inventory.live_instances()
    if instance_type == "free-db" and any(i.type == "free-db" for i in live):
        raise ApiError(faults.free_db_limit_status, LIMIT_MESSAGE, "instance-limit-reached")
    if faults.max_instances is not None and len(live) >= faults.max_instances:
        raise ApiError(405, LIMIT_MESSAGE, "instance-limit-reached")


def _check_key(
    state: SimulatorState, key_id: str, placement: Placement, tenant_id: str, now: float
) -> None:
    field = "customer_managed_key_id"
    if placement.type not in CMK_TYPES:
        raise incapable(f"Customer managed keys are not available for {placement.type}", field)
    key = state.inventory.keys.get(key_id)
    if key is None or key.tenant_id != tenant_id:
        raise key_not_found(key_id, field)
    if (key.cloud_provider, key.region, key.instance_type) != (
        placement.cloud_provider,
        placement.region,
        placement.type,
    ):
        raise invalid(
            field,
            "The encryption key's cloud provider, region and instance type must match",
            "encryption-key-mismatch",
        )
    if key.status(now) != "ready":
        raise invalid(field, f"Encryption key {key_id} is not ready", "encryption-key-not-ready")


def _clone_source(
    state: SimulatorState,
    source_id: str | None,
    snapshot_id: str | None,
    storage: str,
    now: float,
) -> None:
    if source_id is None:
        if snapshot_id is not None:
            raise invalid("source_instance_id", "source_snapshot_id requires source_instance_id")
        return
    source = require_instance(state, source_id, "source_instance_id")
    ensure_idle(source)
    if snapshot_id is not None:
        snapshot = state.inventory.snapshots.get(snapshot_id)
        if snapshot is None or snapshot.instance_id != source_id or not snapshot.visible(now):
            raise snapshot_not_found(snapshot_id, "source_snapshot_id")
        if snapshot.status(now) != "Completed":
            raise invalid(
                "source_snapshot_id",
                f"Snapshot {snapshot_id} is not exportable",
                "snapshot-not-exportable",
            )
    if gigabytes(storage) < source.storage_gb:
        raise invalid(
            "memory",
            f"Cannot clone database {source.id} into a smaller database",
            "clone-into-smaller-database",
        )


def create_instance(
    state: SimulatorState,
    raw: Any,
    now: float,
    *,
    instance_id: str | None = None,
    commit_at: float | None = None,
) -> Instance:
    """Validates and creates the instance at `now`, or (a late commit) accepts it now and
    lets it appear only at `commit_at`."""
    body = require_object(raw)
    faults = state.faults.faults
    check_unknown_fields(body, CREATE_FIELDS, faults.unknown_request_fields)
    name = require_str(body, "name")
    check_name(name)
    tenant_id = require_str(body, "tenant_id")
    tenant = state.catalog.get(tenant_id, "tenant_id")
    placement = Placement(
        cloud_provider=require_str(body, "cloud_provider"),
        region=require_str(body, "region"),
        type=require_str(body, "type"),
        version=require_str(body, "version"),
    )
    requested_memory = require_str(body, "memory")
    configs = match_placement(tenant, placement)
    memory, storage = match_size(configs, requested_memory, get_str(body, "storage"))
    vector = get_bool(body, "vector_optimized")
    check_vector(vector, memory, "vector_optimized")
    plugin = get_bool(body, "graph_analytics_plugin")
    check_plugin(plugin, placement.type)
    key_id = get_str(body, "customer_managed_key_id")
    if key_id is not None:
        _check_key(state, key_id, placement, tenant_id, now)
    source_id = get_str(body, "source_instance_id")
    source_snapshot_id = get_str(body, "source_snapshot_id")
    _clone_source(state, source_id, source_snapshot_id, storage, now)
    if faults.missing_billing_details:
        raise ApiError(
            400,
            "You must provide billing details in the Aura Console before creating an instance",
            "missing-billing-details",
        )
    _check_limits(state, placement.type)

    instance = Instance(
        id=instance_id or state.inventory.new_instance_id(),
        name=name,
        tenant_id=tenant_id,
        cloud_provider=placement.cloud_provider,
        region=placement.region,
        type=placement.type,
        memory=memory,
        storage=storage,
        version=placement.version,
        created_at=now if commit_at is None else commit_at,
        password=_new_password(),
        vector_optimized=bool(vector),
        graph_analytics_plugin=bool(plugin),
        customer_managed_key_id=key_id,
        source_instance_id=source_id,
        source_snapshot_id=source_snapshot_id,
    )
    target = "loading failed" if state.faults.take_create_fail() else "running"
    if commit_at is not None and commit_at > now:
        state.inventory.commit_later(instance, target)
        return instance
    state.inventory.add(instance)
    state.inventory.begin(instance, "creating", now, target=target)
    return instance


def patch_instance(
    state: SimulatorState, instance_id: str, raw: Any, now: float
) -> tuple[Instance, int]:
    """Renames at once (200) or starts `updating` (202) for every other change."""
    body = require_object(raw)
    instance = require_instance(state, instance_id)
    immutable = sorted(IMMUTABLE_FIELDS & body.keys())
    if immutable:
        raise invalid(immutable[0], f"{immutable[0]} cannot be changed", "immutable-field")
    check_unknown_fields(body, PATCH_FIELDS, state.faults.faults.unknown_request_fields)
    name = get_str(body, "name")
    if name is not None:
        check_name(name)
    memory = get_str(body, "memory")
    storage = get_str(body, "storage")
    vector = get_bool(body, "vector_optimized")
    plugin = get_bool(body, "graph_analytics_plugin")
    secondaries = get_int(body, "secondaries_count")
    cdc = get_str(body, "cdc_enrichment_mode")
    if all(v is None for v in (name, memory, storage, vector, plugin, secondaries, cdc)):
        raise invalid(None, "Nothing to update: give at least one of " + ", ".join(PATCH_FIELDS))

    changes: dict[str, Any] = {}
    if memory is not None or storage is not None:
        tenant = state.catalog.get(instance.tenant_id)
        configs = match_placement(
            tenant,
            Placement(instance.cloud_provider, instance.region, instance.type, instance.version),
        )
        new_memory, new_storage = match_size(configs, memory or instance.memory, storage)
        if (new_memory, new_storage) != (instance.memory, instance.storage):
            changes.update(memory=new_memory, storage=new_storage)
    effective_memory = changes.get("memory", instance.memory)
    if vector is not None:
        check_vector(vector, effective_memory, "vector_optimized")
        if vector != instance.vector_optimized:
            changes["vector_optimized"] = vector
    elif instance.vector_optimized and gigabytes(effective_memory) < VECTOR_MIN_GB:
        raise incapable(f"Vector optimized instances need at least {VECTOR_MIN_GB}GB", "memory")
    if plugin is not None:
        check_plugin(plugin, instance.type)
        if plugin != instance.graph_analytics_plugin:
            changes["graph_analytics_plugin"] = plugin
    if secondaries is not None:
        if instance.type not in SECONDARIES_TYPES:
            raise incapable(
                "Secondaries are only available on Virtual Dedicated Cloud", "secondaries_count"
            )
        if not 0 <= secondaries <= SECONDARIES_MAX:
            raise invalid(
                "secondaries_count", f"secondaries_count must be between 0 and {SECONDARIES_MAX}"
            )
        if secondaries != instance.secondaries_count:
            changes["secondaries_count"] = secondaries
    if cdc is not None:
        if instance.type not in CDC_TYPES:
            raise incapable(
                "CDC enrichment mode is only available on Business Critical and "
                "Virtual Dedicated Cloud",
                "cdc_enrichment_mode",
            )
        if cdc not in CDC_MODES:
            raise invalid(
                "cdc_enrichment_mode", f"cdc_enrichment_mode must be one of {', '.join(CDC_MODES)}"
            )
        if cdc != instance.cdc_enrichment_mode:
            changes["cdc_enrichment_mode"] = cdc

    ensure_idle(instance)
    if changes:
        ensure_status(state, instance, "running", "be updated")
    if name is not None:
        instance.name = name
    if not changes:
        return instance, 200
    state.inventory.begin(instance, "updating", now, changes=changes)
    return instance, 202


def delete_instance(state: SimulatorState, instance_id: str, now: float) -> Instance:
    instance = require_instance(state, instance_id)
    if instance.status == "destroying":
        # The deletion is already accepted: a repeated DELETE is answered as if it were gone.
        raise db_not_found(instance_id)
    ensure_idle(instance)
    state.inventory.begin(instance, "destroying", now)
    return instance


def pause_instance(state: SimulatorState, instance_id: str, now: float) -> Instance:
    instance = require_instance(state, instance_id)
    if instance.type == "free-db":
        raise unsupported_for_tier()
    ensure_idle(instance)
    ensure_status(state, instance, "running", "be paused")
    state.inventory.begin(instance, "pausing", now, changes={"cdc_enrichment_mode": "OFF"})
    return instance


def resume_instance(state: SimulatorState, instance_id: str, now: float) -> Instance:
    instance = require_instance(state, instance_id)
    ensure_idle(instance)
    ensure_status(state, instance, "paused", "be resumed")
    state.inventory.begin(instance, "resuming", now, changes={"cdc_enrichment_mode": "OFF"})
    return instance


def overwrite_instance(state: SimulatorState, instance_id: str, raw: Any, now: float) -> Instance:
    body = require_object(raw)
    target = require_instance(state, instance_id)
    check_unknown_fields(body, OVERWRITE_FIELDS, state.faults.faults.unknown_request_fields)
    source_id = get_str(body, "source_instance_id")
    snapshot_id = get_str(body, "source_snapshot_id")
    if target.type == "free-db":
        raise unsupported_for_tier()
    snapshot = None
    if snapshot_id is not None:
        # With only a snapshot id, the snapshot's own instance is the source.
        snapshot = state.inventory.snapshots.get(snapshot_id)
        if snapshot is None or not snapshot.visible(now):
            raise snapshot_not_found(snapshot_id, "source_snapshot_id")
        if source_id is not None and snapshot.instance_id != source_id:
            raise snapshot_not_found(snapshot_id, "source_snapshot_id")
        source_id = snapshot.instance_id
    if source_id is None:
        raise invalid("source_instance_id", "source_instance_id is required", "missing-field")
    source = require_instance(state, source_id, "source_instance_id")
    if source.tenant_id != target.tenant_id:
        raise invalid(
            "source_instance_id",
            f"Instance {source.id} belongs to another tenant than {target.id}: an instance can "
            "only be overwritten from one in its own tenant",
            "source-in-other-tenant",
        )
    ensure_idle(target)
    ensure_status(state, target, "running", "be overwritten")
    if source is not target:
        ensure_idle(source)
    if snapshot is not None and snapshot.status(now) != "Completed":
        raise invalid(
            "source_snapshot_id",
            f"Snapshot {snapshot.snapshot_id} is not exportable",
            "snapshot-not-exportable",
        )
    if source.storage_gb > target.storage_gb:
        raise ApiError(
            500,
            f"Cannot clone database {source.id} into smaller database {target.id}.",
            "clone-into-smaller-database",
        )
    state.inventory.begin(target, "overwriting", now, changes={"cdc_enrichment_mode": "OFF"})
    return target


def upgrade_instance(state: SimulatorState, instance_id: str, raw: Any, now: float) -> Instance:
    """professional-db -> business-critical, answered 200 with the upgraded instance."""
    body = require_object(raw)
    instance = require_instance(state, instance_id)
    check_unknown_fields(body, UPGRADE_FIELDS, state.faults.faults.unknown_request_fields)
    memory = get_str(body, "memory")
    storage = get_str(body, "storage")
    if (memory is None) != (storage is None):
        missing = "storage" if storage is None else "memory"
        raise invalid(missing, "memory and storage must be given together", "missing-field")
    if instance.type != "professional-db":
        raise incapable("Only professional-db instances can be upgraded to business-critical")
    ensure_idle(instance)
    ensure_status(state, instance, "running", "be upgraded")
    configs = match_placement(
        state.catalog.get(instance.tenant_id),
        Placement(instance.cloud_provider, instance.region, "business-critical", instance.version),
    )
    new_memory, new_storage = match_size(configs, memory or instance.memory, storage)
    instance.type = "business-critical"
    instance.memory, instance.storage = new_memory, new_storage
    instance.graph_analytics_plugin = False
    instance.cdc_enrichment_mode = "OFF"
    return instance


def estimate_size(raw: Any) -> dict[str, Any]:
    """POST /instances/sizing: a rough memory estimate from graph size."""
    body = require_object(raw)
    nodes = get_int(body, "node_count")
    relationships = get_int(body, "relationship_count")
    if nodes is None or nodes < 0:
        raise invalid("node_count", "node_count is required and must not be negative")
    if relationships is None or relationships < 0:
        raise invalid(
            "relationship_count", "relationship_count is required and must not be negative"
        )
    # Store size times two (page cache plus heap), in whole gigabytes.
    required_gb = max(1, math.ceil((nodes * 100 + relationships * 60) * 2 / 1e9))
    fitting = [gb for gb in MEMORY_LADDER_GB if gb >= required_gb]
    return {
        "did_exceed_maximum": not fitting,
        "min_required_memory": f"{required_gb}GB",
        "recommended_size": f"{fitting[0] if fitting else MEMORY_LADDER_GB[-1]}GB",
    }
