"""Timing rules of the observer: expected-duration polling and budget-derived drift checks."""

from __future__ import annotations

import random

import pytest

from aura_operator.controller.schedule import (
    DEFAULT_DRIFT_PERIOD,
    MAX_INTERVAL,
    MIN_INTERVAL,
    MIN_SPACING,
    STARTUP_GRACE,
    drift_period,
    next_read_delay,
    read_spacing,
    startup_offset,
)
from aura_operator.controller.tracking import Fleet


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


# Spare budget buys latency: reads of instances in transition follow the budget's room.


def test_an_idle_budget_reads_a_lone_instance_every_few_seconds() -> None:
    assert read_spacing(1, requests_per_minute=123, share=0.5) == MIN_SPACING


def test_reads_stretch_as_the_fleet_in_transition_grows() -> None:
    spacings = [read_spacing(n, requests_per_minute=123, share=0.5) for n in (1, 10, 100, 500)]
    assert spacings == sorted(spacings)
    assert 500 * 60 / spacings[-1] == pytest.approx(123 * 0.5)  # all of them within the share


def test_reads_stretch_when_another_client_takes_part_of_the_credential() -> None:
    alone = read_spacing(20, requests_per_minute=123, share=0.5)
    shared = read_spacing(20, requests_per_minute=70, share=0.5)
    assert shared == pytest.approx(alone * 123 / 70)


def test_with_room_to_spare_a_create_is_read_early_and_then_every_spacing() -> None:
    first = next_read_delay("creating", 0.0, spacing=MIN_SPACING)
    assert first < 240 * 0.7  # well before the usual provisioning time
    assert next_read_delay("creating", first, spacing=MIN_SPACING) == MIN_SPACING
    assert next_read_delay("creating", 400.0, spacing=MIN_SPACING) == MIN_SPACING


def test_the_first_read_moves_later_as_the_spacing_grows() -> None:
    firsts = [next_read_delay("creating", 0.0, spacing=s) for s in (5.0, 20.0, 40.0, 60.0)]
    assert firsts == sorted(firsts)
    assert firsts[-1] == pytest.approx(240 * 1.2)


def test_a_busy_budget_reads_as_without_spacing() -> None:
    for elapsed in (0.0, 200.0, 290.0, 900.0):
        assert next_read_delay("creating", elapsed, spacing=300.0) == next_read_delay(
            "creating", elapsed
        )


def body(name: str, phase: str | None) -> dict[str, object]:
    status = {"phase": phase} if phase else {}
    return {"metadata": {"namespace": "ns", "name": name, "uid": name}, "status": status}


def test_the_fleet_counts_what_waits_for_aura() -> None:
    fleet = Fleet()
    for name, phase in [
        ("new", None),
        ("pending", "Pending"),
        ("creating", "Creating"),
        ("resizing", "Updating"),
        ("ready", "Ready"),
        ("paused", "Paused"),
        ("failed", "Failed"),
    ]:
        fleet.track(body(name, phase))
    assert fleet.in_transition() == 4


@pytest.mark.parametrize("status", ["restoring", "overwriting", "creating", "destroying"])
def test_a_start_time_from_a_clock_ahead_of_this_one_never_delays_the_next_read(
    status: str,
) -> None:
    # A restore's startedAt is the wall clock of the pod that sent it; read after a failover by
    # a pod whose clock is an hour behind, the operation seems to start an hour from now.
    from_the_future = next_read_delay(status, -3600.0)
    assert from_the_future <= next_read_delay(status, 0.0)
