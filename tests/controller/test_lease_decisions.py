"""Leader election decisions, by this process's own clock (no two clocks compared)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from aura_operator.controller.lease import (
    ElectionTimings,
    claimed,
    may_take,
    observe,
    released,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def lease(holder: str | None, renew: str = "t1", version: str = "1") -> dict[str, Any]:
    return {
        "metadata": {"name": "aura-operator", "resourceVersion": version},
        "spec": {"holderIdentity": holder, "renewTime": renew, "leaseDurationSeconds": 15},
    }


def test_a_lease_held_by_another_is_not_taken_before_it_lapses_here() -> None:
    first = observe(lease("a"), None, now=100.0)

    assert not may_take(lease("a"), first, "b", now=114.9)
    assert may_take(lease("a"), observe(lease("a"), first, now=115.0), "b", now=115.0)


def test_a_renewal_seen_restarts_the_lapse_clock() -> None:
    first = observe(lease("a", renew="t1"), None, now=100.0)
    renewed = observe(lease("a", renew="t2", version="2"), first, now=110.0)

    assert renewed.seen_at == 110.0
    assert not may_take(lease("a", renew="t2"), renewed, "b", now=120.0)


def test_a_renew_time_far_in_the_past_by_our_clock_does_not_count() -> None:
    # The holder's clock is an hour behind: its renewTime looks stale, but it did renew.
    old = lease("a", renew="2025-12-31T23:00:00.000000Z")
    seen = observe(old, None, now=100.0)

    assert not may_take(old, seen, "b", now=101.0)


def test_a_released_lease_or_our_own_may_be_taken_at_once() -> None:
    assert may_take(lease(None), observe(lease(None), None, now=1.0), "b", now=1.0)
    assert may_take(lease("b"), observe(lease("b"), None, now=1.0), "b", now=1.0)


def test_claiming_another_holders_lease_counts_a_transition_and_keeps_the_version() -> None:
    held = lease("a", version="7")
    held["spec"]["leaseTransitions"] = 2

    body = claimed(held, identity="b", lease_duration=15, now=NOW, annotations={"k": "v"})

    assert body["spec"]["holderIdentity"] == "b"
    assert body["spec"]["leaseTransitions"] == 3
    assert body["spec"]["acquireTime"] == body["spec"]["renewTime"] == "2026-01-01T00:00:00.000000Z"
    assert body["metadata"]["resourceVersion"] == "7"  # the update is a compare-and-swap
    assert body["metadata"]["annotations"] == {"k": "v"}


def test_renewing_keeps_acquire_time_and_transitions() -> None:
    held = lease("b")
    held["spec"].update(acquireTime="earlier", leaseTransitions=3)

    body = claimed(held, identity="b", lease_duration=15, now=NOW, annotations={})

    assert body["spec"]["acquireTime"] == "earlier"
    assert body["spec"]["leaseTransitions"] == 3


def test_released_has_no_holder_and_keeps_the_final_record() -> None:
    body = released(lease("b", version="9"), now=NOW, annotations={"rec": "final"})

    assert body["spec"]["holderIdentity"] is None
    assert body["metadata"]["resourceVersion"] == "9"
    assert body["metadata"]["annotations"] == {"rec": "final"}


@pytest.mark.parametrize(("duration", "deadline", "retry"), [(10, 10, 2), (15, 10, 10), (5, 10, 2)])
def test_timings_must_leave_the_leader_time_to_stop_before_a_takeover(
    duration: float, deadline: float, retry: float
) -> None:
    with pytest.raises(ValidationError, match="retry period < renew deadline < lease duration"):
        ElectionTimings(lease_duration=duration, renew_deadline=deadline, retry_period=retry)
