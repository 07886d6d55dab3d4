"""The process's entry point to Aura: one shared HTTP client and one client per credential."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import httpx

from aura_operator import __version__
from aura_operator.aura.backoff import RetryPolicy
from aura_operator.aura.call_log import CallObserver
from aura_operator.aura.client import AuraClient
from aura_operator.aura.clock import Clock, SystemClock
from aura_operator.aura.credentials import Credentials
from aura_operator.aura.exchange import Exchanger, SendGuard
from aura_operator.aura.limiter import LimiterRegistry
from aura_operator.aura.server_clock import ServerClock
from aura_operator.aura.session import CredentialSession

DEFAULT_BASE_URL = "https://api.neo4j.io"


@dataclass(frozen=True)
class Timeouts:
    """HTTP timeouts in real seconds (network time, not scaled)."""

    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 60.0

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50)


class AuraApi:
    """Owns the shared `httpx.AsyncClient` (unless one is passed in) and the per-credential
    clients, which share token caches by credential and budgets (by client id) through the
    registry."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        limiter_registry: LimiterRegistry | None = None,
        time_scale: float = 1.0,
        timeouts: Timeouts | None = None,
        limits: httpx.Limits | None = None,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        observer: CallObserver | None = None,
        send_guard: SendGuard | None = None,
    ) -> None:
        """`send_guard` is asked right before every request goes out; a reason it returns
        refuses the request with `AuraNotSent` (leader election closes it on a deposed leader)."""
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.base_url = base_url.rstrip("/")
        self.time_scale = time_scale
        self.limiter_registry = limiter_registry or LimiterRegistry(time_scale=time_scale)
        if self.limiter_registry.time_scale != time_scale:
            raise ValueError("the limiter registry and the API must use the same time scale")
        self._retry = retry or RetryPolicy()
        self._clock = clock or SystemClock()
        self.server_clock = ServerClock(self._clock, time_scale)
        """Aura's clock from the Date headers of every credential's answers (one Aura)."""
        self._observer = observer
        self._send_guard = send_guard
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=(timeouts or Timeouts()).to_httpx(),
            limits=limits or DEFAULT_LIMITS,
            headers={"User-Agent": f"aura-operator/{__version__}"},
            follow_redirects=False,
        )
        self._clients: dict[Credentials, AuraClient] = {}

    def client_for(self, credentials: Credentials) -> AuraClient:
        """The client of this credential: the same one (and token cache) for the same id and
        secret. Another secret for a known client id (a rotated key, or a stale copy of it in
        some namespace) gets a client and token cache of its own, sharing the id's budget: the
        stale one failing never throws the good one's token away."""
        client = self._clients.get(credentials)
        if client is not None:
            return client
        session = CredentialSession(
            credentials,
            Exchanger(
                self._http,
                self.base_url,
                self.limiter_registry.budget_for(credentials.client_id),
                self._observer,
                server_clock=self.server_clock,
                clock=self._clock,
                guard=self._send_guard,
            ),
            retry=self._retry,
            clock=self._clock,
            time_scale=self.time_scale,
        )
        client = AuraClient(session)
        self._clients[credentials] = client
        return client

    async def aclose(self) -> None:
        self._clients.clear()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AuraApi:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
