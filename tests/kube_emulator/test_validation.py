"""Writes the AuraInstance CRD's schema forbids get a 422 Invalid Status and change nothing."""

from __future__ import annotations

import pathlib
from typing import Any

import httpx
import pytest

from aura_devtools.kube_emulator import AURA_INSTANCE_CRD, load_crds
from aura_devtools.kube_emulator.cel_validation import CEL_AVAILABLE
from kube_emulator.helpers import (
    AURA_INSTANCES,
    JSON_PATCH,
    VALID_SPEC,
    aura_instance,
    create,
    patch,
)

DB = f"{AURA_INSTANCES}/db"
GENERATED_CRD = pathlib.Path(__file__).parents[2] / "crds" / "aurainstances.aura.neo4j.io.yaml"
needs_cel = pytest.mark.skipif(not CEL_AVAILABLE, reason="cel-python is not installed")


def condition(**fields: Any) -> dict[str, Any]:
    return {
        "type": "Ready",
        "status": "True",
        "reason": "InstanceRunning",
        "message": "",
        "lastTransitionTime": "2026-01-01T00:00:00Z",
        **fields,
    }


def assert_invalid(response: httpx.Response, *messages: str) -> dict[str, Any]:
    """A 422 Invalid Status for db whose message carries each of `messages`."""
    status: dict[str, Any] = response.json()
    assert response.status_code == 422, response.text
    assert (status["kind"], status["reason"]) == ("Status", "Invalid")
    assert status["message"].startswith('AuraInstance.aura.neo4j.io "db" is invalid: ')
    for message in messages:
        assert message in status["message"]
    return status


def test_the_default_crd_is_the_generated_one() -> None:
    assert load_crds(GENERATED_CRD) == [AURA_INSTANCE_CRD]


async def test_a_status_write_with_an_invalid_condition_reason_is_refused_and_changes_nothing(
    http: httpx.AsyncClient,
) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db"))
    before = (await patch(http, f"{DB}/status", {"status": {"conditions": [condition()]}})).json()

    bad = {"status": {"conditions": [condition(reason="not ok")]}}
    response = await patch(http, f"{DB}/status", bad)

    status = assert_invalid(
        response,
        'status.conditions[0].reason: Invalid value: "not ok": status.conditions[0].reason in'
        " body should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'",
    )
    [cause] = status["details"]["causes"]
    assert cause["field"] == "status.conditions[0].reason"
    assert cause["reason"] == "FieldValueInvalid"
    assert (await http.get(DB)).json() == before


async def test_a_status_put_with_an_unknown_phase_is_refused(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))

    response = await http.put(f"{DB}/status", json={**created, "status": {"phase": "Happy"}})

    assert_invalid(response, 'status.phase: Unsupported value: "Happy": supported values: ')
    assert "status" not in (await http.get(DB)).json()


async def test_a_spec_with_a_bad_enum_is_refused_on_create(http: httpx.AsyncClient) -> None:
    response = await http.post(AURA_INSTANCES, json=aura_instance("db", cloudProvider="gce"))

    assert_invalid(
        response,
        'spec.cloudProvider: Unsupported value: "gce": supported values: "gcp", "aws", "azure"',
    )
    assert (await http.get(DB)).status_code == 404


async def test_a_spec_with_a_bad_pattern_is_refused_on_merge_patch(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", memory="8GB"))

    response = await patch(http, DB, {"spec": {"memory": "8 GB"}})

    assert_invalid(
        response,
        """spec.memory: Invalid value: "8 GB": spec.memory in body should match '^[0-9]+GB$'""",
    )
    assert (await http.get(DB)).json() == created


async def test_a_spec_with_a_bad_enum_is_refused_on_json_patch(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))
    operations = [{"op": "add", "path": "/spec/deletionPolicy", "value": "Keep"}]

    response = await patch(http, DB, operations, JSON_PATCH)

    assert_invalid(response, 'spec.deletionPolicy: Unsupported value: "Keep"')
    assert (await http.get(DB)).json() == created


