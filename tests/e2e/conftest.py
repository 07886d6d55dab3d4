"""Fixtures for the end-to-end suite: a fresh simulator, emulator and operator per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from e2e_harness import TIME_SCALE, Harness

from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.simulator import Simulator, SimulatorConfig


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(seed=11, time_scale=TIME_SCALE, initial_scheduled_snapshot=False)


@pytest.fixture
async def harness(sim_config: SimulatorConfig) -> AsyncIterator[Harness]:
    async with (
        Simulator(sim_config) as sim,
        KubernetesApi() as kube,
        httpx.AsyncClient(base_url=sim.base_url, timeout=10.0) as sim_http,
    ):
        harness = Harness(kube, sim, sim_http)
        await harness.create_credentials()
        try:
            yield harness
        finally:
            await harness.stop_operator()


@pytest.fixture
async def operator(harness: Harness) -> Harness:
    await harness.start_operator()
    return harness
