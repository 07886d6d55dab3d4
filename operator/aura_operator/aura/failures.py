"""Turning the exchange that ended a call into the `AuraError` to raise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from aura_operator.aura.calls import Call
from aura_operator.aura.errors import (
    AuraError,
    AuraUnavailable,
    CreateOutcomeUnknown,
    error_for_status,
)
from aura_operator.aura.exchange import Exchange
from aura_operator.aura.models.errors import ErrorDetail, parse_error_body
from aura_operator.aura.retry_rules import Decision

_SECRET_WORDS = ("password", "secret", "token")


def network_error(
    call: Call, error: httpx.RequestError, decision: Decision, first_sent_at: datetime
) -> AuraError:
    message = f"no response from Aura: {type(error).__name__}"
    detail = str(error)
    if detail:
        message += f" ({detail})"
    if decision is Decision.OUTCOME_UNKNOWN:
        return outcome_unknown(call, message, first_sent_at, status=None, request_id=None)
    return AuraUnavailable(message, method=call.method, path=call.path)


def status_error(
    call: Call,
    exchange: Exchange,
    decision: Decision,
    retry_after: float | None,
    first_sent_at: datetime,
) -> AuraError:
    response = exchange.response
    assert response is not None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    details: tuple[ErrorDetail, ...]
    if body is None and response.headers.get("Content-Type", "").startswith("text/html"):
        # A load balancer's page (502/503/504): Aura never answered, so there is no request id.
        details = (ErrorDetail(message=f"HTTP {response.status_code} page from a gateway"),)
    else:
        details = parse_error_body(body, "" if body is not None else response.text)
    if decision is Decision.OUTCOME_UNKNOWN:
        first = details[0].message if details else ""
        return outcome_unknown(
            call,
            f"Aura answered {response.status_code} {first}".rstrip(),
            first_sent_at,
            status=response.status_code,
            request_id=exchange.request_id,
        )
    return error_for_status(
        response.status_code,
        method=call.method,
        path=call.path,
        details=details,
        request_id=exchange.request_id,
        retry_after=retry_after,
    )


def outcome_unknown(
    call: Call,
    message: str,
    first_sent_at: datetime,
    *,
    status: int | None,
    request_id: str | None,
) -> CreateOutcomeUnknown:
    """`first_sent_at` is when the first attempt left: a lower bound of the `created_at` of
    an instance the create may have made."""
    return CreateOutcomeUnknown(
        f"the create may or may not have taken effect: {message}",
        request_body={k: v for k, v in (call.json or {}).items() if not _looks_secret(k)},
        sent_at=first_sent_at,
        method=call.method,
        path=call.path,
        status=status,
        request_id=request_id,
    )


def _looks_secret(key: str) -> bool:
    return any(word in key.lower() for word in _SECRET_WORDS)
