"""Budget behaviour of the whole operator: quiet when idle, no burst after a restart.

Aura time runs 60x here, so one Aura minute is one real second."""

from __future__ import annotations

import asyncio

import pytest
from e2e_harness import Harness

from aura_devtools.simulator import SimulatorConfig

pytestmark = pytest.mark.e2e
FLEET = 8


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(seed=3, time_scale=60.0, initial_scheduled_snapshot=False)


async def ready_fleet(operator: Harness) -> None:
    names = [f"db-{i}" for i in range(FLEET)]
    for name in names:
        await operator.apply(name)
    for name in names:
        await operator.wait_ready(name, within=30)


async def test_a_ready_fleet_makes_no_calls_while_idle(operator: Harness) -> None:
    await ready_fleet(operator)
    before = len(await operator.aura_requests())

    await asyncio.sleep(3.0)  # three Aura minutes

    calls = [(c["method"], c["path"]) for c in (await operator.aura_requests())[before:]]
    # At most the periodic tenant listing (one call every ten Aura minutes); no reads.
    assert set(calls) <= {("GET", "/v1/instances")}
    assert len(calls) <= 1


async def test_a_restart_confirms_the_fleet_with_one_listing_not_a_read_each(
    operator: Harness,
) -> None:
    await ready_fleet(operator)
    await operator.stop_operator()
    before = len(await operator.aura_requests())

    await operator.start_operator()
    await asyncio.sleep(2.5)  # the resumes settle, the listing goes out, a minute passes

    calls = (await operator.aura_requests())[before:]
    [listing] = [c for c in calls if (c["method"], c["path"]) == ("GET", "/v1/instances")]
    first_minute = [c for c in calls if c["time"] < listing["time"] + 60]
    assert {c["path"] for c in first_minute} <= {"/oauth/token", "/v1/instances"}
    assert len(first_minute) <= 2  # a token and the tenant listing; reads come spread later
