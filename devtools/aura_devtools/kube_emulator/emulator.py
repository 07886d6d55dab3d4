"""`KubernetesApiEmulator`: kmock's KubernetesEmulator answering like a real API server.

kmock 0.8 stores objects as plain dicts; this subclass keeps its routing, discovery, DSL and
object history but replaces the object handling with `ObjectStore` (metadata, generation,
status subresource, conflicts, finalizers) and watch streams that resume from a
resourceVersion. State changes only when the emulator itself serves a request: a reaction
added with kmock's DSL (e.g. `emulator['patch', kmock.resource(...)] << 500`) answers instead
and changes nothing, as a failing API server would.

kmock keeps every request it served and routes each new one by scanning that history, so each
request would cost more than the one before: a long test, the demo or a benchmark run would slow
down as it goes. The emulator keeps only the latest `request_history` requests (the one being
routed is always among them: it is logged and routed with no await in between).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import math
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import aiohttp.web
import attrs
import kmock
from kmock._internal.rendering import Response  # kmock 0.8 leaves it out of kmock.__all__

from aura_devtools.kube_emulator import errors
from aura_devtools.kube_emulator.changes import Change, ChangeLog, ChangesExpiredError
from aura_devtools.kube_emulator.crds import AURA_CRDS, resource_types_from_crd
from aura_devtools.kube_emulator.patches import PatchType
from aura_devtools.kube_emulator.resources import (
    BUILTIN_RESOURCE_TYPES,
    CUSTOM_RESOURCE_DEFINITIONS,
    NAMESPACES,
    ResourceType,
)
from aura_devtools.kube_emulator.selectors import (
    FieldSelector,
    LabelSelector,
    ObjectFilter,
    SelectorError,
)
from aura_devtools.kube_emulator.store import ObjectStore, utc_now

_INITIAL_EVENTS_END = "k8s.io/initial-events-end"

# kmock 0.8 reads "/api/v1/namespaces/..." as a namespace prefix only, so the core `namespaces`
# resource itself is unroutable (its collection path even fails to parse). Such requests take a
# detour under a placeholder namespace through kmock's parser and are set right in `_handle`.
_NAMESPACES_PATH = re.compile(r"/api/v1/namespaces(?P<rest>|/[^/]+|/[^/]+/(?:status|finalize))/?")
_DETOUR_NAMESPACE = "~namespaces"  # not a valid namespace name, so never a real one
_DETOUR_PREFIX = f"/api/v1/namespaces/{_DETOUR_NAMESPACE}"


@dataclasses.dataclass(frozen=True)
class _WatchPlan:
    resource_type: ResourceType
    selection: ObjectFilter
    initial_events: tuple[dict[str, Any], ...]
    position: int  # the revision the stream continues after
    timeout: float | None
    bookmarks: bool

    def event_for(self, change: Change) -> dict[str, Any] | None:
        """The event this watcher sees for a change: objects entering or leaving the selection
        are ADDED or DELETED for it, as with the API server's filtered watches."""
        if change.resource != self.resource_type.key:
            return None
        matches_now = self.selection.matches(change.object)
        matched_before = change.previous is not None and self.selection.matches(change.previous)
        event_type: str | None
        if change.type == "MODIFIED":
            event_type = {
                (True, True): "MODIFIED",
                (True, False): "ADDED",
                (False, True): "DELETED",
            }.get((matches_now, matched_before))
        else:
            event_type = change.type if matches_now or matched_before else None
        return None if event_type is None else {"type": event_type, "object": change.object}


def _bookmark(
    resource_type: ResourceType, revision: int, *, initial_events_end: bool = False
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"resourceVersion": str(revision)}
    if initial_events_end:
        metadata["annotations"] = {_INITIAL_EVENTS_END: "true"}
    return {
        "type": "BOOKMARK",
        "object": {
            "apiVersion": resource_type.api_version,
            "kind": resource_type.kind,
            "metadata": metadata,
        },
    }


