"""Shared model configuration: responses tolerate extra and missing optional fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


class AuraResponse(BaseModel):
    """A model of an Aura response body. Unknown fields are kept (in `model_extra`)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class AuraRequest(BaseModel):
    """A model of an Aura request body. Unset (None) fields are not sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _datetime_or_none(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    # A time without a zone is taken as UTC, so it compares with the operator's own times.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


LenientDatetime = Annotated[datetime | None, BeforeValidator(_datetime_or_none)]
"""A timestamp that becomes None instead of failing when Aura sends something unparsable, and
is always timezone-aware (UTC when Aura sends none)."""
