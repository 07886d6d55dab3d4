"""CustomResourceDefinitions: turning a CRD manifest into served resource types.

The AuraInstance CRD is described here from constants so the emulator does not depend on the
generated `crds/aurainstances.aura.neo4j.io.yaml`; pass that file's content instead when the
schema matters: writes are pruned to the schema and defaulted from it, as by the API server.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

import yaml

from aura_operator.kube_emulator.resources import STANDARD_VERBS, ResourceType

AURA_GROUP = "aura.neo4j.io"
AURA_VERSION = "v1alpha1"
AURA_INSTANCE_KIND = "AuraInstance"
AURA_INSTANCE_PLURAL = "aurainstances"
AURA_INSTANCE_SINGULAR = "aurainstance"
AURA_INSTANCE_SHORT_NAME = "aura"

# A minimal CRD: the names, scope and status subresource are what the emulator needs;
# the schema keeps every field (nothing pruned, nothing defaulted).
AURA_INSTANCE_CRD: Mapping[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"{AURA_INSTANCE_PLURAL}.{AURA_GROUP}"},
    "spec": {
        "group": AURA_GROUP,
        "scope": "Namespaced",
        "names": {
            "kind": AURA_INSTANCE_KIND,
            "listKind": f"{AURA_INSTANCE_KIND}List",
            "plural": AURA_INSTANCE_PLURAL,
            "singular": AURA_INSTANCE_SINGULAR,
            "shortNames": [AURA_INSTANCE_SHORT_NAME],
        },
        "versions": [
            {
                "name": AURA_VERSION,
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}


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
