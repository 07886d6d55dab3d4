"""The few Kubernetes API calls the operator makes itself, async over httpx.

kopf watches AuraInstances and keeps its own annotations; everything else (status writes,
connection Secrets, credential Secrets, Events) goes through this client, so the engine can
write from outside a kopf handler (the observer) and await each write before the next step.
"""

from __future__ import annotations

import base64
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from aura_operator.api import GROUP, KIND, PLURAL, VERSION
from aura_operator.aura.last_moment import last_moment

JSON = dict[str, Any]


class KubeError(Exception):
    def __init__(self, status: int, method: str, path: str, message: str) -> None:
        super().__init__(f"Kubernetes API {method} {path} answered {status}: {message}")
        self.status = status


class ObjectGone(KubeError):
    """The AuraInstance no longer exists (its finalizer was removed by hand): every task working
    on it ends, since no status write can ever succeed."""


class WriteRefused(KubeError):
    """A write this process did not send: its write guard refused it (not the leader)."""

    def __init__(self, method: str, path: str, reason: str) -> None:
        Exception.__init__(self, f"Kubernetes API {method} {path} not sent: {reason}")
        self.status = 0


WriteGuard = Callable[[], str | None]
"""Asked before every write, and again as its first bytes are about to leave: None lets it go,
a reason refuses it."""


@dataclass(frozen=True)
class ObjectRef:
    namespace: str
    name: str
    uid: str = ""
    plural: str = PLURAL
    kind: str = KIND

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Connection:
    """What is needed to reach the API server; built from kopf's login result."""

    server: str
    token: str | None = field(default=None, repr=False)
    ca_path: str | None = None
    ca_data: bytes | None = None
    insecure: bool = False
    certificate_path: str | None = None
    private_key_path: str | None = None

    @classmethod
    def from_kopf(cls, info: Any) -> Connection:
        certificate_path, key_path = info.certificate_path, info.private_key_path
        if info.certificate_data and info.private_key_data:
            certificate_path = _to_file(info.certificate_data)
            key_path = _to_file(info.private_key_data)
        ca_data = info.ca_data.encode() if isinstance(info.ca_data, str) else info.ca_data
        return cls(
            server=info.server.rstrip("/"),
            token=info.token,
            ca_path=str(info.ca_path) if info.ca_path else None,
            ca_data=ca_data,
            insecure=bool(info.insecure),
            certificate_path=str(certificate_path) if certificate_path else None,
            private_key_path=str(key_path) if key_path else None,
        )

    def ssl_context(self) -> ssl.SSLContext | bool:
        if not self.server.startswith("https"):
            return False
        if self.insecure:
            return False
        context = ssl.create_default_context(cafile=self.ca_path)
        if self.ca_data:
            data = self.ca_data
            if b"-----BEGIN" not in data:
                data = base64.b64decode(data)
            context.load_verify_locations(cadata=data.decode())
        if self.certificate_path and self.private_key_path:
            context.load_cert_chain(self.certificate_path, self.private_key_path)
        return context


