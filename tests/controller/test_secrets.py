"""The connection Secret's content and the credentials Secret's parsing."""

from __future__ import annotations

import base64

import pytest

from aura_operator.api import AuraInstanceSpec
from aura_operator.controller.secrets import (
    ConnectionDetails,
    CredentialsProblem,
    connection_secret,
    credentials_from_secret,
    secret_has_password_for,
)


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def decoded(secret: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}


def make(password: str | None, *, owned: bool) -> dict:  # type: ignore[type-arg]
    spec = AuraInstanceSpec.model_validate(
        {"connectionSecret": {"labels": {"team": "orders"}, "annotations": {"a": "b"}}}
    )
    return connection_secret(
        name="orders-connection",
        namespace="shop",
        details=ConnectionDetails(
            "0a1b2c3d", "orders", "neo4j+s://0a1b2c3d.databases.neo4j.io", password=password
        ),
        spec=spec,
        owner_name="orders",
        owner_uid="uid-1",
        owned=owned,
    )


def test_the_connection_secret_has_the_aura_env_file_keys() -> None:
    secret = make("s3cret", owned=True)
    assert decoded(secret) == {
        "NEO4J_URI": "neo4j+s://0a1b2c3d.databases.neo4j.io",
        "NEO4J_USERNAME": "neo4j",
        "NEO4J_PASSWORD": "s3cret",
        "NEO4J_DATABASE": "neo4j",
        "AURA_INSTANCEID": "0a1b2c3d",
        "AURA_INSTANCENAME": "orders",
    }
    assert secret["metadata"]["labels"]["team"] == "orders"
    assert secret["metadata"]["ownerReferences"][0]["uid"] == "uid-1"


def test_without_a_password_the_key_is_absent_so_a_merge_keeps_the_old_one() -> None:
    assert "NEO4J_PASSWORD" not in make(None, owned=True)["data"]


def test_retain_leaves_no_owner_reference_so_the_secret_outlives_the_resource() -> None:
    assert "ownerReferences" not in make("x", owned=False)["metadata"]


def test_an_existing_secret_holds_the_password_only_for_its_own_instance() -> None:
    secret = make("x", owned=True)
    assert secret_has_password_for(secret, "0a1b2c3d")
    assert not secret_has_password_for(secret, "ffffffff")
    assert not secret_has_password_for(make(None, owned=True), "0a1b2c3d")


def test_credentials_are_read_with_an_optional_tenant() -> None:
    secret = {"data": {"clientId": b64("id"), "clientSecret": b64("hunter2"), "tenantId": b64("t")}}
    creds = credentials_from_secret(secret, namespace="ns", name="aura")
    assert (creds.client_id, creds.client_secret, creds.tenant_id) == ("id", "hunter2", "t")
    assert "hunter2" not in repr(creds)


def test_a_missing_secret_is_named_with_the_fix() -> None:
    with pytest.raises(CredentialsProblem, match=r"ns/aura not found.*clientId and clientSecret"):
        credentials_from_secret(None, namespace="ns", name="aura")


def test_a_missing_key_is_named() -> None:
    with pytest.raises(CredentialsProblem, match="ns/aura has no key clientSecret"):
        credentials_from_secret({"data": {"clientId": b64("id")}}, namespace="ns", name="aura")
