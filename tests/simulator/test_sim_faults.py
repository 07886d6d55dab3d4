"""Behaviour 7: fault injection, switchable per test through /_sim/faults."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest
from simulator_helpers import Aura, SimControl, client, error_of, instance_body

from aura_devtools.simulator import Faults, Simulator, SimulatorConfig
from aura_devtools.simulator.responses import EXTRA_FIELD


async def test_error_rate_one_injects_the_configured_5xx_codes(
    api: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(error_rate=1.0, error_codes=[500, 502, 503])

    responses = [await api.get("/tenants") for _ in range(30)]

    codes = Counter(r.status_code for r in responses)
    assert set(codes) == {500, 502, 503}
    assert all("Retry-After" not in r.headers for r in responses)
    assert all("errors" in r.json() for r in responses)


async def test_injected_errors_can_carry_retry_after(
    api: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(error_rate=1.0, error_codes=[503], error_retry_after=7)

    response = await api.get("/tenants")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"


async def test_error_rate_is_a_probability(api: httpx.AsyncClient, ctl: SimControl) -> None:
    await ctl.faults(error_rate=0.3, error_codes=[500])

    failures = sum([(await api.get("/tenants")).status_code == 500 for _ in range(100)])

    assert 12 <= failures <= 50


async def test_errors_can_be_limited_to_some_methods(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(error_rate=1.0, error_methods=["GET"])

    created = await aura.api.post("/instances", json=instance_body())
    read = await aura.api.get(f"/instances/{created.json()['data']['id']}")

    assert created.status_code == 202
    assert read.status_code >= 500


async def test_injected_error_has_no_side_effect(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(error_rate=1.0)

    response = await aura.api.post("/instances", json=instance_body())

    assert response.status_code >= 500
    assert await ctl.instances() == []


async def test_latency_delays_aura_responses_but_not_control_calls(
    api: httpx.AsyncClient, http: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(latency=0.2)

    started = time.monotonic()
    await api.get("/tenants")
    slow = time.monotonic() - started
    started = time.monotonic()
    await http.get("/_sim/clock")
    fast = time.monotonic() - started

    assert slow >= 0.2
    assert fast < 0.2


async def test_commit_then_fail_500_creates_the_instance_anyway(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(create_commit_then_fail="500")

    failed = await aura.api.post("/instances", json=instance_body(name="ghost"))
    second = await aura.api.post("/instances", json=instance_body(name="normal"))

    assert failed.status_code == 500
    assert "password" not in failed.text
    assert second.status_code == 202
    listed = (await aura.api.get("/instances")).json()["data"]
    assert [i["name"] for i in listed] == ["ghost", "normal"]
    faults = (await ctl.http.get("/_sim/faults")).json()["data"]
    assert faults["create_commit_then_fail"] is None


async def test_commit_then_hang_creates_and_never_answers(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(create_commit_then_fail="hang")

    with pytest.raises(httpx.ReadTimeout):
        await aura.api.post("/instances", json=instance_body(name="hung"), timeout=0.5)

    assert [i["name"] for i in await ctl.instances()] == ["hung"]
    # The simulator notices the client gone within its 50 ms poll and only then logs the request.
    creates: list[dict[str, object]] = []
    for _ in range(40):
        creates = [r for r in await ctl.requests() if r["path"] == "/v1/instances"]
        if creates:
            break
        await asyncio.sleep(0.05)
    assert [r["status"] for r in creates] == [None]


async def test_commit_then_drop_closes_the_connection_after_creating(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(create_commit_then_fail="drop", create_commit_then_fail_count=2)

    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            await aura.api.post("/instances", json=instance_body(name="dropped"))
    third = await aura.api.post("/instances", json=instance_body(name="fine"))

    assert third.status_code == 202
    dump = await ctl.instances()
    assert [i["name"] for i in dump] == ["dropped", "dropped", "fine"]
    creates = [r for r in await ctl.requests() if r["path"] == "/v1/instances"]
    assert [r["status"] for r in creates] == [None, None, 202]


async def test_rate_limit_storm_answers_429_with_the_time_left(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(rate_limit_storm_seconds=90)
    await ctl.advance(30)

    stormed = await aura.api.get("/tenants")
    token = await ctl.http.post(
        "/oauth/token",
        auth=("demo-client", "demo-secret"),
        data={"grant_type": "client_credentials"},
    )

    assert stormed.status_code == 429
    assert int(stormed.headers["Retry-After"]) == 60
    assert token.status_code == 429
    await ctl.advance(60)
    assert (await aura.api.get("/tenants")).status_code == 200


async def test_instance_can_be_stuck_in_a_status(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create()
    await ctl.force_status(created["id"], stuck=True)

    await ctl.advance(10 * aura.config.durations.creating)
    assert await aura.status(created["id"]) == "creating"

    await ctl.force_status(created["id"], stuck=False)
    assert await aura.status(created["id"]) == "running"


async def test_instance_can_be_moved_to_loading_failed(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()

    await ctl.force_status(created["id"], "loading failed", stuck=True)

    assert await aura.status(created["id"]) == "loading failed"
    assert (await aura.action(created["id"], "pause")).status_code == 409
    assert (await aura.api.delete(f"/instances/{created['id']}")).status_code == 202


async def test_forced_transitional_status_completes_by_itself(aura: Aura, ctl: SimControl) -> None:
    created = await aura.create_running()

    await ctl.force_status(created["id"], "updating")
    assert await aura.status(created["id"]) == "updating"
    await ctl.advance(aura.config.durations.updating)

    assert await aura.status(created["id"]) == "running"


async def test_create_fail_count_ends_creates_in_loading_failed(
    aura: Aura, ctl: SimControl
) -> None:
    await ctl.faults(create_fail_count=1)
    failing = await aura.create()
    fine = await aura.create()

    await ctl.advance(aura.config.durations.creating)

    assert await aura.status(failing["id"]) == "loading failed"
    assert await aura.status(fine["id"]) == "running"


async def test_unknown_status_is_reported_instead_of_updating(aura: Aura, ctl: SimControl) -> None:
    await ctl.faults(unknown_status="resizing")
    created = await aura.create_running()

    response = await aura.api.patch(f"/instances/{created['id']}", json={"memory": "2GB"})

    assert response.json()["data"]["status"] == "resizing"
    assert await aura.status(created["id"]) == "resizing"
    await ctl.advance(aura.config.durations.updating)
    assert await aura.status(created["id"]) == "running"


async def test_extra_fields_appear_in_envelopes_objects_and_list_items(
    aura: Aura, ctl: SimControl
) -> None:
    created = await aura.create()
    await ctl.faults(extra_fields=True)

    single = (await aura.api.get(f"/instances/{created['id']}")).json()
    listed = (await aura.api.get("/instances")).json()

    assert EXTRA_FIELD in single
    assert EXTRA_FIELD in single["data"]
    assert all(EXTRA_FIELD in item for item in listed["data"])


async def test_faults_can_be_read_replaced_merged_and_reset(http: httpx.AsyncClient) -> None:
    replaced = await http.put("/_sim/faults", json={"error_rate": 0.5})
    merged = await http.patch("/_sim/faults", json={"latency": 0.01})
    current = (await http.get("/_sim/faults")).json()["data"]
    reset = await http.delete("/_sim/faults")

    assert replaced.json()["data"]["error_rate"] == 0.5
    assert merged.json()["data"]["error_rate"] == 0.5
    assert (current["error_rate"], current["latency"]) == (0.5, 0.01)
    assert reset.json()["data"] == Faults().model_dump()


@pytest.mark.parametrize(
    "patch", [{"error_rate": 2}, {"no_such_fault": True}, {"create_commit_then_fail": "maybe"}]
)
async def test_invalid_faults_are_400(http: httpx.AsyncClient, patch: dict[str, object]) -> None:
    response = await http.patch("/_sim/faults", json=patch)

    assert response.status_code == 400
    assert error_of(response)["reason"] == "invalid-fault"


async def test_faults_can_be_set_in_the_config() -> None:
    config = SimulatorConfig(faults=Faults(error_rate=1.0, error_codes=[502]))
    async with Simulator(config) as sim, client(sim.base_url) as http:
        token = await http.post(
            "/oauth/token",
            auth=("demo-client", "demo-secret"),
            data={"grant_type": "client_credentials"},
        )
        response = await http.get(
            "/v1/tenants", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )

    assert token.status_code == 200
    assert response.status_code == 502


async def test_token_endpoint_errors_are_opt_in(http: httpx.AsyncClient, ctl: SimControl) -> None:
    form = {"grant_type": "client_credentials"}
    auth = ("demo-client", "demo-secret")
    await ctl.faults(error_rate=1.0, error_codes=[503])
    spared = await http.post("/oauth/token", auth=auth, data=form)
    await ctl.faults(error_token_endpoint=True)

    failed = await http.post("/oauth/token", auth=auth, data=form)

    assert spared.status_code == 200
    assert failed.status_code == 503
