"""Customer-managed encryption keys: create (pending -> ready), list, read, delete."""

from __future__ import annotations

import uuid
from typing import Any

from aura_devtools.simulator.config import CLOUD_PROVIDERS
from aura_devtools.simulator.errors import ApiError, invalid, key_not_found
from aura_devtools.simulator.inventory import CustomerManagedKey
from aura_devtools.simulator.state import SimulatorState
from aura_devtools.simulator.validation import (
    CMK_TYPES,
    check_name,
    check_unknown_fields,
    require_object,
    require_str,
)

KEY_FIELDS = ("key_id", "name", "cloud_provider", "instance_type", "region", "tenant_id")


def create_key(state: SimulatorState, raw: Any, now: float) -> CustomerManagedKey:
    body = require_object(raw)
    check_unknown_fields(body, KEY_FIELDS, state.faults.faults.unknown_request_fields)
    values = {f: require_str(body, f) for f in KEY_FIELDS}
    check_name(values["name"])
    tenant = state.catalog.get(values["tenant_id"], "tenant_id")
    if values["cloud_provider"] not in CLOUD_PROVIDERS:
        raise invalid("cloud_provider", f"cloud_provider must be one of {CLOUD_PROVIDERS}")
    if values["instance_type"] not in CMK_TYPES:
        raise invalid("instance_type", f"instance_type must be one of {sorted(CMK_TYPES)}")
    if not any(
        c.cloud_provider == values["cloud_provider"] and c.region == values["region"]
        for c in tenant.instance_configurations
    ):
        raise invalid("region", f"Region {values['region']} is not available", "invalid-region")
    key = CustomerManagedKey(
        id=str(uuid.uuid4()),
        name=values["name"],
        tenant_id=tenant.id,
        cloud_provider=values["cloud_provider"],
        region=values["region"],
        instance_type=values["instance_type"],
        key_id=values["key_id"],
        created_at=now,
        ready_at=now + state.inventory.sampler.draw("cmk"),
    )
    state.inventory.keys[key.id] = key
    return key


def list_keys(state: SimulatorState, tenant_id: str | None) -> list[CustomerManagedKey]:
    if tenant_id is not None:
        state.catalog.get(tenant_id)
    return [
        k for k in state.inventory.keys.values() if tenant_id is None or k.tenant_id == tenant_id
    ]


def get_key(state: SimulatorState, key_id: str) -> CustomerManagedKey:
    key = state.inventory.keys.get(key_id)
    if key is None:
        raise key_not_found(key_id)
    return key


def delete_key(state: SimulatorState, key_id: str) -> None:
    get_key(state, key_id)
    if any(i.customer_managed_key_id == key_id for i in state.inventory.live_instances()):
        raise ApiError(
            400,
            f"Can not delete encryption key {key_id}. The key is linked to an active instance.",
            "encryption-key-is-active",
        )
    del state.inventory.keys[key_id]
