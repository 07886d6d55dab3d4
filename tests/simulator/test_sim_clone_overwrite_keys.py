"""Behaviour 5, the rest: clone at create, overwrite, customer-managed keys."""

from __future__ import annotations

from typing import Any

from simulator_helpers import TENANT_ID, Aura, SimControl, error_of, instance_body


async def _completed_snapshot(aura: Aura, instance_id: str) -> str:
    await aura.settle_snapshots()
    response = await aura.action(instance_id, "snapshots")
    snapshot_id: str = response.json()["data"]["snapshot_id"]
    await aura.settle_snapshots()
    return snapshot_id


async def test_clone_from_an_instance_gives_a_new_instance_with_new_credentials(
    aura: Aura, ctl: SimControl
) -> None:
    source = await aura.create_running(memory="2GB")

    clone = await aura.create(name="clone", memory="2GB", source_instance_id=source["id"])

    assert clone["id"] != source["id"]
    assert clone["password"] != source["password"]
    assert clone["connection_url"] != source["connection_url"]
    dump = await ctl.instance(clone["id"])
    assert dump["source_instance_id"] == source["id"]
    await ctl.advance(aura.config.durations.creating)
    assert await aura.status(clone["id"]) == "running"


async def test_clone_from_a_snapshot(aura: Aura, ctl: SimControl) -> None:
    source = await aura.create_running()
    snapshot_id = await _completed_snapshot(aura, source["id"])

    clone = await aura.create(source_instance_id=source["id"], source_snapshot_id=snapshot_id)

    assert (await ctl.instance(clone["id"]))["source_snapshot_id"] == snapshot_id


async def test_clone_refusals(aura: Aura) -> None:
    source = await aura.create_running(memory="4GB")
    await aura.settle_snapshots()
    pending = (await aura.action(source["id"], "snapshots")).json()["data"]["snapshot_id"]
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"source_instance_id": "0badc0de"}, 404, "db-not-found", "source_instance_id"),
        ({"source_snapshot_id": pending}, 400, "invalid-request", "source_instance_id"),
        (
            {"source_instance_id": source["id"], "source_snapshot_id": pending},
            400,
            "snapshot-not-exportable",
            "source_snapshot_id",
        ),
        (
            {"source_instance_id": source["id"], "memory": "1GB"},
            400,
            "clone-into-smaller-database",
            "memory",
        ),
    ]

    for overrides, status, reason, field in cases:
        body = instance_body(**{"memory": "4GB", **overrides})
        response = await aura.api.post("/instances", json=body)
        assert response.status_code == status, overrides
        assert error_of(response)["reason"] == reason
        assert error_of(response)["field"] == field


async def test_overwrite_is_202_overwriting_then_running_keeping_the_url(
    aura: Aura, ctl: SimControl
) -> None:
    source = await aura.create_running()
    target = await aura.create_running(name="target")

    response = await aura.action(target["id"], "overwrite", {"source_instance_id": source["id"]})

    assert response.status_code == 202
    assert response.json()["data"]["status"] == "overwriting"
    assert response.json()["data"]["connection_url"] == target["connection_url"]
    await ctl.advance(aura.config.durations.overwriting)
    instance = await aura.get(target["id"])
    assert instance["status"] == "running"
    assert instance["connection_url"] == target["connection_url"]


async def test_overwrite_from_a_snapshot_only(aura: Aura) -> None:
    source = await aura.create_running()
    target = await aura.create_running(name="target")
    snapshot_id = await _completed_snapshot(aura, source["id"])

    response = await aura.action(target["id"], "overwrite", {"source_snapshot_id": snapshot_id})

    assert response.status_code == 202


async def test_overwrite_of_a_free_instance_is_420(aura: Aura) -> None:
    source = await aura.create_running()
    free = await aura.create_running(type="free-db")

    response = await aura.action(free["id"], "overwrite", {"source_instance_id": source["id"]})

    assert response.status_code == 420
    assert "error" in response.json()


async def test_overwrite_into_a_smaller_instance_is_500(aura: Aura) -> None:
    source = await aura.create_running(memory="8GB")
    target = await aura.create_running(memory="2GB")

    response = await aura.action(target["id"], "overwrite", {"source_instance_id": source["id"]})

    assert response.status_code == 500
    assert error_of(response)["message"] == (
        f"Cannot clone database {source['id']} into smaller database {target['id']}."
    )


