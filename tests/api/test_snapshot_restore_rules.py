"""What the AuraSnapshot and AuraRestore CRDs refuse before the operator sees anything."""

from __future__ import annotations

from typing import Any

import pytest

from aura_operator.api.kinds import build_restore_crd, build_snapshot_crd
from aura_operator.api.restore import AuraRestore
from aura_operator.api.snapshot import AuraSnapshot

from .crd_validation import CrdValidator

SNAPSHOTS = CrdValidator(build_snapshot_crd())
RESTORES = CrdValidator(build_restore_crd())


def snapshot(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraSnapshot",
        "metadata": {"name": "snap"},
        "spec": spec,
    }


def restore(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraRestore",
        "metadata": {"name": "rollback"},
        "spec": spec,
    }


BASE_RESTORE = {"instanceRef": {"name": "staging"}, "sourceInstanceId": "9d92bd56"}


def test_a_snapshot_names_exactly_one_instance() -> None:
    assert SNAPSHOTS.validate_create(snapshot({"instanceRef": {"name": "movies"}})) == []
    assert SNAPSHOTS.validate_create(snapshot({"instanceId": "9d92bd56"})) == []
    for spec in ({}, {"instanceRef": {"name": "movies"}, "instanceId": "9d92bd56"}):
        errors = SNAPSHOTS.validate_create(snapshot(spec))
        assert any("exactly one of spec.instanceRef" in e for e in errors), errors


def test_a_snapshot_spec_is_immutable() -> None:
    old = snapshot({"instanceId": "9d92bd56"})
    errors = SNAPSHOTS.validate_update(old, snapshot({"instanceId": "0a1b2c3d"}))
    assert any("immutable" in e for e in errors), errors
    assert SNAPSHOTS.validate_update(old, old) == []


@pytest.mark.parametrize(
    "sources",
    [
        {},
        {"snapshotId": "s1", "sourceInstanceId": "9d92bd56"},
        {"snapshotRef": {"name": "snap"}, "sourceInstanceRef": {"name": "production"}},
    ],
)
def test_a_restore_has_exactly_one_source(sources: dict[str, Any]) -> None:
    errors = RESTORES.validate_create(restore({"instanceId": "0a1b2c3d", **sources}))
    assert any("exactly one source" in e for e in errors), errors


def test_a_restore_from_the_target_instance_itself_is_refused() -> None:
    spec = {"instanceId": "0a1b2c3d", "sourceInstanceId": "0a1b2c3d"}
    errors = RESTORES.validate_create(restore(spec))
    assert any("the target itself" in e for e in errors), errors


def test_only_the_confirmation_may_change_after_creation() -> None:
    old = restore(BASE_RESTORE)
    confirmed = restore({**BASE_RESTORE, "confirmInstanceId": "0a1b2c3d"})
    assert RESTORES.validate_update(old, confirmed) == []
    for change in (
        {"sourceInstanceId": "ffffffff"},
        {"snapshotBefore": True},
        {"instanceRef": {"name": "production"}},
        {"credentialsSecretRef": {"name": "other"}},
    ):
        errors = RESTORES.validate_update(old, restore({**BASE_RESTORE, **change}))
        assert any("immutable" in e for e in errors), (change, errors)


def test_deleting_a_snapshot_only_forgets_it_says_kubectl_explain() -> None:
    root = build_snapshot_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert "deleting an AuraSnapshot only forgets it" in root["description"]
    assert AuraSnapshot.model_json_schema()["description"] == root["description"]


def test_a_restore_names_the_confirmation_in_kubectl_explain() -> None:
    schema = build_restore_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert "confirmInstanceId" in schema["description"]
    spec = schema["properties"]["spec"]["properties"]
    assert "ConfirmationMissing" in spec["confirmInstanceId"]["description"]
    assert AuraRestore.model_validate(restore(BASE_RESTORE)).spec.snapshot_before is False


def test_printer_columns_short_names_and_categories() -> None:
    for crd, short in ((build_snapshot_crd(), "aurasnap"), (build_restore_crd(), "aurars")):
        names = crd["spec"]["names"]
        assert names["shortNames"] == [short]
        assert names["categories"] == ["neo4j", "neo4j-aura"]
        columns = [c["name"] for c in crd["spec"]["versions"][0]["additionalPrinterColumns"]]
        assert "Ready" in columns and columns[-1] != "Ready"


def test_a_restore_whose_snapshot_before_name_would_be_too_long_is_refused_naming_the_fix() -> None:
    spec = {**BASE_RESTORE, "snapshotBefore": True}
    longest = {**restore(spec), "metadata": {"name": "r" * 246}}
    too_long = {**restore(spec), "metadata": {"name": "r" * 247}}
    assert RESTORES.validate_create(longest) == []
    errors = RESTORES.validate_create(too_long)
    assert any("<metadata.name>-before" in e and "snapshotBefore" in e for e in errors), errors
    without = {**restore(BASE_RESTORE), "metadata": {"name": "r" * 253}}
    assert RESTORES.validate_create(without) == []
