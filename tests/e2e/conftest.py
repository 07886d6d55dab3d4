"""Fixtures for the end-to-end suite: a fresh simulator and operator per test, against each
Kubernetes backend (backends.py): `test_x[emulator]` and `test_x[real]`.

A scenario that relies on a hook only the emulator has is marked
`@pytest.mark.emulator_only("the hook")` and runs on the emulator alone. Without the control
plane's binaries (`make controlplane`) the real runs are not generated and the run ends with one
line saying why; with AURA_REQUIRE_CLUSTER_TIER=1 that is a failure instead.
AURA_E2E_BACKENDS=emulator leaves the real runs out (a quicker local run).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from backends import Backend, EmulatorBackend, RealBackend, RealCluster, started_real_cluster
from e2e_harness import TIME_SCALE, Harness

from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.simulator import Simulator, SimulatorConfig
from cluster.control_plane import REQUIRE_VARIABLE, unavailable

_UNAVAILABLE = unavailable()
_REQUIRED = os.environ.get(REQUIRE_VARIABLE) == "1"


def _why_emulator_only() -> str | None:
    if "real" not in os.environ.get("AURA_E2E_BACKENDS", "emulator,real").split(","):
        return "AURA_E2E_BACKENDS leaves out the real server"
    if _UNAVAILABLE is not None and not _REQUIRED:
        return _UNAVAILABLE
    return None


_EMULATOR_ONLY = _why_emulator_only()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    backends = ["emulator"]
    emulator_only = metafunc.definition.get_closest_marker("emulator_only")
    if emulator_only is None and _EMULATOR_ONLY is None:
        backends.append("real")
    metafunc.parametrize("backend", backends, indirect=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _EMULATOR_ONLY is not None:
        terminalreporter.write_line(
            f"e2e scenarios ran on the emulator only: {_EMULATOR_ONLY}", yellow=True
        )


@pytest.fixture(scope="package")
def real_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealCluster]:
    """One real control plane for every real-backend run, stopped after the last of them."""
    if _UNAVAILABLE is not None:
        pytest.fail(f"{REQUIRE_VARIABLE}=1 but {_UNAVAILABLE}", pytrace=False)
    with started_real_cluster(tmp_path_factory.mktemp("e2e-control-plane")) as started:
        yield started


@pytest.fixture
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "emulator":
        async with KubernetesApi() as kube:
            yield EmulatorBackend(kube)
    else:
        cluster: RealCluster = request.getfixturevalue("real_cluster")
        async with cluster.admin_client() as kube, RealBackend(kube, cluster) as real:
            yield real


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(seed=11, time_scale=TIME_SCALE, initial_scheduled_snapshot=False)


@pytest.fixture
async def harness(backend: Backend, sim_config: SimulatorConfig) -> AsyncIterator[Harness]:
    async with (
        Simulator(sim_config) as sim,
        httpx.AsyncClient(base_url=sim.base_url, timeout=10.0) as sim_http,
    ):
        harness = Harness(backend, sim, sim_http)
        await harness.create_credentials()
        try:
            yield harness
        finally:
            await harness.stop_operator()


@pytest.fixture
async def operator(harness: Harness) -> Harness:
    await harness.start_operator()
    return harness
