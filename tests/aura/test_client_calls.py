"""Every client call against the simulator: paths, bodies, parsing, request ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aura_operator.aura import (
    CreateCustomerManagedKeyRequest,
    InstancePatch,
    Lane,
    OverwriteRequest,
    Result,
)

from .conftest import AuraEnv


async def logged(env: AuraEnv, result: Result[Any]) -> dict[str, Any]:
    """The simulator's log entry of the response a result came from."""
    matches = [e for e in await env.control.requests() if e["request_id"] == result.request_id]
    assert len(matches) == 1, f"no single log entry has request id {result.request_id}"
    return matches[0]


async def test_tenants(env: AuraEnv) -> None:
    tenants = await env.client.list_tenants()
    assert env.tenant_id in {t.id for t in tenants.value}
    tenant = await env.client.get_tenant(env.tenant_id)
    assert tenant.value.id == env.tenant_id
    assert tenant.value.instance_configurations
    assert (await logged(env, tenant))["path"] == f"/v1/tenants/{env.tenant_id}"


async def test_create_returns_the_password_once_and_get_and_list_see_the_instance(
    env: AuraEnv,
) -> None:
    created = await env.client.create_instance(env.create_request("orders"))
    assert created.status == 202
    assert created.value.password.get_secret_value()
    entry = await logged(env, created)
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/v1/instances", 202)

    instance = await env.client.get_instance(created.value.id)
    assert instance.value.status == "creating"
    assert instance.value.name == "orders"
    assert "password" not in instance.value.model_dump()

    listed = await env.client.list_instances(env.tenant_id)
    assert [s.id for s in listed.value] == [created.value.id]
    assert (await logged(env, listed))["query"] == f"tenantId={env.tenant_id}"
    assert [s.id for s in (await env.client.list_instances()).value] == [created.value.id]


async def test_patch_pause_resume_and_delete(env: AuraEnv) -> None:
    instance_id = await env.running_instance()

    renamed = await env.client.patch_instance(instance_id, InstancePatch(name="orders-2"))
    assert renamed.value is not None and renamed.value.name == "orders-2"

    resized = await env.client.patch_instance(instance_id, InstancePatch(memory="16GB"))
    assert resized.status == 202
    await env.control.advance(300)
    assert (await env.client.get_instance(instance_id)).value.memory == "16GB"

    # Bodyless actions must carry `{}` as JSON, or the simulator (like Aura) answers 415.
    paused = await env.client.pause_instance(instance_id)
    assert paused.value is not None and paused.value.status == "pausing"
    await env.control.advance(300)
    resumed = await env.client.resume_instance(instance_id)
    assert resumed.value is not None and resumed.value.status == "resuming"
    await env.control.advance(300)

    deleted = await env.client.delete_instance(instance_id)
    assert deleted.status == 202
    assert deleted.value is not None and deleted.value.status == "destroying"


async def test_snapshots_and_restore(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    ref = await env.client.create_snapshot(instance_id)
    snapshot = await env.client.get_snapshot(instance_id, ref.value.snapshot_id)
    assert snapshot.value.snapshot_id == ref.value.snapshot_id
    await env.control.advance(300)

    today = dt.datetime.fromtimestamp(env.sim.clock.now(), dt.UTC).date()
    listed = await env.client.list_snapshots(instance_id, date=today)
    assert ref.value.snapshot_id in {s.snapshot_id for s in listed.value}
    assert (await logged(env, listed))["query"] == f"date={today.isoformat()}"

    restored = await env.client.restore_snapshot(instance_id, ref.value.snapshot_id)
    assert restored.value is not None and restored.value.status == "restoring"


async def test_overwrite(env: AuraEnv) -> None:
    source = await env.running_instance("source")
    target = await env.running_instance("target")
    result = await env.client.overwrite_instance(
        target, OverwriteRequest(source_instance_id=source)
    )
    assert result.value is not None and result.value.status == "overwriting"
    entry = await logged(env, result)
    assert entry["path"] == f"/v1/instances/{target}/overwrite"


async def test_customer_managed_keys(env: AuraEnv) -> None:
    created = await env.client.create_customer_managed_key(
        CreateCustomerManagedKeyRequest(
            key_id="arn:aws:kms:us-east-1:123456789012:key/abc",
            name="key-1",
            cloud_provider="aws",
            instance_type="enterprise-db",
            region="us-east-1",
            tenant_id=env.tenant_id,
        )
    )
    assert created.value.status == "pending"
    listed = await env.client.list_customer_managed_keys(env.tenant_id)
    assert [k.id for k in listed.value] == [created.value.id]
    fetched = await env.client.get_customer_managed_key(created.value.id)
    assert fetched.value.key_id == "arn:aws:kms:us-east-1:123456789012:key/abc"
    deleted = await env.client.delete_customer_managed_key(created.value.id)
    assert deleted.status == 204
    assert deleted.value is None
    assert (await logged(env, deleted))["method"] == "DELETE"


async def test_every_result_carries_the_request_id_of_its_response(env: AuraEnv) -> None:
    results: list[Result[Any]] = [
        await env.client.list_tenants(),
        await env.client.create_instance(env.create_request()),
        await env.client.list_instances(lane=Lane.INTENT),
    ]
    for result in results:
        assert result.request_id
        assert (await logged(env, result))["status"] == result.status


async def test_unknown_fields_and_statuses_are_tolerated(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    # The simulator reports the unknown status in place of `updating`, as during a resize.
    await env.control.faults(extra_fields=True, unknown_status="resizing")
    await env.client.patch_instance(instance_id, InstancePatch(memory="16GB"))
    instance = (await env.client.get_instance(instance_id)).value
    assert instance.status == "resizing"
    assert instance.model_extra
    assert (await env.client.list_tenants()).value
    assert (await env.client.list_instances()).value[0].id == instance_id
