"""Status reads follow the expected duration of the operation and the budget's room, in Aura
time: a lone create on an idle budget is read from a little before it usually ends, every few
seconds, until it is done (never a tight loop); a busy budget reads later and less often
(unit-tested in tests/controller/test_schedule.py).

Aura time runs 60x here; the create takes 400 Aura seconds, longer than usual."""

from __future__ import annotations

import itertools

import pytest
from e2e_harness import Harness

from aura_operator.controller.schedule import MAX_INTERVAL, next_read_delay, read_spacing
from aura_operator.simulator import SimulatorConfig
from aura_operator.simulator.config import Durations

pytestmark = pytest.mark.e2e
CREATE_SECONDS = 400.0
JITTER = 3.0  # Aura seconds: 50 ms of real scheduling and HTTP jitter at 60x


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        seed=5,
        time_scale=60.0,
        initial_scheduled_snapshot=False,
        durations=Durations(creating=CREATE_SECONDS),
    )


async def test_a_lone_create_is_read_early_then_every_few_seconds_until_done(
    operator: Harness,
) -> None:
    settings = operator.settings
    spacing = read_spacing(
        1, requests_per_minute=settings.effective_rate_limit, share=settings.background_share
    )
    await operator.apply("movies")
    obj = await operator.wait_ready("movies", within=30)
    instance_id = obj["status"]["instanceId"]

    [post] = await operator.aura_requests("POST", "/v1/instances")
    reads = [r["time"] for r in await operator.aura_requests("GET", f"/v1/instances/{instance_id}")]

    first = reads[0] - post["time"]
    expected_first = next_read_delay("creating", 0.0, spacing)
    assert expected_first < 240  # before the usual provisioning time: the budget is idle
    assert expected_first - JITTER <= first <= expected_first + 30
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert gaps and min(gaps) >= spacing - JITTER  # never a tight loop
    assert max(gaps) <= MAX_INTERVAL / 2  # a loaded machine stretches them, never to 120 s
    assert reads[-1] - post["time"] <= CREATE_SECONDS + MAX_INTERVAL / 2  # seen soon after
