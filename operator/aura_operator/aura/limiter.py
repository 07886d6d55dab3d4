"""The process-wide Aura request budget: a strict sliding window with three priority lanes.

A `Budget` lets at most `limit - margin` requests be under way or sent within the last window
of 60 Aura seconds (`60 / time_scale` real seconds). A request takes its slot when its permit is
granted and gives it back one full window after its response arrived (or it failed). Aura
counts a request when it arrives, which is after the grant and before the response, so however
much the network delays or reorders requests, Aura never sees more than the limit in any
window: a count kept from the grant alone would be beaten by the first request that is delayed
longer than a later one. There is no start-up burst.

Grants are also paced: beyond a small burst, at most one per `window / capacity`. The window
alone would let a backlog spend the whole budget at once and then grant nothing until the window
turns, so a user's request arriving just after such a burst would wait most of a minute; paced,
it waits at most one interval, because waiters are served intent first, then create, then
background. The intent lane may even borrow a couple of grants ahead of pacing
(INTENT_PACING_LOAN), so an edit's read and write go out back to back. A lane that has waiters
is passed over at most `max_skips` grants in a row, so no lane starves. A 429 closes the budget
for every caller until its `Retry-After`.

The budget also learns (AIMD): a 429 means someone else spends part of the same limit on this
credential (another tool, or another operator with the same API key), so the budget lowers its
own rate to what it had in the window, less a step (at most once a window), and raises it again
by one request per window while no 429 comes: up to half a step below the level that drew the
429, and past it towards the configured capacity only after QUIET_WINDOWS without one (so a
steady neighbour costs a 429 every quarter of an hour, not every few minutes). Never below a
tenth of the capacity. Pacing follows the learned rate.

Two slots of the window (INTENT_RESERVE) are for user intent only: when creates and reads
saturate the budget, a user's change (a read, then the write) still finds its slots at once.
Credit for a burst builds only while the budget is idle, not while waiters wait for a slot or a
429's pause: otherwise the slots of a burst, freeing together a window later, go out again as a
burst, and the window is full for a stretch of every minute.

All durations given to this module in Aura seconds are divided by `time_scale`; all durations
it reports (waits, pauses) are real seconds.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from aura_operator.aura.clock import Clock, SystemClock
from aura_operator.aura.lanes import LANES_BY_PRIORITY, Lane

AURA_WINDOW_SECONDS = 60.0
DEFAULT_LIMIT = 125
DEFAULT_RETRY_AFTER_SECONDS = 60.0
"""Pause after a 429 without `Retry-After`: one full window, after which the server's
window has surely emptied of our requests."""
DEFAULT_MAX_SKIPS = 8
DEFAULT_BURST = 10
"""Grants that may go out back to back before pacing applies (an idle budget answers a handful
of requests at once)."""
PROCESS_BUDGET_KEY = "*"
DECREASE_SHARE = 0.05
"""On a 429 the learned rate drops this share of the capacity below what the window held."""
INCREASE_PER_WINDOW = 1.0
"""Requests per window the learned rate regains for each window that passes without a 429."""
QUIET_WINDOWS = 15
"""Windows without a 429 after which the learned rate probes past the level that drew one."""
INTENT_PACING_LOAN = 2.0
"""Grants the intent lane may take ahead of pacing: a user's edit (a read, then the write) is
not spaced out by the pacing interval; the other lanes wait until the loan is paid back, so the
rate over time stays the learned one. The window (the limit) binds the intent lane as ever."""
INTENT_RESERVE = 2
"""Slots of the window only the intent lane may take: an edit's read and its write."""
INTENT_RESERVE_FROM = 20
"""Budgets (learned rates) of fewer slots keep no reserve."""
MIN_RATE_SHARE = 0.1
"""The learned rate never drops below this share of the capacity: a stray 429 while the budget
held little must not leave a user's edit waiting minutes for a slot."""
_TIME_EPSILON = 1e-6
"""Slack for float rounding (and timers firing a hair early) when a slot frees."""

Scope = Literal["credential", "process"]


