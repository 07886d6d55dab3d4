"""API-server semantics over kmock's object array.

Every write goes through here: system metadata (uid, creationTimestamp, resourceVersion,
generation), the status subresource split, optimistic concurrency, finalizers and deletion,
garbage collection of owned objects, and the change log that watch streams follow.
The objects stay in kmock's `ObjectsArray` (with their full version history) for assertions.
Nothing here awaits, so each operation is atomic for the event loop.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import kmock

from aura_devtools.kube_emulator import errors
from aura_devtools.kube_emulator.admission import admit
from aura_devtools.kube_emulator.changes import ChangeLog, ChangeType
from aura_devtools.kube_emulator.crds import resource_types_from_crd
from aura_devtools.kube_emulator.field_errors import ErrorType, FieldError
from aura_devtools.kube_emulator.metadata import (
    desired_state,
    generated_name,
    timestamp,
    with_system_fields_of,
)
from aura_devtools.kube_emulator.patches import (
    MalformedPatchError,
    PatchNotApplicableError,
    PatchTestFailedError,
    PatchType,
    apply_patch,
)
from aura_devtools.kube_emulator.resources import (
    CUSTOM_RESOURCE_DEFINITIONS,
    NAMESPACES,
    ResourceType,
)
from aura_devtools.kube_emulator.selectors import ObjectFilter

ObjectKey = tuple[kmock.resource, str | None, str]

_NAME_GENERATION_ATTEMPTS = 8


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class ObjectStore:
    def __init__(
        self,
        objects: kmock.ObjectsArray,
        discovery: kmock.ResourcesArray,
        changes: ChangeLog,
        clock: Callable[[], datetime.datetime] = utc_now,
    ) -> None:
        self._objects = objects
        self._discovery = discovery
        self._changes = changes
        self._clock = clock
        self._types: dict[kmock.resource, ResourceType] = {}

    # Resource types

    def serve(self, resource_type: ResourceType) -> None:
        """Serve a resource type (idempotent; a later definition of the same key wins)."""
        self._types[resource_type.key] = resource_type
        self._discovery[resource_type.key] = resource_type.discovery_info()

    def type_of(self, resource: kmock.resource) -> ResourceType | None:
        return self._types.get(resource)

    @property
    def types(self) -> list[ResourceType]:
        return list(self._types.values())

    def resolve(self, name: str) -> ResourceType:
        """A served type by `plural`, `plural.group`, `group/version/plural`, `v1/plural`,
        singular, kind or short name (a core type wins over same-named ones of other groups)."""
        candidates: list[ResourceType]
        if "/" in name:
            *group_parts, version, plural = name.split("/")
            group = "/".join(group_parts)
            candidates = [
                t
                for t in self._types.values()
                if (t.group, t.version, t.plural) == (group, version, plural)
            ]
        elif "." in name:
            plural, _, group = name.partition(".")
            candidates = [t for t in self._types.values() if (t.plural, t.group) == (plural, group)]
        else:
            candidates = [t for t in self._types.values() if t.matches_name(name)]
            core = [t for t in candidates if not t.group]
            candidates = core if len(core) == 1 else candidates  # as kubectl prefers the core
        if len(candidates) != 1:
            found = ", ".join(sorted(f"{t.api_version}/{t.plural}" for t in candidates)) or "none"
            raise LookupError(f"{name!r} must name exactly one served resource; found: {found}")
        return candidates[0]

    # Reads

    @property
    def revision(self) -> int:
        return self._changes.revision

    def get(self, resource_type: ResourceType, namespace: str | None, name: str) -> dict[str, Any]:
        return copy.deepcopy(self._stored(resource_type, namespace, name))

    def list(self, resource_type: ResourceType, selection: ObjectFilter) -> list[dict[str, Any]]:
        items = [obj for _, obj in self._live(resource_type) if selection.matches(obj)]
        items.sort(key=lambda obj: (obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
        return copy.deepcopy(items)

    # Writes

    def create(
        self, resource_type: ResourceType, namespace: str | None, body: Any
    ) -> dict[str, Any]:
        qualified = resource_type.qualified_plural
        if not isinstance(body, Mapping) or not isinstance(body.get("metadata", {}), Mapping):
            raise errors.bad_request("the body must be an object with an object in metadata")
        self._check_type_identity(resource_type, body)
        metadata = dict(body.get("metadata", {}))
        namespace = self._namespace_for_create(resource_type, namespace, metadata)
        if metadata.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")

        name = metadata.get("name") or self._generate_name(resource_type, namespace, metadata)
        key: ObjectKey = (resource_type.key, namespace, name)
        if self._is_live(key):
            raise errors.already_exists(qualified, name)

        metadata = with_system_fields_of(metadata, {})
        metadata.update(
            name=name,
            uid=str(uuid.uuid4()),
            creationTimestamp=timestamp(self._clock()),
            generation=1,
        )
        if namespace is not None:
            metadata["namespace"] = namespace
        content = {k: v for k, v in body.items() if k not in {"apiVersion", "kind", "metadata"}}
        if resource_type.has_status_subresource:
            content.pop("status", None)  # status is written through /status only
        obj = {
            "apiVersion": resource_type.api_version,
            "kind": resource_type.kind,
            "metadata": metadata,
            **copy.deepcopy(content),
        }
        admit(resource_type, obj)
        if resource_type.key == CUSTOM_RESOURCE_DEFINITIONS.key:
            self._serve_crd(obj, name)
        self._commit("ADDED", resource_type, key, obj, previous=None)
        answer = copy.deepcopy(obj)
        if metadata.get("ownerReferences"):
            self._collect_garbage()  # its owners may all be gone already
        return answer

    def patch(
        self,
        resource_type: ResourceType,
        namespace: str | None,
        name: str,
        patch: Any,
        patch_type: PatchType,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        stored = self._stored(resource_type, namespace, name)
        try:
            candidate = apply_patch(stored, patch, patch_type)
        except (PatchTestFailedError, PatchNotApplicableError) as exc:
            raise errors.patch_not_applied() from exc
        except MalformedPatchError as exc:
            raise errors.bad_request(str(exc)) from exc
        return self._update(
            resource_type, (resource_type.key, namespace, name), candidate, subresource
        )

    def replace(
        self,
        resource_type: ResourceType,
        namespace: str | None,
        name: str,
        body: Any,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        self._stored(resource_type, namespace, name)
        if not isinstance(body, Mapping):
            raise errors.bad_request("the body must be an object")
        self._check_type_identity(resource_type, body)
        candidate = copy.deepcopy(dict(body))
        return self._update(
            resource_type, (resource_type.key, namespace, name), candidate, subresource
        )

    def delete(
        self,
        resource_type: ResourceType,
        namespace: str | None,
        name: str,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        key: ObjectKey = (resource_type.key, namespace, name)
        stored = self._stored(resource_type, namespace, name)
        self._check_preconditions(resource_type, stored, (options or {}).get("preconditions"))
        metadata = stored["metadata"]
        if not metadata.get("finalizers"):
            return self._remove(resource_type, key, copy.deepcopy(stored), previous=stored)
        if metadata.get("deletionTimestamp"):
            return copy.deepcopy(stored)  # already being deleted: nothing changes
        marked = copy.deepcopy(stored)
        marked["metadata"]["deletionTimestamp"] = timestamp(self._clock())
        marked["metadata"]["deletionGracePeriodSeconds"] = 0
        if metadata.get("generation"):  # as the API server's BeforeDelete
            marked["metadata"]["generation"] = metadata["generation"] + 1
        self._commit("MODIFIED", resource_type, key, marked, previous=stored)
        return copy.deepcopy(marked)

    # Internals

    def _update(
        self,
        resource_type: ResourceType,
        key: ObjectKey,
        candidate: dict[str, Any],
        subresource: str | None,
    ) -> dict[str, Any]:
        qualified = resource_type.qualified_plural
        _, namespace, name = key
        stored = self._stored(resource_type, namespace, name)
        if subresource not in (None, "status") or (
            subresource == "status" and not resource_type.has_status_subresource
        ):
            raise errors.not_found(f"{qualified}/{subresource}", name)
        metadata = candidate.get("metadata")
        if not isinstance(metadata, dict):
            raise errors.bad_request("metadata must be an object")
        sent_version = metadata.get("resourceVersion")
        if sent_version and sent_version != stored["metadata"]["resourceVersion"]:
            raise errors.stale_resource_version(qualified, name)
        if metadata.get("name", name) != name:
            raise errors.bad_request(
                f"the name of the object ({metadata.get('name')}) does not match"
                f" the name on the URL ({name})"
            )

        if subresource == "status":
            updated = copy.deepcopy(stored)
            _take_key("status", source=candidate, target=updated)
        else:
            updated = candidate
            updated["metadata"] = with_system_fields_of(metadata, stored["metadata"])
            updated["apiVersion"] = resource_type.api_version
            updated["kind"] = resource_type.kind
            if resource_type.has_status_subresource:
                _take_key("status", source=stored, target=updated)
        self._check_finalizers_while_deleting(resource_type, stored, updated)
        admit(resource_type, updated, old=stored)
        if resource_type.key == CUSTOM_RESOURCE_DEFINITIONS.key and subresource is None:
            self._serve_crd(updated, name)

        if updated == stored:
            return copy.deepcopy(stored)  # a no-op write: no new resourceVersion, no watch event
        if desired_state(updated) != desired_state(stored):
            updated["metadata"]["generation"] = stored["metadata"].get("generation", 0) + 1
        if updated["metadata"].get("deletionTimestamp") and not updated["metadata"].get(
            "finalizers"
        ):
            return self._remove(resource_type, key, updated, previous=stored)
        self._commit("MODIFIED", resource_type, key, updated, previous=stored)
        answer = copy.deepcopy(updated)
        if updated["metadata"].get("ownerReferences"):
            self._collect_garbage()  # its owners may all be gone already
        return answer

    def _remove(
        self,
        resource_type: ResourceType,
        key: ObjectKey,
        final: dict[str, Any],
        previous: Mapping[str, Any],
    ) -> dict[str, Any]:
        self._commit("DELETED", resource_type, key, final, previous=previous)
        self._collect_garbage()
        return copy.deepcopy(final)

    def _commit(
        self,
        change_type: ChangeType,
        resource_type: ResourceType,
        key: ObjectKey,
        obj: dict[str, Any],
        previous: Mapping[str, Any] | None,
    ) -> None:
        obj["metadata"]["resourceVersion"] = str(self._changes.next_revision)
        if key in self._objects:
            self._objects[key].history.append(obj)
        else:
            self._objects[key] = obj
        if change_type == "DELETED":
            self._objects[key].delete()
        self._changes.record(change_type, resource_type.key, obj, previous)

    def _collect_garbage(self) -> None:
        """Delete objects whose every owner is gone (the garbage collector's background policy):
        after an owner goes, and after an object is written naming owners."""
        while True:
            live = [(key, obj) for key, obj in self._all_live() if key[0] in self._types]
            live_uids = {obj["metadata"]["uid"] for _, obj in live}
            orphans = [
                key
                for key, obj in live
                if (owners := obj["metadata"].get("ownerReferences"))
                and not obj["metadata"].get("deletionTimestamp")
                and not any(owner.get("uid") in live_uids for owner in owners)
            ]
            if not orphans:
                return
            for resource, namespace, name in orphans:
                if self._is_live((resource, namespace, name)):
                    self.delete(self._types[resource], namespace, name)

    def _stored(
        self, resource_type: ResourceType, namespace: str | None, name: str
    ) -> dict[str, Any]:
        key: ObjectKey = (resource_type.key, namespace, name)
        if not self._is_live(key):
            raise errors.not_found(resource_type.qualified_plural, name)
        return self._objects[key].raw

    def _is_live(self, key: ObjectKey) -> bool:
        return key in self._objects and not self._objects[key].deleted

    def _all_live(self) -> Iterator[tuple[ObjectKey, dict[str, Any]]]:
        for key, obj in self._objects.items():
            if not obj.deleted:
                yield key, obj.raw

    def _live(self, resource_type: ResourceType) -> Iterator[tuple[ObjectKey, dict[str, Any]]]:
        for key, obj in self._all_live():
            if key[0] == resource_type.key:
                yield key, obj

    def _namespace_for_create(
        self, resource_type: ResourceType, namespace: str | None, metadata: Mapping[str, Any]
    ) -> str | None:
        if not resource_type.namespaced:
            return None
        sent = metadata.get("namespace")
        if namespace is None:
            raise errors.bad_request(
                f"{resource_type.qualified_plural} are namespaced: create them under"
                " /namespaces/<namespace>/"
            )
        if sent and sent != namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the"
                " request"
            )
        if NAMESPACES.key in self._types and not self._is_live((NAMESPACES.key, None, namespace)):
            raise errors.not_found(NAMESPACES.qualified_plural, namespace)
        return namespace

    def _generate_name(
        self, resource_type: ResourceType, namespace: str | None, metadata: Mapping[str, Any]
    ) -> str:
        prefix = metadata.get("generateName")
        if not prefix:
            raise errors.invalid(
                resource_type.qualified_plural,
                "",
                "metadata.name: Required value: name or generateName is required",
            )
        for _ in range(_NAME_GENERATION_ATTEMPTS):
            name = generated_name(prefix)
            if not self._is_live((resource_type.key, namespace, name)):
                return name
        raise errors.already_exists(resource_type.qualified_plural, prefix)

    def _serve_crd(self, crd: Mapping[str, Any], name: str) -> None:
        try:
            resource_types = resource_types_from_crd(crd)
        except (KeyError, TypeError, ValueError) as exc:
            raise errors.invalid(
                CUSTOM_RESOURCE_DEFINITIONS.qualified_plural, name, f"incomplete spec: {exc}"
            ) from exc
        for resource_type in resource_types:
            self.serve(resource_type)

    @staticmethod
    def _check_type_identity(resource_type: ResourceType, body: Mapping[str, Any]) -> None:
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if api_version and api_version != resource_type.api_version:
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API"
                f" version ({resource_type.api_version})"
            )
        if kind and kind != resource_type.kind:
            raise errors.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind"
                f" ({resource_type.kind})"
            )

    @staticmethod
    def _check_preconditions(
        resource_type: ResourceType, stored: Mapping[str, Any], preconditions: Any
    ) -> None:
        if not isinstance(preconditions, Mapping):
            return
        metadata = stored["metadata"]
        for field in ("uid", "resourceVersion"):
            wanted = preconditions.get(field)
            if wanted is not None and wanted != metadata.get(field):
                raise errors.conflict(
                    resource_type.qualified_plural,
                    metadata["name"],
                    f"Precondition failed: {field} in precondition: {wanted},"
                    f" {field} in object meta: {metadata.get(field)}",
                )

    @staticmethod
    def _check_finalizers_while_deleting(
        resource_type: ResourceType, stored: Mapping[str, Any], updated: Mapping[str, Any]
    ) -> None:
        if not stored["metadata"].get("deletionTimestamp"):
            return
        before = set(stored["metadata"].get("finalizers") or [])
        added = sorted(set(updated["metadata"].get("finalizers") or []) - before)
        if added:
            detail = (
                "no new finalizers can be added if the object is being deleted, found new "
                f"finalizers []string{{{', '.join(json.dumps(name) for name in added)}}}"
            )
            raise errors.invalid_fields(
                resource_type.kind,
                resource_type.group,
                stored["metadata"]["name"],
                [FieldError(ErrorType.FORBIDDEN, "metadata.finalizers", detail=detail)],
            )


def _take_key(key: str, *, source: Mapping[str, Any], target: dict[str, Any]) -> None:
    if key in source:
        target[key] = copy.deepcopy(source[key])
    else:
        target.pop(key, None)
