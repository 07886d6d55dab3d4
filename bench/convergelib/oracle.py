"""The theoretical minimum: the best schedule any client could achieve against the simulator's
rate limit, given the durations the simulator actually drew in this run.

The oracle knows every instance's true duration. It sends one token request, then each
instance's write (POST or DELETE) as early as the strict sliding window allows (writes first,
so every operation starts as early as possible), and exactly one read per instance at the moment
that instance is done (GET finding it running, or 404). Its makespan is the time of the last
read. With unit-cost calls and every write free to go at t = 0, sending as early as the window
allows and writes first is optimal: any other order starts some operation later and frees no
capacity. Two closed forms are reported next to it (budget-notes section 3): the rate bound
2N/R and the provisioning bound P + N/R.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

WINDOW = 60.0


class SlidingWindow:
    """The simulator's rule: at most `limit` calls in any (t - 60 s, t]."""

    def __init__(self, limit: int, window: float = WINDOW) -> None:
        if limit < 1:
            raise ValueError("the limit must be positive")
        self.limit = limit
        self.window = window
        self._sent: deque[float] = deque()

    def earliest(self, t: float) -> float:
        """The earliest time at or after `t` (non-decreasing across calls) a call may go."""
        while self._sent and self._sent[0] <= t - self.window:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return t
        return self._sent[len(self._sent) - self.limit] + self.window

    def send(self, t: float) -> None:
        self._sent.append(t)


@dataclass(frozen=True)
class Oracle:
    n: int
    rate_per_minute: int
    makespan: float
    """Seconds from the first call to the last read of the optimal schedule."""
    rate_bound: float
    """2N/R in seconds: every instance needs a write and a read."""
    provisioning_bound: float
    """P_max + N/R in seconds: the last write cannot go before N/R, then it takes up to P_max."""
    max_duration: float
    median_duration: float
    p95_duration: float

    @property
    def bound_by(self) -> str:
        return "rate" if self.rate_bound >= self.provisioning_bound else "provisioning"

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n,
            "rate_per_minute": self.rate_per_minute,
            "makespan_s": round(self.makespan, 1),
            "rate_bound_s": round(self.rate_bound, 1),
            "provisioning_bound_s": round(self.provisioning_bound, 1),
            "bound_by": self.bound_by,
            "durations_s": {
                "median": round(self.median_duration, 1),
                "p95": round(self.p95_duration, 1),
                "max": round(self.max_duration, 1),
            },
        }


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in [0, 1]); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def optimal_makespan(durations: Sequence[float], limit: int, *, token: bool = True) -> float:
    """Makespan of the write-first greedy schedule for writes with these durations (in the
    order they are sent), under a sliding window of `limit` calls per minute."""
    window = SlidingWindow(limit)
    now = 0.0
    if token:
        window.send(now)
    done_at: list[float] = []
    for duration in durations:
        now = window.earliest(now)
        window.send(now)
        heapq.heappush(done_at, now + duration)
    last = now
    while done_at:
        now = window.earliest(max(now, heapq.heappop(done_at)))
        window.send(now)
        last = now
    return last


def oracle(durations: Sequence[float], limit: int, *, token: bool = True) -> Oracle:
    n = len(durations)
    per_call = WINDOW / limit
    longest = max(durations, default=0.0)
    return Oracle(
        n=n,
        rate_per_minute=limit,
        makespan=optimal_makespan(durations, limit, token=token),
        rate_bound=2 * n * per_call,
        provisioning_bound=longest + n * per_call,
        max_duration=longest,
        median_duration=percentile(durations, 0.5),
        p95_duration=percentile(durations, 0.95),
    )
