"""Pydantic models of Aura v1 request and response bodies."""

from aura_operator.aura.models.errors import ErrorDetail, parse_error_body
from aura_operator.aura.models.instances import (
    TRANSITIONAL_STATUSES,
    CreatedInstance,
    CreateInstanceRequest,
    Instance,
    InstancePatch,
    InstanceStatus,
    InstanceSummary,
    OverwriteRequest,
    is_failed,
    is_known_status,
    is_transitional,
)
from aura_operator.aura.models.keys import (
    CreateCustomerManagedKeyRequest,
    CustomerManagedKey,
    CustomerManagedKeySummary,
)
from aura_operator.aura.models.snapshots import Snapshot, SnapshotRef, SnapshotStatus
from aura_operator.aura.models.tenants import InstanceConfiguration, Tenant, TenantSummary

__all__ = [
    "TRANSITIONAL_STATUSES",
    "CreateCustomerManagedKeyRequest",
    "CreateInstanceRequest",
    "CreatedInstance",
    "CustomerManagedKey",
    "CustomerManagedKeySummary",
    "ErrorDetail",
    "Instance",
    "InstanceConfiguration",
    "InstancePatch",
    "InstanceStatus",
    "InstanceSummary",
    "OverwriteRequest",
    "Snapshot",
    "SnapshotRef",
    "SnapshotStatus",
    "Tenant",
    "TenantSummary",
    "is_failed",
    "is_known_status",
    "is_transitional",
    "parse_error_body",
]
