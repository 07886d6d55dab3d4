"""Offline, strict schema validation of rendered manifests.

Built-in kinds are checked by kubernetes-validate against the Kubernetes OpenAPI schemas, with
unknown fields rejected. Custom kinds it cannot know are handled by name in CUSTOM_KINDS: our
AuraInstance against our own CRD's schema (made strict the same way), the others skipped on
purpose. Any other kind without a schema is an error, never a silent pass.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate  # type: ignore[import-untyped]

Manifest = dict[str, Any]

KUBERNETES_VERSION = "1.37.0"

AURA_INSTANCE = ("aura.neo4j.io/v1alpha1", "AuraInstance")
SKIPPED_KINDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "Prometheus Operator CRD, schema not bundled",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "Prometheus Operator CRD, schema not bundled",
    ("argoproj.io/v1alpha1", "Application"): "Argo CD CRD, schema not bundled",
}


def schema_errors(manifests: Iterable[Manifest], crds: Iterable[Manifest]) -> list[str]:
    """One message per manifest that fails validation; empty when all pass."""
    custom = custom_resource_validators(crds)
    errors: list[str] = []
    for manifest in manifests:
        key = (manifest.get("apiVersion", ""), manifest.get("kind", ""))
        where = f"{key[1]} {manifest.get('metadata', {}).get('name')}"
        if key in SKIPPED_KINDS:
            continue
        if key in custom:
            errors += [
                f"{where}: {e.message} at {list(e.path)}" for e in custom[key].iter_errors(manifest)
            ]
            continue
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{where}: {error.message} at {list(error.path)}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{where}: no schema for {key}; validate it or list it in SKIPPED_KINDS")
    return errors


def custom_resource_validators(
    crds: Iterable[Manifest],
) -> dict[tuple[str, str], jsonschema.Validator]:
    """A strict validator per (apiVersion, kind) served by the given CRDs."""
    validators: dict[tuple[str, str], jsonschema.Validator] = {}
    for crd in crds:
        spec = crd["spec"]
        for version in spec["versions"]:
            schema = strict_schema(version["schema"]["openAPIV3Schema"])
            api_version = f"{spec['group']}/{version['name']}"
            validators[(api_version, spec["names"]["kind"])] = jsonschema.Draft4Validator(schema)
    return validators


def strict_schema(schema: Manifest) -> Manifest:
    """The CRD schema with unknown fields rejected, as `kubectl apply --validate=strict` does."""
    strict = copy.deepcopy(schema)
    _forbid_unknown_fields(strict, is_root=True)
    return strict


def _forbid_unknown_fields(node: Manifest, *, is_root: bool = False) -> None:
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name, child in properties.items():
            if not (is_root and name == "metadata"):  # ObjectMeta is the API server's to check
                _forbid_unknown_fields(child)
        if "additionalProperties" not in node and not node.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            node["additionalProperties"] = False
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            _forbid_unknown_fields(node[key])
    for key in ("allOf", "anyOf", "oneOf"):
        for child in node.get(key, []):
            _forbid_unknown_fields(child)
