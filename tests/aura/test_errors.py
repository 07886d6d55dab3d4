"""Error bodies in both shapes, the status-to-type mapping and the message text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aura_operator.aura import (
    AuraAuthError,
    AuraClientError,
    AuraConflict,
    AuraError,
    AuraNotFound,
    AuraRateLimited,
    AuraServerError,
    AuraValidationError,
    CreateOutcomeUnknown,
    ErrorDetail,
)
from aura_operator.aura.errors import error_for_status
from aura_operator.aura.models.errors import parse_error_body


def test_standard_error_shape() -> None:
    details = parse_error_body(
        {
            "errors": [
                {"message": "bad memory", "reason": "invalid-memory-size", "field": "memory"},
                {"message": "second", "reason": "", "id": "x"},
            ]
        }
    )
    assert details == (
        ErrorDetail(message="bad memory", reason="invalid-memory-size", field="memory"),
        ErrorDetail(message="second", reason=None, field=None, id="x"),
    )


def test_middleware_error_shape() -> None:
    assert parse_error_body({"error": "Key has expired"}) == (
        ErrorDetail(message="Key has expired"),
    )


def test_bare_v2_style_error() -> None:
    assert parse_error_body({"message": "nope", "reason": "validation-error"}) == (
        ErrorDetail(message="nope", reason="validation-error"),
    )


def test_non_json_body_becomes_the_message() -> None:
    assert parse_error_body(None, "<html>Bad Gateway</html>") == (
        ErrorDetail(message="<html>Bad Gateway</html>"),
    )
    assert parse_error_body(None, "") == ()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, AuraValidationError),
        (422, AuraValidationError),
        (401, AuraAuthError),
        (403, AuraAuthError),
        (404, AuraNotFound),
        (409, AuraConflict),
        (429, AuraRateLimited),
        (500, AuraServerError),
        (503, AuraServerError),
        (402, AuraClientError),
        (405, AuraClientError),
        (415, AuraClientError),
        (420, AuraClientError),
    ],
)
def test_status_maps_to_type(status: int, cls: type[AuraError]) -> None:
    error = error_for_status(status, method="GET", path="/v1/x", details=(), request_id="r-1")
    assert type(error) is cls
    assert error.status == status
    assert error.request_id == "r-1"


def test_conflict_knows_when_the_instance_is_busy() -> None:
    busy = error_for_status(
        409,
        method="POST",
        path="/v1/instances/abc/pause",
        details=(ErrorDetail(message="undergoing", reason="ongoing-database-operation"),),
        request_id=None,
    )
    other = error_for_status(
        409,
        method="POST",
        path="/v1/instances/abc/pause",
        details=(ErrorDetail(message="nope", reason="instance-action-unavailable"),),
        request_id=None,
    )
    assert isinstance(busy, AuraConflict) and busy.is_busy
    assert isinstance(other, AuraConflict) and not other.is_busy


def test_str_names_method_path_status_reason_field_message_and_request_id() -> None:
    error = error_for_status(
        400,
        method="POST",
        path="/v1/instances",
        details=(ErrorDetail(message="Memory 3GB is invalid", reason="bad-mem", field="memory"),),
        request_id="8a35/1238",
    )
    assert str(error) == (
        "POST /v1/instances -> 400 bad-mem: Memory 3GB is invalid "
        "(field memory, request id 8a35/1238)"
    )
    assert error.field == "memory"
    assert repr(error).startswith("AuraValidationError(")


def test_outcome_unknown_carries_request_and_time() -> None:
    sent = datetime(2026, 1, 1, tzinfo=UTC)
    error = CreateOutcomeUnknown(
        "lost", request_body={"name": "orders"}, sent_at=sent, method="POST", path="/v1/instances"
    )
    assert error.request_body == {"name": "orders"}
    assert "'orders'" in str(error)
    assert sent.isoformat() in str(error)
