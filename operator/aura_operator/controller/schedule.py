"""When to look at Aura next: pure timing rules, in Aura seconds (the observer divides by the
time scale). Reads are scheduled where a result is likely, never on a tight fixed loop."""

from __future__ import annotations

import random

from aura_operator.controller.decisions import EXPECTED_DURATION, UNKNOWN_STATUS_DURATION

# The first read after an operation starts comes when most such operations are done
# (provisioning times spread around the usual duration); later reads come closer together.
FIRST_READ_FACTOR = 1.2
FOLLOW_UP_FACTOR = 0.06
MIN_INTERVAL = 10.0
MAX_INTERVAL = 120.0

DEFAULT_DRIFT_PERIOD = 1800.0
STARTUP_GRACE = 60.0
TENANT_LIST_PERIOD = 600.0
JITTER = 0.5
"""Drift checks are spread +-50% around the period, so a fleet created in one burst does not
keep checking in step."""


def next_read_delay(status: str, elapsed: float) -> float:
    """Seconds until the next status read of an instance in a transitional `status` that has
    been in it for `elapsed` seconds."""
    expected = EXPECTED_DURATION.get(status, UNKNOWN_STATUS_DURATION)
    first_read_at = expected * FIRST_READ_FACTOR
    if elapsed < first_read_at:
        return max(MIN_INTERVAL, first_read_at - elapsed)
    overdue = elapsed - first_read_at
    interval = expected * FOLLOW_UP_FACTOR * (1.0 + overdue / expected)
    return min(MAX_INTERVAL, max(MIN_INTERVAL, interval))


def drift_period(
    instances: int,
    *,
    requests_per_minute: int,
    background_share: float,
    base_period: float = DEFAULT_DRIFT_PERIOD,
) -> float:
    """Seconds between two drift checks of one instance.

    N instances checked every P seconds cost N * 60 / P requests a minute; P stretches so that
    stays within `background_share` of the budget.
    """
    per_minute = requests_per_minute * background_share
    budget_bound = 60.0 * instances / per_minute if per_minute > 0 else base_period
    return max(base_period, budget_bound)


def jittered(seconds: float, rng: random.Random | None = None, spread: float = JITTER) -> float:
    generator = rng or random
    return seconds * (1.0 + generator.uniform(-spread, spread))


def startup_offset(period: float, rng: random.Random | None = None) -> float:
    """When an instance confirmed by the start-up list gets its first detailed read: spread
    evenly over one drift period, after a grace minute, so a restart causes no burst."""
    generator = rng or random
    return STARTUP_GRACE + generator.uniform(0.0, period)
