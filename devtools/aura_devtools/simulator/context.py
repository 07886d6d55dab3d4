"""Per-request helpers shared by the handlers: the state, the request's simulated time,
JSON body parsing and `{"data": ...}` responses."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from aura_devtools.simulator.errors import invalid
from aura_devtools.simulator.responses import envelope, json_response
from aura_devtools.simulator.state import SimulatorState

STATE_KEY = web.AppKey("simulator_state", SimulatorState)
NOW_KEY = web.RequestKey("now", float)
# The client id behind the request (bearer token or Basic auth), None when unknown.
CLIENT_ID_KEY: web.RequestKey[str | None] = web.RequestKey("client_id")


def state_of(request: web.Request) -> SimulatorState:
    return request.app[STATE_KEY]


def now_of(request: web.Request) -> float:
    """The simulated time the request arrived at; every decision in it uses this instant."""
    return request[NOW_KEY]


async def read_json(request: web.Request, *, optional: bool = False) -> Any:
    """The parsed body; an empty body is `{}` when `optional` (bodyless action POSTs)."""
    raw = await request.read()
    if not raw.strip():
        if optional:
            return {}
        raise invalid(None, "A JSON request body is required", "missing-body")
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid(None, "The request body is not valid JSON", "invalid-json") from None


def data(request: web.Request, payload: Any, status: int = 200) -> web.Response:
    extra = state_of(request).faults.faults.extra_fields
    return json_response(envelope(payload, extra), status)


def control_data(payload: Any, status: int = 200) -> web.Response:
    """`/_sim` responses: enveloped, never touched by fault switches."""
    return json_response({"data": payload}, status)
