"""Behaviour 4, second half: PATCH, DELETE, pause/resume, upgrade and busy conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from simulator_helpers import Aura, SimControl, error_of


async def test_rename_is_200_and_immediate(aura: Aura) -> None:
    created = await aura.create_running()

    response = await aura.api.patch(f"/instances/{created['id']}", json={"name": "new-name"})

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "new-name"
    assert response.json()["data"]["status"] == "running"
    assert (await aura.get(created["id"]))["name"] == "new-name"


async def test_resize_is_202_updating_then_running_with_new_size(
    aura: Aura, ctl: SimControl
) -> None:
    created = await aura.create_running(memory="2GB")

    response = await aura.api.patch(f"/instances/{created['id']}", json={"memory": "8GB"})

    assert response.status_code == 202
    body = response.json()["data"]
    assert (body["status"], body["memory"]) == ("updating", "2GB")
    await ctl.advance(aura.config.durations.updating - 1)
    assert await aura.status(created["id"]) == "updating"
    await ctl.advance(1)
    instance = await aura.get(created["id"])
    assert (instance["status"], instance["memory"], instance["storage"]) == (
        "running",
        "8GB",
        "16GB",
    )


async def test_rename_together_with_resize_is_202(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()

    response = await aura.api.patch(
        f"/instances/{created['id']}", json={"name": "bigger", "memory": "4GB"}
    )

    assert response.status_code == 202
    assert response.json()["data"]["name"] == "bigger"
    assert response.json()["data"]["status"] == "updating"


@pytest.mark.parametrize(
    ("instance_type", "patch", "field"),
    [
        ("professional-db", {"vector_optimized": True, "memory": "4GB"}, "vector_optimized"),
        ("professional-db", {"graph_analytics_plugin": True}, "graph_analytics_plugin"),
        ("enterprise-db", {"secondaries_count": 3}, "secondaries_count"),
        ("business-critical", {"cdc_enrichment_mode": "DIFF"}, "cdc_enrichment_mode"),
        ("enterprise-db", {"cdc_enrichment_mode": "FULL"}, "cdc_enrichment_mode"),
    ],
)
async def test_feature_toggles_are_202_and_applied_when_running(
    aura: Aura, ctl: SimControl, instance_type: str, patch: dict[str, Any], field: str
) -> None:
    created = await aura.create_running(type=instance_type)

    response = await aura.api.patch(f"/instances/{created['id']}", json=patch)

    assert response.status_code == 202
    assert response.json()["data"]["status"] == "updating"
    await ctl.advance(aura.config.durations.updating)
    instance = await aura.get(created["id"])
    assert instance["status"] == "running"
    assert instance[field] == patch[field]


@pytest.mark.parametrize(
    ("instance_type", "patch", "field"),
    [
        ("professional-db", {"secondaries_count": 2}, "secondaries_count"),
        ("business-critical", {"secondaries_count": 2}, "secondaries_count"),
        ("professional-db", {"cdc_enrichment_mode": "DIFF"}, "cdc_enrichment_mode"),
        ("professional-db", {"vector_optimized": True}, "vector_optimized"),
        ("professional-ds", {"graph_analytics_plugin": True}, "graph_analytics_plugin"),
    ],
)
async def test_tier_illegal_patch_is_400_database_incapable_of_action(
    aura: Aura, instance_type: str, patch: dict[str, Any], field: str
) -> None:
    created = await aura.create_running(type=instance_type, memory="2GB")

    response = await aura.api.patch(f"/instances/{created['id']}", json=patch)

    assert response.status_code == 400
    assert error_of(response)["reason"] == "database-incapable-of-action"
    assert error_of(response)["field"] == field
    assert await aura.status(created["id"]) == "running"


@pytest.mark.parametrize(
    ("patch", "field", "reason"),
    [
        ({"type": "enterprise-db"}, "type", "immutable-field"),
        ({"region": "us-central1"}, "region", "immutable-field"),
        ({"tenant_id": "other"}, "tenant_id", "immutable-field"),
        ({"memory": "3GB"}, "memory", "invalid-memory-size"),
        ({"memory": "4GB", "storage": "4GB"}, "storage", "invalid-memory-size"),
        ({"name": " spaced "}, "name", "invalid-name"),
        ({"secondaries_count": "2"}, "secondaries_count", "invalid-request"),
        ({}, None, "invalid-request"),
    ],
)
async def test_invalid_patch_is_400(
    aura: Aura, patch: dict[str, Any], field: str | None, reason: str
) -> None:
    created = await aura.create_running(type="enterprise-db")

    response = await aura.api.patch(f"/instances/{created['id']}", json=patch)

    assert response.status_code == 400
    assert error_of(response).get("field") == field
    assert error_of(response)["reason"] == reason


async def test_delete_is_202_destroying_then_404(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    path = f"/instances/{created['id']}"

    response = await aura.api.delete(path)

    assert response.status_code == 202
    assert response.json()["data"]["status"] == "destroying"
    assert await aura.status(created["id"]) == "destroying"
    assert [i["id"] for i in (await aura.api.get("/instances")).json()["data"]] == [created["id"]]
    again = await aura.api.delete(path)
    assert again.status_code == 404
    await ctl.advance(aura.config.durations.destroying)
    gone = await aura.api.get(path)
    assert gone.status_code == 404
    assert error_of(gone)["reason"] == "db-not-found"
    assert (await aura.api.get("/instances")).json()["data"] == []
    assert (await aura.api.delete(path)).status_code == 404


async def test_pause_and_resume_walk_their_statuses(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    durations = aura.config.durations

    paused = await aura.action(created["id"], "pause")
    assert (paused.status_code, paused.json()["data"]["status"]) == (202, "pausing")
    await ctl.advance(durations.pausing)
    assert await aura.status(created["id"]) == "paused"
    resumed = await aura.action(created["id"], "resume")
    assert (resumed.status_code, resumed.json()["data"]["status"]) == (202, "resuming")
    assert resumed.json()["data"]["connection_url"] is None
    await ctl.advance(durations.resuming)
    instance = await aura.get(created["id"])
    assert instance["status"] == "running"
    assert instance["connection_url"] is not None


@pytest.mark.parametrize("action", ["pause", "resume"])
async def test_pause_or_resume_in_the_wrong_state_is_refused(
    aura: Aura, ctl: SimControl, action: str
) -> None:
    created = await aura.create_running()
    if action == "pause":
        await aura.action(created["id"], "pause")
        await ctl.advance(aura.config.durations.pausing)

    response = await aura.action(created["id"], action)

    assert response.status_code == 409
    assert error_of(response)["reason"] == "instance-action-unavailable"


async def test_wrong_state_status_is_configurable(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(wrong_state_status=400)
    created = await aura.create_running()

    response = await aura.action(created["id"], "resume")

    assert response.status_code == 400


async def test_free_instances_cannot_be_paused(aura: Aura) -> None:
    created = await aura.create_running(type="free-db")

    response = await aura.action(created["id"], "pause")

    assert response.status_code == 420
    assert response.json() == {"error": "Action unsupported for this tier of instance"}


async def test_cdc_resets_to_off_on_pause(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running(type="business-critical")
    await aura.api.patch(f"/instances/{created['id']}", json={"cdc_enrichment_mode": "FULL"})
    await ctl.advance(aura.config.durations.updating)
    assert (await aura.get(created["id"]))["cdc_enrichment_mode"] == "FULL"

    await aura.action(created["id"], "pause")
    await ctl.advance(aura.config.durations.pausing)

    assert (await aura.get(created["id"]))["cdc_enrichment_mode"] == "OFF"


BUSY_ACTIONS: list[tuple[str, str, Any]] = [
    ("POST", "pause", {}),
    ("POST", "resume", {}),
    ("PATCH", "", {"memory": "2GB"}),
    ("PATCH", "", {"name": "rename"}),
    ("DELETE", "", None),
    ("POST", "snapshots", {}),
    ("POST", "overwrite", {"source_instance_id": "SELF"}),
    ("POST", "upgrade", {}),
]


@pytest.mark.parametrize(("method", "action", "body"), BUSY_ACTIONS)
@pytest.mark.parametrize("busy_status", ["creating", "updating", "pausing"])
async def test_any_action_on_a_busy_instance_is_409(
    aura: Aura, ctl: SimControl, method: str, action: str, body: Any, busy_status: str
) -> None:
    created = await aura.create()
    if busy_status != "creating":
        await ctl.advance(aura.config.durations.creating)
        if busy_status == "updating":
            await aura.api.patch(f"/instances/{created['id']}", json={"memory": "4GB"})
        else:
            await aura.action(created["id"], "pause")
    if body is not None and body.get("source_instance_id") == "SELF":
        body = {"source_instance_id": created["id"]}
    path = f"/instances/{created['id']}" + (f"/{action}" if action else "")

    response = await aura.api.request(method, path, json=body)

    assert response.status_code == 409
    assert error_of(response) == {
        "message": f"The database is current undergoing an operation: {busy_status}",
        "reason": "ongoing-database-operation",
    }
    assert await aura.status(created["id"]) == busy_status


async def test_busy_quirk_get_says_running_but_actions_get_409(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    await ctl.http.post(f"/_sim/instances/{created['id']}/busy", json={"busy": True})

    refused = await aura.action(created["id"], "pause")

    assert await aura.status(created["id"]) == "running"
    assert refused.status_code == 409
    assert error_of(refused)["message"].endswith(": creating")
    await ctl.http.post(f"/_sim/instances/{created['id']}/busy", json={"busy": False})
    assert (await aura.action(created["id"], "pause")).status_code == 202


async def test_upgrade_turns_professional_into_business_critical(aura: Aura) -> None:
    created = await aura.create_running(memory="4GB", graph_analytics_plugin=True)

    response = await aura.action(created["id"], "upgrade", {"memory": "8GB", "storage": "16GB"})

    assert response.status_code == 200
    upgraded = response.json()["data"]
    assert upgraded["type"] == "business-critical"
    assert (upgraded["memory"], upgraded["storage"]) == ("8GB", "16GB")
    assert upgraded["graph_analytics_plugin"] is False
    assert "metrics_integration_url" in upgraded


async def test_upgrade_needs_memory_and_storage_together(aura: Aura) -> None:
    created = await aura.create_running()

    response = await aura.action(created["id"], "upgrade", {"memory": "8GB"})

    assert response.status_code == 400
    assert error_of(response)["field"] == "storage"


async def test_sizing_estimates_memory(aura: Aura) -> None:
    response = await aura.api.post(
        "/instances/sizing", json={"node_count": 10_000_000, "relationship_count": 50_000_000}
    )

    assert response.status_code == 200
    assert response.json()["data"] == {
        "did_exceed_maximum": False,
        "min_required_memory": "8GB",
        "recommended_size": "8GB",
    }
