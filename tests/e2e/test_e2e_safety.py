"""The promises under failure: no duplicate, no lost password, no surprise, no storm."""

from __future__ import annotations

import asyncio

import pytest
from e2e_harness import TENANT, Harness, condition, is_ready

pytestmark = pytest.mark.e2e


async def test_an_invalid_memory_is_reported_naming_the_field_and_not_retried(
    operator: Harness,
) -> None:
    await operator.apply("movies", {"memory": "3GB"})  # the pattern allows it; Aura does not

    obj = await operator.wait("movies", lambda o: condition(o, "Synced").get("status") == "False")

    synced = condition(obj, "Synced")
    assert synced["reason"] == "InvalidMemorySize" or "memory" in synced["message"]
    assert "field memory" in synced["message"]
    assert condition(obj, "Stalled")["status"] == "True"
    [post] = await operator.aura_requests("POST", "/v1/instances")
    assert post["request_id"] in synced["message"]
    assert obj["status"]["lastRequestId"] == post["request_id"]
    await asyncio.sleep(1.0)  # more than 10 minutes of Aura time: no storm, no retry
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1

    await operator.patch_spec("movies", {"memory": "4GB"})  # a spec change tries again
    await operator.wait_ready("movies")
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 2
    assert len(await operator.aura_instances()) == 1


async def test_killed_after_aura_committed_the_create_restarts_without_a_duplicate(
    operator: Harness,
) -> None:
    await operator.faults(create_commit_then_fail="hang")
    await operator.apply("movies")
    await operator.poll(operator.aura_instances)
    obj = await operator.get("movies")
    assert obj["status"]["createIntent"]["name"] == "movies"  # persisted before the POST
    assert "instanceId" not in obj["status"]

    await operator.stop_operator()  # the answer with the password is lost with the process
    await operator.start_operator()

    obj = await operator.wait_ready("movies")
    [instance] = await operator.aura_instances()
    assert obj["status"]["instanceId"] == instance["id"]
    [post] = await operator.aura_requests("POST", "/v1/instances")
    assert post["status"] is None  # the one create, whose answer the killed process never read
    credentials = condition(obj, "CredentialsAvailable")
    assert (credentials["status"], credentials["reason"]) == ("False", "PasswordNotRecoverable")
    secret = await operator.secret("movies-connection")
    assert secret is not None
    assert secret["AURA_INSTANCEID"] == instance["id"]
    assert "NEO4J_PASSWORD" not in secret
    warning = await operator.wait_event("movies", "AdoptedAfterLostAnswer")
    assert warning["type"] == "Warning"
    listings = await operator.aura_requests("GET", "/v1/instances")  # traceable: which one
    assert any(f"request id {r['request_id']}" in warning["message"] for r in listings)


async def test_a_dropped_create_answer_is_recovered_by_listing_not_by_posting_again(
    operator: Harness,
) -> None:
    await operator.faults(create_commit_then_fail="drop")
    await operator.apply("movies")

    obj = await operator.wait_ready("movies")

    assert len(await operator.aura_instances()) == 1
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1
    assert await operator.aura_requests("GET", "/v1/instances")  # the recovery listing
    assert condition(obj, "CredentialsAvailable")["reason"] == "PasswordNotRecoverable"


async def test_a_429_storm_and_a_5xx_burst_during_create_converge_without_duplicates(
    operator: Harness,
) -> None:
    # Aura seconds: 5 real seconds at the harness's time scale, ended as soon as it has hit.
    await operator.faults(rate_limit_storm_seconds=3000, error_rate=0.5, error_codes=[502, 503])
    await operator.apply("movies")
    await operator.apply("books")

    async def throttled() -> bool:
        return any(r["status"] == 429 for r in await operator.aura_requests())

    await operator.poll(throttled)  # the storm has hit the operator (not a guessed delay)
    await operator.faults(rate_limit_storm_seconds=0, error_rate=0.0)

    await operator.wait_ready("movies", within=30)
    await operator.wait_ready("books", within=30)

    names = sorted(i["name"] for i in await operator.aura_instances())
    assert names == ["books", "movies"]