async def test_a_put_out_of_range_is_refused(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", type="enterprise-db"))
    spec = {**created["spec"], "secondariesCount": 16}

    response = await http.put(DB, json={**created, "spec": spec})

    assert_invalid(
        response,
        "spec.secondariesCount: Invalid value: 16: spec.secondariesCount in body should be"
        " less than or equal to 15",
    )


async def test_every_error_of_a_write_is_reported_with_its_own_cause(
    http: httpx.AsyncClient,
) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db"))
    bad = {"status": {"observedGeneration": -1, "lastSyncTime": "yesterday"}}

    response = await patch(http, f"{DB}/status", bad)

    status = assert_invalid(response, "is invalid: [")
    assert {cause["field"] for cause in status["details"]["causes"]} >= {
        "status.observedGeneration",
        "status.lastSyncTime",
    }


async def test_valid_spec_and_status_writes_pass(http: httpx.AsyncClient) -> None:
    spec = {
        **VALID_SPEC,
        "name": "Movies DB",
        "storage": "16GB",
        "vectorOptimized": True,
        "credentialsSecretRef": {"name": "aura-credentials"},
        "connectionSecret": {"name": "movies.conn", "labels": {"app": "movies"}},
        "deletionPolicy": "Delete",
    }
    await create(http, AURA_INSTANCES, aura_instance("db", **spec))
    status = {
        "phase": "Ready",
        "observedGeneration": 1,
        "lastSyncTime": "2026-01-01T00:00:00.123456+00:00",
        "createIntent": {
            "name": "Movies DB",
            "tenantId": "t",
            "requestedAt": "2026-01-01T00:00:00Z",
        },
        "conditions": [condition(), condition(type="Synced", status="False", reason="Pending")],
    }

    response = await patch(http, f"{DB}/status", {"status": status})
    resized = await patch(http, DB, {"spec": {"memory": "16GB"}})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == status
    assert resized.status_code == 200, resized.text


async def test_a_null_for_a_field_that_is_not_nullable_is_dropped_before_validation(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", paused=True))

    spec = {**created["spec"], "paused": None, "storage": None}
    response = await http.put(DB, json={**created, "spec": spec})

    assert response.status_code == 200, response.text
    assert response.json()["spec"]["paused"] is False  # dropped, then defaulted
    assert "storage" not in response.json()["spec"]


async def test_a_wrongly_typed_write_skips_the_cel_rules(http: httpx.AsyncClient) -> None:
    response = await http.post(AURA_INSTANCES, json=aura_instance("db", paused="yes"))

    assert_invalid(
        response,
        'spec.paused: Invalid value: "string": spec.paused in body must be of type boolean:'
        ' "string"',
        "some validation rules were not checked because the object was invalid",
    )


@needs_cel
async def test_spec_region_cannot_change_after_creation(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", region="europe-west1"))

    response = await patch(http, DB, {"spec": {"region": "us-east1"}})

    status = assert_invalid(
        response,
        "spec.region: Invalid value: spec.region is immutable: it cannot be added,"
        " changed or removed after creation",
    )
    assert [cause["field"] for cause in status["details"]["causes"]] == ["spec.region"]
    assert (await http.get(DB)).json() == created


@needs_cel
async def test_a_cel_rule_refuses_a_create(http: httpx.AsyncClient) -> None:
    spec = {key: value for key, value in VALID_SPEC.items() if key != "cloudProvider"}
    body = aura_instance("db")
    body["spec"] = spec

    response = await http.post(AURA_INSTANCES, json=body)

    assert_invalid(
        response,
        "spec.cloudProvider: Invalid value: spec.cloudProvider is required unless"
        " spec.instanceId adopts an existing instance",
    )


@needs_cel
async def test_a_root_cel_rule_sees_the_metadata_name(http: httpx.AsyncClient) -> None:
    long_name = "d" * 31

    refused = await http.post(AURA_INSTANCES, json=aura_instance(long_name))
    accepted = await http.post(AURA_INSTANCES, json=aura_instance(long_name, name="short"))

    assert refused.status_code == 422
    assert "metadata.name is longer than 30 characters" in refused.json()["message"]
    assert accepted.status_code == 201, accepted.text
