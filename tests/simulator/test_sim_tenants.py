"""Behaviour 3 (and model item 19): tenants, their configurations, metrics integration."""

from __future__ import annotations

import httpx
import pytest
from simulator_helpers import OTHER_TENANT_ID, TENANT_ID, Aura, client, error_of, fetch_token

from aura_devtools.simulator import Simulator, SimulatorConfig, Tenant
from aura_devtools.simulator.config import (
    CLOUD_PROVIDERS,
    INSTANCE_TYPES,
    MEMORY_LADDER_GB,
    InstanceConfiguration,
)


async def test_list_tenants_returns_id_and_name_only(api: httpx.AsyncClient) -> None:
    response = await api.get("/tenants")

    assert response.json()["data"] == [
        {"id": TENANT_ID, "name": "Demo Production"},
        {"id": OTHER_TENANT_ID, "name": "Demo Staging"},
    ]


async def test_get_tenant_returns_the_default_configuration_ladder(api: httpx.AsyncClient) -> None:
    response = await api.get(f"/tenants/{TENANT_ID}")

    tenant = response.json()["data"]
    assert set(tenant) == {"id", "name", "instance_configurations"}
    configs = tenant["instance_configurations"]
    assert all(
        set(c)
        == {"region", "region_name", "type", "memory", "storage", "version", "cloud_provider"}
        for c in configs
    )
    assert {c["cloud_provider"] for c in configs} == set(CLOUD_PROVIDERS)
    assert {c["type"] for c in configs} == set(INSTANCE_TYPES)
    assert {c["version"] for c in configs} == {"5"}
    professional = {c["memory"] for c in configs if c["type"] == "professional-db"}
    assert professional == {f"{gb}GB" for gb in MEMORY_LADDER_GB}
    assert all(int(c["storage"][:-2]) == 2 * int(c["memory"][:-2]) for c in configs)


async def test_unknown_tenant_is_404_tenant_not_found(api: httpx.AsyncClient) -> None:
    response = await api.get("/tenants/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert error_of(response)["reason"] == "tenant-not-found"


async def test_projects_is_an_alias_of_tenants(api: httpx.AsyncClient) -> None:
    tenants = await api.get("/tenants")
    projects = await api.get("/projects")

    assert projects.json() == tenants.json()


async def test_configured_tenants_and_configurations_are_served() -> None:
    only = InstanceConfiguration(
        cloud_provider="aws",
        region="us-east-1",
        region_name="N. Virginia (us-east-1)",
        type="enterprise-db",
        memory="16GB",
        storage="32GB",
    )
    config = SimulatorConfig(
        tenants=[Tenant(id="t-1", name="Only", instance_configurations=[only])]
    )
    async with Simulator(config) as sim, client(sim.base_url) as http:
        token = await fetch_token(http)
        response = await http.get("/v1/tenants/t-1", headers={"Authorization": f"Bearer {token}"})

    assert response.json()["data"]["instance_configurations"] == [only.model_dump()]


@pytest.mark.parametrize("instance_type", ["business-critical", "enterprise-db"])
async def test_metrics_integration_needs_an_eligible_instance(
    aura: Aura, instance_type: str
) -> None:
    path = f"/tenants/{TENANT_ID}/metrics-integration"
    refused = await aura.api.get(path)
    await aura.create(type=instance_type)

    response = await aura.api.get(path)

    assert refused.status_code == 400
    assert error_of(refused)["reason"] == "tenant-incapable-of-action"
    assert response.status_code == 200
    assert response.json()["data"] == {
        "endpoint": f"https://customer-metrics-api.neo4j.io/api/v1/{TENANT_ID}/metrics"
    }
