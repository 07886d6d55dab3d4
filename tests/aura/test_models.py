"""Models tolerate what the contract says varies, and never show a password."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from aura_operator.aura import (
    CreatedInstance,
    CreateInstanceRequest,
    Instance,
    InstancePatch,
    InstanceStatus,
    InstanceSummary,
    Snapshot,
    Tenant,
    is_failed,
    is_known_status,
    is_transitional,
)

FULL_INSTANCE = {
    "id": "2f49c2b3",
    "name": "orders",
    "status": "running",
    "connection_url": "neo4j+s://2f49c2b3.databases.neo4j.io",
    "tenant_id": "6981ace7-0000-0000-0000-000000000000",
    "cloud_provider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "8GB",
    "storage": "16GB",
    "created_at": "2023-01-20T13:44:42Z",
    "vector_optimized": False,
    "graph_analytics_plugin": False,
}


def test_instance_reads_the_full_object() -> None:
    instance = Instance.model_validate(FULL_INSTANCE)
    assert instance.memory == "8GB"
    assert instance.created_at == datetime(2023, 1, 20, 13, 44, 42, tzinfo=UTC)


def test_instance_tolerates_missing_optional_fields() -> None:
    # A CLI-style pause response: no created_at, storage, memory or connection_url.
    instance = Instance.model_validate({"id": "2f49c2b3", "name": "x", "status": "pausing"})
    assert instance.storage is None
    assert instance.created_at is None


def test_instance_keeps_unknown_fields_and_unknown_statuses() -> None:
    instance = Instance.model_validate(
        {**FULL_INSTANCE, "status": "resizing", "brand_new_field": {"a": 1}}
    )
    assert instance.status == "resizing"
    assert instance.model_extra == {"brand_new_field": {"a": 1}}
    assert not is_known_status(instance.status)
    assert not instance.is_transitional


def test_free_tier_graph_counts_may_be_strings_or_numbers() -> None:
    a = Instance.model_validate({**FULL_INSTANCE, "graph_nodes": "200000"})
    b = Instance.model_validate({**FULL_INSTANCE, "graph_nodes": 200000})
    assert a.graph_nodes == "200000"
    assert b.graph_nodes == 200000


def test_an_unparsable_timestamp_becomes_none_instead_of_failing() -> None:
    summary = InstanceSummary.model_validate(
        {"id": "2f49c2b3", "name": "x", "created_at": "yesterday-ish"}
    )
    assert summary.created_at is None


def test_status_helpers() -> None:
    assert is_transitional("creating")
    assert is_transitional(InstanceStatus.DESTROYING)
    assert not is_transitional("running")
    assert not is_transitional("paused")
    assert is_failed("loading failed")
    assert is_known_status("suspended")


def test_created_instance_password_is_secret_in_repr_and_dump() -> None:
    created = CreatedInstance.model_validate(
        {**FULL_INSTANCE, "username": "neo4j", "password": "hunter2-very-secret"}
    )
    assert created.password.get_secret_value() == "hunter2-very-secret"
    assert "hunter2" not in repr(created)
    assert "hunter2" not in str(created)
    assert "hunter2" not in created.model_dump_json()


@pytest.mark.parametrize(
    "field, value",
    [
        ("username", None),
        ("connection_url", 42),
        ("name", ["not", "a", "name"]),
        ("vector_optimized", "perhaps"),
        ("tenant_id", {"id": "t"}),
    ],
)
def test_a_malformed_detail_of_the_202_does_not_cost_the_password(
    field: str, value: object
) -> None:
    """The 202 is the only response that ever holds the password: a detail Aura sends in an
    unexpected shape is dropped (its default is used), the id and the password are kept."""
    body = {**FULL_INSTANCE, "username": "neo4j", "password": "hunter2-very-secret", field: value}
    created = CreatedInstance.model_validate(body)
    assert created.id == FULL_INSTANCE["id"]
    assert created.password.get_secret_value() == "hunter2-very-secret"
    assert getattr(created, field) == CreatedInstance.model_fields[field].default


@pytest.mark.parametrize("missing", ["id", "password"])
def test_a_202_without_its_id_or_password_is_still_refused(missing: str) -> None:
    body = {**FULL_INSTANCE, "password": "hunter2-very-secret"}
    del body[missing]
    with pytest.raises(ValidationError):
        CreatedInstance.model_validate(body)


def test_tenant_configurations_may_be_empty_or_missing() -> None:
    assert Tenant.model_validate({"id": "t", "name": "n"}).instance_configurations == []
    tenant = Tenant.model_validate(
        {
            "id": "t",
            "name": "n",
            "instance_configurations": [{"region": "europe-west1", "memory": "4GB", "x": 1}],
        }
    )
    assert tenant.instance_configurations[0].memory == "4GB"


def test_snapshot_keeps_unknown_status() -> None:
    snapshot = Snapshot.model_validate({"snapshot_id": "s", "status": "Exploded"})
    assert snapshot.status == "Exploded"


def test_requests_send_only_what_is_set() -> None:
    request = CreateInstanceRequest(
        name="orders",
        tenant_id="t",
        cloud_provider="gcp",
        region="europe-west1",
        type="professional-db",
        memory="8GB",
    )
    assert request.to_body() == {
        "name": "orders",
        "tenant_id": "t",
        "cloud_provider": "gcp",
        "region": "europe-west1",
        "type": "professional-db",
        "memory": "8GB",
        "version": "5",
    }
    assert InstancePatch(memory="16GB").to_body() == {"memory": "16GB"}
