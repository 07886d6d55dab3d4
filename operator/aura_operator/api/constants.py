"""Names of the AuraInstance API: group, kind, finalizer, annotations and Secret keys."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

GROUP: Final = "aura.neo4j.io"
VERSION: Final = "v1alpha1"
API_VERSION: Final = f"{GROUP}/{VERSION}"
KIND: Final = "AuraInstance"
LIST_KIND: Final = "AuraInstanceList"
PLURAL: Final = "aurainstances"
SINGULAR: Final = "aurainstance"
SHORT_NAMES: Final = ("aura",)
# Not "aura": kubectl expands categories before short names, so a category named like the
# short name would turn `kubectl get aura` into "every kind in the category" once a second
# kind (AuraSnapshot) joins it.
CATEGORIES: Final = ("neo4j", "neo4j-aura")
CRD_NAME: Final = f"{PLURAL}.{GROUP}"

FINALIZER: Final = f"{GROUP}/finalizer"

RECONCILE_ANNOTATION: Final = f"{GROUP}/reconcile"
"""Set to RECONCILE_DISABLED to stop every write the operator would make for the object."""
RECONCILE_DISABLED: Final = "disabled"
SYNC_NOW_ANNOTATION: Final = f"{GROUP}/sync-now"
"""Any new value asks for an immediate observe of the Aura instance."""

CONNECTION_SECRET_SUFFIX: Final = "-connection"  # noqa: S105 (a name, not a secret)
"""The connection Secret is named `<metadata.name>-connection` unless spec.connectionSecret.name."""

SECRET_OWNER_UID_ANNOTATION: Final = f"{GROUP}/owner-uid"
"""On a connection Secret: the uid of the AuraInstance it was written for. The operator writes
only into Secrets that carry its own uid (or that it creates), never into anyone else's."""
SECRET_OWNER_ANNOTATION: Final = f"{GROUP}/owner"
"""On a connection Secret: `namespace/name` of that AuraInstance, for people and messages."""

AURA_NAME_MAX_LENGTH: Final = 30
SECRET_NAME_MAX_LENGTH: Final = 253
METADATA_NAME_MAX_LENGTH: Final = SECRET_NAME_MAX_LENGTH - len(CONNECTION_SECRET_SUFFIX)
"""The longest metadata.name whose default connection Secret name is still a valid name."""


class CredentialsSecretKey(StrEnum):
    """Keys of the Secret holding Aura API credentials."""

    CLIENT_ID = "clientId"
    CLIENT_SECRET = "clientSecret"  # noqa: S105 (a key name, not a secret)
    TENANT_ID = "tenantId"  # optional: the fallback for spec.tenantId


class ConnectionSecretKey(StrEnum):
    """Keys of the connection Secret: the names of the `.env` file the Aura console hands out."""

    NEO4J_URI = "NEO4J_URI"
    NEO4J_USERNAME = "NEO4J_USERNAME"
    NEO4J_PASSWORD = "NEO4J_PASSWORD"  # noqa: S105 (a key name, not a secret)
    NEO4J_DATABASE = "NEO4J_DATABASE"
    AURA_INSTANCEID = "AURA_INSTANCEID"
    AURA_INSTANCENAME = "AURA_INSTANCENAME"
