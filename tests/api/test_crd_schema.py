"""The CRD schema is structural and documents every field (for `kubectl explain`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aura_operator.api.schema import KEY_ORDER

Schema = dict[str, Any]


def _nodes(schema: Schema, path: str) -> Iterator[tuple[str, Schema]]:
    yield path, schema
    for name, child in schema.get("properties", {}).items():
        yield from _nodes(child, f"{path}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _nodes(schema["additionalProperties"], f"{path}{{}}")
    if "items" in schema:
        yield from _nodes(schema["items"], f"{path}[]")


@pytest.fixture
def root(committed_crd: dict[str, Any]) -> Schema:
    schema: Schema = committed_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def test_every_field_has_a_description(root: Schema) -> None:
    undocumented = [
        path
        for path, node in _nodes(root, "")
        # The API server forbids saying anything about metadata; map values are not fields.
        if path != ".metadata" and not path.endswith("{}") and not node.get("description")
    ]

    assert undocumented == []


def test_every_node_is_typed_and_uses_only_crd_keywords(root: Schema) -> None:
    for path, node in _nodes(root, ""):
        assert "type" in node, path
        assert set(node) <= set(KEY_ORDER), path


def test_status_prunes_unknown_fields(root: Schema) -> None:
    preserving = [
        path for path, node in _nodes(root, "") if "x-kubernetes-preserve-unknown-fields" in node
    ]

    assert preserving == []


def test_metadata_is_only_declared_an_object(root: Schema) -> None:
    assert root["properties"]["metadata"] == {"type": "object"}


def test_optional_fields_are_not_required_and_have_no_null(root: Schema) -> None:
    spec = root["properties"]["spec"]

    assert "required" not in spec  # required-ness of create fields depends on instanceId
    assert all(node.get("default", "") is not None for _, node in _nodes(root, ""))


def test_defaults(root: Schema) -> None:
    spec = root["properties"]["spec"]["properties"]

    assert spec["version"]["default"] == "5"
    assert spec["paused"]["default"] is False
    assert spec["managementPolicy"]["default"] == "Manage"
    assert "default" not in spec["deletionPolicy"]  # the operator setting decides


def test_enums_and_patterns(root: Schema) -> None:
    spec = root["properties"]["spec"]["properties"]

    assert spec["cloudProvider"]["enum"] == ["gcp", "aws", "azure"]
    assert spec["cdcEnrichmentMode"]["enum"] == ["OFF", "DIFF", "FULL"]
    assert spec["deletionPolicy"]["enum"] == ["Retain", "Delete"]
    assert spec["managementPolicy"]["enum"] == ["Manage", "ObserveOnly"]
    assert spec["memory"]["pattern"] == "^[0-9]+GB$"
    assert spec["instanceId"]["pattern"] == "^[0-9a-f]{8}$"
    assert (spec["secondariesCount"]["minimum"], spec["secondariesCount"]["maximum"]) == (0, 15)
    phases = root["properties"]["status"]["properties"]["phase"]["enum"]
    assert phases == [
        "Pending",
        "Creating",
        "Ready",
        "Updating",
        "Pausing",
        "Paused",
        "Resuming",
        "Deleting",
        "Failed",
    ]


def test_strings_compared_by_cel_rules_are_bounded(root: Schema) -> None:
    # The API server estimates rule cost from maxLength; unbounded strings inflate it.
    spec = root["properties"]["spec"]["properties"]
    for name in ("tenantId", "region", "version", "memory", "customerManagedKeyId", "instanceId"):
        assert "maxLength" in spec[name], name


def test_every_rule_field_path_names_a_property(root: Schema) -> None:
    for path, node in _nodes(root, ""):
        for rule in node.get("x-kubernetes-validations", []):
            if "fieldPath" in rule:
                assert rule["fieldPath"].removeprefix(".") in node["properties"], (path, rule)
