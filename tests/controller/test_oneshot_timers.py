"""The wake-up timers of the one-shot kinds: one step at a time, never cancelled mid-step."""

from __future__ import annotations

import asyncio

from aura_operator.controller.kube import ObjectRef
from aura_operator.controller.oneshot_handlers import Timers

REF = ObjectRef("default", "snap", "uid-1", "aurasnapshots", "AuraSnapshot")


async def test_a_step_returning_a_delay_runs_again_after_it() -> None:
    runs: list[float] = []

    async def step(ref: ObjectRef) -> float | None:
        runs.append(asyncio.get_running_loop().time())
        return 0.05 if len(runs) < 3 else None

    timers = Timers(step, time_scale=1.0)
    await timers.run_now(REF)
    await asyncio.sleep(0.3)

    assert len(runs) == 3
    assert not timers.due(("default", "snap"))


async def test_run_now_replaces_a_sleeping_timer_and_steps_never_overlap() -> None:
    active = 0
    overlaps = 0
    runs = 0

    async def step(ref: ObjectRef) -> float | None:
        nonlocal active, overlaps, runs
        active += 1
        overlaps += active > 1
        runs += 1
        await asyncio.sleep(0.05)
        active -= 1
        return 10.0  # far away: only run_now brings it back

    timers = Timers(step, time_scale=1.0)
    await asyncio.gather(timers.run_now(REF), timers.run_now(REF), timers.run_now(REF))

    assert (runs, overlaps) == (3, 0)
    assert timers.due(("default", "snap"))
    timers.forget(("default", "snap"))
    assert not timers.due(("default", "snap"))
    await timers.close()


async def test_a_failing_step_is_retried_later_not_lost() -> None:
    calls = 0

    async def step(ref: ObjectRef) -> float | None:
        nonlocal calls
        calls += 1
        raise RuntimeError("API server down")

    timers = Timers(step, time_scale=1000.0)  # the retry (60 Aura s) in 0.06 s
    await timers.run_now(REF)
    assert timers.due(("default", "snap"))
    await asyncio.sleep(0.2)

    assert calls >= 2
    await timers.close()
