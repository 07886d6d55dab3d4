"""Helpers shared by the simulator tests: request bodies, the /_sim control API and
authenticated /v1 calls. (A uniquely named module, imported by test modules directly.)"""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

import httpx

from aura_devtools.simulator import SimulatorConfig
from aura_devtools.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANTS


@cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def client(base_url: str, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client that reuses one TLS context (building one per client costs ~0.1 s)."""
    kwargs.setdefault("timeout", 10)
    return httpx.AsyncClient(base_url=base_url, verify=_tls_context(), **kwargs)


TENANT_ID = DEMO_TENANTS[0][0]
OTHER_TENANT_ID = DEMO_TENANTS[1][0]
JSON = {"Content-Type": "application/json"}


def instance_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "test-instance",
        "tenant_id": TENANT_ID,
        "cloud_provider": "gcp",
        "region": "europe-west1",
        "type": "professional-db",
        "memory": "1GB",
        "version": "5",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class SimControl:
    """The `/_sim` control API."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def _data(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, "/_sim" + path, json=body)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    async def advance(self, seconds: float) -> float:
        now: float = (await self._data("POST", "/clock", {"advance": seconds}))["now"]
        return now

    async def now(self) -> float:
        now: float = (await self._data("GET", "/clock"))["now"]
        return now

    async def faults(self, **patch: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._data("PATCH", "/faults", patch)
        return result

    async def requests(self, since: int = 0) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._data("GET", f"/requests?since={since}")
        return result

    async def rate(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._data("GET", "/rate")
        return result

    async def instances(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._data("GET", "/instances")
        return result

    async def instance(self, instance_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._data("GET", f"/instances/{instance_id}")
        return result

    async def force_status(
        self, instance_id: str, status: str | None = None, stuck: bool = False
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"stuck": stuck}
        if status is not None:
            body["status"] = status
        result: dict[str, Any] = await self._data("POST", f"/instances/{instance_id}/status", body)
        return result


class Aura:
    """Authenticated `/v1` calls plus the common create-and-wait steps."""

    def __init__(self, api: httpx.AsyncClient, ctl: SimControl, config: SimulatorConfig) -> None:
        self.api = api
        self.ctl = ctl
        self.config = config

    async def reauthenticate(self) -> None:
        """Fetches a fresh token, e.g. after a clock advance beyond the token lifetime."""
        token = await fetch_token(self.ctl.http)
        self.api.headers["Authorization"] = f"Bearer {token}"

    async def create(self, **overrides: Any) -> dict[str, Any]:
        response = await self.api.post("/instances", json=instance_body(**overrides))
        assert response.status_code == 202, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    async def get(self, instance_id: str) -> dict[str, Any]:
        response = await self.api.get(f"/instances/{instance_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    async def status(self, instance_id: str) -> str:
        status: str = (await self.get(instance_id))["status"]
        return status

    async def create_running(self, **overrides: Any) -> dict[str, Any]:
        created = await self.create(**overrides)
        await self.ctl.advance(self.config.durations.creating)
        assert await self.status(created["id"]) == "running"
        return created

    async def settle_snapshots(self) -> None:
        """Lets the scheduled snapshot taken after creation finish."""
        durations = self.config.durations
        await self.ctl.advance(durations.snapshot_pending + durations.snapshot)

    async def action(self, instance_id: str, action: str, body: Any = None) -> httpx.Response:
        return await self.api.post(f"/instances/{instance_id}/{action}", json=body or {})


async def fetch_token(
    http: httpx.AsyncClient,
    client_id: str = DEMO_CLIENT_ID,
    client_secret: str = DEMO_CLIENT_SECRET,
) -> str:
    response = await http.post(
        "/oauth/token",
        auth=(client_id, client_secret),
        data={"grant_type": "client_credentials"},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The single item of an `{"errors": [...]}` body."""
    errors = response.json()["errors"]
    assert len(errors) == 1
    item: dict[str, Any] = errors[0]
    return item
