"""Request body checks and matching against a tenant's `instance_configurations`.

Aura does not document its validation reasons; the ones used here are descriptive, always come
with `field`, and `invalid-memory-size` / `database-incapable-of-action` match what was seen live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from aura_devtools.simulator.config import (
    CLOUD_PROVIDERS,
    INSTANCE_TYPES,
    InstanceConfiguration,
    Tenant,
)
from aura_devtools.simulator.errors import ApiError, incapable, invalid, tenant_not_found
from aura_devtools.simulator.inventory import gigabytes

NAME_MAX = 30
VECTOR_MIN_GB = 4
PLUGIN_TYPES = frozenset({"professional-db", "enterprise-db", "business-critical"})
CMK_TYPES = frozenset({"enterprise-db", "enterprise-ds"})
SECONDARIES_TYPES = frozenset({"enterprise-db"})
CDC_TYPES = frozenset({"enterprise-db", "business-critical"})
CDC_MODES = ("OFF", "DIFF", "FULL")
SECONDARIES_MAX = 15


class Catalog:
    """The tenants and what each one offers."""

    def __init__(self, tenants: Iterable[Tenant]) -> None:
        self.tenants: dict[str, Tenant] = {t.id: t for t in tenants}

    def get(self, tenant_id: str, field: str | None = None) -> Tenant:
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise tenant_not_found(field)
        return tenant


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid(None, "The request body must be a JSON object")
    return body


def check_unknown_fields(
    body: dict[str, Any], allowed: Iterable[str], mode: Literal["ignore", "reject"]
) -> None:
    if mode == "ignore":
        return
    known = set(allowed)
    for name in body:
        if name not in known:
            raise invalid(name, f"Unknown field: {name}", "unknown-field")


def get_str(body: dict[str, Any], field: str, *, required: bool = False) -> str | None:
    value = body.get(field)
    if value is None:
        if required:
            raise invalid(field, f"{field} is required", "missing-field")
        return None
    if not isinstance(value, str):
        raise invalid(field, f"{field} must be a string")
    return value


def require_str(body: dict[str, Any], field: str) -> str:
    value = get_str(body, field, required=True)
    assert value is not None  # get_str raised otherwise
    return value


def get_bool(body: dict[str, Any], field: str) -> bool | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid(field, f"{field} must be a boolean")
    return value


def get_int(body: dict[str, Any], field: str) -> int | None:
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, f"{field} must be an integer")
    return value


def check_name(name: str, field: str = "name") -> None:
    if not 1 <= len(name) <= NAME_MAX or name != name.strip():
        raise invalid(
            field,
            f"{field} must be 1 to {NAME_MAX} characters without leading or trailing whitespace",
            "invalid-name",
        )


def check_vector(vector_optimized: bool | None, memory: str, field: str) -> None:
    if vector_optimized and gigabytes(memory) < VECTOR_MIN_GB:
        raise incapable(f"Vector optimization needs at least {VECTOR_MIN_GB}GB of memory", field)


def check_plugin(plugin: bool | None, instance_type: str) -> None:
    if plugin and instance_type not in PLUGIN_TYPES:
        raise incapable(
            f"The Graph Analytics plugin is not available for {instance_type}",
            "graph_analytics_plugin",
        )


@dataclass(frozen=True)
class Placement:
    """Where and what an instance is: the part of a create matched against configurations."""

    cloud_provider: str
    region: str
    type: str
    version: str


def match_placement(tenant: Tenant, placement: Placement) -> list[InstanceConfiguration]:
    """The tenant's configurations for this placement; 400 naming the first field that fails."""
    if placement.cloud_provider not in CLOUD_PROVIDERS:
        raise invalid(
            "cloud_provider",
            f"cloud_provider must be one of {', '.join(CLOUD_PROVIDERS)}",
            "invalid-cloud-provider",
        )
    if placement.type not in INSTANCE_TYPES:
        raise invalid(
            "type", f"type must be one of {', '.join(INSTANCE_TYPES)}", "invalid-instance-type"
        )
    configs = [
        c
        for c in tenant.instance_configurations
        if c.cloud_provider == placement.cloud_provider and c.region == placement.region
    ]
    if not configs:
        raise invalid(
            "region",
            f"Region {placement.region} is not available for {placement.cloud_provider}"
            " in this tenant",
            "invalid-region",
        )
    configs = [c for c in configs if c.type == placement.type]
    if not configs:
        raise invalid(
            "type",
            f"Instance type {placement.type} is not available in {placement.region}",
            "invalid-instance-type",
        )
    configs = [c for c in configs if c.version == placement.version]
    if not configs:
        raise invalid("version", f"Version {placement.version} is not available", "invalid-version")
    return configs


def match_size(
    configs: list[InstanceConfiguration],
    memory: str,
    storage: str | None,
    *,
    memory_field: str = "memory",
    storage_field: str = "storage",
) -> tuple[str, str]:
    """(memory, storage) of a matching configuration; storage defaults from memory."""
    sized = [c for c in configs if c.memory == memory]
    if not sized:
        raise ApiError(
            400,
            f"Memory size {memory} is not available for this instance type and region",
            "invalid-memory-size",
            memory_field,
        )
    if storage is None:
        return memory, sized[0].storage
    if not any(c.storage == storage for c in sized):
        raise ApiError(
            400,
            f"The combination of memory {memory} and storage {storage} is not available",
            "invalid-memory-size",
            storage_field,
        )
    return memory, storage
