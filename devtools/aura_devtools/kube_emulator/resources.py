"""Resource types the emulator serves, and the built-in ones kopf and the operator need."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any

import kmock

STANDARD_VERBS = frozenset(
    {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
)


@dataclasses.dataclass(frozen=True)
class ResourceType:
    """One served group/version/plural with what discovery says about it."""

    group: str
    version: str
    plural: str
    kind: str
    singular: str = ""
    namespaced: bool = True
    short_names: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    subresources: frozenset[str] = frozenset()
    verbs: frozenset[str] = STANDARD_VERBS
    # A custom resource's structural schema (`openAPIV3Schema`): writes are pruned, defaulted
    # and validated by it.
    schema: Mapping[str, Any] | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified_plural(self) -> str:
        """`aurainstances.aura.neo4j.io`, or `secrets` for the core group (as in error messages)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def has_status_subresource(self) -> bool:
        return "status" in self.subresources

    @property
    def key(self) -> kmock.resource:
        """The kmock resource this type is stored and routed under."""
        return kmock.resource(self.group, self.version, self.plural)

    def discovery_info(self) -> kmock.ResourceInfo:
        return kmock.ResourceInfo(
            namespaced=self.namespaced,
            kind=self.kind,
            singular=self.singular or self.kind.lower(),
            verbs=set(self.verbs),
            shortnames=set(self.short_names),
            categories=set(self.categories),
            subresources=set(self.subresources),
        )

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The API path of the collection, or of one object when `name` is given."""
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        scope = f"/namespaces/{namespace}" if self.namespaced and namespace else ""
        tail = f"/{name}" if name else ""
        return f"{root}{scope}/{self.plural}{tail}"

    @classmethod
    def from_discovery(cls, resource: kmock.resource, info: kmock.ResourceInfo) -> ResourceType:
        if resource.group is None or resource.version is None or resource.plural is None:
            raise ValueError(f"not a specific resource: {resource!r}")
        return cls(
            group=resource.group,
            version=resource.version,
            plural=resource.plural,
            kind=info.kind or resource.plural.capitalize(),
            singular=info.singular or "",
            namespaced=bool(info.namespaced),
            short_names=frozenset(info.shortnames),
            categories=frozenset(info.categories),
            subresources=frozenset(info.subresources),
            verbs=frozenset(info.verbs),
        )

    def matches_name(self, name: str) -> bool:
        """Whether `name` is this type's plural, singular, kind or a short name (any case)."""
        wanted = name.lower()
        return wanted in {self.plural, self.singular.lower(), self.kind.lower()} | {
            short.lower() for short in self.short_names
        }


NAMESPACES = ResourceType(
    group="",
    version="v1",
    plural="namespaces",
    kind="Namespace",
    singular="namespace",
    namespaced=False,
    short_names=frozenset({"ns"}),
    subresources=frozenset({"status", "finalize"}),
)
SECRETS = ResourceType(group="", version="v1", plural="secrets", kind="Secret", singular="secret")
CONFIG_MAPS = ResourceType(
    group="",
    version="v1",
    plural="configmaps",
    kind="ConfigMap",
    singular="configmap",
    short_names=frozenset({"cm"}),
)
EVENTS = ResourceType(
    group="",
    version="v1",
    plural="events",
    kind="Event",
    singular="event",
    short_names=frozenset({"ev"}),
)
LEASES = ResourceType(
    group="coordination.k8s.io",
    version="v1",
    plural="leases",
    kind="Lease",
    singular="lease",
)
CUSTOM_RESOURCE_DEFINITIONS = ResourceType(
    group="apiextensions.k8s.io",
    version="v1",
    plural="customresourcedefinitions",
    kind="CustomResourceDefinition",
    singular="customresourcedefinition",
    namespaced=False,
    short_names=frozenset({"crd", "crds"}),
    categories=frozenset({"api-extensions"}),
    subresources=frozenset({"status"}),
)

# What kopf needs to start (namespaces, CRDs and events are its "backbone") plus what the
# operator reads and writes besides its own resources (Secrets, the leader-election Lease;
# ConfigMaps are cheap to add).
BUILTIN_RESOURCE_TYPES: tuple[ResourceType, ...] = (
    NAMESPACES,
    SECRETS,
    CONFIG_MAPS,
    EVENTS,
    LEASES,
    CUSTOM_RESOURCE_DEFINITIONS,
)


def bundled_builtin_resource_types() -> tuple[ResourceType, ...]:
    """Every built-in resource of kmock's bundled discovery dump (a K3s cluster's), all served
    as plain stored objects; BUILTIN_RESOURCE_TYPES' definitions win where both have one."""
    bundled = kmock.ResourcesArray()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # kmock 0.8 uses read_binary()
        bundled.load_bundled()
    types = {
        resource: ResourceType.from_discovery(resource, bundled[resource]) for resource in bundled
    }
    types.update((resource_type.key, resource_type) for resource_type in BUILTIN_RESOURCE_TYPES)
    return tuple(types.values())
