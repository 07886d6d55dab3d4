"""Shared fixtures: a simulator on a free port, its control API, and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import pytest
from pydantic import SecretStr

from aura_devtools.simulator import Credential, Simulator, SimulatorConfig
from aura_operator.aura import (
    AuraApi,
    AuraClient,
    CallObserver,
    Clock,
    CreateInstanceRequest,
    Credentials,
    LimiterObserver,
    LimiterRegistry,
    RetryPolicy,
    SystemClock,
    Timeouts,
)

CLIENT_ID = "client-a"
CLIENT_SECRET = "client-a-secret-never-logged"
TIME_SCALE = 600.0
"""Window 0.1 s, default backoff base 1.7 ms: the suite stays fast."""


class SimControl:
    """The simulator's `/_sim/` control API, over HTTP."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def _data(self, method: str, path: str, body: Any = None) -> Any:
        response = await self._http.request(method, "/_sim" + path, json=body)
        response.raise_for_status()
        return response.json()["data"]

    async def requests(self, since: int = 0, *, aura_only: bool = True) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = await self._data("GET", f"/requests?since={since}")
        return entries

    async def api_requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The log without token requests."""
        return [e for e in await self.requests(since) if e["path"] != "/oauth/token"]

    async def token_requests(self, since: int = 0) -> list[dict[str, Any]]:
        return [e for e in await self.requests(since) if e["path"] == "/oauth/token"]

    async def last_seq(self) -> int:
        entries = await self.requests()
        return entries[-1]["seq"] if entries else 0

    async def rate(self) -> dict[str, Any]:
        data: dict[str, Any] = await self._data("GET", "/rate")
        return data

    async def faults(self, **patch: Any) -> dict[str, Any]:
        data: dict[str, Any] = await self._data("PATCH", "/faults", patch)
        return data

    async def clear_faults(self) -> None:
        await self._data("DELETE", "/faults")

    async def advance(self, seconds: float) -> None:
        await self._data("POST", "/clock", {"advance": seconds})

    async def expire_tokens(self) -> None:
        await self._data("POST", "/tokens/expire", {})

    async def instances(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = await self._data("GET", "/instances")
        return data


@dataclass
class AuraEnv:
    sim: Simulator
    control: SimControl
    api: AuraApi
    client: AuraClient
    registry: LimiterRegistry
    tenant_id: str

    def create_request(self, name: str = "orders", **overrides: Any) -> CreateInstanceRequest:
        fields: dict[str, Any] = {
            "name": name,
            "tenant_id": self.tenant_id,
            "cloud_provider": "gcp",
            "region": "europe-west1",
            "type": "professional-db",
            "memory": "8GB",
        }
        fields.update(overrides)
        return CreateInstanceRequest(**fields)

    async def running_instance(self, name: str = "orders") -> str:
        """A freshly created instance, moved on by the simulated clock past `creating` and the
        scheduled snapshot that follows it (and by less than a token lifetime, so the client's
        token stays valid)."""
        created = await self.client.create_instance(self.create_request(name))
        await self.control.advance(600)
        return created.value.id


class EnvFactory(Protocol):
    def __call__(
        self,
        *,
        time_scale: float = ...,
        rate_limit_per_minute: int = ...,
        limit: int = ...,
        margin: int = ...,
        token_lifetime: float = ...,
        retry: RetryPolicy | None = ...,
        timeouts: Timeouts | None = ...,
        clock: Clock | None = ...,
        limits: httpx.Limits | None = ...,
        observer: CallObserver | None = ...,
        limiter_observer: LimiterObserver | None = ...,
        sim_options: dict[str, Any] | None = ...,
        send_guard: Callable[[], str | None] | None = ...,
        http: httpx.AsyncClient | None = ...,
    ) -> Awaitable[AuraEnv]: ...


@pytest.fixture
async def make_env() -> AsyncIterator[EnvFactory]:
    async with AsyncExitStack() as stack:

        async def start(
            *,
            time_scale: float = TIME_SCALE,
            rate_limit_per_minute: int = 125,
            limit: int = 125,
            margin: int = 5,
            token_lifetime: float = 3600.0,
            retry: RetryPolicy | None = None,
            timeouts: Timeouts | None = None,
            clock: Clock | None = None,
            limits: httpx.Limits | None = None,
            observer: CallObserver | None = None,
            limiter_observer: LimiterObserver | None = None,
            sim_options: dict[str, Any] | None = None,
            send_guard: Callable[[], str | None] | None = None,
            http: httpx.AsyncClient | None = None,
        ) -> AuraEnv:
            config = SimulatorConfig(
                credentials=[
                    Credential(client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET))
                ],
                time_scale=time_scale,
                rate_limit_per_minute=rate_limit_per_minute,
                token_lifetime=token_lifetime,
                seed=7,
                **(sim_options or {}),
            )
            sim = await stack.enter_async_context(Simulator(config, port=0))
            control_http = await stack.enter_async_context(httpx.AsyncClient(base_url=sim.base_url))
            registry = LimiterRegistry(
                limit=limit, margin=margin, time_scale=time_scale, observer=limiter_observer
            )
            api = await stack.enter_async_context(
                AuraApi(
                    sim.base_url,
                    limiter_registry=registry,
                    time_scale=time_scale,
                    retry=retry,
                    timeouts=timeouts,
                    clock=clock,
                    limits=limits,
                    observer=observer,
                    send_guard=send_guard,
                    http=http,
                )
            )
            client = api.client_for(Credentials(CLIENT_ID, SecretStr(CLIENT_SECRET)))
            tenant_id = config.tenants[0].id
            return AuraEnv(sim, SimControl(control_http), api, client, registry, tenant_id)

        yield start


@pytest.fixture
async def env(make_env: EnvFactory) -> AuraEnv:
    return await make_env()


class HookedClock(SystemClock):
    """The real clock, running a hook before each (backoff) sleep: a test's way to change the
    simulator's faults exactly between two attempts."""

    def __init__(self, hook: Callable[[int], Awaitable[None]]) -> None:
        self._hook = hook
        self.sleeps = 0

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        await self._hook(self.sleeps)
        await super().sleep(seconds)


class OffsetClock(SystemClock):
    """The real clock, which a test can move forward (as the simulator's clock can be)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return super().monotonic() + self.offset
