"""`KubernetesApi`: the emulator served on a free localhost port, plus a small client for it.

    async with KubernetesApi() as kube:
        await kube.create("aurainstances", {"metadata": {"name": "db"}, "spec": {...}},
                          namespace="default")
        ready = await kube.wait_for("aura", "db", lambda obj: "status" in obj,
                                    namespace="default")

The helpers talk HTTP (so they go through exactly what the operator sees); the `wait_*`
helpers watch the emulator's change log in-process, so they wake on the write they wait for
instead of polling.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import kmock

from aura_devtools.kube_emulator.emulator import KubernetesApiEmulator
from aura_devtools.kube_emulator.patches import PatchType
from aura_devtools.kube_emulator.resources import EVENTS, ResourceType
from aura_devtools.kube_emulator.selectors import ObjectFilter

T = TypeVar("T")
ResourceRef = str | ResourceType


class KubernetesApiError(Exception):
    """A non-2xx answer to one of the helpers, with the API server's `Status` fields."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message


class WaitTimeoutError(TimeoutError):
    """A `wait_*` helper ran out of time; `last_seen` is the last object state it saw."""

    def __init__(self, message: str, last_seen: Any = None) -> None:
        super().__init__(message)
        self.last_seen = last_seen


class KubernetesApi:
    """A `KubernetesApiEmulator` served over HTTP on `host` (a free port unless `port`)."""

    def __init__(
        self,
        emulator: KubernetesApiEmulator | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
    ) -> None:
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

    # HTTP helpers

    async def create(
        self, ref: ResourceRef, body: Mapping[str, Any], *, namespace: str | None = None
    ) -> dict[str, Any]:
        path = self.resource(ref).path(namespace)
        return await self._call("POST", path, json=body)

    async def get(
        self, ref: ResourceRef, name: str, *, namespace: str | None = None
    ) -> dict[str, Any]:
        return await self._call("GET", self.resource(ref).path(namespace, name))

    async def find(
        self, ref: ResourceRef, name: str, *, namespace: str | None = None
    ) -> dict[str, Any] | None:
        """The object, or None if it does not exist."""
        try:
            return await self.get(ref, name, namespace=namespace)
        except KubernetesApiError as exc:
            if exc.status == 404:
                return None
            raise

    async def list(
        self,
        ref: ResourceRef,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
    ) -> builtins.list[dict[str, Any]]:
        params = {"labelSelector": label_selector} if label_selector else {}
        listing = await self._call("GET", self.resource(ref).path(namespace), params=params)
        items: list[dict[str, Any]] = listing["items"]
        return items

    async def patch(
        self,
        ref: ResourceRef,
        name: str,
        patch: Any,
        *,
        namespace: str | None = None,
        subresource: str | None = None,
        patch_type: PatchType = PatchType.MERGE,
    ) -> dict[str, Any]:
        """A merge patch by default; a list of operations with `patch_type=PatchType.JSON`."""
        path = self.resource(ref).path(namespace, name) + (f"/{subresource}" if subresource else "")
        return await self._call(
            "PATCH", path, content=json.dumps(patch), headers={"Content-Type": patch_type.value}
        )

    async def patch_status(
        self,
        ref: ResourceRef,
        name: str,
        status: Mapping[str, Any],
        *,
        namespace: str | None = None,
    ) -> dict[str, Any]:
        """Merge-patch `status` through the status subresource."""
        return await self.patch(
            ref, name, {"status": status}, namespace=namespace, subresource="status"
        )

    async def replace(
        self,
        ref: ResourceRef,
        name: str,
        body: Mapping[str, Any],
        *,
        namespace: str | None = None,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        path = self.resource(ref).path(namespace, name) + (f"/{subresource}" if subresource else "")
        return await self._call("PUT", path, json=body)

    async def delete(
        self, ref: ResourceRef, name: str, *, namespace: str | None = None
    ) -> dict[str, Any]:
        """Request deletion: the object goes at once, or is marked while finalizers remain."""
        return await self._call("DELETE", self.resource(ref).path(namespace, name))

    async def events_for(
        self, obj: Mapping[str, Any], *, namespace: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        """The core v1 Events whose involvedObject is `obj` (matched by uid)."""
        uid = obj["metadata"]["uid"]
        events_namespace = namespace or obj["metadata"].get("namespace")
        events = await self.list(EVENTS, namespace=events_namespace)
        return [event for event in events if event.get("involvedObject", {}).get("uid") == uid]

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

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.http.request(method, path, **kwargs)
        body = response.json() if response.content else {}
        if response.is_error:
            raise KubernetesApiError(
                response.status_code,
                str(body.get("reason", response.reason_phrase)),
                str(body.get("message", response.text)),
            )
        result: dict[str, Any] = body
        return result