class LimiterObserver(Protocol):
    """Receives limiter events, e.g. to feed Prometheus histograms and counters."""

    def on_granted(self, budget_key: str, lane: Lane, waited: float) -> None: ...

    def on_rate_limited(self, budget_key: str, pause: float) -> None: ...


@dataclass(frozen=True)
class LaneStats:
    queued: int
    granted: int
    total_wait: float
    last_wait: float
    max_wait: float


@dataclass(frozen=True)
class BudgetStats:
    """A snapshot of one budget, in real seconds."""

    key: str
    capacity: int
    window: float
    rate: float
    """Requests per window currently allowed: the capacity, or less after a 429 (learned)."""
    in_flight: int
    """Granted requests without a response yet."""
    in_window: int
    """Slots taken: in flight, or answered less than a window ago."""
    paused_for: float
    rate_limited: int
    lanes: Mapping[Lane, LaneStats]

    @property
    def queued(self) -> int:
        return sum(lane.queued for lane in self.lanes.values())


class Permit:
    """One granted request. `release()` it when the response (or the failure) is in."""

    def __init__(self, budget: Budget, lane: Lane, waited: float) -> None:
        self._budget = budget
        self.lane = lane
        self.waited = waited
        """Real seconds spent waiting for the grant."""
        self._released = False

    def release(self) -> None:
        """Idempotent: the slot frees one window from the first call."""
        if not self._released:
            self._released = True
            self._budget._release()

    def give_back(self) -> None:
        """Return a permit no request was sent with: its slot and pacing credit free now."""
        if not self._released:
            self._released = True
            self._budget._give_back()


@dataclass
class _Waiter:
    future: asyncio.Future[Permit]
    enqueued_at: float


@dataclass
class _LaneState:
    waiters: deque[_Waiter] = field(default_factory=deque)
    skips: int = 0
    granted: int = 0
    total_wait: float = 0.0
    last_wait: float = 0.0
    max_wait: float = 0.0

    def drop_abandoned(self) -> None:
        while self.waiters and self.waiters[0].future.done():
            self.waiters.popleft()
        if not self.waiters:
            self.skips = 0


