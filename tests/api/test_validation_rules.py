"""The CRD's schema and CEL rules accept good AuraInstances and reject bad ones, naming fields."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aura_operator.api import IMMUTABLE_FIELDS

from .crd_validation import CrdValidator

CREATE_SPEC: dict[str, Any] = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "enterprise-db",
    "memory": "8GB",
    "tenantId": "8c2a7e4e-5f0b-4d8e-9a51-1f3c6b2d7e01",
    "customerManagedKeyId": "5d3c1e2f-0a9b-4c8d-8e7f-6a5b4c3d2e1f",
    "source": {"instanceId": "0a1b2c3d", "snapshotId": "snap-1"},
}
ADOPT_SPEC: dict[str, Any] = {"instanceId": "0a1b2c3d", "managementPolicy": "ObserveOnly"}
PLAIN_SPEC: dict[str, Any] = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "8GB",
}

# The fields design.md marks immutable, each with a value that differs from the base objects'.
CHANGED_VALUES: dict[str, Any] = {
    "tenantId": "3b9d1c60-2e7a-4f4c-8b1d-6a0e5c9f4d02",
    "cloudProvider": "aws",
    "region": "europe-west4",
    "type": "business-critical",
    "version": "4",
    "source": {"instanceId": "0a1b2c3d", "snapshotId": "snap-2"},
    "customerManagedKeyId": "00000000-0000-4000-8000-000000000000",
    "instanceId": "ffffffff",
}


def instance(spec: dict[str, Any], name: str = "movies") -> dict[str, Any]:
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraInstance",
        "metadata": {"name": name, "namespace": "default"},
        "spec": copy.deepcopy(spec),
    }


def changed(obj: dict[str, Any], **spec_changes: Any) -> dict[str, Any]:
    """A copy of `obj` with spec fields set, or removed where the value is None."""
    result = copy.deepcopy(obj)
    for field, value in spec_changes.items():
        if value is None:
            del result["spec"][field]
        else:
            result["spec"][field] = value
    return result


def test_the_designed_immutable_fields_are_the_immutable_ones() -> None:
    assert set(IMMUTABLE_FIELDS) == set(CHANGED_VALUES)


def test_base_objects_are_valid(validator: CrdValidator) -> None:
    assert validator.validate_create(instance(CREATE_SPEC)) == []
    assert validator.validate_create(instance(ADOPT_SPEC)) == []


@pytest.mark.parametrize("field", CHANGED_VALUES)
def test_changing_an_immutable_field_is_rejected(validator: CrdValidator, field: str) -> None:
    old = instance(ADOPT_SPEC if field == "instanceId" else CREATE_SPEC)
    new = changed(old, **{field: CHANGED_VALUES[field]})
    assert validator.validate_create(new) == []  # valid on its own: only the change is wrong

    errors = validator.validate_update(old, new)

    assert errors == [
        f"spec.{field}: spec.{field} is immutable: it cannot be added, changed or removed "
        "after creation"
    ]


ADD_OR_REMOVE = [
    ("add tenantId", CREATE_SPEC, {"tenantId": None}, {}),
    ("remove tenantId", CREATE_SPEC, {}, {"tenantId": None}),
    ("add source", CREATE_SPEC, {"source": None}, {}),
    ("remove customerManagedKeyId", CREATE_SPEC, {}, {"customerManagedKeyId": None}),
    ("adopt after creation", PLAIN_SPEC, {}, {"instanceId": "0a1b2c3d"}),
    ("stop adopting", {**PLAIN_SPEC, **ADOPT_SPEC}, {}, {"instanceId": None}),
]


@pytest.mark.parametrize(
    ("spec", "old_changes", "new_changes"),
    [case[1:] for case in ADD_OR_REMOVE],
    ids=[case[0] for case in ADD_OR_REMOVE],
)
def test_adding_or_removing_an_immutable_field_is_rejected(
    validator: CrdValidator,
    spec: dict[str, Any],
    old_changes: dict[str, Any],
    new_changes: dict[str, Any],
) -> None:
    old = changed(instance(spec), **old_changes)
    new = changed(instance(spec), **new_changes)

    errors = validator.validate_update(old, new)

    assert [error for error in errors if "is immutable" in error] == errors
    assert len(errors) == 1, errors


def test_removing_the_defaulted_version_keeps_it(validator: CrdValidator) -> None:
    old = instance({**CREATE_SPEC, "version": "5"})

    assert validator.validate_update(old, changed(old, version=None)) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"memory": "16GB"},
        {"storage": "32GB"},
        {"name": "Renamed"},
        {"paused": True},
        {"secondariesCount": 3, "cdcEnrichmentMode": "FULL"},
        {"deletionPolicy": "Delete", "managementPolicy": "ObserveOnly"},
        {"connectionSecret": {"name": "other"}, "credentialsSecretRef": {"name": "creds"}},
    ],
    ids=lambda changes: ",".join(changes),
)
def test_mutable_fields_can_change(validator: CrdValidator, changes: dict[str, Any]) -> None:
    old = instance(CREATE_SPEC)

    assert validator.validate_update(old, changed(old, **changes)) == []


def test_status_updates_pass(validator: CrdValidator) -> None:
    old = instance(CREATE_SPEC)
    new = {**copy.deepcopy(old), "status": {"instanceId": "0a1b2c3d", "phase": "Ready"}}

    assert validator.validate_update(old, new) == []


INVALID = [
    ("spec.name 31 characters", {"name": "n" * 31}, "movies", "spec.name", "at most 30"),
    ("spec.name edge space", {"name": "Movies "}, "movies", "spec.name", "must match"),
    ("metadata.name 31, no spec.name", {}, "m" * 31, "(root)", "set spec.name"),
    ("memory without unit", {"memory": "8G"}, "movies", "spec.memory", "^[0-9]+GB$"),
    ("16 secondaries", {"secondariesCount": 16}, "movies", "spec.secondariesCount", "15"),
    ("negative secondaries", {"secondariesCount": -1}, "movies", "spec.secondariesCount", "0"),
    ("unknown provider", {"cloudProvider": "ibm"}, "movies", "spec.cloudProvider", "one of"),
    ("unknown CDC mode", {"cdcEnrichmentMode": "ON"}, "movies", "spec.cdcEnrichmentMode", "one of"),
    ("bad instance id", {"instanceId": "0A1B2C3D"}, "movies", "spec.instanceId", "must match"),
    ("misspelt field", {"regoin": "europe-west1"}, "movies", "spec.regoin", "unknown field"),
    (
        "snapshot only",
        {"source": {"snapshotId": "s"}},
        "movies",
        "spec.source.instanceId",
        "Required",
    ),
    ("no region", {"region": None}, "movies", "spec.region", "spec.region is required unless"),
    ("no memory", {"memory": None}, "movies", "spec.memory", "spec.memory is required unless"),
    (
        "vector on 2GB",
        {"vectorOptimized": True, "memory": "2GB"},
        "movies",
        "spec.vectorOptimized",
        "4GB",
    ),
    (
        "clone and adopt",
        {"instanceId": "0a1b2c3d", "source": {"instanceId": "0a1b2c3d"}},
        "movies",
        "spec.source",
        "cannot be used together",
    ),
    ("paused free-db", {"type": "free-db", "paused": True}, "movies", "spec.paused", "free-db"),
]


@pytest.mark.parametrize(
    ("changes", "metadata_name", "path", "message"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_objects_are_rejected_naming_the_field(
    validator: CrdValidator,
    changes: dict[str, Any],
    metadata_name: str,
    path: str,
    message: str,
) -> None:
    obj = changed(instance(PLAIN_SPEC, metadata_name), **changes)

    errors = validator.validate_create(obj)

    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}: ")
    assert message in errors[0]


def test_long_metadata_name_is_fine_with_spec_name(validator: CrdValidator) -> None:
    assert validator.validate_create(instance({**PLAIN_SPEC, "name": "Short"}, "m" * 31)) == []


def test_a_name_too_long_for_the_default_connection_secret_is_refused_up_front(
    validator: CrdValidator,
) -> None:
    """250 characters would make a 261-character Secret name the API server refuses, found
    only after Aura billed the create (issue 9, case 4)."""
    spec = {**PLAIN_SPEC, "name": "Short"}
    assert validator.validate_create(instance(spec, "m" * 242)) == []

    errors = validator.validate_create(instance(spec, "m" * 250))

    assert len(errors) == 1, errors
    assert errors[0].startswith("(root): ")
    assert "set spec.connectionSecret.name" in errors[0]
    named = {**spec, "connectionSecret": {"name": "movies-connection"}}
    assert validator.validate_create(instance(named, "m" * 250)) == []


def test_adoption_needs_no_create_fields(validator: CrdValidator) -> None:
    assert validator.validate_create(instance({"instanceId": "0a1b2c3d"})) == []


def test_missing_create_fields_are_each_named(validator: CrdValidator) -> None:
    errors = validator.validate_create(instance({}))

    assert [error.split(":")[0] for error in errors] == [
        "spec.cloudProvider",
        "spec.region",
        "spec.type",
        "spec.memory",
    ]


def test_spec_is_required(validator: CrdValidator) -> None:
    obj = instance({})
    del obj["spec"]

    assert validator.validate_create(obj) == ["spec: Required value"]
