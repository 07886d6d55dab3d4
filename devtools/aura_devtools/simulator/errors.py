"""Aura API errors raised by handlers and turned into responses by the app middleware.

`kind` decides the body shape: "api" errors use `{"errors":[...]}`; "auth" and "gateway" errors
follow the shape switches in Faults; "middleware" always uses `{"error": "..."}`.
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal["api", "auth", "gateway", "middleware"]


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        reason: str = "",
        field: str | None = None,
        *,
        kind: ErrorKind = "api",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.message = message
        self.reason = reason
        self.field = field
        self.kind: ErrorKind = kind
        self.headers = dict(headers or {})


def invalid(field: str | None, message: str, reason: str = "invalid-request") -> ApiError:
    return ApiError(400, message, reason, field)


def db_not_found(instance_id: str, field: str | None = None) -> ApiError:
    return ApiError(404, f"DB not found: {instance_id}", "db-not-found", field)


def tenant_not_found(field: str | None = None) -> ApiError:
    return ApiError(404, "The tenant you specified could not be found", "tenant-not-found", field)


def snapshot_not_found(snapshot_id: str, field: str | None = None) -> ApiError:
    return ApiError(404, f"Snapshot not found: {snapshot_id}", "snapshot-not-found", field)


def key_not_found(key_id: str, field: str | None = None) -> ApiError:
    return ApiError(404, f"Encryption Key not found: {key_id}", "encryption-key-not-found", field)


def busy(operation: str) -> ApiError:
    # "current" (sic) is what Aura's message says.
    return ApiError(
        409,
        f"The database is current undergoing an operation: {operation}",
        "ongoing-database-operation",
    )


def incapable(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, message, "database-incapable-of-action", field)


def wrong_state(status: int, message: str) -> ApiError:
    return ApiError(status, message, "instance-action-unavailable")


class GatewayPage(Exception):
    """A 502/503/504 from the load balancer in front of Aura: an HTML page without
    `X-Request-Id` (Aura never saw the request, or its answer was lost on the way)."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} from the gateway")
        self.status = status
        self.headers = dict(headers or {})
