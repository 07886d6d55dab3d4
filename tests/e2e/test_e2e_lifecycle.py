"""Create, update, pause, resume and delete, end to end."""

from __future__ import annotations

import logging

import httpx
import pytest
from e2e_harness import Harness, condition, is_ready

from aura_devtools.simulator.config import Durations

pytestmark = pytest.mark.e2e


async def test_create_reaches_ready_with_the_secret_and_status(operator: Harness) -> None:
    await operator.apply("movies")

    obj = await operator.wait_ready("movies")

    status = obj["status"]
    [instance] = await operator.aura_instances()
    assert status["instanceId"] == instance["id"]
    assert status["auraStatus"] == "running"
    assert status["phase"] == "Ready"
    assert status["memory"] == "2GB"
    assert status["connectionUrl"] == f"neo4j+s://{instance['id']}.databases.neo4j.io"
    assert status["connectionSecretName"] == "movies-connection"
    assert "createIntent" not in status
    assert condition(obj, "CredentialsAvailable")["status"] == "True"
    assert condition(obj, "Synced")["status"] == "True"
    assert condition(obj, "Stalled")["status"] == "False"
    # The read that saw the instance running (the first after its create ended), not whatever
    # came last: tenant-wide listings and drift reads follow on their own schedule.
    [post] = await operator.aura_requests("POST", "/v1/instances")
    running_at = post["time"] + Durations().creating
    reads = await operator.aura_requests("GET", f"/v1/instances/{instance['id']}")
    seen_running = next(r for r in reads if r["time"] >= running_at)
    assert status["lastRequestId"] == seen_running["request_id"]
    secret = await operator.secret("movies-connection")
    assert secret == {
        "NEO4J_URI": status["connectionUrl"],
        "NEO4J_USERNAME": "neo4j",
        "NEO4J_PASSWORD": instance["password"],
        "NEO4J_DATABASE": "neo4j",
        "AURA_INSTANCEID": instance["id"],
        "AURA_INSTANCENAME": "movies",
    }
    assert obj["metadata"]["finalizers"] == ["aura.neo4j.io/finalizer"]
    annotations = obj["metadata"].get("annotations", {})
    assert not [k for k in annotations if k.startswith("kopf.")]  # kopf's state: our prefix
    assert "aura.neo4j.io/last-handled-configuration" in annotations
    created = await operator.wait_event("movies", "Created")
    assert post["request_id"] in created["message"]


async def test_a_spec_change_is_reflected_in_observed_generation(operator: Harness) -> None:
    await operator.apply("movies")
    first = await operator.wait_ready("movies")

    changed = await operator.patch_spec("movies", {"memory": "4GB"})

    assert changed["metadata"]["generation"] == first["metadata"]["generation"] + 1
    assert not is_ready(changed)  # the old Ready is for the old generation
    obj = await operator.wait_ready("movies")
    assert obj["status"]["observedGeneration"] == changed["metadata"]["generation"]
    assert obj["status"]["memory"] == "4GB"


async def test_resize_patches_memory_and_emits_an_event_with_the_request_id(
    operator: Harness,
) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")
    instance_id = obj["status"]["instanceId"]

    await operator.patch_spec("movies", {"memory": "8GB"})

    await operator.wait("movies", lambda o: is_ready(o) and o["status"]["memory"] == "8GB")
    aura = await operator.wait_aura(instance_id, lambda i: i["memory"] == "8GB")
    assert aura["storage"] == "16GB"
    [patch] = await operator.aura_requests("PATCH", f"/v1/instances/{instance_id}")
    event = await operator.wait_event("movies", "Updated")
    assert patch["request_id"] in event["message"]


async def test_rename_changes_the_aura_name(operator: Harness) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")

    await operator.patch_spec("movies", {"name": "movies-eu"})

    await operator.wait_ready("movies")
    aura = await operator.wait_aura(obj["status"]["instanceId"], lambda i: i["name"] == "movies-eu")
    assert aura["name"] == "movies-eu"


async def test_pause_and_resume_follow_spec_paused(operator: Harness) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")
    instance_id = obj["status"]["instanceId"]

    await operator.patch_spec("movies", {"paused": True})
    paused = await operator.wait(
        "movies", lambda o: is_ready(o) and o["status"]["phase"] == "Paused"
    )
    assert paused["status"]["auraStatus"] == "paused"

    await operator.patch_spec("movies", {"paused": False})
    resumed = await operator.wait(
        "movies", lambda o: is_ready(o) and o["status"]["phase"] == "Ready"
    )
    assert resumed["status"]["auraStatus"] == "running"
    actions = [r["path"] for r in await operator.aura_requests("POST")]
    assert actions.count(f"/v1/instances/{instance_id}/pause") == 1
    assert actions.count(f"/v1/instances/{instance_id}/resume") == 1


