"""The AuraInstance custom resource API (`aura.neo4j.io/v1alpha1`).

The pydantic models here are the single source of truth: the controller parses kopf's spec and
status dicts with them, and `aura-operator crds` generates the CRD from them.
"""

from aura_operator.api.constants import (
    API_VERSION,
    AURA_NAME_MAX_LENGTH,
    CATEGORIES,
    CONNECTION_SECRET_SUFFIX,
    CRD_NAME,
    FINALIZER,
    GROUP,
    KIND,
    LIST_KIND,
    PLURAL,
    RECONCILE_ANNOTATION,
    RECONCILE_DISABLED,
    SHORT_NAMES,
    SINGULAR,
    SYNC_NOW_ANNOTATION,
    VERSION,
    ConnectionSecretKey,
    CredentialsSecretKey,
)
from aura_operator.api.enums import (
    CdcEnrichmentMode,
    CloudProvider,
    ConditionStatus,
    ConditionType,
    DeletionPolicy,
    InstanceType,
    ManagementPolicy,
    Phase,
)
from aura_operator.api.resource import (
    AuraInstance,
    ObjectMeta,
    connection_secret_name,
    effective_display_name,
)
from aura_operator.api.spec import (
    IMMUTABLE_FIELDS,
    AuraInstanceSpec,
    CloneSource,
    ConnectionSecretSpec,
    SecretReference,
)
from aura_operator.api.status import AuraInstanceStatus, Condition, CreateIntent

__all__ = [
    "API_VERSION",
    "AURA_NAME_MAX_LENGTH",
    "CATEGORIES",
    "CONNECTION_SECRET_SUFFIX",
    "CRD_NAME",
    "FINALIZER",
    "GROUP",
    "IMMUTABLE_FIELDS",
    "KIND",
    "LIST_KIND",
    "PLURAL",
    "RECONCILE_ANNOTATION",
    "RECONCILE_DISABLED",
    "SHORT_NAMES",
    "SINGULAR",
    "SYNC_NOW_ANNOTATION",
    "VERSION",
    "AuraInstance",
    "AuraInstanceSpec",
    "AuraInstanceStatus",
    "CdcEnrichmentMode",
    "CloneSource",
    "CloudProvider",
    "Condition",
    "ConditionStatus",
    "ConditionType",
    "ConnectionSecretKey",
    "ConnectionSecretSpec",
    "CreateIntent",
    "CredentialsSecretKey",
    "DeletionPolicy",
    "InstanceType",
    "ManagementPolicy",
    "ObjectMeta",
    "Phase",
    "SecretReference",
    "connection_secret_name",
    "effective_display_name",
]
