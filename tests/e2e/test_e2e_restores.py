"""AuraRestore end to end: guarded by confirmInstanceId, sent exactly once, followed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import TIME_SCALE, Harness, condition, is_ready
from test_e2e_snapshots import ad_hoc_snapshots, apply_snapshot, ready_instance, wait_snapshot

from aura_devtools.kube_emulator import AURA_RESTORES, AURA_SNAPSHOTS
from aura_devtools.simulator import SimulatorConfig
from aura_devtools.simulator.config import Durations
from aura_operator.api import API_VERSION
from aura_operator.api.restore import RESTORE_KIND

pytestmark = pytest.mark.e2e

OTHER_TENANT = "3b9d1c60-2e7a-4f4c-8b1d-6a0e5c9f4d02"


async def apply_restore(operator: Harness, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    body = {"apiVersion": API_VERSION, "kind": RESTORE_KIND, "metadata": {"name": name}}
    return await operator.kube.create(
        AURA_RESTORES, {**body, "spec": spec}, namespace=operator.namespace
    )


async def wait_restore(
    operator: Harness, name: str, predicate: Any = is_ready, within: float = 15.0
) -> dict[str, Any]:
    return await operator.kube.wait_for(
        AURA_RESTORES, name, predicate, namespace=operator.namespace, within=within
    )


def stalled_with(reason: str) -> Any:
    def check(obj: dict[str, Any]) -> bool:
        stalled = condition(obj, "Stalled")
        return stalled.get("status") == "True" and stalled.get("reason") == reason

    return check


async def operation_posts(operator: Harness, instance_id: str) -> list[dict[str, Any]]:
    return [
        r
        for r in await operator.aura_requests("POST")
        if r["path"].startswith(f"/v1/instances/{instance_id}/")
        and r["path"].endswith(("/restore", "/overwrite"))
    ]


async def test_a_snapshot_of_the_target_is_restored_in_place_once(operator: Harness) -> None:
    instance_id = await ready_instance(operator)
    await apply_snapshot(operator, "snap", {"instanceRef": {"name": "movies"}})
    snapshot = await wait_snapshot(operator, "snap")

    await apply_restore(
        operator,
        "rollback",
        {
            "instanceRef": {"name": "movies"},
            "snapshotRef": {"name": "snap"},
            "confirmInstanceId": instance_id,
        },
    )
    obj = await wait_restore(operator, "rollback")

    status = obj["status"]
    assert (status["operation"], status["phase"]) == ("restore", "Succeeded")
    assert status["sourceSnapshotId"] == snapshot["status"]["snapshotId"]
    [post] = await operation_posts(operator, instance_id)
    assert post["path"].endswith(f"/snapshots/{status['sourceSnapshotId']}/restore")
    assert status["requestId"] == post["request_id"]
    started = await operator.wait_event("rollback", "Restoring")
    assert post["request_id"] in started["message"]
    await operator.wait_event("rollback", "Restored")
    # The target AuraInstance saw the restore and is Ready again.
    await operator.wait("movies", is_ready)
    await asyncio.sleep(0.5)  # five Aura minutes: never sent again
    assert len(await operation_posts(operator, instance_id)) == 1


async def test_without_the_confirmation_nothing_is_sent_and_the_id_is_named(
    operator: Harness,
) -> None:
    target = await ready_instance(operator, "staging")
    source = await ready_instance(operator, "production")

    await apply_restore(
        operator,
        "refresh",
        {"instanceRef": {"name": "staging"}, "sourceInstanceRef": {"name": "production"}},
    )

    obj = await wait_restore(operator, "refresh", stalled_with("ConfirmationMissing"))
    assert f"spec.confirmInstanceId: {target}" in condition(obj, "Stalled")["message"]
    assert condition(obj, "Ready")["status"] == "False"
    await asyncio.sleep(0.3)
    assert await operation_posts(operator, target) == []

    # Confirming (the one spec field that may change) goes ahead: an overwrite from production.
    await operator.kube.patch(
        AURA_RESTORES,
        "refresh",
        {"spec": {"confirmInstanceId": target}},
        namespace=operator.namespace,
    )
    obj = await wait_restore(operator, "refresh")
    assert (obj["status"]["operation"], obj["status"]["sourceInstanceId"]) == ("overwrite", source)
    [post] = await operation_posts(operator, target)
    assert post["path"] == f"/v1/instances/{target}/overwrite"


async def test_a_wrong_confirmation_is_refused_and_the_rest_of_the_spec_is_immutable(
    operator: Harness,
) -> None:
    target = await ready_instance(operator, "staging")
    source = await ready_instance(operator, "production")
    await apply_restore(
        operator,
        "refresh",
        {
            "instanceRef": {"name": "staging"},
            "sourceInstanceId": source,
            "confirmInstanceId": source,  # the source's id: a classic slip
        },
    )
    await wait_restore(operator, "refresh", stalled_with("ConfirmationMissing"))

    with pytest.raises(Exception, match="immutable"):
        await operator.kube.patch(
            AURA_RESTORES,
            "refresh",
            {"spec": {"sourceInstanceId": target}},
            namespace=operator.namespace,
        )
    assert await operation_posts(operator, target) == []


async def test_a_restore_while_the_target_is_busy_waits_for_it(operator: Harness) -> None:
    target = await ready_instance(operator, "staging")
    source = await ready_instance(operator, "production")
    await operator.patch_spec("staging", {"memory": "4GB"})  # the target is updating
    await operator.wait_aura(target, lambda i: i["status"] == "updating")

    await apply_restore(
        operator,
        "refresh",
        {"instanceId": target, "sourceInstanceId": source, "confirmInstanceId": target},
    )

    obj = await wait_restore(operator, "refresh", within=30.0)
    assert obj["status"]["phase"] == "Succeeded"
    assert len(await operation_posts(operator, target)) == 1


async def test_an_overwrite_from_another_tenant_is_refused_naming_the_field(
    operator: Harness,
) -> None:
    target = await ready_instance(operator, "staging")
    other = await operator.aura_call(
        "POST",
        "/instances",
        {
            "name": "foreign",
            "tenant_id": OTHER_TENANT,
            "cloud_provider": "gcp",
            "region": "europe-west1",
            "type": "professional-db",
            "memory": "2GB",
            "version": "5",
        },
    )
    assert other.status_code == 202, other.text
    foreign = other.json()["data"]["id"]
    await operator.wait_aura(foreign, lambda i: i["status"] == "running")

    await apply_restore(
        operator,
        "refresh",
        {
            "instanceRef": {"name": "staging"},
            "sourceInstanceId": foreign,
            "confirmInstanceId": target,
        },
    )

    obj = await wait_restore(operator, "refresh", stalled_with("AuraRejected"))
    assert "field source_instance_id" in condition(obj, "Stalled")["message"]
    assert obj["status"]["phase"] == "Failed"
    await asyncio.sleep(0.5)
    assert len(await operation_posts(operator, target)) == 1


@pytest.mark.parametrize("mode", ["500", "drop"])
async def test_a_lost_overwrite_answer_is_recovered_from_the_target_status(
    operator: Harness, mode: str
) -> None:
    target = await ready_instance(operator, "staging")
    source = await ready_instance(operator, "production")
    await operator.faults(action_commit_then_fail=mode, action_commit_then_fail_on="overwrite")

    await apply_restore(
        operator,
        "refresh",
        {"instanceId": target, "sourceInstanceId": source, "confirmInstanceId": target},
    )

    obj = await wait_restore(operator, "refresh")
    assert obj["status"]["phase"] == "Succeeded"
    assert len(await operation_posts(operator, target)) == 1
    await operator.wait_event("refresh", "OutcomeUnknown")
    await operator.wait_event("refresh", "AdoptedAfterLostAnswer")


async def test_a_lost_restore_answer_is_recovered_from_the_target_status(
    operator: Harness,
) -> None:
    instance_id = await ready_instance(operator)
    await apply_snapshot(operator, "snap", {"instanceId": instance_id})
    snapshot = await wait_snapshot(operator, "snap")
    await operator.faults(action_commit_then_fail="502", action_commit_then_fail_on="restore")

    await apply_restore(
        operator,
        "rollback",
        {
            "instanceId": instance_id,
            "snapshotId": snapshot["status"]["snapshotId"],
            "confirmInstanceId": instance_id,
        },
    )

    obj = await wait_restore(operator, "rollback")
    assert obj["status"]["operation"] == "restore"
    assert len(await operation_posts(operator, instance_id)) == 1


async def test_snapshot_before_is_taken_and_recorded_before_the_overwrite(
    operator: Harness,
) -> None:
    target = await ready_instance(operator, "staging")
    source = await ready_instance(operator, "production")

    await apply_restore(
        operator,
        "refresh",
        {
            "instanceRef": {"name": "staging"},
            "sourceInstanceRef": {"name": "production"},
            "confirmInstanceId": target,
            "snapshotBefore": True,
        },
    )

    obj = await wait_restore(operator, "refresh", within=30.0)
    before = await operator.kube.get(AURA_SNAPSHOTS, "refresh-before", namespace=operator.namespace)
    assert obj["status"]["snapshotBeforeId"] == before["status"]["snapshotId"]
    [snapshot] = await ad_hoc_snapshots(operator, target)
    assert snapshot["snapshot_id"] == obj["status"]["snapshotBeforeId"]
    [post] = await operation_posts(operator, target)
    snapshot_post = next(
        r for r in await operator.aura_requests("POST") if r["path"].endswith("/snapshots")
    )
    assert snapshot_post["seq"] < post["seq"]
    assert obj["status"]["sourceInstanceId"] == source


class TestSlowRestore:
    @pytest.fixture
    def sim_config(self) -> SimulatorConfig:
        # A restore of ten hours (a minute here): still under way after a restart.
        return SimulatorConfig(
            seed=11,
            time_scale=TIME_SCALE,
            initial_scheduled_snapshot=False,
            durations=Durations(restoring=36000.0),
        )

    async def test_killed_after_the_post_restarts_without_sending_again(
        self, operator: Harness
    ) -> None:
        instance_id = await ready_instance(operator)
        await apply_snapshot(operator, "snap", {"instanceId": instance_id})
        snapshot = await wait_snapshot(operator, "snap")
        await operator.faults(action_commit_then_fail="hang", action_commit_then_fail_on="restore")
        await apply_restore(
            operator,
            "rollback",
            {
                "instanceRef": {"name": "movies"},
                "snapshotRef": {"name": "snap"},
                "confirmInstanceId": instance_id,
            },
        )
        await operator.wait_aura(instance_id, lambda i: i["status"] == "restoring")
        obj = await operator.kube.get(AURA_RESTORES, "rollback", namespace=operator.namespace)
        assert obj["status"]["operationIntent"]["operation"] == "restore"  # before the POST
        await operator.stop_operator()
        await operator.start_operator()

        obj = await wait_restore(
            operator, "rollback", lambda o: (o.get("status") or {}).get("phase") == "Running"
        )
        assert "operationIntent" not in obj["status"]
        assert snapshot["status"]["snapshotId"] == obj["status"]["sourceSnapshotId"]
        posts = await operation_posts(operator, instance_id)
        assert [p["status"] for p in posts] == [None], posts
        # The target AuraInstance shows the restore and waits it out.
        movies = await operator.wait(
            "movies", lambda o: (o.get("status") or {}).get("auraStatus") == "restoring"
        )
        assert condition(movies, "Ready")["status"] == "False"
        await operator.sim_post("/_sim/clock", {"advance": 36000})
        obj = await wait_restore(operator, "rollback", within=30.0)
        assert len(await operation_posts(operator, instance_id)) == 1
        await operator.wait_ready("movies")


async def test_a_restore_of_a_paused_target_waits_and_sends_nothing(operator: Harness) -> None:
    await operator.apply("staging", {"paused": True})
    paused = await operator.wait_ready("staging", within=30.0)
    target = paused["status"]["instanceId"]
    source = await ready_instance(operator, "production")

    await apply_restore(
        operator,
        "refresh",
        {
            "instanceRef": {"name": "staging"},
            "sourceInstanceId": source,
            "confirmInstanceId": target,
        },
    )

    obj = await wait_restore(
        operator, "refresh", lambda o: condition(o, "Ready").get("reason") == "TargetNotRunning"
    )
    assert "paused" in condition(obj, "Ready")["message"]
    await asyncio.sleep(0.3)
    assert await operation_posts(operator, target) == []


class TestWatchedLostAnswer:
    @pytest.fixture
    def sim_config(self) -> SimulatorConfig:
        # Slower Aura time (60x): the target is read every 30 Aura s (half a real second),
        # so a loaded machine does not open gaps in the watch. Short creates and overwrites.
        return SimulatorConfig(
            seed=11,
            time_scale=60.0,
            initial_scheduled_snapshot=False,
            durations=Durations(creating=30.0, overwriting=30.0),
        )

    async def test_an_overwrite_aura_never_acted_on_is_sent_again_after_watching(
        self, operator: Harness
    ) -> None:
        target, source = await asyncio.gather(
            ready_instance(operator, "staging"), ready_instance(operator, "production")
        )
        await operator.faults(error_rate=1.0, error_methods=["POST"], error_codes=[502])
        await apply_restore(
            operator,
            "refresh",
            {"instanceId": target, "sourceInstanceId": source, "confirmInstanceId": target},
        )
        await wait_restore(
            operator,
            "refresh",
            lambda o: condition(o, "Ready").get("reason") == "ConfirmingRequest",
        )
        await operator.faults(error_rate=0.0)

        obj = await wait_restore(operator, "refresh", within=40.0)
        assert obj["status"]["phase"] == "Succeeded"
        codes = [p["status"] for p in await operation_posts(operator, target)]
        assert codes == [502, 202]
        await operator.wait_event("refresh", "RequestNotFound")