async def test_overwrite_of_a_target_already_overwriting_is_409(aura: Aura) -> None:
    source = await aura.create_running()
    target = await aura.create_running()
    body = {"source_instance_id": source["id"]}
    await aura.action(target["id"], "overwrite", body)

    response = await aura.action(target["id"], "overwrite", body)

    assert response.status_code == 409
    assert error_of(response)["reason"] == "ongoing-database-operation"


KEY_BODY = {
    "key_id": "arn:aws:kms:us-east-1:123456789012:key/abcd",
    "name": "orders-key",
    "cloud_provider": "aws",
    "instance_type": "enterprise-db",
    "region": "us-east-1",
    "tenant_id": TENANT_ID,
}


async def _ready_key(aura: Aura, ctl: SimControl) -> str:
    response = await aura.api.post("/customer-managed-keys", json=KEY_BODY)
    assert response.status_code == 202
    key_id: str = response.json()["data"]["id"]
    await ctl.advance(aura.config.durations.cmk)
    return key_id


async def test_key_goes_pending_then_ready_and_lists_as_summary(
    aura: Aura, ctl: SimControl
) -> None:
    response = await aura.api.post("/customer-managed-keys", json=KEY_BODY)
    key = response.json()["data"]

    assert response.status_code == 202
    assert key["status"] == "pending"
    assert key["key_id"] == KEY_BODY["key_id"]
    await ctl.advance(aura.config.durations.cmk)
    full = (await aura.api.get(f"/customer-managed-keys/{key['id']}")).json()["data"]
    assert full["status"] == "ready"
    listed = (await aura.api.get("/customer-managed-keys", params={"tenantId": TENANT_ID})).json()
    assert listed["data"] == [{"id": key["id"], "name": "orders-key", "tenant_id": TENANT_ID}]


async def test_instance_with_a_key_and_key_deletion_rules(aura: Aura, ctl: SimControl) -> None:
    key_id = await _ready_key(aura, ctl)
    created = await aura.create_running(
        type="enterprise-db",
        cloud_provider="aws",
        region="us-east-1",
        customer_managed_key_id=key_id,
    )
    assert (await aura.get(created["id"]))["customer_managed_key_id"] == key_id

    in_use = await aura.api.delete(f"/customer-managed-keys/{key_id}")
    await aura.api.delete(f"/instances/{created['id']}")
    await ctl.advance(aura.config.durations.destroying)
    deleted = await aura.api.delete(f"/customer-managed-keys/{key_id}")
    missing = await aura.api.get(f"/customer-managed-keys/{key_id}")

    assert in_use.status_code == 400
    assert error_of(in_use)["reason"] == "encryption-key-is-active"
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert missing.status_code == 404
    assert error_of(missing)["reason"] == "encryption-key-not-found"


async def test_keys_only_for_vdc_and_enterprise_ds(aura: Aura, ctl: SimControl) -> None:
    key_id = await _ready_key(aura, ctl)

    response = await aura.api.post(
        "/instances",
        json=instance_body(
            cloud_provider="aws", region="us-east-1", customer_managed_key_id=key_id
        ),
    )

    assert response.status_code == 400
    assert error_of(response)["reason"] == "database-incapable-of-action"


async def test_pending_key_cannot_be_used_yet(aura: Aura) -> None:
    key_id = (await aura.api.post("/customer-managed-keys", json=KEY_BODY)).json()["data"]["id"]

    response = await aura.api.post(
        "/instances",
        json=instance_body(
            type="enterprise-db",
            cloud_provider="aws",
            region="us-east-1",
            customer_managed_key_id=key_id,
        ),
    )

    assert response.status_code == 400
    assert error_of(response)["reason"] == "encryption-key-not-ready"


async def test_overwrite_without_a_source_is_400(aura: Aura) -> None:
    target = await aura.create_running()

    response = await aura.action(target["id"], "overwrite", {})

    assert response.status_code == 400
    assert error_of(response)["field"] == "source_instance_id"
