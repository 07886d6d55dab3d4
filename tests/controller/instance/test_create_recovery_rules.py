"""Which listed instances may be the outcome of an interrupted create (design 3.1)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

from aura_operator.aura import AuraValidationError, InstanceSummary
from aura_operator.controller.failures import aura_reason, describe
from aura_operator.controller.instance.recovery import (
    CONFIRM_WINDOW,
    SEND_WINDOW,
    matching_instances,
    next_listing_at,
)

REQUESTED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def summary(id_: str, name: str, created: datetime | None) -> InstanceSummary:
    return InstanceSummary.model_validate(
        {"id": id_, "name": name, "created_at": created.isoformat() if created else None}
    )


def test_only_same_named_unclaimed_instances_created_at_or_after_the_intent_match() -> None:
    listing = [
        summary("00000001", "orders", REQUESTED + timedelta(seconds=5)),
        summary("00000002", "orders", REQUESTED - timedelta(days=3)),  # an old namesake
        summary("00000003", "billing", REQUESTED + timedelta(seconds=5)),
        summary("00000004", "orders", REQUESTED + timedelta(seconds=9)),  # another CR's
        summary("00000005", "orders", REQUESTED - timedelta(seconds=60)),  # a minute before
        summary("00000006", "orders", REQUESTED - timedelta(seconds=1)),  # same second
        summary("00000007", "orders", None),  # no created_at: cannot be ruled out
    ]
    found = matching_instances(listing, name="orders", requested_at=REQUESTED, claimed={"00000004"})
    assert [i.id for i in found] == ["00000001", "00000006", "00000007"]


def test_listings_come_at_growing_intervals_until_the_deciding_one() -> None:
    points = [0.0]
    while points[-1] < CONFIRM_WINDOW:
        points.append(next_listing_at(points[-1]))
    gaps = [b - a for a, b in itertools.pairwise(points)]
    assert points[-1] == CONFIRM_WINDOW
    assert gaps[:-1] == sorted(gaps[:-1])  # growing (the last one only fills up the window)
    assert len(points) <= 10
    assert next_listing_at(CONFIRM_WINDOW + 5) == CONFIRM_WINDOW


def test_the_confirm_window_covers_a_late_send_a_late_commit_and_a_lagging_listing() -> None:
    # The bound: a commit at least 10 minutes after the POST, listed as late again.
    assert CONFIRM_WINDOW >= SEND_WINDOW + 600 + 600


def test_a_created_at_without_a_timezone_is_taken_as_utc_and_compared() -> None:
    listing = [
        InstanceSummary.model_validate(
            {"id": "00000001", "name": "orders", "created_at": "2026-11-26T12:00:05"}
        ),
        InstanceSummary.model_validate(
            {"id": "00000002", "name": "orders", "created_at": "2026-11-23T12:00:00"}
        ),
    ]
    found = matching_instances(listing, name="orders", requested_at=REQUESTED, claimed=set())
    assert [i.id for i in found] == ["00000001"]
    assert found[0].created_at == REQUESTED + timedelta(seconds=5)


def test_aura_errors_become_condition_reasons_and_messages() -> None:
    error = AuraValidationError(
        "Invalid memory",
        status=400,
        reason="invalid-memory-size",
        field="memory",
        request_id="rid-1",
    )
    assert aura_reason(error) == "InvalidMemorySize"
    assert describe(error) == (
        "Invalid memory; reason invalid-memory-size; field memory; HTTP 400; request id rid-1"
    )


def test_any_aura_reason_becomes_a_valid_condition_reason() -> None:
    pattern = re.compile(r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")  # the CRD's pattern
    for reason in ["invalid.region", "403", "Not Found", "", None, "db-not-found", "x_y"]:
        error = AuraValidationError("m", status=400, reason=reason)
        assert pattern.match(aura_reason(error)), reason
