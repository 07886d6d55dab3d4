"""`KubernetesApi`: the emulator served on a free localhost port, plus a small client for it.

    async with KubernetesApi() as kube:
        await kube.create("aurainstances", {"metadata": {"name": "db"}, "spec": {...}},
                          namespace="default")
        ready = await kube.wait_for("aura", "db", lambda obj: "status" in obj,
                                    namespace="default")

The helpers talk HTTP (so they go through exactly what the operator sees; they are
`KubernetesClient`'s, which serves a real API server too); the `wait_*` helpers watch the
emulator's change log in-process, so they wake on the write they wait for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import kmock

from aura_devtools.kube_emulator.client import (
    KubernetesApiError,
    KubernetesClient,
    ResourceRef,
    WaitTimeoutError,
)
from aura_devtools.kube_emulator.emulator import KubernetesApiEmulator
from aura_devtools.kube_emulator.resources import ResourceType
from aura_devtools.kube_emulator.selectors import ObjectFilter

__all__ = ["KubernetesApi", "KubernetesApiError", "WaitTimeoutError"]

T = TypeVar("T")


class KubernetesApi(KubernetesClient):
    """A `KubernetesApiEmulator` served over HTTP on `host` (a free port unless `port`), with
    the HTTP helpers of `KubernetesClient` and waits woken by the emulator's writes."""

    def __init__(
        self,
        emulator: KubernetesApiEmulator | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
    ) -> None:
        super().__init__()
        self.emulator = emulator if emulator is not None else KubernetesApiEmulator()
        self._host = host
        self._port = port
        self._server: kmock.Server | None = None
        self._http: httpx.AsyncClient | None = None
        self._running = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Self:
        async with contextlib.AsyncExitStack() as starting:
            await starting.enter_async_context(self.emulator)
            server = kmock.Server(self.emulator, host=self._host, port=self._port)
            self._server = await starting.enter_async_context(server)
            # The URL is plain HTTP, so there is no certificate to verify; verify=False only skips
            # loading the CA bundle, which costs ~0.1 s per client (per test).
            client = httpx.AsyncClient(base_url=self.url, timeout=10.0, verify=False)  # noqa: S501
            self._http = await starting.enter_async_context(client)
            self._running = starting.pop_all()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._running.__aexit__(exc_type, exc, tb)
        finally:
            self._http = self._server = None

    @property
    def url(self) -> str:
        """The API server URL, e.g. `http://127.0.0.1:41234` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the API server is not running: use `async with KubernetesApi()`")
        return str(self._server.url).rstrip("/")

    @property
    def http(self) -> httpx.AsyncClient:
        """A raw HTTP client bound to `url`, for requests the helpers do not cover."""
        if self._http is None:
            raise RuntimeError("the API server is not running: use `async with KubernetesApi()`")
        return self._http

    def resource(self, ref: ResourceRef) -> ResourceType:
        """A served type by plural, short name, kind, `plural.group` or `group/version/plural`."""
        return ref if isinstance(ref, ResourceType) else self.emulator.store.resolve(ref)

    # Waiting on the emulator's state (in-process, woken by each write)

    async def wait_until(self, condition: Callable[[], T | None], *, within: float = 10.0) -> T:
        """`condition()` once it returns something truthy; it is re-evaluated after every write
        to the emulator, so state kept elsewhere is only seen with the next write."""
        changes = self.emulator.changes
        try:
            async with asyncio.timeout(within):
                while True:
                    revision = changes.revision
                    result = condition()
                    if result:
                        return result
                    await changes.wait_after(revision)
        except TimeoutError:
            raise WaitTimeoutError(f"the condition did not hold within {within} s") from None

    async def wait_for(
        self,
        ref: ResourceRef,
        name: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda obj: True,
        *,
        namespace: str | None = None,
        within: float = 10.0,
    ) -> dict[str, Any]:
        """The object once it exists and satisfies `predicate`."""
        resource_type = self.resource(ref)
        last_seen: list[dict[str, Any] | None] = [None]

        def satisfied() -> dict[str, Any] | None:
            found = self._current(resource_type, namespace, name)
            last_seen[0] = found
            return found if found is not None and predicate(found) else None

        try:
            return await self.wait_until(satisfied, within=within)
        except WaitTimeoutError:
            where = f"{namespace}/{name}" if namespace else name
            raise WaitTimeoutError(
                f"{resource_type.kind} {where} did not reach the expected state within {within} s",
                last_seen=last_seen[0],
            ) from None

    async def wait_gone(
        self, ref: ResourceRef, name: str, *, namespace: str | None = None, within: float = 10.0
    ) -> None:
        """Return once the object does not exist (finalizers released and deleted)."""
        resource_type = self.resource(ref)
        try:
            await self.wait_until(
                lambda: self._current(resource_type, namespace, name) is None, within=within
            )
        except WaitTimeoutError:
            raise WaitTimeoutError(
                f"{resource_type.kind} {name} still exists after {within} s",
                last_seen=self._current(resource_type, namespace, name),
            ) from None

    def _current(
        self, resource_type: ResourceType, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        found = self.emulator.store.list(
            resource_type, ObjectFilter(namespace=namespace, name=name)
        )
        return found[0] if found else None
