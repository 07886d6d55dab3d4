"""The connection Secret an application mounts (`envFrom`), and the credentials Secret it reads."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from aura_operator.api import (
    API_VERSION,
    KIND,
    AuraInstanceSpec,
    ConnectionSecretKey,
    CredentialsSecretKey,
)

URI = ConnectionSecretKey.NEO4J_URI.value
USERNAME = ConnectionSecretKey.NEO4J_USERNAME.value
PASSWORD = ConnectionSecretKey.NEO4J_PASSWORD.value
DATABASE = ConnectionSecretKey.NEO4J_DATABASE.value
INSTANCE_ID = ConnectionSecretKey.AURA_INSTANCEID.value
INSTANCE_NAME = ConnectionSecretKey.AURA_INSTANCENAME.value
CLIENT_ID = CredentialsSecretKey.CLIENT_ID.value
CLIENT_SECRET = CredentialsSecretKey.CLIENT_SECRET.value
TENANT_ID = CredentialsSecretKey.TENANT_ID.value

MANAGED_BY = {"app.kubernetes.io/managed-by": "aura-operator"}


@dataclass(frozen=True)
class ConnectionDetails:
    instance_id: str
    instance_name: str
    connection_url: str | None
    username: str = "neo4j"
    password: str | None = field(default=None, repr=False)  # known only right after a create


def connection_secret(
    *,
    name: str,
    namespace: str,
    details: ConnectionDetails,
    spec: AuraInstanceSpec,
    owner_name: str,
    owner_uid: str,
    owned: bool,
) -> dict[str, Any]:
    """The Secret manifest. Without a password the key is left out, never written empty,
    so a merge into an existing Secret keeps a password written earlier."""
    settings = spec.connection_secret
    data = {
        URI: details.connection_url or "",
        USERNAME: details.username,
        DATABASE: "neo4j",
        INSTANCE_ID: details.instance_id,
        INSTANCE_NAME: details.instance_name,
    }
    if details.password is not None:
        data[PASSWORD] = details.password
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": {**MANAGED_BY, **((settings and settings.labels) or {})},
        "annotations": dict((settings and settings.annotations) or {}),
    }
    if owned:
        metadata["ownerReferences"] = [
            {
                "apiVersion": API_VERSION,
                "kind": KIND,
                "name": owner_name,
                "uid": owner_uid,
                "controller": True,
                "blockOwnerDeletion": False,
            }
        ]
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": metadata,
        "data": {key: _b64(value) for key, value in data.items()},
    }


def secret_instance_id(secret: dict[str, Any] | None) -> str | None:
    """The instance a connection Secret belongs to, if it names one."""
    encoded = ((secret or {}).get("data") or {}).get(INSTANCE_ID)
    return _unb64(encoded) or None if encoded else None


def secret_has_password_for(secret: dict[str, Any] | None, instance_id: str) -> bool:
    """Whether an existing connection Secret already holds the password of this instance."""
    if not secret:
        return False
    data = secret.get("data") or {}
    return bool(data.get(PASSWORD)) and _unb64(data.get(INSTANCE_ID, "")) == instance_id


@dataclass(frozen=True)
class AuraCredentials:
    client_id: str
    client_secret: str
    tenant_id: str | None

    def __repr__(self) -> str:
        return f"AuraCredentials(client_id={self.client_id!r}, client_secret=***)"


class CredentialsProblem(Exception):
    """The credentials Secret is missing or incomplete; the message names what is missing."""

    reason = "CredentialsMissing"


class CredentialsNotAllowed(CredentialsProblem):
    """The object names no credentials Secret and the default credentials do not serve its
    namespace; the message says how to fix it."""

    reason = "CredentialsNotAllowed"


def credentials_from_secret(
    secret: dict[str, Any] | None, *, namespace: str, name: str
) -> AuraCredentials:
    if secret is None:
        raise CredentialsProblem(
            f"credentials Secret {namespace}/{name} not found; create it with keys "
            "clientId and clientSecret (and optionally tenantId)"
        )
    data = secret.get("data") or {}
    missing = [key for key in (CLIENT_ID, CLIENT_SECRET) if not data.get(key)]
    if missing:
        raise CredentialsProblem(
            f"credentials Secret {namespace}/{name} has no key {' or '.join(missing)}"
        )
    tenant = _unb64(data[TENANT_ID]) if data.get(TENANT_ID) else None
    return AuraCredentials(
        client_id=_unb64(data[CLIENT_ID]).strip(),
        client_secret=_unb64(data[CLIENT_SECRET]).strip(),
        tenant_id=tenant.strip() if tenant else None,
    )


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _unb64(value: str) -> str:
    return base64.b64decode(value).decode()