@attrs.define(kw_only=True)
class KubernetesApiEmulator(kmock.KubernetesEmulator):
    """An in-memory Kubernetes API server good enough for kopf (see the package docstring)."""

    # Served besides the resources of `crds`: namespaces, secrets, configmaps, events, CRDs.
    resource_types: Iterable[ResourceType] = BUILTIN_RESOURCE_TYPES
    # CRD manifests (dicts) to serve and store; the operator's CRDs by default.
    crds: Iterable[Mapping[str, Any]] = AURA_CRDS
    # Namespaces that exist from the start (objects can only be created in existing ones).
    namespaces: Iterable[str] = ("default",)
    # How many past writes watches can resume from; older resourceVersions get 410 Gone.
    change_retention: int = 10_000
    # Quiet watch streams that allow bookmarks get one this often (seconds), as from the server.
    bookmark_interval: float = 60.0
    clock: Callable[[], datetime.datetime] = utc_now
    # The latest requests kept for assertions (iterate the emulator, or a kmock filter on it);
    # routing scans them all, so this bounds the cost of each request. None keeps every one.
    request_history: int | None = 64

    _changes: ChangeLog = attrs.field(init=False)
    _store: ObjectStore = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()  # routes list/watch/get/post/patch/delete to _serve_*
        self.fallback[kmock.method.PUT] << self._serve_replace
        self._changes = ChangeLog(self.change_retention)
        self._store = ObjectStore(self.objects, self.resources, self._changes, self.clock)
        for resource_type in self.resource_types:
            self._store.serve(resource_type)
        for crd in self.crds:
            self.register_crd(crd)
        for namespace in self.namespaces:
            self._store.create(NAMESPACES, None, {"metadata": {"name": namespace}})

    @property
    def store(self) -> ObjectStore:
        """Synchronous object access with the same semantics as HTTP (for seeding, asserting)."""
        return self._store

    @property
    def changes(self) -> ChangeLog:
        return self._changes

    def end_watch_streams(self) -> None:
        """End every open watch stream now, as an API server does at a watch timeout or on
        restart; clients reconnect, resuming from the last resourceVersion they saw."""
        self._changes.interrupt()

    def register_crd(self, crd: Mapping[str, Any]) -> list[ResourceType]:
        """Serve a CRD's resources and store the CRD object (replacing an earlier one)."""
        resource_types = resource_types_from_crd(crd)
        for resource_type in resource_types:
            self._store.serve(resource_type)
        if self._store.type_of(CUSTOM_RESOURCE_DEFINITIONS.key) is not None:
            name = crd["metadata"]["name"]
            stored = self._store.list(CUSTOM_RESOURCE_DEFINITIONS, ObjectFilter(name=name))
            if stored:
                self._store.replace(CUSTOM_RESOURCE_DEFINITIONS, None, name, crd)
            else:
                self._store.create(CUSTOM_RESOURCE_DEFINITIONS, None, crd)
        return resource_types

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        if self.request_history is not None:
            # Room for the request about to be logged.
            del self._requests[: max(0, len(self._requests) - self.request_history + 1)]
        match = _NAMESPACES_PATH.fullmatch(raw_request.path)
        if match is not None:
            detour = f"{_DETOUR_PREFIX}/namespaces{match['rest']}"
            raw_request = raw_request.clone(
                rel_url=raw_request.rel_url.with_path(detour, keep_query=True)
            )
        return await super().__call__(raw_request)

    async def _handle(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        if request.namespace == _DETOUR_NAMESPACE:
            request = self._back_from_detour(request)
        # Skip kmock's own object bookkeeping (KubernetesEmulator._handle): ObjectStore does it.
        return await super(kmock.KubernetesEmulator, self)._handle(request)

    def _back_from_detour(self, request: kmock.Request) -> kmock.Request:
        path = request.url.path.replace(_DETOUR_PREFIX, "/api/v1", 1)
        fixed = attrs.evolve(
            request, namespace=None, url=request.url.with_path(path, keep_query=True)
        )
        # Keep kmock's request log (used for assertions) showing the request as it was sent.
        self._requests[:] = [fixed if logged is request else logged for logged in self._requests]
        return fixed

    async def _serve_version(self, request: kmock.Request) -> kmock.Payload:
        resource_list = await super()._serve_version(request)
        if isinstance(resource_list, dict):
            # kmock 0.8 renders the core group's groupVersion as "/v1" and gives subresources
            # their parent's names and verbs (kubectl then warns of ambiguous short names).
            resource_list["groupVersion"] = str(resource_list["groupVersion"]).removeprefix("/")
            for entry in resource_list["resources"]:
                if "/" in entry["name"]:
                    entry.update(singularName="", shortNames=[], categories=[])
                    entry["verbs"] = ["get", "patch", "update"]
        return resource_list

    async def _serve_list(self, request: kmock.Request) -> kmock.Payload:
        return _answer(self._list, request)

    async def _serve_fetch(self, request: kmock.Request) -> kmock.Payload:
        return _answer(self._fetch, request)

    async def _serve_create(self, request: kmock.Request) -> kmock.Payload:
        return _answer(self._create, request)

    async def _serve_update(self, request: kmock.Request) -> kmock.Payload:
        return _answer(self._patch, request)

    async def _serve_replace(self, request: kmock.Request) -> kmock.Payload:
        return _answer(self._replace, request)

    async def _serve_delete(self, request: kmock.Request) -> kmock.Payload:
        return _answer(self._delete, request)

    # kmock's returns a bare stream; this one answers a Response: an error, or the stream.
    async def _serve_watch(self, request: kmock.Request) -> kmock.Payload:  # type: ignore[override]
        try:
            plan = self._plan_watch(request)
        except errors.ApiStatusError as exc:
            return Response(status=exc.code, payload=exc.to_status())
        return Response(
            status=200, headers={"Content-Type": "application/json"}, payload=self._stream(plan)
        )

    # Operations: each returns (HTTP status, body) or raises ApiStatusError.

    def _list(self, request: kmock.Request) -> tuple[int, Any]:
        resource_type, namespace = self._route(request, collection=True)
        items = self._store.list(resource_type, self._selection(request, namespace))
        if resource_type.schema is None:
            # A built-in type: the API server encodes its lists typed, the items without kind
            # and apiVersion (custom resources' lists keep them; watch events always have them).
            items = [_without_type(item) for item in items]
        return 200, {
            "apiVersion": resource_type.api_version,
            "kind": f"{resource_type.kind}List",
            "metadata": {"resourceVersion": str(self._store.revision)},
            "items": items,
        }

    def _fetch(self, request: kmock.Request) -> tuple[int, Any]:
        resource_type, namespace = self._route(request)
        assert request.name is not None  # a FETCH has a name
        if request.subresource not in (None, "status"):
            raise errors.no_such_route(request.url.path)
        return 200, self._store.get(resource_type, namespace, request.name)

    def _create(self, request: kmock.Request) -> tuple[int, Any]:
        resource_type, namespace = self._route(request, collection=True)
        return 201, self._store.create(resource_type, namespace, request.data)

    def _patch(self, request: kmock.Request) -> tuple[int, Any]:
        resource_type, namespace = self._route(request)
        assert request.name is not None  # a PATCH has a name
        content_type = _header(request, "Content-Type")
        patch_type = PatchType.from_content_type(content_type)
        if patch_type is None:
            raise errors.unsupported_media_type(content_type)
        patched = self._store.patch(
            resource_type, namespace, request.name, request.data, patch_type, request.subresource
        )
        return 200, patched

    def _replace(self, request: kmock.Request) -> tuple[int, Any]:
        resource_type, namespace = self._route(request, collection=True)
        if request.name is None:
            raise errors.method_not_allowed("PUT", request.url.path)
        replaced = self._store.replace(
            resource_type, namespace, request.name, request.data, request.subresource
        )
        return 200, replaced

    def _delete(self, request: kmock.Request) -> tuple[int, Any]:
        resource_type, namespace = self._route(request)
        assert request.name is not None  # a DELETE has a name
        options = request.data if isinstance(request.data, Mapping) else None
        answer = self._store.delete(resource_type, namespace, request.name, options)
        if answer["metadata"].get("deletionTimestamp"):
            return 200, answer  # marked: finalizers hold it
        return 200, errors.deleted(resource_type.qualified_plural, answer["metadata"])

    def _plan_watch(self, request: kmock.Request) -> _WatchPlan:
        resource_type, namespace = self._route(request, collection=True)
        selection = self._selection(request, namespace)
        params = request.params
        resource_version = params.get("resourceVersion") or "0"
        send_initial_events = params.get("sendInitialEvents") == "true"
        bookmarks = params.get("allowWatchBookmarks") == "true"
        try:
            timeout = float(params["timeoutSeconds"]) if "timeoutSeconds" in params else None
            position = int(resource_version)
        except ValueError as exc:
            raise errors.bad_request(f"invalid watch parameter: {exc}") from exc

        initial_events: list[dict[str, Any]] = []
        if resource_version == "0" or send_initial_events:
            # "Any version": the current state as ADDED events, then the changes after it.
            objects = self._store.list(resource_type, selection)
            initial_events.extend({"type": "ADDED", "object": obj} for obj in objects)
            position = self._store.revision
            if send_initial_events and bookmarks:
                initial_events.append(_bookmark(resource_type, position, initial_events_end=True))
        return _WatchPlan(
            resource_type, selection, tuple(initial_events), position, timeout, bookmarks
        )

    async def _stream(self, plan: _WatchPlan) -> AsyncIterator[Any]:
        yield b""  # send the headers now: a quiet watch must still look connected
        for event in plan.initial_events:
            yield event
        loop = asyncio.get_running_loop()
        deadline = None if plan.timeout is None else loop.time() + plan.timeout
        position = plan.position
        interruptions = self._changes.interruptions
        while True:
            try:
                changes = self._changes.changes_after(position)
            except ChangesExpiredError as exc:
                yield {"type": "ERROR", "object": errors.expired(str(exc)).to_status()}
                return
            for change in changes:
                position = change.revision
                seen = plan.event_for(change)
                if seen is not None:
                    yield seen
            if self._changes.interruptions != interruptions:
                return  # end_watch_streams(): clients reconnect from their last version

            wait = self.bookmark_interval if plan.bookmarks else math.inf
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
            try:
                async with asyncio.timeout(None if math.isinf(wait) else max(wait, 0)):
                    await self._changes.wait_after(position)
            except TimeoutError:
                if plan.bookmarks:
                    yield _bookmark(plan.resource_type, position)
                if deadline is not None and loop.time() >= deadline:
                    return  # timeoutSeconds: the server ends the stream, clients reconnect

    # Request parsing

    def _route(
        self, request: kmock.Request, *, collection: bool = False
    ) -> tuple[ResourceType, str | None]:
        """The served type and the namespace (None: all namespaces, or cluster-scoped)."""
        resource_type = None if request.resource is None else self._store.type_of(request.resource)
        if resource_type is None:
            raise errors.no_such_route(request.url.path)
        namespace = request.namespace
        if not resource_type.namespaced and namespace is not None:
            raise errors.no_such_route(request.url.path)
        if resource_type.namespaced and namespace is None and request.name is not None:
            raise errors.no_such_route(request.url.path)
        if not collection and request.name is None:
            raise errors.method_not_allowed(str(request.method.value), request.url.path)
        return resource_type, namespace

    @staticmethod
    def _selection(request: kmock.Request, namespace: str | None) -> ObjectFilter:
        try:
            return ObjectFilter(
                namespace=namespace,
                name=request.name,
                labels=LabelSelector.parse(request.params.get("labelSelector")),
                fields=FieldSelector.parse(request.params.get("fieldSelector")),
            )
        except SelectorError as exc:
            raise errors.bad_request(str(exc)) from exc


def _answer(
    operation: Callable[[kmock.Request], tuple[int, Any]], request: kmock.Request
) -> Response:
    # NB: kmock copies a returned Response's status onto the reaction it came from, so every
    # answer of a reaction must carry its own status (never a bare payload).
    try:
        status, body = operation(request)
    except errors.ApiStatusError as exc:
        return Response(status=exc.code, payload=exc.to_status())
    return Response(status=status, payload=body)


def _header(request: kmock.Request, name: str) -> str:
    wanted = name.lower()
    return next((value for key, value in request.headers.items() if key.lower() == wanted), "")


def _without_type(obj: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in ("kind", "apiVersion")}
