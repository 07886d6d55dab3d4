"""An in-process Kubernetes API server for running the real kopf operator without a cluster.

- `KubernetesApiEmulator`: kmock's KubernetesEmulator answering like an API server for
  namespaces, Secrets, ConfigMaps, Events, coordination.k8s.io/v1 Leases and CRDs (uid,
  creationTimestamp, one resourceVersion counter, generation, status subresource, 409 on stale
  resourceVersions, 422 on failed JSON-patch tests, generateName, finalizers, owner garbage
  collection, watches resuming from a resourceVersion, selectors, CRD schemas:
  pruning, defaults, and validation by OpenAPI v3 and, with cel-python, CEL rules, refused with
  422 Invalid as by the API server). It serves the real AuraInstance CRD by default.
- `KubernetesApi`: the emulator on a free localhost port, with HTTP helpers and in-process
  waits for tests and the demo; `RemoteKubernetesApi`: the same helpers for a real API server.
- `running_operator`: kopf in its own thread against that URL, with a fresh registry.
"""

from aura_devtools.kube_emulator.api import KubernetesApi, KubernetesApiError, WaitTimeoutError
from aura_devtools.kube_emulator.changes import Change, ChangeLog
from aura_devtools.kube_emulator.client import KubernetesClient, RemoteKubernetesApi
from aura_devtools.kube_emulator.crds import (
    AURA_CRDS,
    AURA_GROUP,
    AURA_INSTANCE_CRD,
    AURA_INSTANCE_KIND,
    AURA_INSTANCES,
    AURA_RESTORE_CRD,
    AURA_RESTORES,
    AURA_SNAPSHOT_CRD,
    AURA_SNAPSHOTS,
    AURA_VERSION,
    load_crds,
    resource_types_from_crd,
)
from aura_devtools.kube_emulator.emulator import KubernetesApiEmulator
from aura_devtools.kube_emulator.errors import ApiStatusError
from aura_devtools.kube_emulator.kopf_runner import (
    OperatorStartupError,
    OperatorStopError,
    RunningOperator,
    running_operator,
    settings_for_emulator,
)
from aura_devtools.kube_emulator.patches import PatchType
from aura_devtools.kube_emulator.resources import (
    BUILTIN_RESOURCE_TYPES,
    CONFIG_MAPS,
    CUSTOM_RESOURCE_DEFINITIONS,
    EVENTS,
    LEASES,
    NAMESPACES,
    SECRETS,
    ResourceType,
    bundled_builtin_resource_types,
)
from aura_devtools.kube_emulator.selectors import ObjectFilter
from aura_devtools.kube_emulator.store import ObjectStore

__all__ = [
    "AURA_CRDS",
    "AURA_GROUP",
    "AURA_INSTANCES",
    "AURA_INSTANCE_CRD",
    "AURA_INSTANCE_KIND",
    "AURA_RESTORES",
    "AURA_RESTORE_CRD",
    "AURA_SNAPSHOTS",
    "AURA_SNAPSHOT_CRD",
    "AURA_VERSION",
    "BUILTIN_RESOURCE_TYPES",
    "CONFIG_MAPS",
    "CUSTOM_RESOURCE_DEFINITIONS",
    "EVENTS",
    "LEASES",
    "NAMESPACES",
    "SECRETS",
    "ApiStatusError",
    "Change",
    "ChangeLog",
    "KubernetesApi",
    "KubernetesApiEmulator",
    "KubernetesApiError",
    "KubernetesClient",
    "ObjectFilter",
    "ObjectStore",
    "OperatorStartupError",
    "OperatorStopError",
    "PatchType",
    "RemoteKubernetesApi",
    "ResourceType",
    "RunningOperator",
    "WaitTimeoutError",
    "bundled_builtin_resource_types",
    "load_crds",
    "resource_types_from_crd",
    "running_operator",
    "settings_for_emulator",
]
