"""The budget on a fake clock: strict window, lane order, starvation guard, 429 pause, stats."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Iterable

import pytest
from pydantic import SecretStr

from aura_operator.aura import AuraApi, Budget, Credentials, Lane, LimiterRegistry
from aura_operator.aura.limiter import QUIET_WINDOWS

from .fake_clock import FakeClock, settle


def max_in_any_window(times: Iterable[float], window: float) -> int:
    ordered = sorted(times)
    best = 0
    start = 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window + 1e-9:  # a send exactly one window ago is out
            start += 1
        best = max(best, end - start + 1)
    return best


class Recorder:
    """Starts acquirers and records the order and time of their grants."""

    def __init__(self, budget: Budget, clock: FakeClock) -> None:
        self.budget = budget
        self.clock = clock
        self.grants: list[tuple[str, float]] = []
        self.tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, lane: Lane, hold: float = 0.0) -> asyncio.Task[None]:
        """An acquirer whose request is answered `hold` seconds after its grant."""

        async def run() -> None:
            permit = await self.budget.acquire(lane)
            self.grants.append((name, self.clock.now))
            if hold:
                await self.clock.sleep(hold)
            permit.release()

        task = asyncio.create_task(run())
        self.tasks.append(task)
        return task

    @property
    def order(self) -> list[str]:
        return [name for name, _ in self.grants]


def budget(clock: FakeClock, **kwargs: object) -> Budget:
    options: dict[str, object] = {"limit": 10, "time_scale": 60.0, "clock": clock}
    options.update(kwargs)
    return Budget("client", **options)  # type: ignore[arg-type]


async def test_window_is_sixty_seconds_over_time_scale_and_counts_from_start() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=10, time_scale=60.0), clock)
    for i in range(11):
        rec.start(f"r{i}", Lane.BACKGROUND)
    await settle()
    assert len(rec.grants) == 10  # no start-up burst beyond the limit
    await clock.advance(0.999)
    assert len(rec.grants) == 10
    await clock.advance(0.001)
    assert rec.grants[-1][0] == "r10"
    assert rec.grants[-1][1] == pytest.approx(1.0)


async def test_never_more_than_limit_minus_margin_in_any_rolling_window() -> None:
    clock = FakeClock()
    b = budget(clock, limit=12, margin=2, time_scale=60.0)
    rec = Recorder(b, clock)
    # Arrivals spread irregularly over time, several lanes, far more than the budget.
    for step in range(40):
        for i in range(step % 4 + 1):
            rec.start(f"s{step}-{i}", list(Lane)[(step + i) % 3])
        await clock.advance(0.137)
    while len(rec.grants) < len(rec.tasks):
        await clock.advance(0.25)
    times = [t for _, t in rec.grants]
    assert max_in_any_window(times, window=1.0) == 10
    assert b.capacity == 10


async def test_a_slot_frees_one_window_after_its_response() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=2), clock)
    rec.start("slow", Lane.BACKGROUND, hold=0.5)
    rec.start("fast", Lane.BACKGROUND)
    rec.start("c", Lane.BACKGROUND)
    rec.start("d", Lane.BACKGROUND)
    await clock.advance(3.0)
    assert rec.grants == [("slow", 0.0), ("fast", 0.0), ("c", 1.0), ("d", 1.5)]


async def test_a_request_in_flight_holds_its_slot_until_answered() -> None:
    clock = FakeClock()
    b = budget(clock, limit=1)
    rec = Recorder(b, clock)
    rec.start("stuck", Lane.INTENT, hold=5.0)
    rec.start("next", Lane.INTENT)
    await clock.advance(4.0)
    assert b.stats().in_flight == 1
    await clock.advance(1.999)
    assert rec.order == ["stuck"]
    await clock.advance(0.001)
    assert rec.grants[-1][0] == "next"
    assert rec.grants[-1][1] == pytest.approx(6.0)


async def test_aura_never_sees_more_than_the_limit_however_requests_are_delayed() -> None:
    # Each request reaches "Aura" at a random moment between its grant and its response.
    rng = random.Random(3)
    clock = FakeClock()
    b = budget(clock, limit=10)
    arrivals: list[float] = []

    async def request() -> None:
        permit = await b.acquire(rng.choice(list(Lane)))
        latency = rng.uniform(0.0, 0.6)
        arrival_delay = rng.uniform(0.0, latency)
        await clock.sleep(arrival_delay)
        arrivals.append(clock.now)
        await clock.sleep(latency - arrival_delay)
        permit.release()

    tasks = [asyncio.create_task(request()) for _ in range(300)]
    while not all(t.done() for t in tasks):
        await clock.advance(0.05)
    assert len(arrivals) == 300
    assert max_in_any_window(arrivals, window=1.0) <= 10


async def test_saturated_budget_uses_the_whole_limit() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=10), clock)
    for i in range(50):
        rec.start(f"r{i}", Lane.BACKGROUND)
    await clock.advance(4.0)
    # The burst of 10 at t=0, then (the window full until t=1) one per 0.1 s: every window
    # after the first is full, none holds more.
    times = [t for _, t in rec.grants]
    for start in (1.0, 2.0, 3.0):
        assert len([t for t in times if start - 1e-9 <= t < start + 1.0 - 1e-9]) == 10
    assert max_in_any_window(times, window=1.0) == 10


async def test_intent_queued_behind_200_background_calls_goes_out_next() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=10), clock)
    for i in range(210):
        rec.start(f"bg{i}", Lane.BACKGROUND)
    await settle()
    assert len(rec.grants) == 10
    rec.start("intent", Lane.INTENT)
    await clock.advance(0.5)
    assert len(rec.grants) == 10
    await clock.advance(0.5)
    assert rec.order[10] == "intent"


async def test_lanes_are_served_intent_then_create_then_background() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=1), clock)
    rec.start("first", Lane.BACKGROUND)
    await settle()
    rec.start("bg", Lane.BACKGROUND)
    rec.start("create", Lane.CREATE)
    rec.start("intent", Lane.INTENT)
    await clock.advance(3.0)
    assert rec.order == ["first", "intent", "create", "bg"]


async def test_lanes_are_fifo_inside() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=1), clock)
    for i in range(5):
        rec.start(f"c{i}", Lane.CREATE)
    await clock.advance(5.0)
    assert rec.order == [f"c{i}" for i in range(5)]


async def test_a_waiting_lane_is_passed_over_at_most_max_skips_times() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=1, max_skips=3), clock)
    rec.start("first", Lane.INTENT)
    await settle()
    rec.start("bg", Lane.BACKGROUND)
    rec.start("create", Lane.CREATE)
    for i in range(20):
        rec.start(f"i{i}", Lane.INTENT)
    await clock.advance(30.0)
    # Both lower lanes are passed over three times, then served, the higher one first.
    assert rec.order[:7] == ["first", "i0", "i1", "i2", "create", "bg", "i3"]


async def test_background_keeps_a_share_under_endless_intent_load() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=1, max_skips=4), clock)
    for i in range(10):
        rec.start(f"bg{i}", Lane.BACKGROUND)
    for i in range(100):
        rec.start(f"i{i}", Lane.INTENT)
    await clock.advance(50.0)
    first_50 = rec.order[:50]
    assert sum(name.startswith("bg") for name in first_50) == 10  # one in every five grants


async def test_rate_limit_pauses_every_caller_until_retry_after() -> None:
    clock = FakeClock()
    b = budget(clock, limit=100)
    rec = Recorder(b, clock)
    pause = b.note_rate_limited(retry_after=30.0)  # Aura seconds: 0.5 s at time scale 60
    assert pause == pytest.approx(0.5)
    for i in range(5):
        rec.start(f"r{i}", list(Lane)[i % 3])
    await clock.advance(0.49)
    assert rec.grants == []
    await clock.advance(0.01)
    assert rec.grants  # the pause is over ...
    await clock.advance(1.0)
    assert len(rec.grants) == 5  # ... and the rest follow paced (at the learned rate)
    assert all(t >= 0.5 - 1e-9 for _, t in rec.grants)
    assert len({round(t, 6) for _, t in rec.grants}) > 1
    assert b.stats().rate_limited == 1


async def test_rate_limit_without_retry_after_pauses_for_the_default() -> None:
    clock = FakeClock()
    b = budget(clock, default_retry_after=120.0)
    assert b.note_rate_limited(None) == pytest.approx(2.0)


async def test_a_later_rate_limit_extends_a_running_pause_but_never_shortens_it() -> None:
    clock = FakeClock()
    b = budget(clock)
    b.note_rate_limited(60.0)
    assert b.note_rate_limited(6.0) == pytest.approx(1.0)
    await clock.advance(0.5)
    assert b.note_rate_limited(60.0) == pytest.approx(1.0)
    assert b.stats().paused_for == pytest.approx(1.0)


async def test_a_cancelled_waiter_consumes_no_permit() -> None:
    clock = FakeClock()
    b = budget(clock, limit=1)
    rec = Recorder(b, clock)
    rec.start("first", Lane.BACKGROUND)
    await settle()
    doomed = rec.start("cancelled", Lane.INTENT)
    rec.start("next", Lane.BACKGROUND)
    await settle()
    doomed.cancel()
    await clock.advance(1.0)
    assert rec.order == ["first", "next"]
    assert b.stats().in_window == 1


async def test_stats_report_queue_depth_and_waits_by_lane() -> None:
    clock = FakeClock()
    b = budget(clock, limit=2)
    rec = Recorder(b, clock)
    for i in range(4):
        rec.start(f"bg{i}", Lane.BACKGROUND)
    rec.start("intent", Lane.INTENT)
    await settle()
    stats = b.stats()
    assert stats.lanes[Lane.BACKGROUND].queued == 2
    assert stats.lanes[Lane.INTENT].queued == 1
    assert stats.queued == 3
    assert stats.in_window == 2
    await clock.advance(1.0)  # two slots free: the intent goes, the next is paced (0.5 s)
    stats = b.stats()
    assert stats.queued == 2
    assert stats.lanes[Lane.INTENT].granted == 1
    assert stats.lanes[Lane.INTENT].last_wait == pytest.approx(1.0)
    await clock.advance(0.5)
    stats = b.stats()
    assert stats.queued == 1
    assert stats.lanes[Lane.BACKGROUND].total_wait == pytest.approx(1.5)
    assert stats.lanes[Lane.BACKGROUND].max_wait == pytest.approx(1.5)


async def test_observer_sees_grants_and_rate_limits() -> None:
    events: list[tuple[str, object, float]] = []

    class Observer:
        def on_granted(self, budget_key: str, lane: Lane, waited: float) -> None:
            events.append(("granted", lane, waited))

        def on_rate_limited(self, budget_key: str, pause: float) -> None:
            events.append(("rate_limited", budget_key, pause))

    clock = FakeClock()
    b = budget(clock, limit=1, observer=Observer())
    rec = Recorder(b, clock)
    rec.start("a", Lane.CREATE)
    rec.start("b", Lane.INTENT)
    await clock.advance(1.0)
    b.note_rate_limited(6.0)
    assert events == [
        ("granted", Lane.CREATE, 0.0),
        ("granted", Lane.INTENT, 1.0),
        ("rate_limited", "client", pytest.approx(0.1)),
    ]


def test_registry_gives_one_budget_per_client_id_by_default() -> None:
    registry = LimiterRegistry(limit=10)
    a = registry.budget_for("a")
    assert registry.budget_for("a") is a
    assert registry.budget_for("b") is not a
    assert {x.key for x in registry.budgets()} == {"a", "b"}


def test_registry_with_process_scope_shares_one_budget() -> None:
    registry = LimiterRegistry(limit=10, scope="process")
    assert registry.budget_for("a") is registry.budget_for("b")


def test_registry_passes_its_settings_to_budgets() -> None:
    registry = LimiterRegistry(limit=125, margin=5, time_scale=120.0)
    b = registry.budget_for("a")
    assert b.capacity == 120
    assert b.window == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 5, "margin": 5}, "leaves no requests"),
        ({"time_scale": 0.0}, "time_scale"),
        ({"scope": "cluster"}, "scope"),
    ],
)
def test_registry_rejects_impossible_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LimiterRegistry(**kwargs)  # type: ignore[arg-type]


async def test_a_backlog_is_paced_so_user_intent_never_waits_for_the_window_to_turn() -> None:
    clock = FakeClock()
    b = budget(clock, limit=10, burst=2)  # window 1 s, so one grant per 0.1 s after the burst
    recorder = Recorder(b, clock)
    for i in range(30):
        recorder.start(f"bg{i}", Lane.BACKGROUND)
    await clock.advance(0.35)  # the burst, then pacing: not the whole budget at once
    assert len(recorder.grants) == 2 + 3

    recorder.start("edit", Lane.INTENT)
    await clock.advance(0.1)

    assert recorder.order[-1] == "edit"  # the next grant, one interval later at most
    await clock.advance(5.0)
    times = [t for _, t in recorder.grants]
    assert max_in_any_window(times, window=1.0) <= 10  # still strict over any window


async def test_an_edits_read_and_write_are_not_spaced_out_by_pacing() -> None:
    clock = FakeClock()
    b = budget(clock, limit=10, burst=2)  # window 1 s, one grant per 0.1 s after the burst
    recorder = Recorder(b, clock)
    for i in range(30):
        recorder.start(f"bg{i}", Lane.BACKGROUND)
    await clock.advance(0.21)  # the burst and two paced grants: no credit left
    granted = len(recorder.grants)

    recorder.start("read", Lane.INTENT)
    await settle()
    recorder.start("write", Lane.INTENT)
    await settle()

    assert recorder.order[granted:] == ["read", "write"]  # both at once, not 0.1 s apart
    assert {t for _, t in recorder.grants[granted:]} == {clock.now}


async def test_the_pacing_loan_is_paid_back_by_the_other_lanes() -> None:
    clock = FakeClock()
    b = budget(clock, limit=10, burst=2)
    recorder = Recorder(b, clock)
    for i in range(60):
        recorder.start(f"bg{i}", Lane.BACKGROUND)
    for at in (0.25, 1.55, 2.85):
        await clock.advance(at - clock.now)
        recorder.start(f"read@{at}", Lane.INTENT)
        recorder.start(f"write@{at}", Lane.INTENT)
    await clock.advance(4.0 - clock.now)

    # At most the burst, the loan and one grant per interval in any stretch of time.
    times = sorted(t for _, t in recorder.grants)
    for start in times:
        in_stretch = [t for t in times if start <= t < start + 1.5]
        assert len(in_stretch) <= 2 + 2 + 15 + 1
    assert max_in_any_window(times, window=1.0) <= 10  # the window binds intent as ever


async def test_slots_freeing_together_do_not_go_out_again_as_a_burst() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=10, burst=10), clock)  # window 1 s, interval 0.1 s
    for i in range(50):
        rec.start(f"r{i}", Lane.BACKGROUND)
    await clock.advance(4.0)

    # The idle budget's burst at t=0 frees at t=1 all at once; waiting for those slots gave
    # no credit, so from then on the grants are spaced, not a burst in every window.
    later = [t for _, t in rec.grants if t >= 1.0]
    assert len(later) >= 25
    assert min(b - a for a, b in itertools.pairwise(later)) == pytest.approx(0.1)


async def test_an_edits_read_and_write_both_find_reserved_slots_in_a_full_window() -> None:
    clock = FakeClock()
    b = budget(clock, limit=60, burst=60)  # 2% of 60 would be a single slot
    rec = Recorder(b, clock)
    for i in range(100):
        rec.start(f"bg{i}", Lane.BACKGROUND)
    await clock.advance(0.1)
    assert len(rec.grants) == 58  # the backlog leaves two slots alone

    rec.start("read", Lane.INTENT)
    await settle()
    rec.start("write", Lane.INTENT)
    await settle()

    assert rec.order[-2:] == ["read", "write"]
    assert b.stats().in_window == 60


# Learning from 429s (AIMD): budget(limit=20) has a 1-second window and a 1-request step.


async def fill_window(clock: FakeClock, b: Budget, count: int) -> Recorder:
    """`count` requests answered at once; the clock then stands just after the last grant."""
    rec = Recorder(b, clock)
    for i in range(count):
        rec.start(f"w{i}", Lane.BACKGROUND)
    while len(rec.grants) < count:
        await clock.advance(0.01)
    return rec


async def test_a_429_lowers_the_rate_to_what_the_window_held_less_a_step() -> None:
    clock = FakeClock()
    b = budget(clock, limit=20, burst=20)
    await fill_window(clock, b, 15)

    b.note_rate_limited(retry_after=0.0)

    assert b.rate() == 14.0  # 15 held, step 5% of 20 = 1
    assert b.stats().rate == 14.0


async def test_after_a_429_the_window_admits_only_the_learned_rate() -> None:
    clock = FakeClock()
    b = budget(clock, limit=20, burst=20)
    await fill_window(clock, b, 15)
    await clock.advance(0.5)
    b.note_rate_limited(retry_after=0.0)  # learned 14 until t=1.5
    rec = Recorder(b, clock)
    for i in range(40):
        rec.start(f"r{i}", Lane.BACKGROUND)
    await clock.advance(3.0)

    # Paced at the learned 14 a window once the old window's slots free at t=1.
    early = [t for _, t in rec.grants if t < 1.5]
    assert early == [pytest.approx(1.0 + k / 14) for k in range(len(early))]
    assert len(early) == 7
    assert max_in_any_window([t for _, t in rec.grants], window=1.0) <= 16


async def test_several_429s_from_one_crowded_window_lower_the_rate_once() -> None:
    clock = FakeClock()
    b = budget(clock, limit=20, burst=20)
    await fill_window(clock, b, 15)

    for _ in range(4):
        b.note_rate_limited(retry_after=0.0)
    assert b.rate() == 14.0
    await clock.advance(0.5)
    b.note_rate_limited(retry_after=0.0)
    assert b.rate() == 14.0

    await clock.advance(0.6)  # a window after the first: a new 429 is news again
    b.note_rate_limited(retry_after=0.0)
    assert b.rate() < 14.0


async def test_the_rate_rests_just_below_the_429_then_probes_on_after_quiet_windows() -> None:
    clock = FakeClock()
    b = budget(clock, limit=80, burst=80)
    await fill_window(clock, b, 60)
    b.note_rate_limited(retry_after=0.0)  # held 60: down to 56 (step 4), resting at 58

    seen = []
    for _ in range(QUIET_WINDOWS + 24):
        await clock.advance(1.0)
        seen.append(b.rate())

    resting, probing = seen[:QUIET_WINDOWS], seen[QUIET_WINDOWS:]
    assert resting == [57.0] + [58.0] * (QUIET_WINDOWS - 1)
    assert probing == [59.0 + i for i in range(21)] + [80.0] * 3


async def test_a_429_while_the_budget_held_little_keeps_a_tenth_of_the_capacity() -> None:
    clock = FakeClock()
    b = budget(clock, limit=100, burst=20)
    await fill_window(clock, b, 2)

    b.note_rate_limited(retry_after=0.0)

    assert b.rate() == 10.0


async def test_pacing_follows_the_learned_rate() -> None:
    clock = FakeClock()
    b = budget(clock, limit=40, burst=1)
    await fill_window(clock, b, 12)  # paced at 40/window: 0.025 s apart, done at t=0.275
    await clock.advance(0.5)
    b.note_rate_limited(retry_after=0.0)  # learned 10 (step 2) until t=1.78: one per 0.1 s
    await clock.advance(0.5)  # the old grants leave the window
    rec = Recorder(b, clock)
    for i in range(5):
        rec.start(f"r{i}", Lane.BACKGROUND)
    await clock.advance(0.45)

    gaps = [round(b2 - a, 3) for (_, a), (_, b2) in zip(rec.grants, rec.grants[1:], strict=False)]
    assert gaps == [0.1, 0.1, 0.1, 0.1]


async def test_each_credential_learns_its_own_rate() -> None:
    clock = FakeClock()
    registry = LimiterRegistry(limit=20, time_scale=60.0, clock=clock, burst=20)
    crowded, alone = registry.budget_for("shared-key"), registry.budget_for("own-key")
    await fill_window(clock, crowded, 15)

    crowded.note_rate_limited(retry_after=0.0)

    assert crowded.rate() == 14.0
    assert alone.rate() == 20.0


async def test_a_client_reports_its_credentials_learned_rate() -> None:
    registry = LimiterRegistry(limit=20)
    async with AuraApi("http://aura.invalid", limiter_registry=registry) as api:
        client = api.client_for(Credentials("shared-key", SecretStr("not-used")))
        assert client.requests_per_minute() == 20.0

        registry.budget_for("shared-key").note_rate_limited(retry_after=0.0)

        assert client.requests_per_minute() == 2.0  # nothing held: a tenth of the limit


@pytest.mark.parametrize("turns", range(6))
async def test_a_wait_cancelled_at_any_point_never_keeps_a_slot(turns: int) -> None:
    """Cancel a queued acquirer `turns` event-loop turns after the dispatcher wakes to grant
    it: before the grant, in the same turn as the grant, and after it reached the caller."""
    clock = FakeClock()
    b = budget(clock, limit=2, time_scale=60.0, burst=1)  # window 1 s, one grant per 0.5 s
    first = await b.acquire(Lane.BACKGROUND)
    waiter = asyncio.create_task(b.acquire(Lane.CREATE))
    await settle()
    assert not waiter.done()  # paced: the dispatcher sleeps until the next grant is due

    clock.fire_next()
    for _ in range(turns):
        await asyncio.sleep(0)
    waiter.cancel()
    await settle()
    if not waiter.cancelled():  # the permit reached the caller before the cancel: its duty
        waiter.result().release()

    first.release()
    await clock.advance(2.0)
    stats = b.stats()
    assert (stats.in_flight, stats.in_window) == (0, 0)
    await asyncio.wait_for(b.acquire(Lane.INTENT), 1)
    await clock.advance(0.5)
    await asyncio.wait_for(b.acquire(Lane.INTENT), 1)  # the whole capacity is there again
    assert b.stats().in_flight == 2


async def test_user_intent_finds_a_reserved_slot_when_a_backlog_fills_the_window() -> None:
    clock = FakeClock()
    b = budget(clock, limit=100, burst=100)  # 2 slots of 100 only for intent
    rec = Recorder(b, clock)
    for i in range(150):
        rec.start(f"bg{i}", Lane.BACKGROUND)
    await clock.advance(0.5)
    assert len(rec.grants) == 98  # the backlog leaves the reserve alone

    rec.start("edit", Lane.INTENT)
    await clock.advance(0.02)  # at most one pacing interval (0.01 s) later

    assert rec.order[-1] == "edit"
    assert b.stats().in_window == 99


async def test_the_intent_reserve_never_takes_the_last_slot_of_a_tiny_budget() -> None:
    clock = FakeClock()
    rec = Recorder(budget(clock, limit=1), clock)
    rec.start("only", Lane.BACKGROUND)
    await settle()
    assert rec.order == ["only"]


async def test_recent_reports_aura_seconds_since_each_request_holding_a_slot() -> None:
    clock = FakeClock()
    b = budget(clock, limit=10)  # window 1 s real at time scale 60
    answered = await b.acquire(Lane.BACKGROUND)
    answered.release()
    await clock.advance(0.25)  # 15 Aura seconds
    await b.acquire(Lane.BACKGROUND)  # still under way

    assert sorted(b.recent()) == pytest.approx([0.0, 15.0])


async def test_a_seeded_budget_counts_a_predecessors_requests_until_their_window_ends() -> None:
    clock = FakeClock()
    b = budget(clock, limit=3, burst=3)
    b.seed([0.0, 30.0])  # Aura seconds ago: slots free 60 and 30 Aura seconds from now
    rec = Recorder(b, clock)
    for name in "abc":
        rec.start(name, Lane.BACKGROUND)

    await clock.advance(2.0)

    assert rec.grants == [("a", 0.0), ("b", 0.5), ("c", 1.0)]


async def test_a_registry_seeds_budgets_created_later_from_the_record_or_the_rest() -> None:
    clock = FakeClock()
    registry = LimiterRegistry(limit=10, time_scale=60.0, clock=clock)
    registry.seed({"client-a": [1.0, 2.0]}, others=[0.0])

    assert len(registry.budget_for("client-a").recent()) == 2
    assert len(registry.budget_for("client-b").recent()) == 1
