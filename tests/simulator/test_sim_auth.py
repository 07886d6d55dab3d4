"""Behaviour 1: the token endpoint, bearer tokens on /v1, 401 vs 403."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from simulator_helpers import SimControl, client, error_of, fetch_token

from aura_devtools.simulator import Credential, Simulator, SimulatorConfig


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(
        credentials=[
            Credential(client_id="alice", client_secret="alice-secret"),
            Credential(client_id="bob", client_secret="bob-secret"),
        ],
        token_lifetime=600,
    )


async def test_token_with_basic_auth_and_client_credentials_grant(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth/token",
        auth=("alice", "alice-secret"),
        data={"grant_type": "client_credentials"},
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["expires_in"] == 600
    assert body["token_type"] == "bearer"
    payload = body["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "alice@clients"
    assert claims["exp"] - claims["iat"] == 600


async def test_every_configured_credential_gets_its_own_token(http: httpx.AsyncClient) -> None:
    alice = await fetch_token(http, "alice", "alice-secret")
    bob = await fetch_token(http, "bob", "bob-secret")

    assert alice != bob
    for token in (alice, bob):
        response = await http.get("/v1/tenants", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


@pytest.mark.parametrize(
    "auth",
    [("alice", "wrong"), ("nobody", "alice-secret"), httpx.USE_CLIENT_DEFAULT],
    ids=["wrong-secret", "unknown-client", "no-basic-auth"],
)
async def test_token_refused_with_401_for_bad_credentials(
    http: httpx.AsyncClient, auth: Any
) -> None:
    response = await http.post("/oauth/token", auth=auth, data={"grant_type": "client_credentials"})

    assert response.status_code == 401
    assert error_of(response)["reason"] == "invalid-credentials"
    assert "access_token" not in response.text


@pytest.mark.parametrize("form", [{}, {"grant_type": "password"}], ids=["missing", "wrong"])
async def test_token_refused_with_400_without_client_credentials_grant(
    http: httpx.AsyncClient, form: dict[str, str]
) -> None:
    response = await http.post("/oauth/token", auth=("alice", "alice-secret"), data=form)

    assert response.status_code == 400
    assert error_of(response)["field"] == "grant_type"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWxpY2U6eA=="}],
    ids=["missing", "unknown-token", "basic-instead-of-bearer"],
)
async def test_v1_without_a_known_bearer_token_is_401(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.get("/v1/tenants", headers=headers)

    assert response.status_code == 401
    assert error_of(response)["reason"] == "unauthorized"


async def test_token_expires_after_its_lifetime_on_the_simulated_clock(
    http: httpx.AsyncClient, ctl: SimControl
) -> None:
    token = await fetch_token(http, "alice", "alice-secret")
    headers = {"Authorization": f"Bearer {token}"}

    await ctl.advance(599)
    assert (await http.get("/v1/tenants", headers=headers)).status_code == 200
    await ctl.advance(1)
    expired = await http.get("/v1/tenants", headers=headers)

    assert expired.status_code == 403
    assert error_of(expired)["reason"] == "token-expired"


async def test_expire_all_tokens_now_gives_403_until_a_new_token(
    http: httpx.AsyncClient, ctl: SimControl
) -> None:
    token = await fetch_token(http, "alice", "alice-secret")

    expired = await http.post("/_sim/tokens/expire")
    response = await http.get("/v1/tenants", headers={"Authorization": f"Bearer {token}"})

    assert expired.json()["data"] == {"expired": 1}
    assert response.status_code == 403
    fresh = await fetch_token(http, "alice", "alice-secret")
    again = await http.get("/v1/tenants", headers={"Authorization": f"Bearer {fresh}"})
    assert again.status_code == 200


async def test_revoked_token_gives_403_and_only_for_that_client(http: httpx.AsyncClient) -> None:
    alice = await fetch_token(http, "alice", "alice-secret")
    bob = await fetch_token(http, "bob", "bob-secret")

    await http.post("/_sim/tokens/revoke", json={"client_id": "alice"})

    revoked = await http.get("/v1/tenants", headers={"Authorization": f"Bearer {alice}"})
    assert revoked.status_code == 403
    assert error_of(revoked)["reason"] == "token-revoked"
    assert (await http.get("/v1/tenants", headers={"Authorization": f"Bearer {bob}"})).is_success


async def test_auth_errors_can_use_the_middleware_shape(
    http: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(auth_error_shape="middleware")

    unknown = await http.get("/v1/tenants", headers={"Authorization": "Bearer nope"})
    token = await fetch_token(http, "alice", "alice-secret")
    await http.post("/_sim/tokens/expire")
    expired = await http.get("/v1/tenants", headers={"Authorization": f"Bearer {token}"})

    assert unknown.status_code == 401
    assert set(unknown.json()) == {"error"}
    assert expired.status_code == 403
    assert expired.json() == {"error": "Key has expired, please renew"}


async def test_token_calls_count_against_the_rate_limit(
    http: httpx.AsyncClient, ctl: SimControl
) -> None:
    for _ in range(3):
        await fetch_token(http, "alice", "alice-secret")

    rate = await ctl.rate()

    assert rate["clients"]["alice"]["current"] == 3


async def test_token_endpoint_answers_429_beyond_the_limit() -> None:
    config = SimulatorConfig(
        credentials=[Credential(client_id="alice", client_secret="s")], rate_limit_per_minute=2
    )
    async with Simulator(config) as sim, client(sim.base_url) as http:
        for _ in range(2):
            await fetch_token(http, "alice", "s")
        third = await http.post(
            "/oauth/token", auth=("alice", "s"), data={"grant_type": "client_credentials"}
        )

    assert third.status_code == 429
    assert int(third.headers["Retry-After"]) >= 1
