"""Every sample in deploy/samples is accepted by the CRD and parsed by the models."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from aura_operator.api import (
    API_VERSION,
    KIND,
    AuraInstance,
    CredentialsSecretKey,
    DeletionPolicy,
    InstanceType,
    ManagementPolicy,
)
from aura_operator.api.kinds import build_restore_crd, build_snapshot_crd

from .conftest import load_sample_documents
from .crd_validation import CrdValidator

SAMPLES = load_sample_documents()
AURA_SAMPLES = [(name, doc) for name, doc in SAMPLES if doc["kind"] == KIND]
OTHER_KINDS = {"AuraSnapshot": build_snapshot_crd(), "AuraRestore": build_restore_crd()}
OTHER_KIND_SAMPLES = [(name, doc) for name, doc in SAMPLES if doc["kind"] in OTHER_KINDS]
OTHER_SAMPLES = [
    (name, doc) for name, doc in SAMPLES if doc["kind"] != KIND and doc["kind"] not in OTHER_KINDS
]


def _ids(samples: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [f"{name}:{doc['metadata']['name']}" for name, doc in samples]


@pytest.mark.parametrize(("file_name", "sample"), AURA_SAMPLES, ids=_ids(AURA_SAMPLES))
def test_sample_passes_schema_and_cel_rules(
    validator: CrdValidator, file_name: str, sample: dict[str, Any]
) -> None:
    assert sample["apiVersion"] == API_VERSION
    assert validator.validate_create(sample) == []
    # A re-apply of the same manifest passes the transition rules too.
    assert validator.validate_update(sample, sample) == []


@pytest.mark.parametrize(("file_name", "sample"), AURA_SAMPLES, ids=_ids(AURA_SAMPLES))
def test_sample_parses_into_the_models(file_name: str, sample: dict[str, Any]) -> None:
    resource = AuraInstance.model_validate(sample)

    assert resource.metadata.name == sample["metadata"]["name"]
    assert resource.spec.model_dump(by_alias=True, exclude_defaults=True) == sample["spec"]


@pytest.mark.parametrize(("file_name", "sample"), OTHER_KIND_SAMPLES, ids=_ids(OTHER_KIND_SAMPLES))
def test_snapshot_and_restore_samples_pass_their_crd(
    file_name: str, sample: dict[str, Any]
) -> None:
    validator = CrdValidator(OTHER_KINDS[sample["kind"]])
    assert sample["apiVersion"] == API_VERSION
    assert validator.validate_create(sample) == []
    assert validator.validate_update(sample, sample) == []


@pytest.mark.parametrize(("file_name", "sample"), OTHER_SAMPLES, ids=_ids(OTHER_SAMPLES))
def test_built_in_samples_are_valid_kubernetes_objects(
    file_name: str, sample: dict[str, Any]
) -> None:
    kubernetes_validate.validate(sample, "1.37", strict=True)


def test_credentials_secret_sample_has_the_keys_and_only_placeholders() -> None:
    secrets = [doc for _, doc in OTHER_SAMPLES if doc["kind"] == "Secret"]

    assert len(secrets) == 1
    data = secrets[0]["stringData"]
    assert set(data) == set(CredentialsSecretKey)
    assert all(value.startswith("REPLACE_WITH_") for value in data.values())


def test_samples_cover_the_documented_cases() -> None:
    specs = [AuraInstance.model_validate(doc).spec for _, doc in AURA_SAMPLES]
    instance_types = {spec.instance_type for spec in specs}

    assert {InstanceType.PROFESSIONAL_DB, InstanceType.FREE_DB} <= instance_types
    assert any(
        spec.instance_type == InstanceType.ENTERPRISE_DB
        and spec.secondaries_count
        and spec.cdc_enrichment_mode
        for spec in specs
    )
    assert any(spec.paused for spec in specs)
    assert any(
        spec.instance_id and spec.management_policy == ManagementPolicy.OBSERVE_ONLY
        for spec in specs
    )
    assert any(spec.deletion_policy == DeletionPolicy.DELETE for spec in specs)


def test_samples_have_unique_names_and_leave_tenant_to_the_credentials() -> None:
    names = [doc["metadata"]["name"] for _, doc in AURA_SAMPLES]

    assert len(names) == len(set(names))
    assert all("tenantId" not in doc["spec"] for _, doc in AURA_SAMPLES)