class Budget:
    """One request budget. Create through `LimiterRegistry.budget_for`."""

    def __init__(
        self,
        key: str,
        *,
        limit: int = DEFAULT_LIMIT,
        margin: int = 0,
        time_scale: float = 1.0,
        clock: Clock | None = None,
        default_retry_after: float = DEFAULT_RETRY_AFTER_SECONDS,
        max_skips: int = DEFAULT_MAX_SKIPS,
        burst: int = DEFAULT_BURST,
        observer: LimiterObserver | None = None,
    ) -> None:
        if limit - margin < 1:
            raise ValueError(f"limit {limit} minus margin {margin} leaves no requests")
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if max_skips < 0:
            raise ValueError("max_skips must not be negative")
        self.key = key
        self.capacity = limit - margin
        self.time_scale = time_scale
        self.window = AURA_WINDOW_SECONDS / time_scale
        self._clock = clock or SystemClock()
        self._default_retry_after = default_retry_after
        self._max_skips = max_skips
        self._observer = observer
        self._in_flight = 0
        self._frees_at: deque[float] = deque()  # ascending: appended at release time + window
        self._lanes: dict[Lane, _LaneState] = {lane: _LaneState() for lane in LANES_BY_PRIORITY}
        self._paused_until = -math.inf
        self._rate_limited = 0
        self._dispatcher: asyncio.Task[None] | None = None
        self._released = asyncio.Event()
        self._burst = float(max(1, min(burst, self.capacity)))
        self._credit = self._burst
        self._credit_at = self._clock.monotonic()
        # The learned rate is a function of the time since the last decrease (`_current_rate`).
        self._decreased_at = -math.inf
        self._rate_after_decrease = float(self.capacity)
        self._ceiling = float(self.capacity)
        """Where the learned rate rests until QUIET_WINDOWS pass: just below the last 429."""

    async def acquire(self, lane: Lane) -> Permit:
        """Wait for a permit to send one request now."""
        now = self._clock.monotonic()
        if not self._has_waiters(at_or_above=lane) and self._can_send(now, lane):
            return self._grant(lane, now, waited=0.0)
        future: asyncio.Future[Permit] = asyncio.get_running_loop().create_future()
        self._lanes[lane].waiters.append(_Waiter(future, now))
        self._ensure_dispatcher()
        try:
            return await future
        except asyncio.CancelledError:
            # Granted in the same event-loop turn as the cancel: the permit never reaches the
            # caller, so nothing was sent with it; give its slot back or it is lost for good.
            if future.done() and not future.cancelled():
                future.result().give_back()
            raise

    def recent(self) -> list[float]:
        """Aura seconds since each request that still holds a slot: 0 for one under way, else
        since its answer (a slot frees one window after it).

        Safe from another thread (the leader elector's, which publishes it with each renewal):
        it changes nothing, and copies the queue in one step the GIL does not interrupt. A
        request answered between the two reads counts twice, never not at all."""
        in_flight = self._in_flight
        frees_at = tuple(self._frees_at)
        now = self._clock.monotonic()
        horizon = now + _TIME_EPSILON
        answered = [(self.window - (f - now)) * self.time_scale for f in frees_at if f > horizon]
        return [0.0] * in_flight + [max(0.0, age) for age in answered]

    def seed(self, ages: Iterable[float]) -> None:
        """Count requests made `ages` Aura seconds ago (by a predecessor process) as holding
        their slots for the rest of their window."""
        now = self._clock.monotonic()
        frees = [now - age / self.time_scale + self.window for age in ages]
        self._frees_at = deque(sorted([*self._frees_at, *(f for f in frees if f > now)]))

    def note_rate_limited(self, retry_after: float | None) -> float:
        """Close the budget for every caller for `retry_after` Aura seconds (a default if None).

        Returns the real seconds of the pause now in force.
        """
        aura_seconds = self._default_retry_after if retry_after is None else retry_after
        pause = max(aura_seconds, 0.0) / self.time_scale
        now = self._clock.monotonic()
        self._paused_until = max(self._paused_until, now + pause)
        self._rate_limited += 1
        self._learn_from_rejection(now)
        if self._observer is not None:
            self._observer.on_rate_limited(self.key, pause)
        return self._paused_until - now

    def rate(self) -> float:
        """Requests per window currently allowed (the learned rate)."""
        return self._current_rate(self._clock.monotonic())

    def _current_rate(self, now: float) -> float:
        """The learned rate: INCREASE_PER_WINDOW more for each whole window since the last
        decrease (additive increase), resting at the ceiling for QUIET_WINDOWS, then on to the
        capacity."""
        if self._decreased_at == -math.inf:
            return float(self.capacity)
        windows = math.floor((now - self._decreased_at + _TIME_EPSILON) / self.window)
        rested = min(
            self._ceiling,
            self._rate_after_decrease + min(windows, QUIET_WINDOWS) * INCREASE_PER_WINDOW,
        )
        probing = max(0, windows - QUIET_WINDOWS) * INCREASE_PER_WINDOW
        return min(float(self.capacity), rested + probing)

    def _slots(self, now: float, lane: Lane = Lane.INTENT) -> int:
        """Requests of `lane` that may be under way or sent within the window: the learned rate,
        less the intent reserve for the other lanes."""
        slots = max(1, math.floor(self._current_rate(now) + _TIME_EPSILON))
        if lane is Lane.INTENT:
            return slots
        reserve = INTENT_RESERVE if slots >= INTENT_RESERVE_FROM else 0
        return slots - reserve

    def _learn_from_rejection(self, now: float) -> None:
        """The decrease: down to what this budget had in the window, less a
        step; several 429s from one crowded window count once."""
        if now - self._decreased_at < self.window:
            return
        self._expire(now)
        held = min(self._current_rate(now), float(self._taken()))
        step = max(1.0, DECREASE_SHARE * self.capacity)
        rate = max(1.0, MIN_RATE_SHARE * self.capacity, held - step)
        self._rate_after_decrease = rate
        # Rest a little below the level that drew the 429: our count of the window and Aura's
        # differ by the requests on the wire, so resting right at it draws more 429s.
        self._ceiling = max(rate, held - step / 2)
        self._decreased_at = now

    def stats(self) -> BudgetStats:
        now = self._clock.monotonic()
        self._expire(now)
        return BudgetStats(
            key=self.key,
            capacity=self.capacity,
            window=self.window,
            rate=self._current_rate(now),
            in_flight=self._in_flight,
            in_window=self._taken(),
            paused_for=max(self._paused_until - now, 0.0),
            rate_limited=self._rate_limited,
            lanes={
                lane: LaneStats(
                    queued=sum(1 for w in state.waiters if not w.future.done()),
                    granted=state.granted,
                    total_wait=state.total_wait,
                    last_wait=state.last_wait,
                    max_wait=state.max_wait,
                )
                for lane, state in self._lanes.items()
            },
        )

    def _release(self) -> None:
        self._in_flight -= 1
        self._frees_at.append(self._clock.monotonic() + self.window)
        self._released.set()

    def _give_back(self) -> None:
        self._in_flight -= 1
        self._credit = min(self._burst, self._credit + 1.0)
        self._released.set()

    def _taken(self) -> int:
        return self._in_flight + len(self._frees_at)

    def _has_waiters(self, at_or_above: Lane | None = None) -> bool:
        """Whether any lane (or `at_or_above` and the lanes before it) has waiters."""
        for state in self._lanes.values():
            state.drop_abandoned()
        lanes = LANES_BY_PRIORITY
        if at_or_above is not None:
            lanes = lanes[: lanes.index(at_or_above) + 1]
        return any(self._lanes[lane].waiters for lane in lanes)

    def _expire(self, now: float) -> None:
        horizon = now + _TIME_EPSILON
        while self._frees_at and self._frees_at[0] <= horizon:
            self._frees_at.popleft()

    def _can_send(self, now: float, lane: Lane) -> bool:
        if now < self._paused_until:
            return False
        self._expire(now)
        return self._taken() < self._slots(now, lane) and self._paced_wait(now, lane) <= 0.0

    def _paced_wait(self, now: float, lane: Lane | None = None) -> float:
        """Seconds until pacing (at the learned rate) allows the next grant of `lane` (0: now):
        the intent lane may borrow up to INTENT_PACING_LOAN grants ahead."""
        rate = self._current_rate(now)
        interval = self.window / rate
        burst = max(1.0, min(self._burst, rate))
        self._credit = min(burst, self._credit + (now - self._credit_at) / interval)
        self._credit_at = now
        needed = 1.0 - INTENT_PACING_LOAN if lane is Lane.INTENT else 1.0
        wait = (needed - self._credit) * interval
        return wait if wait > _TIME_EPSILON else 0.0

    def _grant(self, lane: Lane, now: float, waited: float) -> Permit:
        self._in_flight += 1
        self._credit = max(-INTENT_PACING_LOAN, self._credit - 1.0)
        state = self._lanes[lane]
        state.granted += 1
        state.total_wait += waited
        state.last_wait = waited
        state.max_wait = max(state.max_wait, waited)
        if self._observer is not None:
            self._observer.on_granted(self.key, lane, waited)
        return Permit(self, lane, waited)

    def _ensure_dispatcher(self) -> None:
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.get_running_loop().create_task(
                self._dispatch(), name=f"aura-limiter-{self.key}"
            )

    async def _dispatch(self) -> None:
        # The only place that grants to queued waiters, so the grant order is the lane order.
        while self._has_waiters():
            now = self._clock.monotonic()
            if now < self._paused_until:
                await self._clock.sleep(self._paused_until - now)
                self._no_credit_while_blocked()
                continue
            self._expire(now)
            if self._taken() >= self._slots(now, self._peek_lane()):
                await self._wait_for_a_slot(now)
                self._no_credit_while_blocked()
                continue
            paced = self._paced_wait(now, self._peek_lane())
            if paced > 0.0:
                await self._clock.sleep(paced)
                continue
            lane = self._next_lane()
            waiter = self._lanes[lane].waiters.popleft()
            waited = now - waiter.enqueued_at
            waiter.future.set_result(self._grant(lane, now, waited))

    def _no_credit_while_blocked(self) -> None:
        """Waiters waited for a slot or a pause, not for pacing: the time gave no burst credit
        (at most the one grant due now)."""
        self._paced_wait(self._clock.monotonic())
        self._credit = min(self._credit, 1.0)

    async def _wait_for_a_slot(self, now: float) -> None:
        if self._frees_at:
            # A later release frees its slot later still, so the head is the next to free.
            await self._clock.sleep(self._frees_at[0] - now)
        else:
            self._released.clear()
            await self._released.wait()

    def _peek_lane(self) -> Lane:
        """The lane the next grant goes to (without counting it)."""
        waiting = [lane for lane in LANES_BY_PRIORITY if self._lanes[lane].waiters]
        starving = [lane for lane in waiting if self._lanes[lane].skips >= self._max_skips]
        return starving[0] if starving else waiting[0]

    def _next_lane(self) -> Lane:
        waiting = [lane for lane in LANES_BY_PRIORITY if self._lanes[lane].waiters]
        chosen = self._peek_lane()
        for lane in waiting:
            state = self._lanes[lane]
            state.skips = 0 if lane is chosen else state.skips + 1
        return chosen


