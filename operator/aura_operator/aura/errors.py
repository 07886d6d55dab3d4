"""Typed Aura API errors, and their mapping from HTTP responses.

Every error names the method, path, HTTP status, Aura's reason, message and field, and the
response's `X-Request-Id`. None of them ever carries a client secret, token or password.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aura_operator.aura.models.errors import ErrorDetail

BUSY_REASON = "ongoing-database-operation"
NO_REQUEST_ID = "no request id (no answer from Aura itself)"


def request_id_text(request_id: str | None) -> str:
    """`request id <id>` for messages, or a plain account of why there is none."""
    return f"request id {request_id}" if request_id else NO_REQUEST_ID


class AuraError(Exception):
    """Base of every error the Aura client raises."""

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        reason: str | None = None,
        field: str | None = None,
        request_id: str | None = None,
        details: tuple[ErrorDetail, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.field = field
        self.request_id = request_id
        self.details = details

    def __str__(self) -> str:
        head = " ".join(part for part in (self.method, self.path) if part) or "Aura API"
        status = f" -> {self.status}" if self.status is not None else ""
        reason = f" {self.reason}" if self.reason else ""
        extras = []
        if self.field:
            extras.append(f"field {self.field}")
        extras.append(request_id_text(self.request_id))
        return f"{head}{status}{reason}: {self.message} ({', '.join(extras)})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class AuraClientError(AuraError):
    """A 4xx that fits no narrower class (e.g. 402, 405 instance limit, 415, 420)."""


class AuraValidationError(AuraClientError):
    """400/422: Aura rejected the request; `field` names the offending property if known."""


class AuraAuthError(AuraError):
    """401/403 after one token refresh, or the token endpoint refused the credentials."""


class AuraNotFound(AuraError):
    """404: the tenant, instance, snapshot or key does not exist (any more)."""


class AuraConflict(AuraError):
    """409: usually the instance is busy with another operation (`is_busy`)."""

    @property
    def is_busy(self) -> bool:
        return self.reason == BUSY_REASON


class AuraRateLimited(AuraError):
    """429 still returned after all retries."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AuraServerError(AuraError):
    """5xx (after retries, where the call may be retried at all)."""


class AuraUnavailable(AuraError):
    """No HTTP response: connection refused or dropped, timeout."""


class AuraNotSent(AuraUnavailable):
    """The call was never sent: the limiter held it past its `send_by` deadline, or the send
    guard refused it (this process may no longer write). Aura did not act."""


class AuraResponseError(AuraError):
    """A success status whose body is not what the contract describes."""


class CreateOutcomeUnknown(AuraError):
    """The create POST may or may not have created an instance (timeout, 5xx, lost response).

    Carries what the operator needs to look for it (design.md 3.1): the request body (which
    holds no secret), when it was sent, and the request id if a response came back.
    """

    def __init__(
        self,
        message: str,
        *,
        request_body: Mapping[str, Any],
        sent_at: datetime,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.request_body = dict(request_body)
        self.sent_at = sent_at

    def __str__(self) -> str:
        name = self.request_body.get("name")
        return f"{super().__str__()} [create of {name!r} sent at {self.sent_at.isoformat()}]"


def error_for_status(
    status: int,
    *,
    method: str,
    path: str,
    details: tuple[ErrorDetail, ...],
    request_id: str | None,
    retry_after: float | None = None,
) -> AuraError:
    """The typed error for a final non-success response."""
    first = details[0] if details else ErrorDetail()
    kwargs: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "reason": first.reason,
        "field": first.field,
        "request_id": request_id,
        "details": details,
    }
    message = first.message or f"HTTP {status}"
    if status in (400, 422):
        return AuraValidationError(message, **kwargs)
    if status in (401, 403):
        return AuraAuthError(message, **kwargs)
    if status == 404:
        return AuraNotFound(message, **kwargs)
    if status == 409:
        return AuraConflict(message, **kwargs)
    if status == 429:
        return AuraRateLimited(message, retry_after=retry_after, **kwargs)
    if status >= 500:
        return AuraServerError(message, **kwargs)
    if status >= 400:
        return AuraClientError(message, **kwargs)
    return AuraResponseError(f"unexpected HTTP {status}", **kwargs)
