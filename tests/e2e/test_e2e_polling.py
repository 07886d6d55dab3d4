"""Status reads follow the expected duration of the operation and the budget's room, in Aura
time: a lone create on an idle budget is read from a little before it usually ends, every few
seconds, until it is done (never a tight loop); a busy budget reads later and less often
(unit-tested in tests/controller/test_schedule.py).

Aura time runs 60x here; the create takes 400 Aura seconds, longer than usual. The delays the
operator decides are checked exactly; on the wire, reads never come sooner than decided (that
holds however slow the machine), and the typical (median) gap is the decided spacing: one late
read on a loaded machine is the scheduler's noise, not the operator's choice."""

from __future__ import annotations

import itertools
import statistics

import pytest
from e2e_harness import Harness

from aura_devtools.simulator import SimulatorConfig
from aura_devtools.simulator.config import Durations
from aura_operator.controller.schedule import next_read_delay, read_spacing

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
    delays = operator.record_schedules("movies")
    await operator.apply("movies")
    obj = await operator.wait_ready("movies", within=30)

    async def back_to_drift() -> bool:  # decided just after the Ready write
        return bool(delays) and delays[-1] is None

    await operator.poll(back_to_drift)
    instance_id = obj["status"]["instanceId"]

    [post] = await operator.aura_requests("POST", "/v1/instances")
    reads = [r["time"] for r in await operator.aura_requests("GET", f"/v1/instances/{instance_id}")]
    done_at = post["time"] + CREATE_SECONDS

    # The operator's decisions: first look early (the budget is idle), then one every
    # `spacing` while it is creating, then back to the drift period once it is running.
    expected_first = next_read_delay("creating", 0.0, spacing)
    assert expected_first < 240  # before the usual provisioning time
    assert delays[0] == pytest.approx(expected_first)
    assert delays[1:-1] == [pytest.approx(spacing)] * (len(reads) - 1)
    assert delays[-1] is None
    # On the wire: every read as late as decided, typically no later, until the first read
    # after the create ended (it sees the instance running: no more reads).
    assert reads[0] - post["time"] >= expected_first - JITTER
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert gaps and min(gaps) >= spacing - JITTER  # never a tight loop
    assert statistics.median(gaps) <= spacing + 30
    assert [t >= done_at for t in reads] == [False] * (len(reads) - 1) + [True]
