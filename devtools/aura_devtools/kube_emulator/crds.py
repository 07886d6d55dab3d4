"""CustomResourceDefinitions: turning a CRD manifest into served resource types.

The AuraInstance CRD is the real one, built in-process from the models in `aura_operator.api`
(the same manifest as the generated `crds/aurainstances.aura.neo4j.io.yaml`): writes are pruned,
defaulted and validated by its schema, as by the API server. Other CRDs are passed as dicts
(`KubernetesApiEmulator(crds=...)`, or `load_crds(path)` for a YAML file).
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

import yaml

from aura_devtools.kube_emulator.resources import STANDARD_VERBS, ResourceType
from aura_operator.api.constants import GROUP, KIND, VERSION
from aura_operator.api.crd import build_crd
from aura_operator.api.kinds import build_restore_crd, build_snapshot_crd

AURA_GROUP = GROUP
AURA_VERSION = VERSION
AURA_INSTANCE_KIND = KIND

# Shared by every emulator: copy it (copy.deepcopy) to serve a variant.
AURA_INSTANCE_CRD: Mapping[str, Any] = build_crd()
AURA_SNAPSHOT_CRD: Mapping[str, Any] = build_snapshot_crd()
AURA_RESTORE_CRD: Mapping[str, Any] = build_restore_crd()
AURA_CRDS: tuple[Mapping[str, Any], ...] = (AURA_INSTANCE_CRD, AURA_SNAPSHOT_CRD, AURA_RESTORE_CRD)
"""Every CRD of the operator, served by default."""


def resource_types_from_crd(crd: Mapping[str, Any]) -> list[ResourceType]:
    """The resource types a CRD serves: one per version with `served: true`."""
    if crd.get("kind") != "CustomResourceDefinition":
        raise ValueError(f"not a CustomResourceDefinition: kind={crd.get('kind')!r}")
    spec = crd["spec"]
    names = spec["names"]
    served_types = []
    for version in spec.get("versions", []):
        if not version.get("served", True):
            continue
        subresources = frozenset(version.get("subresources") or {})
        served_types.append(
            ResourceType(
                group=spec["group"],
                version=version["name"],
                plural=names["plural"],
                kind=names["kind"],
                singular=names.get("singular", names["kind"].lower()),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=frozenset(names.get("shortNames", [])),
                categories=frozenset(names.get("categories", [])),
                subresources=subresources,
                verbs=STANDARD_VERBS,
                schema=(version.get("schema") or {}).get("openAPIV3Schema"),
            )
        )
    return served_types


def load_crds(path: str | pathlib.Path) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition in a (multi-document) YAML file."""
    text = pathlib.Path(path).read_text(encoding="utf-8")
    return [
        doc
        for doc in yaml.safe_load_all(text)
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition"
    ]


AURA_INSTANCES: ResourceType = resource_types_from_crd(AURA_INSTANCE_CRD)[0]
AURA_SNAPSHOTS: ResourceType = resource_types_from_crd(AURA_SNAPSHOT_CRD)[0]
AURA_RESTORES: ResourceType = resource_types_from_crd(AURA_RESTORE_CRD)[0]
