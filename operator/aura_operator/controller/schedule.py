"""When to look at Aura next: pure timing rules, in Aura seconds (the observer divides by the
time scale). Reads are scheduled where a result is likely, never on a tight fixed loop."""

from __future__ import annotations

import math
import random

# Aura statuses that end by themselves; how long each usually takes, in Aura seconds.
EXPECTED_DURATION: dict[str, float] = {
    "creating": 240.0,
    "updating": 60.0,
    "pausing": 60.0,
    "resuming": 90.0,
    "restoring": 300.0,
    "overwriting": 300.0,
    "destroying": 30.0,
    "loading": 120.0,
    "suspending": 60.0,
}
UNKNOWN_STATUS_DURATION = 60.0

# Under load, the first read after an operation starts comes when most such operations are done
# (provisioning times spread around the usual duration); later reads come closer together.
# With budget to spare, reads start earlier and come every `read_spacing` seconds instead.
FIRST_READ_FACTOR = 1.2
EARLIEST_READ_FACTOR = 0.6
"""With an idle budget the first read comes at this share of the usual duration (few
operations end sooner)."""
LOADED_SPACING = 60.0
"""From this spacing between reads of one instance on, the first read comes at
FIRST_READ_FACTOR; below it, proportionally earlier."""
FOLLOW_UP_FACTOR = 0.06
MIN_INTERVAL = 10.0
MAX_INTERVAL = 120.0
MIN_SPACING = 5.0
"""The closest two reads of one instance ever come, however idle the budget."""

DEFAULT_DRIFT_PERIOD = 1800.0
STARTUP_GRACE = 60.0
TENANT_LIST_PERIOD = 600.0
JITTER = 0.5
"""Drift checks are spread +-50% around the period, so a fleet created in one burst does not
keep checking in step."""


def read_spacing(waiting: int, *, requests_per_minute: float, share: float) -> float:
    """Seconds between two reads of one of `waiting` instances in transition so that reading
    all of them every so often takes at most `share` of `requests_per_minute` (the budget's
    current, learned rate): short when the budget is idle, long when the fleet or another
    client's load is large."""
    per_minute = requests_per_minute * share
    if per_minute <= 0:
        return math.inf
    return max(MIN_SPACING, 60.0 * max(1, waiting) / per_minute)


def next_read_delay(status: str, elapsed: float, spacing: float = math.inf) -> float:
    """Seconds until the next status read of an instance in a transitional `status` that has
    been in it for `elapsed` seconds, when the budget allows one read of it every `spacing`
    seconds (`read_spacing`; infinite: as if the budget were busy)."""
    expected = EXPECTED_DURATION.get(status, UNKNOWN_STATUS_DURATION)
    # A start recorded by another clock (a restore's startedAt, written by the pod that sent
    # it) may lie in this clock's future: that is a start just now, not a later one.
    elapsed = max(0.0, elapsed)
    spacing = max(MIN_SPACING, spacing)
    load = min(1.0, spacing / LOADED_SPACING)
    factor = EARLIEST_READ_FACTOR + (FIRST_READ_FACTOR - EARLIEST_READ_FACTOR) * load
    first_read_at = expected * factor
    floor = min(MIN_INTERVAL, spacing)
    if elapsed < first_read_at:
        return max(floor, first_read_at - elapsed)
    overdue = elapsed - first_read_at
    interval = expected * FOLLOW_UP_FACTOR * (1.0 + overdue / expected)
    return min(MAX_INTERVAL, spacing, max(floor, interval))


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
