"""Error bodies: `{"errors": [{message, reason, field}]}`, `{"error": "..."}`, or bare details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import field_validator

from aura_operator.aura.models.base import AuraResponse

_MAX_TEXT_BODY = 200


class ErrorDetail(AuraResponse):
    message: str = ""
    reason: str | None = None
    field: str | None = None

    @field_validator("message", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return "" if value is None else str(value)

    @field_validator("reason", "field", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> str | None:
        return str(value) if value not in (None, "") else None


def parse_error_body(body: Any, text: str = "") -> tuple[ErrorDetail, ...]:
    """The details of an error response in either shape; a non-JSON body becomes the message."""
    if isinstance(body, Mapping):
        items = body.get("errors")
        if isinstance(items, list):
            details = tuple(
                ErrorDetail.model_validate(item) for item in items if isinstance(item, Mapping)
            )
            if details:
                return details
        single = body.get("error")
        if isinstance(single, str) and single:
            return (ErrorDetail(message=single),)
        if isinstance(body.get("message"), str):
            return (ErrorDetail.model_validate(body),)
    snippet = text.strip()[:_MAX_TEXT_BODY]
    return (ErrorDetail(message=snippet),) if snippet else ()
