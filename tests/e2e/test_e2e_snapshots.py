"""AuraSnapshot end to end: one snapshot per object, lost answers recovered from the list."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import TIME_SCALE, Harness, condition, is_ready

from aura_devtools.kube_emulator import AURA_INSTANCES, AURA_SNAPSHOTS
from aura_devtools.simulator import SimulatorConfig
from aura_devtools.simulator.config import Durations
from aura_operator.api import API_VERSION
from aura_operator.api.snapshot import SNAPSHOT_KIND

pytestmark = pytest.mark.e2e


async def apply_snapshot(operator: Harness, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    body = {
        "apiVersion": API_VERSION,
        "kind": SNAPSHOT_KIND,
        "metadata": {"name": name},
        "spec": spec,
    }
    return await operator.kube.create(AURA_SNAPSHOTS, body, namespace=operator.namespace)


async def wait_snapshot(
    operator: Harness, name: str, predicate: Any = is_ready, within: float = 15.0
) -> dict[str, Any]:
    return await operator.kube.wait_for(
        AURA_SNAPSHOTS, name, predicate, namespace=operator.namespace, within=within
    )


def stalled(obj: dict[str, Any]) -> bool:
    return condition(obj, "Stalled").get("status") == "True"


async def ad_hoc_snapshots(operator: Harness, instance_id: str) -> list[dict[str, Any]]:
    snapshots = await operator.sim_get("/_sim/snapshots")
    return [s for s in snapshots if s["instance_id"] == instance_id and s["profile"] == "AdHoc"]


def snapshot_posts(requests: list[dict[str, Any]], instance_id: str) -> list[dict[str, Any]]:
    return [r for r in requests if r["path"] == f"/v1/instances/{instance_id}/snapshots"]


async def snapshot_calls(operator: Harness) -> int:
    return len([r for r in await operator.aura_requests() if "/snapshots" in r["path"]])


async def ready_instance(operator: Harness, name: str = "movies") -> str:
    await operator.apply(name)
    obj = await operator.wait_ready(name)
    return str(obj["status"]["instanceId"])


async def test_a_snapshot_of_an_aura_instance_is_taken_once_and_ready_when_completed(
    operator: Harness,
) -> None:
    instance_id = await ready_instance(operator)

    await apply_snapshot(operator, "before-migration", {"instanceRef": {"name": "movies"}})
    obj = await wait_snapshot(operator, "before-migration")

    [snapshot] = await ad_hoc_snapshots(operator, instance_id)
    status = obj["status"]
    assert status["snapshotId"] == snapshot["snapshot_id"]
    assert (status["instanceId"], status["snapshotStatus"]) == (instance_id, "Completed")
    assert status["exportable"] is True
    assert status["timestamp"].endswith("Z")
    assert "snapshotIntent" not in status
    [post] = snapshot_posts(await operator.aura_requests("POST"), instance_id)
    requested = await operator.wait_event("before-migration", "SnapshotRequested")
    assert post["request_id"] in requested["message"]
    assert requested["involvedObject"]["kind"] == "AuraSnapshot"
    await operator.wait_event("before-migration", "SnapshotCompleted")

    # Final: no more Aura calls for it; deleting it only forgets it.
    calls = await snapshot_calls(operator)
    await operator.kube.delete(AURA_SNAPSHOTS, "before-migration", namespace=operator.namespace)
    await asyncio.sleep(0.5)  # five Aura minutes
    assert (
        await operator.kube.find(AURA_SNAPSHOTS, "before-migration", namespace=operator.namespace)
        is None
    )
    assert await snapshot_calls(operator) == calls
    assert len(await ad_hoc_snapshots(operator, instance_id)) == 1


async def test_a_snapshot_by_instance_id_needs_no_aura_instance_resource(
    operator: Harness,
) -> None:
    created = await operator.aura_call(
        "POST",
        "/instances",
        {
            "name": "elsewhere",
            "tenant_id": "8c2a7e4e-5f0b-4d8e-9a51-1f3c6b2d7e01",
            "cloud_provider": "gcp",
            "region": "europe-west1",
            "type": "professional-db",
            "memory": "2GB",
            "version": "5",
        },
    )
    instance_id = created.json()["data"]["id"]
    await operator.wait_aura(instance_id, lambda i: i["status"] == "running")

    await apply_snapshot(operator, "adhoc", {"instanceId": instance_id})

    obj = await wait_snapshot(operator, "adhoc")
    assert obj["status"]["instanceId"] == instance_id
    assert len(await ad_hoc_snapshots(operator, instance_id)) == 1


@pytest.mark.parametrize("mode", ["500", "drop"])
async def test_a_lost_snapshot_answer_is_recovered_from_the_list_not_by_asking_again(
    operator: Harness, mode: str
) -> None:
    instance_id = await ready_instance(operator)
    await operator.faults(action_commit_then_fail=mode, action_commit_then_fail_on="snapshot")

    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})

    obj = await wait_snapshot(operator, "snap")
    [snapshot] = await ad_hoc_snapshots(operator, instance_id)
    assert obj["status"]["snapshotId"] == snapshot["snapshot_id"]
    assert len(snapshot_posts(await operator.aura_requests("POST"), instance_id)) == 1
    assert [r for r in await operator.aura_requests("GET") if "snapshots" in r["path"]]
    await operator.wait_event("snap", "SnapshotOutcomeUnknown")
    await operator.wait_event("snap", "AdoptedAfterLostAnswer")


async def test_killed_after_the_snapshot_post_restarts_without_a_second_snapshot(
    operator: Harness,
) -> None:
    instance_id = await ready_instance(operator)
    await operator.faults(action_commit_then_fail="hang", action_commit_then_fail_on="snapshot")
    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})

    await operator.poll(lambda: ad_hoc_snapshots(operator, instance_id))  # taken, not answered
    obj = await operator.kube.get(AURA_SNAPSHOTS, "snap", namespace=operator.namespace)
    assert obj["status"]["snapshotIntent"]["instanceId"] == instance_id  # before the POST
    await operator.stop_operator()  # the answer is lost with the process
    await operator.start_operator()

    obj = await wait_snapshot(operator, "snap")
    [snapshot] = await ad_hoc_snapshots(operator, instance_id)
    assert obj["status"]["snapshotId"] == snapshot["snapshot_id"]
    [post] = snapshot_posts(await operator.aura_requests("POST"), instance_id)
    assert post["status"] is None  # the one request, whose answer the killed process never read


async def test_two_snapshots_of_one_instance_get_two_distinct_snapshots(
    operator: Harness,
) -> None:
    instance_id = await ready_instance(operator)

    await apply_snapshot(operator, "first", {"instanceRef": {"name": "movies"}})
    first = await wait_snapshot(operator, "first")
    await apply_snapshot(operator, "second", {"instanceId": instance_id})
    second = await wait_snapshot(operator, "second")

    assert first["status"]["snapshotId"] != second["status"]["snapshotId"]
    assert len(await ad_hoc_snapshots(operator, instance_id)) == 2


async def test_a_failed_snapshot_is_stalled_and_not_retried(operator: Harness) -> None:
    instance_id = await ready_instance(operator)
    await operator.faults(snapshot_fail=True)

    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})

    obj = await wait_snapshot(operator, "snap", stalled)
    assert condition(obj, "Stalled")["reason"] == "SnapshotFailed"
    assert obj["status"]["snapshotStatus"] == "Failed"
    assert condition(obj, "Ready")["status"] == "False"
    await asyncio.sleep(0.5)  # five Aura minutes: no retry
    assert len(snapshot_posts(await operator.aura_requests("POST"), instance_id)) == 1


async def test_a_402_is_reported_naming_the_http_status_and_not_retried(
    operator: Harness,
) -> None:
    instance_id = await ready_instance(operator)
    await operator.faults(snapshots_payment_required=True)

    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})

    obj = await wait_snapshot(operator, "snap", stalled)
    assert condition(obj, "Stalled")["reason"] == "AuraRejected"
    assert "HTTP 402" in condition(obj, "Stalled")["message"]
    assert "snapshotIntent" not in obj["status"]
    [post] = snapshot_posts(await operator.aura_requests("POST"), instance_id)
    assert obj["status"]["lastRequestId"] == post["request_id"]


async def test_a_snapshot_of_an_instance_not_yet_created_waits_for_its_id(
    operator: Harness,
) -> None:
    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "later"}})
    obj = await wait_snapshot(
        operator, "snap", lambda o: condition(o, "Ready").get("reason") == "WaitingForInstance"
    )
    assert "not found" in condition(obj, "Ready")["message"]

    await operator.apply("later")

    await wait_snapshot(operator, "snap", within=30.0)


class TestRightAfterCreate:
    @pytest.fixture
    def sim_config(self) -> SimulatorConfig:
        # Aura's scheduled snapshot right after a create: ad-hoc requests get 409 meanwhile.
        # It lasts ten Aura minutes (a second here), so it is still running when asked.
        return SimulatorConfig(
            seed=11,
            time_scale=TIME_SCALE,
            initial_scheduled_snapshot=True,
            durations=Durations(snapshot=600.0),
        )

    async def test_a_409_snapshot_not_allowed_is_waited_out(self, operator: Harness) -> None:
        instance_id = await ready_instance(operator)

        await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})

        waiting = await wait_snapshot(
            operator, "snap", lambda o: condition(o, "Ready").get("reason") == "SnapshotNotAllowed"
        )
        assert "snapshot-not-allowed" in condition(waiting, "Ready")["message"]
        assert not stalled(waiting)
        obj = await wait_snapshot(operator, "snap")
        posts = snapshot_posts(await operator.aura_requests("POST"), instance_id)
        codes = [p["status"] for p in posts]
        assert (codes[0], codes[-1]) == (409, 202)
        assert len(await ad_hoc_snapshots(operator, instance_id)) == 1
        assert obj["status"]["snapshotId"]


async def test_a_snapshot_of_a_paused_instance_waits_without_a_storm(operator: Harness) -> None:
    await operator.apply("movies", {"paused": True})
    paused = await operator.wait_ready("movies", within=30.0)
    instance_id = paused["status"]["instanceId"]

    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})

    obj = await wait_snapshot(
        operator, "snap", lambda o: condition(o, "Ready").get("reason") == "InstanceNotRunning"
    )
    assert "instance-action-unavailable" in condition(obj, "Ready")["message"]
    await asyncio.sleep(0.6)  # six Aura minutes
    assert len(snapshot_posts(await operator.aura_requests("POST"), instance_id)) <= 2
    assert await ad_hoc_snapshots(operator, instance_id) == []


class TestSlowSnapshot:
    @pytest.fixture
    def sim_config(self) -> SimulatorConfig:
        # Snapshots of ten Aura minutes (a second here).
        return SimulatorConfig(
            seed=11,
            time_scale=TIME_SCALE,
            initial_scheduled_snapshot=False,
            durations=Durations(snapshot=600.0),
        )

    async def test_a_requested_snapshot_is_followed_even_if_its_aura_instance_goes(
        self, operator: Harness
    ) -> None:
        instance_id = await ready_instance(operator)
        await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})
        await wait_snapshot(operator, "snap", lambda o: bool(o.get("status", {}).get("snapshotId")))

        await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)  # Retain

        obj = await wait_snapshot(operator, "snap")
        assert obj["status"]["instanceId"] == instance_id
        assert len(await ad_hoc_snapshots(operator, instance_id)) == 1


async def test_a_lost_answer_aura_never_acted_on_is_sent_again_after_the_late_window(
    operator: Harness,
) -> None:
    instance_id = await ready_instance(operator)
    # A gateway error before Aura acts: the operator cannot tell it from a lost answer.
    await operator.faults(error_rate=1.0, error_methods=["POST"], error_codes=[502])

    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})
    await wait_snapshot(
        operator, "snap", lambda o: condition(o, "Ready").get("reason") == "ConfirmingSnapshot"
    )
    await operator.faults(error_rate=0.0)

    obj = await wait_snapshot(operator, "snap")
    [snapshot] = await ad_hoc_snapshots(operator, instance_id)
    assert obj["status"]["snapshotId"] == snapshot["snapshot_id"]
    codes = [p["status"] for p in snapshot_posts(await operator.aura_requests("POST"), instance_id)]
    assert codes == [502, 202]
    await operator.wait_event("snap", "SnapshotNotFound")
