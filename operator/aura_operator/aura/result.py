"""What every successful client call returns: the value and the response it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T
    request_id: str | None
    """The `X-Request-Id` of the response (for support tickets and status)."""
    status: int
