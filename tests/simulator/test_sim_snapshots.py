"""Behaviour 5, snapshots: take, statuses, list per day, get, restore in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simulator_helpers import Aura, SimControl, error_of

from aura_devtools.simulator import SimulatorConfig


async def _adhoc_snapshot(aura: Aura, instance_id: str) -> str:
    response = await aura.action(instance_id, "snapshots")
    assert response.status_code == 202, response.text
    assert set(response.json()["data"]) == {"snapshot_id"}
    snapshot_id: str = response.json()["data"]["snapshot_id"]
    return snapshot_id


async def test_scheduled_snapshot_after_create_blocks_an_early_adhoc_one(aura: Aura) -> None:
    created = await aura.create_running()

    early = await aura.action(created["id"], "snapshots")
    listed = (await aura.api.get(f"/instances/{created['id']}/snapshots")).json()["data"]

    assert early.status_code == 409
    assert error_of(early)["reason"] == "snapshot-not-allowed"
    assert [s["profile"] for s in listed] == ["Scheduled"]
    await aura.settle_snapshots()
    assert (await aura.action(created["id"], "snapshots")).status_code == 202


async def test_snapshot_goes_pending_in_progress_completed(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    await aura.settle_snapshots()
    snapshot_id = await _adhoc_snapshot(aura, created["id"])
    path = f"/instances/{created['id']}/snapshots/{snapshot_id}"
    durations = aura.config.durations

    seen = [(await aura.api.get(path)).json()["data"]]
    await ctl.advance(durations.snapshot_pending)
    seen.append((await aura.api.get(path)).json()["data"])
    await ctl.advance(durations.snapshot)
    seen.append((await aura.api.get(path)).json()["data"])

    assert [(s["status"], s["exportable"]) for s in seen] == [
        ("Pending", False),
        ("InProgress", False),
        ("Completed", True),
    ]
    assert set(seen[0]) == {
        "instance_id",
        "snapshot_id",
        "profile",
        "status",
        "timestamp",
        "exportable",
    }
    assert seen[0]["profile"] == "AdHoc"
    assert seen[0]["instance_id"] == created["id"]


async def test_failed_snapshot_fault(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    await aura.settle_snapshots()
    await ctl.faults(snapshot_fail=True)
    snapshot_id = await _adhoc_snapshot(aura, created["id"])

    await aura.settle_snapshots()
    snapshot = await aura.api.get(f"/instances/{created['id']}/snapshots/{snapshot_id}")

    assert snapshot.json()["data"]["status"] == "Failed"
    assert snapshot.json()["data"]["exportable"] is False


async def test_list_is_per_day(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    path = f"/instances/{created['id']}/snapshots"
    first_day = datetime.fromtimestamp(await ctl.now(), UTC)
    await ctl.advance(86_400)
    await aura.reauthenticate()
    await _adhoc_snapshot(aura, created["id"])

    today = (await aura.api.get(path)).json()["data"]
    yesterday = await aura.api.get(path, params={"date": first_day.strftime("%Y-%m-%d")})
    tomorrow = first_day + timedelta(days=2)
    empty = await aura.api.get(path, params={"date": tomorrow.strftime("%Y-%m-%d")})

    assert [s["profile"] for s in today] == ["AdHoc"]
    assert [s["profile"] for s in yesterday.json()["data"]] == ["Scheduled"]
    assert empty.json()["data"] == []


async def test_list_with_a_malformed_date_is_400(aura: Aura) -> None:
    created = await aura.create_running()

    response = await aura.api.get(
        f"/instances/{created['id']}/snapshots", params={"date": "yesterday"}
    )

    assert response.status_code == 400
    assert error_of(response)["field"] == "date"


async def test_unknown_snapshot_is_404_snapshot_not_found(aura: Aura) -> None:
    created = await aura.create_running()
    base = f"/instances/{created['id']}/snapshots/4c1f0e0a-0000-4000-8000-000000000000"

    missing = await aura.api.get(base)
    restore = await aura.api.post(base + "/restore", json={})

    for response in (missing, restore):
        assert response.status_code == 404
        assert error_of(response)["reason"] == "snapshot-not-found"


async def test_restore_is_in_place_restoring_then_running(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()
    await aura.settle_snapshots()
    snapshot_id = await _adhoc_snapshot(aura, created["id"])
    await aura.settle_snapshots()

    response = await aura.api.post(
        f"/instances/{created['id']}/snapshots/{snapshot_id}/restore", json={}
    )

    assert response.status_code == 202
    assert response.json()["data"]["id"] == created["id"]
    assert response.json()["data"]["status"] == "restoring"
    await ctl.advance(aura.config.durations.restoring)
    assert await aura.status(created["id"]) == "running"
    assert len((await aura.api.get("/instances")).json()["data"]) == 1


async def test_restore_of_an_unfinished_snapshot_is_refused(aura: Aura) -> None:
    created = await aura.create_running()
    await aura.settle_snapshots()
    snapshot_id = await _adhoc_snapshot(aura, created["id"])

    response = await aura.api.post(
        f"/instances/{created['id']}/snapshots/{snapshot_id}/restore", json={}
    )

    assert response.status_code == 400
    assert error_of(response)["reason"] == "snapshot-not-restorable"


class TestWithoutScheduledSnapshot:
    @pytest.fixture
    def sim_config(self) -> SimulatorConfig:
        return SimulatorConfig(initial_scheduled_snapshot=False)

    async def test_adhoc_snapshot_is_allowed_right_after_creation(self, aura: Aura) -> None:
        created = await aura.create_running()

        response = await aura.action(created["id"], "snapshots")

        assert response.status_code == 202
        listed = await aura.api.get(f"/instances/{created['id']}/snapshots")
        assert [s["profile"] for s in listed.json()["data"]] == ["AdHoc"]
