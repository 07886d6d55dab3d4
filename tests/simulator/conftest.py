"""Fixtures that start a simulator per test and drive it over real HTTP with httpx.

Override `sim_config` in a test module (a fixture of the same name) to change the setup.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from simulator_helpers import Aura, SimControl, client, fetch_token

from aura_devtools.simulator import Simulator, SimulatorConfig


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(seed=7)


@pytest.fixture
async def sim(sim_config: SimulatorConfig) -> AsyncIterator[Simulator]:
    async with Simulator(sim_config) as simulator:
        yield simulator


@pytest.fixture
async def http(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with client(sim.base_url) as http_client:
        yield http_client


@pytest.fixture
def ctl(http: httpx.AsyncClient) -> SimControl:
    return SimControl(http)


@pytest.fixture
async def token(http: httpx.AsyncClient) -> str:
    return await fetch_token(http)


@pytest.fixture
async def api(sim: Simulator, token: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client(
        sim.base_url + "/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api_client:
        yield api_client


@pytest.fixture
def aura(api: httpx.AsyncClient, ctl: SimControl, sim_config: SimulatorConfig) -> Aura:
    return Aura(api, ctl, sim_config)
