"""The CRD on a real API server: the samples are accepted, invalid specs refused with the CRD's
own messages (the same cases tests/api checks against the schema offline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.test_validation_rules import (
    CHANGED_VALUES,
    CREATE_SPEC,
    INVALID,
    PLAIN_SPEC,
    changed,
    instance,
)

from .kubectl import Kubectl

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_ROOT / "deploy" / "samples"
CRD_FILE = REPO_ROOT / "crds" / "aurainstances.aura.neo4j.io.yaml"


def cel_messages() -> list[str]:
    """Every `message` of the CRD's x-kubernetes-validations rules."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.extend(rule["message"] for rule in node.get("x-kubernetes-validations", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(CRD_FILE.read_text()))
    return found


def without_namespace(obj: dict[str, Any]) -> dict[str, Any]:
    obj["metadata"].pop("namespace", None)
    return obj


def test_every_sample_is_accepted(kubectl: Kubectl, namespace: str, crd: None) -> None:
    documents = [
        doc
        for path in sorted(SAMPLES_DIR.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]

    kubectl("apply", "--namespace", namespace, "-f", str(SAMPLES_DIR))

    for doc in documents:
        stored = kubectl.get(doc["kind"], doc["metadata"]["name"], namespace)
        assert stored is not None, doc["metadata"]["name"]
        if doc["kind"] == "AuraInstance":
            assert stored["spec"].items() >= doc["spec"].items()


@pytest.mark.parametrize(
    ("changes", "metadata_name", "path", "message"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_spec_is_refused_naming_the_field(
    kubectl: Kubectl,
    namespace: str,
    crd: None,
    changes: dict[str, Any],
    metadata_name: str,
    path: str,
    message: str,
) -> None:
    obj = without_namespace(changed(instance(PLAIN_SPEC, metadata_name), **changes))

    refused = kubectl.create(obj, namespace)

    assert refused.returncode != 0
    assert "AuraInstance" in refused.stderr
    if path != "(root)":
        assert path in refused.stderr
    own = [text for text in cel_messages() if len(message) > 3 and message in text]
    if own:  # a CEL rule of the CRD: its message verbatim
        assert any(text in refused.stderr for text in own), refused.stderr
    assert kubectl.get("aurainstance", metadata_name, namespace) is None


def test_missing_create_fields_are_each_named(kubectl: Kubectl, namespace: str, crd: None) -> None:
    refused = kubectl.create(without_namespace(instance({})), namespace)

    for field in ("cloudProvider", "region", "type", "memory"):
        assert f"spec.{field} is required unless spec.instanceId adopts" in refused.stderr


@pytest.mark.parametrize("field", sorted(CHANGED_VALUES))
def test_changing_an_immutable_field_is_refused(
    kubectl: Kubectl, namespace: str, crd: None, field: str
) -> None:
    spec = {"instanceId": "0a1b2c3d"} if field == "instanceId" else CREATE_SPEC
    base = without_namespace(instance(spec, "immutable"))
    kubectl.apply(base, namespace=namespace)

    patch = json.dumps({"spec": {field: CHANGED_VALUES[field]}})
    refused = kubectl.run(
        "patch", "aurainstance", "immutable", "--namespace", namespace, "--type", "merge",
        "--patch", patch, check=False,
    )  # fmt: skip

    assert refused.returncode != 0
    assert f"spec.{field} is immutable: it cannot be added, changed or removed" in refused.stderr
    stored = kubectl.get("aurainstance", "immutable", namespace)
    assert stored is not None
    assert stored["spec"].get(field) != CHANGED_VALUES[field]
