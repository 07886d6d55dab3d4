"""The simulated clock every Aura-side time in the simulator is read from.

sim_now = wall clock at start + clock offset + elapsed real time * time_scale + advanced time.
It is built on the monotonic clock, so it never goes backwards.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime


class SimClock:
    def __init__(
        self, time_scale: float = 1.0, start: float | None = None, offset: float = 0.0
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self.offset = offset
        """Simulated seconds this clock started ahead of (or behind) the host's."""
        self._start = (time.time() if start is None else start) + offset
        self._mono_start = time.monotonic()
        self._advanced = 0.0

    def now(self) -> float:
        """Simulated epoch seconds."""
        elapsed = time.monotonic() - self._mono_start
        return self._start + elapsed * self.time_scale + self._advanced

    def advance(self, seconds: float) -> float:
        """Jump forward by `seconds` simulated seconds; returns the new now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._advanced += seconds
        return self.now()

    def to_real(self, sim_seconds: float) -> float:
        """Real seconds that `sim_seconds` of simulated time take to pass by themselves."""
        return sim_seconds / self.time_scale


def rfc3339(epoch: float) -> str:
    """`2023-01-20T13:44:42Z`, the timestamp format of Aura responses."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(epoch: float) -> str:
    """`Wed, 02 Dec 2026 09:33:12 GMT` (RFC 9110), for `Date` and `Retry-After` headers."""
    return format_datetime(datetime.fromtimestamp(int(epoch), UTC), usegmt=True)


def utc_date(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