class LimiterRegistry:
    """The process's budgets: one per client id (scope "credential") or one in all ("process")."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        margin: int = 0,
        scope: Scope = "credential",
        time_scale: float = 1.0,
        *,
        clock: Clock | None = None,
        default_retry_after: float = DEFAULT_RETRY_AFTER_SECONDS,
        max_skips: int = DEFAULT_MAX_SKIPS,
        burst: int = DEFAULT_BURST,
        observer: LimiterObserver | None = None,
    ) -> None:
        if scope not in ("credential", "process"):
            raise ValueError(f"unknown limiter scope {scope!r}")
        # Validate once, before any budget exists.
        Budget("probe", limit=limit, margin=margin, time_scale=time_scale, max_skips=max_skips)
        self.limit = limit
        self.margin = margin
        self.scope: Scope = scope
        self.time_scale = time_scale
        self._clock = clock or SystemClock()
        self._default_retry_after = default_retry_after
        self._max_skips = max_skips
        self._burst = burst
        self._observer = observer
        self._budgets: dict[str, Budget] = {}
        self._seeds: dict[str, list[float]] = {}
        self._seed_others: list[float] = []

    def budget_for(self, client_id: str) -> Budget:
        key = PROCESS_BUDGET_KEY if self.scope == "process" else client_id
        budget = self._budgets.get(key)
        if budget is None:
            budget = Budget(
                key,
                limit=self.limit,
                margin=self.margin,
                time_scale=self.time_scale,
                clock=self._clock,
                default_retry_after=self._default_retry_after,
                max_skips=self._max_skips,
                burst=self._burst,
                observer=self._observer,
            )
            budget.seed(self._seeds.pop(key, self._seed_others))
            self._budgets[key] = budget
        return budget

    def recent(self) -> dict[str, list[float]]:
        """Every budget's `recent()`, by budget key (safe from another thread, as that is)."""
        return {key: budget.recent() for key, budget in dict(self._budgets).items()}

    def seed(self, budgets: Mapping[str, list[float]], others: list[float]) -> None:
        """Start budgets from a predecessor's requests (Aura seconds ago, from now): `budgets`
        by key, `others` for any budget not named. Call before the first request."""
        self._seeds = {key: list(ages) for key, ages in budgets.items()}
        self._seed_others = list(others)
        for key, budget in self._budgets.items():
            budget.seed(self._seeds.pop(key, self._seed_others))

    @property
    def burst(self) -> int:
        return self._burst

    def budgets(self) -> Iterator[Budget]:
        return iter(list(self._budgets.values()))
