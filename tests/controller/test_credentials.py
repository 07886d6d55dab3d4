"""The credentials Secret's parsing."""

from __future__ import annotations

import base64

import pytest

from aura_operator.controller.credentials import CredentialsProblem, credentials_from_secret


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


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
