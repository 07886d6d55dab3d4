"""Behaviour 4, first half: create, list, get, provisioning, validation, limits."""

from __future__ import annotations

from typing import Any

import pytest
from simulator_helpers import OTHER_TENANT_ID, TENANT_ID, Aura, SimControl, error_of, instance_body

CREATE_SHAPE = {
    "id",
    "connection_url",
    "username",
    "password",
    "tenant_id",
    "cloud_provider",
    "region",
    "name",
    "type",
    "created_at",
    "vector_optimized",
    "graph_analytics_plugin",
}
SUMMARY_SHAPE = {"id", "name", "tenant_id", "cloud_provider", "created_at"}


async def test_create_returns_202_with_the_create_only_shape(aura: Aura) -> None:
    response = await aura.api.post("/instances", json=instance_body(name="orders"))

    assert response.status_code == 202
    created = response.json()["data"]
    assert set(created) == CREATE_SHAPE
    assert created["username"] == "neo4j"
    assert len(created["password"]) >= 20
    assert created["connection_url"] == f"neo4j+s://{created['id']}.databases.neo4j.io"
    assert created["name"] == "orders"
    assert created["tenant_id"] == TENANT_ID


async def test_password_is_never_returned_again(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    instance_id, password = created["id"], created["password"]
    responses = [
        await aura.api.get(f"/instances/{instance_id}"),
        await aura.api.get("/instances"),
        await aura.api.patch(f"/instances/{instance_id}", json={"name": "renamed"}),
        await aura.api.patch(f"/instances/{instance_id}", json={"memory": "2GB"}),
    ]
    await ctl.advance(aura.config.durations.updating)
    responses += [
        await aura.action(instance_id, "pause"),
        await aura.api.get(f"/instances/{instance_id}"),
    ]
    await ctl.advance(aura.config.durations.pausing)
    responses.append(await aura.action(instance_id, "resume"))
    await ctl.advance(aura.config.durations.resuming)
    responses.append(await aura.api.delete(f"/instances/{instance_id}"))

    assert all(r.is_success for r in responses), [r.text for r in responses]
    for response in responses:
        assert password not in response.text
        assert '"password"' not in response.text
        assert '"username"' not in response.text


async def test_list_returns_summaries_only_and_filters_by_tenant(aura: Aura) -> None:
    first = await aura.create(name="a")
    second = await aura.create(name="b", tenant_id=OTHER_TENANT_ID)

    everything = (await aura.api.get("/instances")).json()["data"]
    filtered = (await aura.api.get("/instances", params={"tenantId": OTHER_TENANT_ID})).json()

    assert [i["id"] for i in everything] == [first["id"], second["id"]]
    assert all(set(i) == SUMMARY_SHAPE for i in everything)
    assert [i["id"] for i in filtered["data"]] == [second["id"]]


async def test_list_with_unknown_tenant_is_404(aura: Aura) -> None:
    response = await aura.api.get("/instances", params={"tenantId": "nope"})

    assert response.status_code == 404
    assert error_of(response)["reason"] == "tenant-not-found"


async def test_status_walks_creating_to_running_over_the_configured_duration(
    aura: Aura, ctl: SimControl
) -> None:
    created = await aura.create()
    creating = aura.config.durations.creating

    assert await aura.status(created["id"]) == "creating"
    await ctl.advance(creating - 1)
    assert await aura.status(created["id"]) == "creating"
    await ctl.advance(1)
    assert await aura.status(created["id"]) == "running"


async def test_get_unknown_instance_is_404_db_not_found(aura: Aura) -> None:
    response = await aura.api.get("/instances/deadbeef")

    assert response.status_code == 404
    assert error_of(response) == {"message": "DB not found: deadbeef", "reason": "db-not-found"}


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"region": "mars-north1"}, "region", "invalid-region"),
        ({"region": "us-east-1"}, "region", "invalid-region"),  # exists, but on aws
        ({"cloud_provider": "ibm"}, "cloud_provider", "invalid-cloud-provider"),
        ({"type": "premium-db"}, "type", "invalid-instance-type"),
        ({"memory": "3GB"}, "memory", "invalid-memory-size"),
        ({"memory": "1024GB"}, "memory", "invalid-memory-size"),
        ({"memory": "8GB", "storage": "8GB"}, "storage", "invalid-memory-size"),
        ({"version": "4"}, "version", "invalid-version"),
        ({"name": ""}, "name", "invalid-name"),
        ({"name": "x" * 31}, "name", "invalid-name"),
        ({"name": " padded"}, "name", "invalid-name"),
        ({"name": "padded "}, "name", "invalid-name"),
        ({"name": None}, "name", "missing-field"),
        ({"memory": None}, "memory", "missing-field"),
        ({"memory": 8}, "memory", "invalid-request"),
        ({"vector_optimized": True, "memory": "2GB"}, "vector_optimized", None),
        (
            {"graph_analytics_plugin": True, "type": "professional-ds"},
            "graph_analytics_plugin",
            None,
        ),
    ],
)
async def test_invalid_create_is_400_naming_the_field(
    aura: Aura, ctl: SimControl, overrides: dict[str, Any], field: str, reason: str | None
) -> None:
    response = await aura.api.post("/instances", json=instance_body(**overrides))

    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == field
    assert error["reason"] == (reason or "database-incapable-of-action")
    assert await ctl.instances() == []


