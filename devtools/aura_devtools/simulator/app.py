"""The aiohttp application: middlewares that play Aura's gateway, and the app factory.

For every request the outer middleware stamps a request id, fixes the simulated time, brings
lazy transitions up to date and turns errors into Aura error bodies. For Aura paths the gateway
middleware then applies, in order: added latency, authentication (401/403), a forced 429 storm,
the rate limit (429), injected 5xx, and the Content-Type rule (415).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable

from aiohttp import web

from aura_devtools.simulator import (
    control,
    routes_auth,
    routes_instances,
    routes_keys,
    routes_snapshots,
    routes_tenants,
)
from aura_devtools.simulator.auth import TokenCheck, parse_basic_auth, parse_bearer
from aura_devtools.simulator.clock import http_date
from aura_devtools.simulator.config import ErrorShape
from aura_devtools.simulator.context import CLIENT_ID_KEY, NOW_KEY, STATE_KEY, state_of
from aura_devtools.simulator.errors import ApiError, GatewayPage
from aura_devtools.simulator.gateway_errors import (
    render_gateway_page,
    retry_after_header,
    server_error,
)
from aura_devtools.simulator.responses import error_body, json_response, new_request_id
from aura_devtools.simulator.state import SimulatorState

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

BODY_METHODS = frozenset({"POST", "PATCH", "PUT"})


def is_control(request: web.Request) -> bool:
    return request.path == control.PREFIX or request.path.startswith(control.PREFIX + "/")


def render_error(state: SimulatorState, error: ApiError) -> web.Response:
    faults = state.faults.faults
    shape: ErrorShape = "errors"
    if error.kind == "middleware":
        shape = "middleware"
    elif error.kind == "auth":
        shape = faults.auth_error_shape
    elif error.kind == "gateway":
        shape = faults.gateway_error_shape
    return json_response(error_body(error, shape), error.status, error.headers)


def _from_http_exception(exc: web.HTTPException) -> ApiError:
    reason = exc.reason.lower().replace(" ", "-") if exc.reason else "error"
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    return ApiError(exc.status, exc.reason or "Error", reason, headers=headers)


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = state_of(request)
    now = state.now()
    request[NOW_KEY] = now
    request[CLIENT_ID_KEY] = None
    state.inventory.refresh(now)
    response: web.StreamResponse
    request_id: str | None = new_request_id()
    try:
        response = await handler(request)
    except ApiError as error:
        response = render_error(state, error)
    except GatewayPage as page:
        response = render_gateway_page(page)
        request_id = None
    except routes_instances.DropConnection:
        if request.transport is not None:
            request.transport.close()
        response = web.Response(status=500)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = render_error(state, _from_http_exception(exc))
    except ConnectionResetError:  # the client went away before its request was read
        response = web.Response(status=500)
    except Exception:
        logger.exception("simulator bug while answering %s %s", request.method, request.path)
        response = render_error(state, ApiError(500, "Internal server error", "simulator-bug"))
    status = (
        None if request.transport is None or request.transport.is_closing() else response.status
    )
    if request_id is not None:
        response.headers["X-Request-Id"] = request_id
    response.headers["Date"] = http_date(now)  # Aura's clock, not the host's
    api_expires = state.faults.faults.api_expires
    if api_expires and request.path.startswith("/v1/"):
        response.headers["X-Tyk-Api-Expires"] = api_expires
    if not is_control(request):
        state.requests.append(
            method=request.method,
            path=request.path,
            query=request.query_string,
            status=status,
            request_id=request_id,
            client_id=request[CLIENT_ID_KEY],
            time=now,
        )
    return response


def _authenticate(state: SimulatorState, request: web.Request, now: float) -> str:
    """The client id behind the bearer token; 401 without a known token, 403 when expired."""
    token = parse_bearer(request.headers.get("Authorization"))
    if token is None:
        raise ApiError(
            401, "Authorization header is missing or malformed", "unauthorized", kind="auth"
        )
    verdict, client_id = state.tokens.check(token, now)
    request[CLIENT_ID_KEY] = client_id
    if verdict is TokenCheck.UNKNOWN or client_id is None:
        raise ApiError(401, "The access token is not valid", "unauthorized", kind="auth")
    if verdict is TokenCheck.EXPIRED:
        raise ApiError(403, "Key has expired, please renew", "token-expired", kind="auth")
    if verdict is TokenCheck.REVOKED:
        raise ApiError(403, "The access token has been revoked", "token-revoked", kind="auth")
    return client_id


def _enforce_rate_limit(state: SimulatorState, client_id: str | None, now: float) -> None:
    """429 during a storm, or when the client's scope key has no room left in the window."""
    faults = state.faults.faults
    storm = state.faults.storm_remaining(now)
    wait: float | None = None
    if storm > 0:
        wait = storm
        if client_id is not None:
            state.limiter.note_rejected(client_id)
    elif client_id is not None and state.credentials.knows(client_id):
        external = faults.external_load
        load = (
            sum(external.values())
            if state.limiter.scope == "global"
            else external.get(client_id, 0.0)
        )
        wait = state.limiter.acquire(client_id, now, load)
    if wait is None:
        return
    headers = {}
    if faults.rate_limit_retry_after:
        headers = retry_after_header(state, max(1, math.ceil(wait)), now)
    raise ApiError(
        429,
        f"Rate limit exceeded: {state.limiter.limit} requests per minute",
        "rate-limit-exceeded",
        kind="gateway",
        headers=headers,
    )


@web.middleware
async def gateway(request: web.Request, handler: Handler) -> web.StreamResponse:
    if is_control(request):
        return await handler(request)
    state = state_of(request)
    faults = state.faults.faults
    now = request[NOW_KEY]
    if faults.latency > 0:
        await asyncio.sleep(faults.latency)
    is_token = request.path == routes_auth.TOKEN_PATH
    if is_token and faults.token_latency > 0:
        await asyncio.sleep(faults.token_latency)
    if is_token:
        basic = parse_basic_auth(request.headers.get("Authorization"))
        request[CLIENT_ID_KEY] = basic[0] if basic else None
        if state.config.rate_limit_token_endpoint:
            _enforce_rate_limit(state, request[CLIENT_ID_KEY], now)
    else:
        _enforce_rate_limit(state, _authenticate(state, request, now), now)
    injected = None
    if not is_token or faults.error_token_endpoint:
        injected = state.faults.draw_error(request.method)
    if injected is not None:
        raise server_error(state, injected, now)
    if (
        not is_token
        and request.method in BODY_METHODS
        and request.content_type != "application/json"
    ):
        raise ApiError(
            415,
            "Please specify the Content-Type header as application/json",
            "unsupported-media-type",
            kind="gateway",
        )
    return await handler(request)


def create_app(state: SimulatorState) -> web.Application:
    app = web.Application(middlewares=[request_context, gateway])
    app[STATE_KEY] = state
    for module in (
        routes_auth,
        routes_tenants,
        routes_instances,
        routes_snapshots,
        routes_keys,
        control,
    ):
        app.add_routes(module.routes)
    return app