async def test_delete_under_retain_keeps_the_instance_and_the_secret(operator: Harness) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")

    await operator.kube.delete("aurainstances", "movies", namespace=operator.namespace)

    await operator.kube.wait_gone("aurainstances", "movies", namespace=operator.namespace)
    [instance] = await operator.aura_instances()
    assert instance["id"] == obj["status"]["instanceId"]
    assert not await operator.aura_requests("DELETE")
    assert (await operator.secret("movies-connection")) is not None


async def test_delete_under_delete_destroys_the_instance_first(operator: Harness) -> None:
    await operator.apply("movies", {"deletionPolicy": "Delete"})
    obj = await operator.wait_ready("movies")
    instance_id = obj["status"]["instanceId"]

    await operator.kube.delete("aurainstances", "movies", namespace=operator.namespace)

    await operator.kube.wait_gone("aurainstances", "movies", namespace=operator.namespace)
    assert await operator.aura_instances() == []
    [delete] = await operator.aura_requests("DELETE", f"/v1/instances/{instance_id}")
    assert delete["status"] == 202
    gets = await operator.aura_requests("GET", f"/v1/instances/{instance_id}")
    assert gets[-1]["status"] == 404  # the finalizer waited for Aura to finish


async def test_metrics_count_aura_calls_and_instances_by_phase(operator: Harness) -> None:
    await operator.apply("movies")
    await operator.wait_ready("movies")
    port = operator.memo.metrics_port

    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text

    assert 'aura_requests_total{code="202",endpoint="create_instance",method="POST"} 1.0' in text
    assert 'aura_instances{phase="Ready"} 1.0' in text
    assert "aura_limiter_wait_seconds_count" in text
    assert 'aura_limiter_queue_depth{lane="intent"} 0.0' in text


async def test_no_secret_reaches_logs_events_or_status(
    operator: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")
    [instance] = await operator.aura_instances()
    issued = operator.sim.state.tokens.issued()  # the bearer tokens the operator got

    secrets = [instance["password"], "demo-secret", *issued]
    assert issued
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    events = repr(await operator.events("movies"))
    for secret in secrets:
        assert secret not in logged
        assert secret not in events
        assert secret not in repr(obj)


async def test_secondaries_and_cdc_are_patched_once_the_instance_runs(operator: Harness) -> None:
    await operator.apply(
        "orders",
        {
            "type": "enterprise-db",
            "memory": "4GB",
            "secondariesCount": 2,
            "cdcEnrichmentMode": "DIFF",
        },
    )

    obj = await operator.wait_ready("orders", within=20)

    instance_id = obj["status"]["instanceId"]
    aura = await operator.wait_aura(instance_id, lambda i: i["status"] == "running")
    assert (aura["secondaries_count"], aura["cdc_enrichment_mode"]) == (2, "DIFF")
    [patch] = await operator.aura_requests("PATCH", f"/v1/instances/{instance_id}")
    assert patch["status"] == 202


async def test_a_busy_instance_is_waited_out_not_reported_as_an_error(operator: Harness) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies")
    instance_id = obj["status"]["instanceId"]
    await operator.sim_post(f"/_sim/instances/{instance_id}/busy", {"busy": True})

    await operator.patch_spec("movies", {"memory": "4GB"})
    busy = await operator.wait(
        "movies", lambda o: condition(o, "Ready").get("reason") == "AuraBusy"
    )
    assert condition(busy, "Stalled").get("status") != "True"
    await operator.sim_post(f"/_sim/instances/{instance_id}/busy", {"busy": False})

    await operator.wait("movies", lambda o: is_ready(o) and o["status"]["memory"] == "4GB", 20)
    patches = await operator.aura_requests("PATCH", f"/v1/instances/{instance_id}")
    assert patches[0]["status"] == 409
    assert patches[-1]["status"] == 202


async def test_kopf_names_each_handler_by_its_id(
    operator: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="kopf")
    await operator.apply("movies")
    await operator.wait_ready("movies")

    messages = [r.getMessage() for r in caplog.records if r.name.startswith("kopf")]
    assert "Handler 'aurainstance-created' succeeded." in messages
    assert not [m for m in messages if "<locals>" in m]