async def test_a_missing_credentials_secret_stalls_naming_it(operator: Harness) -> None:
    await operator.apply("movies", {"credentialsSecretRef": {"name": "team-aura"}})

    obj = await operator.wait("movies", lambda o: condition(o, "Stalled").get("status") == "True")

    stalled = condition(obj, "Stalled")
    assert stalled["reason"] == "CredentialsMissing"
    assert f"{operator.namespace}/team-aura" in stalled["message"]
    assert not await operator.aura_requests("POST", "/v1/instances")

    await operator.create_credentials("team-aura")
    await operator.wait_ready("movies", within=20)


async def test_an_instance_deleted_behind_the_operators_back_is_reported_not_recreated(
    operator: Harness,
) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")
    instance_id = obj["status"]["instanceId"]
    assert (await operator.aura_call("DELETE", f"/instances/{instance_id}")).status_code == 202
    await operator.wait_aura(instance_id, lambda i: i.get("deleted") or i["status"] == "x", 5)
    await operator.sim_post("/_sim/clock", {"advance": 600})

    await operator.annotate("movies", {"aura.neo4j.io/sync-now": "1"})
    obj = await operator.wait("movies", lambda o: condition(o, "Stalled").get("status") == "True")

    assert condition(obj, "Stalled")["reason"] == "InstanceNotFound"
    assert instance_id in condition(obj, "Stalled")["message"]
    await asyncio.sleep(0.5)
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1


async def test_observe_only_adoption_reads_and_never_writes(operator: Harness) -> None:
    created = await operator.aura_call(
        "POST",
        "/instances",
        {
            "name": "legacy",
            "tenant_id": TENANT,
            "cloud_provider": "gcp",
            "region": "europe-west1",
            "type": "professional-db",
            "memory": "4GB",
            "version": "5",
        },
    )
    instance_id = created.json()["data"]["id"]
    await operator.sim_post("/_sim/clock", {"advance": 600})
    before = len(await operator.aura_requests())

    await operator.apply(
        "legacy",
        {"instanceId": instance_id, "managementPolicy": "ObserveOnly", "memory": "16GB"},
    )
    obj = await operator.wait_ready("legacy")

    assert obj["status"]["memory"] == "4GB"  # observed, not changed to the spec's 16GB
    calls = (await operator.aura_requests())[before:]
    assert {c["method"] for c in calls if c["path"] != "/oauth/token"} == {"GET"}
    assert (await operator.secret("legacy-connection"))["AURA_INSTANCEID"] == instance_id  # type: ignore[index]


async def test_drift_made_in_the_console_is_reverted_with_an_event(operator: Harness) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")
    instance_id = obj["status"]["instanceId"]
    response = await operator.aura_call("PATCH", f"/instances/{instance_id}", {"memory": "8GB"})
    assert response.status_code == 202
    await operator.sim_post("/_sim/clock", {"advance": 600})

    await operator.annotate("movies", {"aura.neo4j.io/sync-now": "drift-check"})

    event = await operator.wait_event("movies", "DriftReverted")
    assert "memory" in event["message"]
    await operator.wait_aura(
        instance_id, lambda i: i["memory"] == "2GB" and i["status"] == "running"
    )
    await operator.wait("movies", lambda o: is_ready(o) and o["status"]["memory"] == "2GB")


async def test_reconcile_disabled_stops_every_write(operator: Harness) -> None:
    await operator.apply("movies", annotations={"aura.neo4j.io/reconcile": "disabled"})

    obj = await operator.wait(
        "movies", lambda o: condition(o, "Ready").get("reason") == "ReconcileDisabled"
    )

    assert not await operator.aura_requests("POST", "/v1/instances")
    assert "instanceId" not in obj["status"]