async def test_unicode_names_up_to_30_characters_are_valid(aura: Aura) -> None:
    created = await aura.create(name="Graph ünïcødé 数据库 " + "x" * 12)

    assert len(created["name"]) == 30


async def test_unknown_tenant_on_create_is_404(aura: Aura) -> None:
    response = await aura.api.post("/instances", json=instance_body(tenant_id="nope"))

    assert response.status_code == 404
    assert error_of(response)["reason"] == "tenant-not-found"


async def test_validation_uses_the_tenants_own_configurations(aura: Aura) -> None:
    ok = await aura.api.post("/instances", json=instance_body(memory="512GB", type="enterprise-db"))
    free_elsewhere = await aura.api.post(
        "/instances", json=instance_body(type="free-db", cloud_provider="aws", region="us-east-1")
    )

    assert ok.status_code == 202
    assert free_elsewhere.status_code == 400
    assert error_of(free_elsewhere)["field"] == "type"


async def test_duplicate_names_create_distinct_instances(aura: Aura) -> None:
    first = await aura.create(name="same")
    second = await aura.create(name="same")

    listed = (await aura.api.get("/instances")).json()["data"]

    assert first["id"] != second["id"]
    assert [i["name"] for i in listed] == ["same", "same"]


async def test_second_free_db_is_refused_with_405(aura: Aura) -> None:
    await aura.create(type="free-db")

    response = await aura.api.post("/instances", json=instance_body(type="free-db"))

    assert response.status_code == 405
    assert "maximum instances limit" in error_of(response)["message"]


async def test_free_db_limit_status_is_configurable(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(free_db_limit_status=400)
    await aura.create(type="free-db")

    response = await aura.api.post("/instances", json=instance_body(type="free-db"))

    assert response.status_code == 400


async def test_free_db_can_be_created_again_once_the_first_is_gone(
    aura: Aura, ctl: SimControl
) -> None:
    first = await aura.create_running(type="free-db")
    await aura.api.delete(f"/instances/{first['id']}")
    await ctl.advance(aura.config.durations.destroying)

    response = await aura.api.post("/instances", json=instance_body(type="free-db"))

    assert response.status_code == 202


async def test_max_instances_limit_gives_405(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(max_instances=1)
    await aura.create()

    response = await aura.api.post("/instances", json=instance_body())

    assert response.status_code == 405


async def test_missing_billing_details_switch(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(missing_billing_details=True)

    response = await aura.api.post("/instances", json=instance_body())

    assert response.status_code == 400
    assert error_of(response)["reason"] == "missing-billing-details"


async def test_unknown_request_fields_are_ignored_or_rejected(aura: Aura, ctl: SimControl) -> None:
    body = instance_body(colour="blue")
    ignored = await aura.api.post("/instances", json=body)
    await ctl.faults(unknown_request_fields="reject")

    rejected = await aura.api.post("/instances", json=body)

    assert ignored.status_code == 202
    assert rejected.status_code == 400
    assert error_of(rejected)["field"] == "colour"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""], ids=["garbage", "array", "empty"])
async def test_malformed_create_body_is_400(aura: Aura, body: bytes) -> None:
    response = await aura.api.post(
        "/instances", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("instance_type", "present", "absent"),
    [
        (
            "free-db",
            {"graph_nodes", "graph_relationships"},
            {"storage", "secondaries_count", "cdc_enrichment_mode", "metrics_integration_url"},
        ),
        (
            "professional-db",
            {"storage"},
            {"graph_nodes", "secondaries_count", "cdc_enrichment_mode", "metrics_integration_url"},
        ),
        (
            "business-critical",
            {"storage", "cdc_enrichment_mode", "metrics_integration_url"},
            {"graph_nodes", "secondaries_count"},
        ),
        (
            "enterprise-db",
            {"storage", "secondaries_count", "cdc_enrichment_mode", "metrics_integration_url"},
            {"graph_nodes"},
        ),
        (
            "professional-ds",
            {"storage"},
            {"graph_nodes", "secondaries_count", "cdc_enrichment_mode"},
        ),
    ],
)
async def test_get_fields_depend_on_the_tier(
    aura: Aura, instance_type: str, present: set[str], absent: set[str]
) -> None:
    created = await aura.create_running(type=instance_type)

    instance = await aura.get(created["id"])

    common = {"id", "name", "status", "connection_url", "created_at", "tenant_id"}
    common |= {"cloud_provider", "region", "type", "memory"}
    assert common <= set(instance)
    assert present <= set(instance)
    assert not absent & set(instance)
    assert instance["vector_optimized"] is False
    assert instance["graph_analytics_plugin"] is False
    assert "customer_managed_key_id" not in instance
    if instance_type == "free-db":
        assert instance["graph_nodes"] == "0"
        assert isinstance(instance["graph_relationships"], str)


async def test_get_shows_the_requested_size_and_flags(aura: Aura) -> None:
    created = await aura.create_running(memory="8GB", vector_optimized=True)

    instance = await aura.get(created["id"])

    assert (instance["memory"], instance["storage"]) == ("8GB", "16GB")
    assert instance["vector_optimized"] is True
