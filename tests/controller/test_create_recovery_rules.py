"""Which listed instances may be the outcome of an interrupted create (design 3.1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from aura_operator.aura import AuraValidationError, InstanceSummary
from aura_operator.controller.failures import aura_reason, describe
from aura_operator.controller.recovery import matching_instances

REQUESTED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def summary(id_: str, name: str, created: datetime | None) -> InstanceSummary:
    return InstanceSummary.model_validate(
        {"id": id_, "name": name, "created_at": created.isoformat() if created else None}
    )


def test_only_same_named_unclaimed_instances_created_after_the_intent_match() -> None:
    listing = [
        summary("00000001", "orders", REQUESTED + timedelta(seconds=5)),
        summary("00000002", "orders", REQUESTED - timedelta(days=3)),  # an old namesake
        summary("00000003", "billing", REQUESTED + timedelta(seconds=5)),
        summary("00000004", "orders", REQUESTED + timedelta(seconds=9)),  # another CR's
        summary("00000005", "orders", REQUESTED - timedelta(seconds=30)),  # clock skew
    ]
    found = matching_instances(listing, name="orders", requested_at=REQUESTED, claimed={"00000004"})
    assert [i.id for i in found] == ["00000001", "00000005"]


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
