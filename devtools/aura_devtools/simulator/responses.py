"""Response building: request ids, `{"data": ...}` envelopes and error bodies."""

from __future__ import annotations

import json
import secrets
from typing import Any

from aiohttp import web

from aura_devtools.simulator.config import ErrorShape
from aura_devtools.simulator.errors import ApiError

EXTRA_FIELD = "sim_unknown_field"
EXTRA_FIELD_VALUE = "added by the simulator; clients must ignore unknown fields"


def new_request_id() -> str:
    """Aura-like id: 32 hex digits, a slash, 20 decimal digits."""
    return f"{secrets.token_hex(16)}/{secrets.randbits(64):020d}"


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        text=json.dumps(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def with_extra_fields(data: Any) -> Any:
    """Adds one unknown field to every object in `data` (an object or a list of objects)."""
    if isinstance(data, dict):
        return {**data, EXTRA_FIELD: EXTRA_FIELD_VALUE}
    if isinstance(data, list):
        return [with_extra_fields(item) for item in data]
    return data


def envelope(data: Any, extra_fields: bool) -> dict[str, Any]:
    if not extra_fields:
        return {"data": data}
    return {"data": with_extra_fields(data), EXTRA_FIELD: EXTRA_FIELD_VALUE}


def error_body(error: ApiError, shape: ErrorShape) -> dict[str, Any]:
    if shape == "middleware":
        return {"error": error.message}
    item: dict[str, Any] = {"message": error.message, "reason": error.reason}
    if error.field is not None:
        item["field"] = error.field
    return {"errors": [item]}
