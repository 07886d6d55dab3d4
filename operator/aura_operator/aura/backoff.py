"""Retry timing: capped exponential backoff with full jitter, respecting `Retry-After`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. Durations are Aura seconds (divided by the time scale).

    `max_attempts` counts sends of one call, the first included; the single replay after a
    token refresh (401/403) is not counted.
    """

    max_attempts: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.backoff_base <= 0 or self.backoff_cap < self.backoff_base:
            raise ValueError("need 0 < backoff_base <= backoff_cap")

    def backoff(self, failed_attempts: int, retry_after: float | None = None) -> float:
        """Aura seconds to wait after `failed_attempts` (>= 1) failures.

        Full jitter: uniform in [0, min(cap, base * 2**(n-1))], but never less than the
        server's `Retry-After`.
        """
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (max(failed_attempts, 1) - 1))
        jittered = self.rng.uniform(0.0, ceiling)
        return max(jittered, retry_after or 0.0)
