"""The models parse what kopf hands over and produce what the CRD accepts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from aura_operator.api import (
    API_VERSION,
    FINALIZER,
    RECONCILE_ANNOTATION,
    SYNC_NOW_ANNOTATION,
    AuraInstanceSpec,
    AuraInstanceStatus,
    CloudProvider,
    Condition,
    ConditionStatus,
    ConditionType,
    ConnectionSecretKey,
    CreateIntent,
    DeletionPolicy,
    ManagementPolicy,
    Phase,
    connection_secret_name,
    effective_display_name,
)

from .crd_validation import CrdValidator

KOPF_SPEC: dict[str, Any] = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "8GB",
    "version": "5",
    "paused": False,
    "managementPolicy": "Manage",
    "credentialsSecretRef": {"name": "team-aura"},
    "connectionSecret": {"name": "movies-db", "labels": {"team": "a"}},
}


def test_spec_parses_camel_case_with_defaults() -> None:
    spec = AuraInstanceSpec.model_validate(KOPF_SPEC)

    assert spec.cloud_provider is CloudProvider.GCP
    assert spec.instance_type == "professional-db"
    assert spec.credentials_secret_ref is not None
    assert spec.credentials_secret_ref.name == "team-aura"
    assert spec.deletion_policy is None  # the operator setting decides
    assert spec.name is None


def test_spec_defaults_match_the_crd_defaults() -> None:
    spec = AuraInstanceSpec.model_validate({"instanceId": "0a1b2c3d"})

    assert (spec.version, spec.paused, spec.management_policy) == (
        "5",
        False,
        ManagementPolicy.MANAGE,
    )


def test_spec_accepts_python_names_and_ignores_unknown_keys() -> None:
    spec = AuraInstanceSpec.model_validate(
        {"instance_id": "0a1b2c3d", "deletion_policy": "Delete", "addedInAFutureCrd": 1}
    )

    assert spec.instance_id == "0a1b2c3d"
    assert spec.deletion_policy is DeletionPolicy.DELETE


@pytest.mark.parametrize(
    "bad", [{"memory": "8G"}, {"name": " x"}, {"secondariesCount": 16}, {"cloudProvider": "ibm"}]
)
def test_spec_model_enforces_the_schema_constraints(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AuraInstanceSpec.model_validate({**KOPF_SPEC, **bad})


def test_spec_is_immutable() -> None:
    spec = AuraInstanceSpec.model_validate(KOPF_SPEC)

    with pytest.raises(ValidationError):
        spec.memory = "16GB"  # type: ignore[misc]


def test_display_name_defaults_to_metadata_name() -> None:
    unnamed = AuraInstanceSpec.model_validate(KOPF_SPEC)
    named = AuraInstanceSpec.model_validate({**KOPF_SPEC, "name": "Movies"})

    assert effective_display_name(unnamed, "movies") == "movies"
    assert effective_display_name(named, "movies") == "Movies"


def test_connection_secret_name_defaults_to_name_connection() -> None:
    named = AuraInstanceSpec.model_validate(KOPF_SPEC)
    unnamed = AuraInstanceSpec.model_validate({**KOPF_SPEC, "connectionSecret": {"labels": {}}})
    absent = AuraInstanceSpec.model_validate({"instanceId": "0a1b2c3d"})

    assert connection_secret_name(named, "movies") == "movies-db"
    assert connection_secret_name(unnamed, "movies") == "movies-connection"
    assert connection_secret_name(absent, "movies") == "movies-connection"


def _full_status() -> AuraInstanceStatus:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return AuraInstanceStatus(
        instance_id="0a1b2c3d",
        aura_status="loading failed",
        phase=Phase.FAILED,
        connection_url="neo4j+s://0a1b2c3d.databases.neo4j.io",
        connection_secret_name="movies-connection",
        memory="8GB",
        storage="16GB",
        observed_generation=3,
        last_request_id="8a35fa95b983aeff3e70394832706f45/12383853214941892751",
        last_sync_time=now,
        create_intent=CreateIntent(name="movies", tenant_id="t-1", requested_at=now),
        conditions=[
            Condition(
                type=ConditionType.READY,
                status=ConditionStatus.FALSE,
                reason="LoadingFailed",
                message="Aura reports loading failed (request 8a35fa95)",
                last_transition_time=now,
                observed_generation=3,
            )
        ],
    )


def test_status_dump_is_accepted_by_the_crd(validator: CrdValidator) -> None:
    status = _full_status().model_dump(mode="json", by_alias=True, exclude_none=True)
    obj = {
        "apiVersion": API_VERSION,
        "kind": "AuraInstance",
        "metadata": {"name": "movies"},
        "spec": KOPF_SPEC,
        "status": status,
    }

    assert status["lastSyncTime"] == "2026-01-02T03:04:05Z"
    assert status["conditions"][0]["lastTransitionTime"] == "2026-01-02T03:04:05Z"
    assert validator.validate_create(obj) == []


def test_status_round_trips_and_finds_conditions() -> None:
    status = _full_status()
    parsed = AuraInstanceStatus.model_validate(
        status.model_dump(mode="json", by_alias=True, exclude_none=True)
    )

    assert parsed == status
    ready = parsed.condition(ConditionType.READY)
    assert ready is not None and ready.status is ConditionStatus.FALSE
    assert parsed.condition(ConditionType.SYNCED) is None


def test_condition_rejects_a_non_camel_case_reason() -> None:
    with pytest.raises(ValidationError):
        Condition(
            type="Synced",
            status=ConditionStatus.FALSE,
            reason="ongoing-database-operation",
            message="",
            last_transition_time=datetime.now(UTC),
        )


def test_status_parses_an_empty_dict() -> None:
    assert AuraInstanceStatus.model_validate({}) == AuraInstanceStatus()


def test_names_the_controller_relies_on() -> None:
    assert FINALIZER == "aura.neo4j.io/finalizer"
    assert RECONCILE_ANNOTATION == "aura.neo4j.io/reconcile"
    assert SYNC_NOW_ANNOTATION == "aura.neo4j.io/sync-now"
    assert [key.value for key in ConnectionSecretKey] == [
        "NEO4J_URI",
        "NEO4J_USERNAME",
        "NEO4J_PASSWORD",
        "NEO4J_DATABASE",
        "AURA_INSTANCEID",
        "AURA_INSTANCENAME",
    ]
