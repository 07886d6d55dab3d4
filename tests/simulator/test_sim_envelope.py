"""Behaviour 2: envelopes, request ids, error bodies and the Content-Type rule."""

from __future__ import annotations

import re

import httpx
import pytest
from simulator_helpers import Aura, SimControl, error_of, instance_body

REQUEST_ID = re.compile(r"^[0-9a-f]{32}/[0-9]{20}$")


async def test_success_bodies_are_wrapped_in_data(api: httpx.AsyncClient) -> None:
    response = await api.get("/tenants")

    assert response.status_code == 200
    assert set(response.json()) == {"data"}
    assert isinstance(response.json()["data"], list)


async def test_every_response_has_a_unique_aura_like_request_id(
    http: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    responses = [
        await api.get("/tenants"),
        await api.get("/instances/00000000"),
        await api.post("/instances", content=b"{}"),
        await api.get("/no-such-endpoint"),
        await http.get("/v1/tenants"),
        await http.post("/oauth/token", auth=("demo-client", "wrong")),
        await http.get("/_sim/clock"),
    ]

    assert [r.status_code for r in responses] == [200, 404, 415, 404, 401, 401, 200]
    ids = [r.headers["X-Request-Id"] for r in responses]
    assert all(REQUEST_ID.match(i) for i in ids)
    assert len(set(ids)) == len(ids)


async def test_request_id_in_header_matches_the_request_log(
    api: httpx.AsyncClient, ctl: SimControl
) -> None:
    response = await api.get("/instances/abcdef12")

    logged = (await ctl.requests())[-1]

    assert logged["request_id"] == response.headers["X-Request-Id"]
    assert logged["status"] == 404


async def test_errors_use_the_errors_shape_with_message_reason_and_field(
    api: httpx.AsyncClient,
) -> None:
    response = await api.post("/instances", json=instance_body(region="mars-north1"))

    assert response.status_code == 400
    assert set(response.json()) == {"errors"}
    item = error_of(response)
    assert set(item) == {"message", "reason", "field"}
    assert item["field"] == "region"


async def test_unknown_path_is_a_json_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/graph-databases")

    assert response.status_code == 404
    assert error_of(response)["reason"] == "not-found"


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "text/plain"}], ids=["none", "text"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/instances"),
        ("PATCH", "/instances/{id}"),
        ("POST", "/instances/{id}/pause"),
        ("POST", "/instances/{id}/resume"),
        ("POST", "/instances/{id}/snapshots"),
        ("POST", "/instances/{id}/snapshots/{snapshot}/restore"),
        ("POST", "/instances/{id}/overwrite"),
        ("POST", "/customer-managed-keys"),
    ],
)
async def test_post_and_patch_without_json_content_type_get_415(
    aura: Aura, method: str, path: str, headers: dict[str, str]
) -> None:
    created = await aura.create_running()
    url = path.format(id=created["id"], snapshot="00000000-0000-0000-0000-000000000000")

    response = await aura.api.request(method, url, headers=headers)

    assert response.status_code == 415
    assert error_of(response)["reason"] == "unsupported-media-type"
    assert await aura.status(created["id"]) == "running"


async def test_bodyless_action_with_json_content_type_is_accepted(aura: Aura) -> None:
    created = await aura.create_running()

    response = await aura.api.post(
        f"/instances/{created['id']}/pause", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 202
    assert response.json()["data"]["status"] == "pausing"


async def test_gateway_errors_can_use_the_middleware_shape(
    api: httpx.AsyncClient, ctl: SimControl
) -> None:
    await ctl.faults(gateway_error_shape="middleware")

    response = await api.post("/instances", content=b"{}")

    assert response.status_code == 415
    assert set(response.json()) == {"error"}


async def test_api_expiry_header_is_sent_when_configured(
    api: httpx.AsyncClient, ctl: SimControl
) -> None:
    assert "X-Tyk-Api-Expires" not in (await api.get("/tenants")).headers
    await ctl.faults(api_expires="Mon, 03 Mar 2025 00:00:00 UTC")

    response = await api.get("/tenants")

    assert response.headers["X-Tyk-Api-Expires"] == "Mon, 03 Mar 2025 00:00:00 UTC"
