"""The connection Secret an application mounts (`envFrom`): what it holds and whose it is, as
pure functions (connection.py writes it)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from aura_operator.api import (
    API_VERSION,
    KIND,
    SECRET_OWNER_ANNOTATION,
    SECRET_OWNER_UID_ANNOTATION,
    AuraInstanceSpec,
    ConnectionSecretKey,
)

URI = ConnectionSecretKey.NEO4J_URI.value
USERNAME = ConnectionSecretKey.NEO4J_USERNAME.value
PASSWORD = ConnectionSecretKey.NEO4J_PASSWORD.value
DATABASE = ConnectionSecretKey.NEO4J_DATABASE.value
INSTANCE_ID = ConnectionSecretKey.AURA_INSTANCEID.value
INSTANCE_NAME = ConnectionSecretKey.AURA_INSTANCENAME.value

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
    details: ConnectionDetails | None,
    spec: AuraInstanceSpec,
    owner_name: str,
    owner_uid: str,
    owned: bool,
) -> dict[str, Any]:
    """The Secret manifest, marked as written for the AuraInstance `owner_uid`. Without a
    password the key is left out, never written empty, so a merge into the Secret keeps a
    password written earlier. Without details: the reservation made before a create."""
    settings = spec.connection_secret
    data: dict[str, str] = {}
    if details is not None:
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
        "labels": {**((settings and settings.labels) or {}), **MANAGED_BY},
        "annotations": {
            **((settings and settings.annotations) or {}),
            SECRET_OWNER_UID_ANNOTATION: owner_uid,
            SECRET_OWNER_ANNOTATION: f"{namespace}/{owner_name}",
        },
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


class Standing(Enum):
    """What an existing Secret is to the AuraInstance that wants to write it."""

    ABSENT = "absent"
    OURS = "ours"
    """Written (or reserved) by the operator for this very object."""
    KEPT = "kept"
    """Written by the operator for another (often deleted) object; holds an instance."""
    RESERVED = "reserved"
    """Reserved by the operator for another object's create; holds no instance yet."""
    FOREIGN = "foreign"
    """Not the operator's: never written into, never owned, never deleted."""


@dataclass(frozen=True)
class SecretStanding:
    kind: Standing
    instance_id: str | None = None
    owner: str | None = None
    """`namespace/name` of the object the operator wrote it for, if known."""
    owner_uid: str | None = None


def standing_of(secret: dict[str, Any] | None, uid: str) -> SecretStanding:
    """Whose `secret` is, seen from the AuraInstance with `uid`."""
    if secret is None:
        return SecretStanding(Standing.ABSENT)
    metadata = secret.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    labels = metadata.get("labels") or {}
    owner_uids = {annotations.get(SECRET_OWNER_UID_ANNOTATION)} | {
        owner.get("uid") for owner in metadata.get("ownerReferences") or []
    }
    instance_id = secret_instance_id(secret)
    owner = annotations.get(SECRET_OWNER_ANNOTATION)
    owner_uid = annotations.get(SECRET_OWNER_UID_ANNOTATION)
    if uid and uid in owner_uids:
        return SecretStanding(Standing.OURS, instance_id, owner, owner_uid)
    operators = labels.get("app.kubernetes.io/managed-by") == MANAGED_BY[
        "app.kubernetes.io/managed-by"
    ] or bool(annotations.get(SECRET_OWNER_UID_ANNOTATION))
    if not operators:
        return SecretStanding(Standing.FOREIGN)
    if instance_id:
        return SecretStanding(Standing.KEPT, instance_id, owner, owner_uid)
    return SecretStanding(Standing.RESERVED, None, owner, owner_uid)


def may_write(standing: SecretStanding, *, taking: str | None = None) -> bool:
    """Whether the operator may write into this Secret: an absent one (created), its own for
    this object, or (`taking`) one it kept for the very instance this object now owns."""
    if standing.kind in (Standing.ABSENT, Standing.OURS):
        return True
    return standing.kind is Standing.KEPT and taking is not None and standing.instance_id == taking


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


def secret_password(secret: dict[str, Any] | None) -> str | None:
    encoded = ((secret or {}).get("data") or {}).get(PASSWORD)
    return _unb64(encoded) if encoded else None


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _unb64(value: str) -> str:
    return base64.b64decode(value).decode()
