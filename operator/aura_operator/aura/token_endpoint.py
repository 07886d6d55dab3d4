"""The client-credentials token request (`POST <base>/oauth/token`) and its response."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from aura_operator.aura.auth import refresh_lead
from aura_operator.aura.calls import Call
from aura_operator.aura.credentials import AccessToken, Credentials
from aura_operator.aura.errors import AuraAuthError, AuraError, AuraResponseError
from aura_operator.aura.exchange import Exchange
from aura_operator.aura.lanes import Lane
from aura_operator.aura.retry_rules import CallKind

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret)
DEFAULT_EXPIRES_IN = 3600.0

TOKEN_CALL = Call(
    method="POST",
    path=TOKEN_PATH,
    endpoint="token",
    kind=CallKind.IDEMPOTENT,
    # Every waiting caller depends on the token, so it goes first.
    lane=Lane.INTENT,
    form={"grant_type": "client_credentials"},
    authenticated=False,
)


def basic_authorization(credentials: Credentials) -> str:
    pair = f"{credentials.client_id}:{credentials.client_secret.get_secret_value()}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def refused(credentials: Credentials, error: AuraError) -> AuraError:
    """A 4xx from the token endpoint (other than 429) means the credentials are not usable."""
    if error.status is None or not 400 <= error.status < 500 or error.status == 429:
        return error
    return AuraAuthError(
        f"the token endpoint refused client id {credentials.client_id}: {error.message}",
        method=error.method,
        path=error.path,
        status=error.status,
        reason=error.reason,
        field=error.field,
        request_id=error.request_id,
        details=error.details,
    )


def parse_token(exchange: Exchange, *, now: float, time_scale: float) -> AccessToken:
    """The token, to be renewed shortly before `expires_in` (Aura seconds) runs out."""
    response = exchange.response
    assert response is not None
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping) and isinstance(body.get("data"), Mapping):
        body = body["data"]
    value = body.get("access_token") if isinstance(body, Mapping) else None
    if not isinstance(value, str) or not value:
        raise AuraResponseError(
            "the token response holds no access_token",
            method=TOKEN_CALL.method,
            path=TOKEN_CALL.path,
            status=response.status_code,
            request_id=exchange.request_id,
        )
    expires_in = _positive(body.get("expires_in"), default=DEFAULT_EXPIRES_IN)
    lifetime = (expires_in - refresh_lead(expires_in)) / time_scale
    return AccessToken(value=SecretStr(value), refresh_at=now + lifetime)


def _positive(value: Any, *, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default
