"""Which failures each kind of call may retry, and the backoff between attempts."""

from __future__ import annotations

import random

import httpx
import pytest

from aura_operator.aura import RetryPolicy
from aura_operator.aura.retry_rules import (
    CallKind,
    Decision,
    decide_on_exception,
    decide_on_status,
)

IDEMPOTENT, ACTION, CREATE = CallKind.IDEMPOTENT, CallKind.ACTION, CallKind.CREATE
RETRY, FAIL, UNKNOWN = Decision.RETRY, Decision.FAIL, Decision.OUTCOME_UNKNOWN

REQUEST = httpx.Request("POST", "https://api.neo4j.io/v1/instances")


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        *[(IDEMPOTENT, s, RETRY) for s in (429, 500, 502, 503, 504)],
        *[(IDEMPOTENT, s, FAIL) for s in (400, 404, 409, 501)],
        (ACTION, 429, RETRY),
        *[(ACTION, s, FAIL) for s in (400, 404, 409, 500, 502, 503, 504)],
        (CREATE, 429, RETRY),
        *[(CREATE, s, UNKNOWN) for s in (500, 502, 503, 504, 501)],
        *[(CREATE, s, FAIL) for s in (400, 404, 405, 409, 415)],
    ],
)
def test_decision_on_status(kind: CallKind, status: int, expected: Decision) -> None:
    assert decide_on_status(kind, status) is expected


NOT_SENT = [
    httpx.ConnectError("refused", request=REQUEST),
    httpx.ConnectTimeout("slow connect", request=REQUEST),
    httpx.PoolTimeout("no free connection", request=REQUEST),
]
MAYBE_SENT = [
    httpx.ReadTimeout("slow answer", request=REQUEST),
    httpx.WriteTimeout("slow upload", request=REQUEST),
    httpx.ReadError("reset", request=REQUEST),
    httpx.RemoteProtocolError("server disconnected", request=REQUEST),
]


@pytest.mark.parametrize("exc", NOT_SENT, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("kind", list(CallKind))
def test_connection_never_made_is_retried_for_every_kind(
    kind: CallKind, exc: httpx.RequestError
) -> None:
    assert decide_on_exception(kind, exc) is RETRY


@pytest.mark.parametrize("exc", MAYBE_SENT, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    ("kind", "expected"), [(IDEMPOTENT, RETRY), (ACTION, FAIL), (CREATE, UNKNOWN)]
)
def test_failure_after_sending_is_retried_only_when_idempotent(
    kind: CallKind, expected: Decision, exc: httpx.RequestError
) -> None:
    assert decide_on_exception(kind, exc) is expected


def test_backoff_is_full_jitter_below_a_doubling_capped_ceiling() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=8.0, rng=random.Random(7))
    for failures, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (9, 8.0)]:
        samples = [policy.backoff(failures) for _ in range(500)]
        assert all(0.0 <= s <= ceiling for s in samples)
        # Full jitter spreads over the whole range, not just its upper half.
        assert min(samples) < ceiling * 0.1
        assert max(samples) > ceiling * 0.9


def test_backoff_never_waits_less_than_retry_after() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=2.0, rng=random.Random(1))
    assert all(policy.backoff(1, retry_after=5.0) == 5.0 for _ in range(100))


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"backoff_base": 0.0}, {"backoff_base": 5, "backoff_cap": 1}]
)
def test_retry_policy_rejects_impossible_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
