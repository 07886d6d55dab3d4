"""`KubernetesClient`: HTTP helpers for tests and the demo, for the emulator or any API server.

    async with RemoteKubernetesApi(server, token=token, ca_path=ca) as kube:
        await kube.create(AURA_INSTANCES, body, namespace="team-a")
        ready = await kube.wait_for(AURA_INSTANCES, "db", is_ready, namespace="team-a")

The helpers talk HTTP, so they go through exactly what the operator sees. Here `wait_for` and
`wait_gone` watch the object through the API (a read, then a watch from its resourceVersion),
so they see every state it passes through, as the emulator's in-process waits do
(`KubernetesApi` in api.py).
"""

from __future__ import annotations

import asyncio
import builtins
import json
import ssl
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from aura_devtools.kube_emulator.crds import AURA_CRDS, resource_types_from_crd
from aura_devtools.kube_emulator.patches import PatchType
from aura_devtools.kube_emulator.resources import BUILTIN_RESOURCE_TYPES, EVENTS, ResourceType

ResourceRef = str | ResourceType
T = TypeVar("T")


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


class KubernetesClient:
    """The helpers over `http` (a client bound to the API server's URL); types are resolved
    among `types` (by plural, singular, kind or short name)."""

    def __init__(self, types: Iterable[ResourceType] = ()) -> None:
        self._types = tuple(types)

    @property
    def http(self) -> httpx.AsyncClient:
        raise NotImplementedError

    def resource(self, ref: ResourceRef) -> ResourceType:
        if isinstance(ref, ResourceType):
            return ref
        found = [t for t in self._types if t.matches_name(ref) or t.qualified_plural == ref]
        if len(found) != 1:
            raise LookupError(f"{ref!r} must name exactly one known resource type")
        return found[0]

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

    # Waiting, by watching through the API

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

        def satisfied(found: dict[str, Any] | None) -> dict[str, Any] | None:
            last_seen[0] = found
            return found if found is not None and predicate(found) else None

        try:
            return await self._watch_until(resource_type, namespace, name, satisfied, within)
        except TimeoutError:
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
        last_seen: list[dict[str, Any] | None] = [None]

        def gone(found: dict[str, Any] | None) -> bool:
            last_seen[0] = found
            return found is None

        try:
            await self._watch_until(resource_type, namespace, name, gone, within)
        except TimeoutError:
            raise WaitTimeoutError(
                f"{resource_type.kind} {name} still exists after {within} s",
                last_seen=last_seen[0],
            ) from None

    async def _watch_until(
        self,
        resource_type: ResourceType,
        namespace: str | None,
        name: str,
        check: Callable[[dict[str, Any] | None], T | None],
        within: float,
    ) -> T:
        """`check(state)` of the object (None: absent) once truthy: the current state first,
        then every state its watch reports; a watch that ends or expires starts over."""
        collection = resource_type.path(namespace)
        selector = f"metadata.name={name}"
        async with asyncio.timeout(within):
            while True:
                listing = await self._call("GET", collection, params={"fieldSelector": selector})
                items = listing["items"]
                if result := check(self._typed(resource_type, items[0]) if items else None):
                    return result
                params = {
                    "watch": "true",
                    "fieldSelector": selector,
                    "resourceVersion": listing["metadata"]["resourceVersion"],
                    "timeoutSeconds": str(max(1, int(within))),
                }
                async with self.http.stream("GET", collection, params=params) as stream:
                    if stream.is_error:
                        continue  # e.g. 410 Gone: list again
                    async for line in stream.aiter_lines():
                        if not line:
                            continue
                        event = json.loads(line)
                        if event["type"] == "ERROR":
                            break
                        if event["type"] == "BOOKMARK":
                            continue
                        state = None if event["type"] == "DELETED" else event["object"]
                        if result := check(state):
                            return result

    @staticmethod
    def _typed(resource_type: ResourceType, item: dict[str, Any]) -> dict[str, Any]:
        """A list item as a read returns it (a real server's typed lists drop kind/apiVersion)."""
        return {"apiVersion": resource_type.api_version, "kind": resource_type.kind, **item}

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


KNOWN_TYPES: tuple[ResourceType, ...] = BUILTIN_RESOURCE_TYPES + tuple(
    resource_type for crd in AURA_CRDS for resource_type in resource_types_from_crd(crd)
)


class RemoteKubernetesApi(KubernetesClient):
    """The helpers for an API server at `server` (a real one), authenticated by a bearer token;
    types resolve among the built-in ones the operator uses and the project's CRDs."""

    def __init__(
        self,
        server: str,
        *,
        token: str,
        ca_path: Path | None = None,
        types: Iterable[ResourceType] = KNOWN_TYPES,
    ) -> None:
        super().__init__(types)
        self.url = server.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.url,
            timeout=10.0,
            verify=ssl.create_default_context(cafile=ca_path) if ca_path else True,
            headers={"Authorization": f"Bearer {token}"},
        )

    @property
    def http(self) -> httpx.AsyncClient:
        return self._http

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.aclose()
