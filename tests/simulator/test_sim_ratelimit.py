"""Behaviour 6: at most N requests per client id in any rolling minute, then 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from simulator_helpers import SimControl, client, error_of, fetch_token

from aura_devtools.simulator import Simulator, SimulatorConfig

LIMIT = 5


def _config(**overrides: object) -> SimulatorConfig:
    return SimulatorConfig.model_validate(
        {
            "credentials": [
                {"client_id": "alice", "client_secret": "a"},
                {"client_id": "bob", "client_secret": "b"},
            ],
            "rate_limit_per_minute": LIMIT,
            "rate_limit_token_endpoint": False,
            **overrides,
        }
    )


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return _config()


@pytest.fixture
async def alice(sim: Simulator, http: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    token = await fetch_token(http, "alice", "a")
    async with client(sim.base_url + "/v1", headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


@pytest.fixture
async def bob(sim: Simulator, http: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    token = await fetch_token(http, "bob", "b")
    async with client(sim.base_url + "/v1", headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


async def _statuses(api: httpx.AsyncClient, count: int) -> list[int]:
    return [(await api.get("/tenants")).status_code for _ in range(count)]


async def test_beyond_the_limit_is_429_with_retry_after_and_an_error_body(
    alice: httpx.AsyncClient,
) -> None:
    assert await _statuses(alice, LIMIT) == [200] * LIMIT

    refused = await alice.get("/tenants")

    assert refused.status_code == 429
    assert error_of(refused)["reason"] == "rate-limit-exceeded"
    assert 59 <= int(refused.headers["Retry-After"]) <= 60
    assert not [h for h in refused.headers if h.lower().startswith("x-ratelimit")]
    assert "X-Request-Id" in refused.headers


async def test_retry_after_counts_down_to_when_the_oldest_request_leaves(
    alice: httpx.AsyncClient, ctl: SimControl
) -> None:
    await _statuses(alice, 1)
    await ctl.advance(20)
    await _statuses(alice, LIMIT - 1)
    await ctl.advance(15)

    refused = await alice.get("/tenants")
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert retry_after in (25, 26)
    await ctl.advance(retry_after - 1.5)
    assert (await alice.get("/tenants")).status_code == 429
    await ctl.advance(1.5)
    assert (await alice.get("/tenants")).status_code == 200


async def test_window_is_strictly_rolling(alice: httpx.AsyncClient, ctl: SimControl) -> None:
    await _statuses(alice, 3)
    await ctl.advance(40)
    await _statuses(alice, 2)
    await ctl.advance(21)  # the first three are now older than 60 s

    assert await _statuses(alice, 4) == [200, 200, 200, 429]


async def test_rejected_requests_are_not_counted(alice: httpx.AsyncClient, ctl: SimControl) -> None:
    await _statuses(alice, LIMIT)
    assert await _statuses(alice, 20) == [429] * 20

    await ctl.advance(60)

    assert await _statuses(alice, LIMIT) == [200] * LIMIT
    rate = await ctl.rate()
    assert rate["clients"]["alice"]["rejected"] == 20
    assert rate["clients"]["alice"]["max_in_any_window"] == LIMIT


async def test_each_client_id_has_its_own_budget(
    alice: httpx.AsyncClient, bob: httpx.AsyncClient
) -> None:
    await _statuses(alice, LIMIT)

    assert (await alice.get("/tenants")).status_code == 429
    assert await _statuses(bob, LIMIT) == [200] * LIMIT


class TestGlobalScope:
    @pytest.fixture
    def sim_config(self) -> SimulatorConfig:
        return _config(rate_limit_scope="global")

    async def test_one_budget_for_all_clients(
        self, alice: httpx.AsyncClient, bob: httpx.AsyncClient, ctl: SimControl
    ) -> None:
        await _statuses(alice, 3)

        assert await _statuses(bob, 3) == [200, 200, 429]
        rate = await ctl.rate()
        assert rate["scope"] == "global"
        assert rate["clients"]["bob"] == {
            "current": 2,
            "max_in_any_window": 2,
            "admitted": 2,
            "rejected": 1,
        }


async def test_external_load_uses_part_of_the_budget(
    alice: httpx.AsyncClient, bob: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(external_load={"alice": 3})

    assert await _statuses(alice, 3) == [200, 200, 429]
    assert await _statuses(bob, LIMIT) == [200] * LIMIT


async def test_429_without_retry_after_when_switched_off(
    alice: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(rate_limit_retry_after=False)
    await _statuses(alice, LIMIT)

    refused = await alice.get("/tenants")

    assert refused.status_code == 429
    assert "Retry-After" not in refused.headers


async def test_control_calls_and_unauthenticated_calls_are_not_counted(
    alice: httpx.AsyncClient, http: httpx.AsyncClient, ctl: SimControl
) -> None:
    for _ in range(10):
        await http.get("/_sim/clock")
        await http.get("/v1/tenants")

    assert await _statuses(alice, LIMIT) == [200] * LIMIT


async def test_rate_window_scales_with_time_scale() -> None:
    # At 120x the 60 s window lasts 0.5 s of real time: the only test that really waits.
    config = _config(time_scale=120.0)
    async with Simulator(config) as sim, client(sim.base_url) as http:
        token = await fetch_token(http, "alice", "a")
        headers = {"Authorization": f"Bearer {token}"}
        started = time.monotonic()
        statuses = [
            (await http.get("/v1/tenants", headers=headers)).status_code for _ in range(LIMIT + 1)
        ]
        burst = time.monotonic() - started
        await asyncio.sleep(0.55)
        later = await http.get("/v1/tenants", headers=headers)

    assert burst < 0.4, "the burst itself must fit in the scaled window"
    assert statuses == [200] * LIMIT + [429]
    assert later.status_code == 200
