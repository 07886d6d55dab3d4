"""`POST /oauth/token`: the client-credentials grant with HTTP Basic auth."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from aiohttp import web

from aura_devtools.simulator.auth import parse_basic_auth
from aura_devtools.simulator.context import now_of, state_of
from aura_devtools.simulator.errors import ApiError
from aura_devtools.simulator.responses import EXTRA_FIELD, EXTRA_FIELD_VALUE, json_response

routes = web.RouteTableDef()
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a URL path, not a password


async def _grant_type(request: web.Request) -> str | None:
    raw = await request.read()
    if request.content_type == "application/json":
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return None
        value = body.get("grant_type") if isinstance(body, dict) else None
        return value if isinstance(value, str) else None
    values = parse_qs(raw.decode("utf-8", errors="replace")).get("grant_type")
    return values[0] if values else None


@routes.post(TOKEN_PATH)
async def issue_token(request: web.Request) -> web.Response:
    state = state_of(request)
    credentials = parse_basic_auth(request.headers.get("Authorization"))
    if credentials is None or not state.credentials.verify(*credentials):
        raise ApiError(401, "Invalid client credentials", "invalid-credentials", kind="auth")
    grant_type = await _grant_type(request)
    if grant_type != "client_credentials":
        raise ApiError(
            400,
            "grant_type must be client_credentials",
            "unsupported-grant-type",
            "grant_type",
        )
    lifetime = state.config.token_lifetime
    token = state.tokens.issue(credentials[0], now_of(request), lifetime)
    body: dict[str, object] = {
        "access_token": token,
        "expires_in": int(lifetime),
        "token_type": "bearer",
    }
    if state.faults.faults.extra_fields:
        body[EXTRA_FIELD] = EXTRA_FIELD_VALUE
    return json_response(body)
