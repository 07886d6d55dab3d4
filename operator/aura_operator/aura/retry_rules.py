"""Which failures may be retried, by kind of call (design.md 3.1: a create is sent at most once).

- Idempotent calls (GET, DELETE, the token request): network errors, 429, 500, 502, 503, 504.
- Actions (PATCH, pause, resume, snapshot, restore, overwrite): only 429 and a connection
  that failed before the request was sent.
- Create: the same as actions; any other failure after the request may have reached Aura
  (timeout, 5xx, dropped connection) leaves the outcome unknown.
"""

from __future__ import annotations

import enum

import httpx


class CallKind(enum.Enum):
    IDEMPOTENT = "idempotent"
    ACTION = "action"
    CREATE = "create"


class Decision(enum.Enum):
    RETRY = "retry"
    FAIL = "fail"
    OUTCOME_UNKNOWN = "outcome-unknown"


RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# Raised before any byte of the request left: establishing the connection, or waiting for one.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def was_not_sent(exc: httpx.RequestError) -> bool:
    return isinstance(exc, _NOT_SENT)


def decide_on_status(kind: CallKind, status: int) -> Decision:
    """For a response that is neither a success nor an auth failure."""
    if status == 429:
        return Decision.RETRY
    if kind is CallKind.IDEMPOTENT and status in RETRYABLE_STATUSES:
        return Decision.RETRY
    if kind is CallKind.CREATE and status >= 500:
        return Decision.OUTCOME_UNKNOWN
    return Decision.FAIL


def decide_on_exception(kind: CallKind, exc: httpx.RequestError) -> Decision:
    if was_not_sent(exc) or kind is CallKind.IDEMPOTENT:
        return Decision.RETRY
    if kind is CallKind.CREATE:
        return Decision.OUTCOME_UNKNOWN
    return Decision.FAIL
