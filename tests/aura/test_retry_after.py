"""Retry-After as delta seconds or an HTTP date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aura_operator.aura.retry_after import MAX_RETRY_AFTER_SECONDS, parse_retry_after

NOW = datetime(2026, 3, 3, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), (" 12 ", 12.0), ("0", 0.0), ("2.5", 2.5), ("-3", 0.0), (None, None), ("", None)],
)
def test_delta_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_http_date_is_measured_from_the_response_date_header() -> None:
    delay = parse_retry_after(
        "Tue, 03 Mar 2026 12:00:30 GMT", server_date="Tue, 03 Mar 2026 12:00:10 GMT", now=NOW
    )
    assert delay == 20.0


def test_http_date_without_date_header_is_measured_from_now() -> None:
    assert parse_retry_after("Tue, 03 Mar 2026 12:00:45 GMT", now=NOW) == 45.0


def test_http_date_in_the_past_means_no_wait() -> None:
    assert parse_retry_after("Tue, 03 Mar 2026 11:00:00 GMT", now=NOW) == 0.0


@pytest.mark.parametrize("value", ["soon", "nan", "Thu, 99 Foo 2026"])
def test_garbage_is_ignored(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


def test_absurd_values_are_capped() -> None:
    assert parse_retry_after("86400") == MAX_RETRY_AFTER_SECONDS