def _to_file(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    if b"-----BEGIN" not in raw:
        raw = base64.b64decode(raw)
    with tempfile.NamedTemporaryFile(prefix="aura-operator-", delete=False) as handle:
        handle.write(raw)
        return handle.name


def _fit(message: str, limit: int = 1024) -> str:
    """An Event message within the API's limit, keeping its end (the request id)."""
    if len(message) <= limit:
        return message
    return message[: limit - 203] + " [...] " + message[-196:]


def _object_path(plural: str, namespace: str, name: str) -> str:
    return f"/apis/{GROUP}/{VERSION}/namespaces/{quote(namespace)}/{plural}/{quote(name)}"


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class KubeClient:
    def __init__(
        self,
        connect: Callable[[], Awaitable[Connection]],
        *,
        reporting_component: str = "aura-operator",
        reporting_instance: str = "aura-operator",
        write_guard: WriteGuard | None = None,
    ) -> None:
        self._connect = connect
        self._write_guard = write_guard
        self._http: httpx.AsyncClient | None = None
        self._component = reporting_component
        self._instance = reporting_instance

    async def _client(self, *, refresh: bool = False) -> httpx.AsyncClient:
        if self._http is None or refresh:
            if self._http is not None:
                await self._http.aclose()
            connection = await self._connect()
            headers = {"Authorization": f"Bearer {connection.token}"} if connection.token else {}
            self._http = httpx.AsyncClient(
                base_url=connection.server,
                headers=headers,
                verify=connection.ssl_context(),
                timeout=httpx.Timeout(30.0, connect=10.0),
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _ask_write_guard(self, method: str, path: str) -> None:
        if method != "GET" and self._write_guard is not None:
            refusal = self._write_guard()
            if refusal is not None:
                raise WriteRefused(method, path, refusal)

    def _at_the_last_moment(self, method: str, path: str) -> dict[str, Any]:
        """The write guard asked again as the request leaves (the login, a wait for a pooled
        connection or a frozen process may come between the first check and the send)."""
        if method == "GET" or self._write_guard is None:
            return {}
        return last_moment(lambda: self._ask_write_guard(method, path), method, path)

    async def _request(
        self, method: str, path: str, *, json: Any = None, content_type: str | None = None
    ) -> JSON | None:
        self._ask_write_guard(method, path)
        headers = {"Content-Type": content_type} if content_type else {}
        extensions = self._at_the_last_moment(method, path)
        client = await self._client()
        response = await client.request(
            method, path, json=json, headers=headers, extensions=extensions
        )
        if response.status_code == 401:  # rotated service-account token: log in again once
            client = await self._client(refresh=True)
            self._ask_write_guard(method, path)  # the Lease may have gone meanwhile
            response = await client.request(
                method, path, json=json, headers=headers, extensions=extensions
            )
        if response.status_code == 404 and method == "GET":
            return None
        if response.status_code >= 400:
            try:
                message = str(response.json().get("message", ""))
            except ValueError:
                message = response.text[:200]
            raise KubeError(response.status_code, method, path, message)
        return response.json() if response.content else None

    # AuraInstances

    def _instance_path(self, ref: ObjectRef) -> str:
        return _object_path(ref.plural, ref.namespace, ref.name)

    async def get_instance(self, ref: ObjectRef) -> JSON | None:
        return await self._request("GET", self._instance_path(ref))

    async def patch_status(self, ref: ObjectRef, status: JSON) -> JSON:
        """Merge-patch `status` (a None value removes a key); returns the updated object.
        Raises ObjectGone when the object does not exist."""
        path = self._instance_path(ref) + "/status"
        try:
            result = await self._request(
                "PATCH", path, json={"status": status}, content_type="application/merge-patch+json"
            )
        except KubeError as error:
            if error.status == 404:
                raise ObjectGone(404, "PATCH", path, str(error)) from error
            raise
        return result or {}

    async def patch_status_fenced(
        self, ref: ObjectRef, status: JSON, resource_version: str
    ) -> JSON:
        """Like `patch_status`, refused (KubeError 409) unless the object is still at
        `resource_version`: of two writers that read the same version, one wins."""
        result = await self._request(
            "PATCH",
            self._instance_path(ref) + "/status",
            json={"metadata": {"resourceVersion": resource_version}, "status": status},
            content_type="application/merge-patch+json",
        )
        return result or {}

    # Any kind of the group (AuraInstance, AuraSnapshot, AuraRestore)

    async def get_object(self, plural: str, namespace: str, name: str) -> JSON | None:
        return await self._request("GET", _object_path(plural, namespace, name))

    async def create_object(self, plural: str, namespace: str, body: JSON) -> JSON:
        """Create; KubeError 409 when an object of that name exists."""
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{quote(namespace)}/{plural}"
        return await self._request("POST", path, json=body) or {}

    async def patch_object(self, plural: str, namespace: str, name: str, patch: JSON) -> JSON:
        """Merge-patch the object (not its status)."""
        result = await self._request(
            "PATCH",
            _object_path(plural, namespace, name),
            json=patch,
            content_type="application/merge-patch+json",
        )
        return result or {}

    async def list_objects(self, plural: str, namespaces: tuple[str, ...]) -> list[JSON]:
        """Every object of the kind in these namespaces (empty: all)."""
        paths = [
            f"/apis/{GROUP}/{VERSION}/namespaces/{quote(ns)}/{plural}" for ns in namespaces
        ] or [f"/apis/{GROUP}/{VERSION}/{plural}"]
        items: list[JSON] = []
        for path in paths:
            listing = await self._request("GET", path) or {}
            items.extend(listing.get("items") or [])
        return items

    async def patch_status_json(self, ref: ObjectRef, operations: list[JSON]) -> JSON:
        """JSON-patch (RFC 6902) the object through its status subresource: all operations or
        none. A failed `test` operation is answered 422 (409 if the object changed under the
        API server's own retry); returns the updated object."""
        result = await self._request(
            "PATCH",
            self._instance_path(ref) + "/status",
            json=operations,
            content_type="application/json-patch+json",
        )
        return result or {}

    # Secrets

    async def get_secret(self, namespace: str, name: str) -> JSON | None:
        return await self._request(
            "GET", f"/api/v1/namespaces/{quote(namespace)}/secrets/{quote(name)}"
        )

    async def create_secret(self, namespace: str, secret: JSON) -> JSON:
        """Create the Secret; a KubeError 409 when one of that name exists (never merged into)."""
        result = await self._request(
            "POST", f"/api/v1/namespaces/{quote(namespace)}/secrets", json=secret
        )
        return result or {}

    async def delete_secret(self, namespace: str, name: str, *, uid: str) -> None:
        """Delete the Secret only if it is still the one with `uid` (a precondition)."""
        await self._request(
            "DELETE",
            f"/api/v1/namespaces/{quote(namespace)}/secrets/{quote(name)}",
            json={"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": uid}},
        )

    async def patch_secret(self, namespace: str, name: str, patch: JSON) -> None:
        await self._request(
            "PATCH",
            f"/api/v1/namespaces/{quote(namespace)}/secrets/{quote(name)}",
            json=patch,
            content_type="application/merge-patch+json",
        )

    # Leases (leader election; the elector's own client has no write guard)

    def _lease_path(self, namespace: str, name: str = "") -> str:
        path = f"/apis/coordination.k8s.io/v1/namespaces/{quote(namespace)}/leases"
        return f"{path}/{quote(name)}" if name else path

    async def get_lease(self, namespace: str, name: str) -> JSON | None:
        return await self._request("GET", self._lease_path(namespace, name))

    async def create_lease(self, namespace: str, body: JSON) -> JSON:
        """409 (KubeError) when another process created it first."""
        return await self._request("POST", self._lease_path(namespace), json=body) or {}

    async def replace_lease(self, namespace: str, name: str, body: JSON) -> JSON:
        """An update carrying the resourceVersion read: 409 when the Lease changed since."""
        return await self._request("PUT", self._lease_path(namespace, name), json=body) or {}

    # Events

    async def post_event(self, ref: ObjectRef, *, type_: str, reason: str, message: str) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"generateName": f"{ref.name}.", "namespace": ref.namespace},
            "involvedObject": {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": ref.kind,
                "name": ref.name,
                "namespace": ref.namespace,
                "uid": ref.uid,
            },
            "type": type_,
            "reason": reason,
            "message": _fit(message),
            "firstTimestamp": now_rfc3339(),
            "lastTimestamp": now_rfc3339(),
            "eventTime": now,
            "count": 1,
            "reportingComponent": self._component,
            "reportingInstance": self._instance,
            "action": reason,
            "source": {"component": self._component},
        }
        await self._request("POST", f"/api/v1/namespaces/{quote(ref.namespace)}/events", json=event)
