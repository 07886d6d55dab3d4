"""Status reads follow the expected duration of the operation, in Aura time: the first read
when a create usually ends, then closer reads until it is done (never a fixed tight loop).

Aura time runs 60x here; the create takes 400 Aura seconds, longer than usual."""

from __future__ import annotations

import itertools

import pytest
from e2e_harness import Harness

from aura_operator.controller.schedule import FIRST_READ_FACTOR, MAX_INTERVAL, MIN_INTERVAL
from aura_operator.simulator import SimulatorConfig
from aura_operator.simulator.config import Durations

pytestmark = pytest.mark.e2e
CREATE_SECONDS = 400.0


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        seed=5,
        time_scale=60.0,
        initial_scheduled_snapshot=False,
        durations=Durations(creating=CREATE_SECONDS),
    )


async def test_a_slow_create_is_read_when_expected_then_closer_together(operator: Harness) -> None:
    await operator.apply("movies")
    obj = await operator.wait_ready("movies", within=30)
    instance_id = obj["status"]["instanceId"]

    [post] = await operator.aura_requests("POST", "/v1/instances")
    reads = [r["time"] for r in await operator.aura_requests("GET", f"/v1/instances/{instance_id}")]

    first = reads[0] - post["time"]
    assert 240 * FIRST_READ_FACTOR - 5 <= first <= 240 * FIRST_READ_FACTOR + 30
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert gaps and max(gaps) <= MAX_INTERVAL / 2  # follow-ups come closer, not another 288 s
    assert reads[-1] - post["time"] <= CREATE_SECONDS + MAX_INTERVAL / 2  # seen soon after
    assert len(reads) <= 1 + (CREATE_SECONDS - first) / MIN_INTERVAL  # never a tight loop
