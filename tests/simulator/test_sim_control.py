"""Behaviour 8: the /_sim inspection and control API."""

from __future__ import annotations

import time

import httpx
from simulator_helpers import Aura, SimControl, instance_body


async def test_request_log_records_what_the_server_saw(
    aura: Aura, ctl: SimControl, http: httpx.AsyncClient
) -> None:
    before = await ctl.now()
    response = await aura.api.get("/instances", params={"tenantId": "nope"})
    await http.get("/v1/tenants")

    log = await ctl.requests()

    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/oauth/token", 200),
        ("GET", "/v1/instances", 404),
        ("GET", "/v1/tenants", 401),
    ]
    token_call, listed, anonymous = log
    assert token_call["client_id"] == "demo-client"
    assert listed["client_id"] == "demo-client"
    assert anonymous["client_id"] is None
    assert listed["query"] == "tenantId=nope"
    assert listed["request_id"] == response.headers["X-Request-Id"]
    assert before <= listed["time"] <= await ctl.now()
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)


async def test_request_log_since_returns_only_newer_entries(
    api: httpx.AsyncClient, ctl: SimControl
) -> None:
    last = (await ctl.requests())[-1]["seq"]
    await api.get("/tenants")

    newer = await ctl.requests(since=last)

    assert [e["path"] for e in newer] == ["/v1/tenants"]


async def test_control_calls_are_not_logged(http: httpx.AsyncClient, ctl: SimControl) -> None:
    await http.get("/_sim/faults")
    await http.get("/_sim/rate")

    assert await ctl.requests() == []


async def test_rate_reports_counts_per_client_in_the_rolling_minute(
    api: httpx.AsyncClient, ctl: SimControl
) -> None:
    for _ in range(4):
        await api.get("/tenants")
    await ctl.advance(61)
    await api.get("/tenants")

    rate = await ctl.rate()

    assert (rate["limit"], rate["window_seconds"], rate["scope"]) == (125, 60, "client")
    assert rate["clients"]["demo-client"] == {
        "current": 1,
        "max_in_any_window": 5,  # the token call plus four GETs
        "admitted": 6,
        "rejected": 0,
    }


async def test_instance_dump_has_internal_state_and_flags_deleted_ones(
    aura: Aura, ctl: SimControl
) -> None:
    kept = await aura.create_running(name="kept")
    gone = await aura.create_running(name="gone")
    await aura.api.delete(f"/instances/{gone['id']}")
    await ctl.advance(aura.config.durations.destroying)

    dump = {i["name"]: i for i in await ctl.instances()}

    assert dump["kept"]["password"] == kept["password"]
    assert dump["kept"]["status"] == "running"
    assert dump["kept"]["deleted"] is False
    assert dump["gone"]["deleted"] is True


async def test_clock_advance_moves_simulated_time_without_sleeping(
    http: httpx.AsyncClient, ctl: SimControl
) -> None:
    before = await ctl.now()

    after = await ctl.advance(3600)
    refused = await http.post("/_sim/clock", json={"advance": -1})

    assert 3600 <= after - before < 3601
    assert refused.status_code == 400


async def test_clock_starts_at_the_wall_clock(ctl: SimControl) -> None:
    assert abs(await ctl.now() - time.time()) < 5


async def test_reset_forgets_instances_log_tokens_and_faults(
    aura: Aura, ctl: SimControl, http: httpx.AsyncClient
) -> None:
    await aura.create()
    await ctl.faults(latency=0.01)

    await http.post("/_sim/reset")

    assert await ctl.instances() == []
    assert await ctl.requests() == []
    assert (await ctl.http.get("/_sim/faults")).json()["data"]["latency"] == 0
    assert (await aura.api.get("/tenants")).status_code == 401


async def test_config_endpoint_masks_secrets(http: httpx.AsyncClient) -> None:
    config = (await http.get("/_sim/config")).json()["data"]

    assert config["credentials"] == [{"client_id": "demo-client", "client_secret": "**********"}]
    assert config["time_scale"] == 1.0


async def test_index_lists_the_control_endpoints(http: httpx.AsyncClient) -> None:
    index = (await http.get("/_sim")).json()["data"]

    assert "GET /_sim/requests?since=<seq>" in index


async def test_control_for_unknown_instance_is_404(http: httpx.AsyncClient) -> None:
    response = await http.post("/_sim/instances/12345678/status", json={"status": "running"})

    assert response.status_code == 404


async def test_snapshot_dump_lists_every_snapshot(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()

    snapshots = (await ctl.http.get("/_sim/snapshots")).json()["data"]

    assert [(s["instance_id"], s["profile"]) for s in snapshots] == [(created["id"], "Scheduled")]


async def test_a_seeded_instance_exists_with_its_id_and_runs(
    aura: Aura, ctl: SimControl, http: httpx.AsyncClient
) -> None:
    body = {"id": "0a1b2c3d", "instance": instance_body(name="legacy")}

    seeded = await http.post("/_sim/instances", json=body)
    again = await http.post("/_sim/instances", json=body)

    assert seeded.status_code == 200
    assert again.status_code == 400
    assert (await aura.get("0a1b2c3d"))["status"] == "running"
