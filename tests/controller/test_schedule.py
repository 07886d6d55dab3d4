"""Timing rules of the observer: expected-duration polling and budget-derived drift checks."""

from __future__ import annotations

import random

import pytest

from aura_operator.controller.schedule import (
    DEFAULT_DRIFT_PERIOD,
    MAX_INTERVAL,
    MIN_INTERVAL,
    STARTUP_GRACE,
    drift_period,
    next_read_delay,
    startup_offset,
)


def test_the_first_read_of_a_create_comes_after_the_usual_provisioning_time() -> None:
    assert next_read_delay("creating", 0.0) == pytest.approx(240 * 1.2)
    assert next_read_delay("creating", 200.0) == pytest.approx(288 - 200)


def test_reads_after_the_expected_time_come_closer_then_back_off_to_a_cap() -> None:
    first = next_read_delay("creating", 290.0)
    later = next_read_delay("creating", 900.0)
    assert MIN_INTERVAL <= first < later <= MAX_INTERVAL
    assert next_read_delay("creating", 100_000.0) == MAX_INTERVAL


def test_an_unknown_status_is_polled_like_a_minute_long_operation() -> None:
    assert next_read_delay("resizing", 0.0) == pytest.approx(72.0)


def test_drift_period_is_the_base_period_for_a_small_fleet() -> None:
    period = drift_period(100, requests_per_minute=120, background_share=0.5)
    assert period == DEFAULT_DRIFT_PERIOD
    assert 100 * 60 / period <= 5  # idle calls per minute at N = 100


@pytest.mark.parametrize("instances", [1000, 5000, 20000])
def test_drift_checks_stay_within_the_background_share_for_any_fleet(instances: int) -> None:
    period = drift_period(instances, requests_per_minute=120, background_share=0.25)
    assert instances * 60 / period <= 120 * 0.25 + 1e-9


def test_startup_reads_spread_over_one_period_after_a_grace_minute() -> None:
    rng = random.Random(7)
    offsets = [startup_offset(1800.0, rng) for _ in range(1000)]
    assert min(offsets) >= STARTUP_GRACE
    assert max(offsets) <= STARTUP_GRACE + 1800.0
    first_minute = sum(1 for o in offsets if o < STARTUP_GRACE + 60)
    assert first_minute < 60  # about 1000/30 per minute, never a burst of 1000
