"""Aura API client: typed calls, auth, the process-wide rate limiter, retries and errors.

Knows nothing of kopf or Kubernetes. One `LimiterRegistry` and one `AuraApi` per process:

    registry = LimiterRegistry(limit=125, margin=5, scope="credential")
    async with AuraApi("https://api.neo4j.io", limiter_registry=registry) as api:
        client = api.client_for(Credentials(client_id, SecretStr(client_secret)))
        result = await client.get_instance("2f49c2b3", lane=Lane.BACKGROUND)
        result.value.status, result.request_id
"""

from aura_operator.aura.api import DEFAULT_BASE_URL, DEFAULT_LIMITS, AuraApi, Timeouts
from aura_operator.aura.backoff import RetryPolicy
from aura_operator.aura.call_log import CallObserver, CallRecord
from aura_operator.aura.client import AuraClient
from aura_operator.aura.clock import Clock, SystemClock
from aura_operator.aura.credentials import Credentials
from aura_operator.aura.errors import (
    AuraAuthError,
    AuraClientError,
    AuraConflict,
    AuraError,
    AuraNotFound,
    AuraNotSent,
    AuraRateLimited,
    AuraResponseError,
    AuraServerError,
    AuraUnavailable,
    AuraValidationError,
    CreateOutcomeUnknown,
    request_id_text,
)
from aura_operator.aura.lanes import LANES_BY_PRIORITY, Lane
from aura_operator.aura.limiter import (
    Budget,
    BudgetStats,
    LaneStats,
    LimiterObserver,
    LimiterRegistry,
    Permit,
)
from aura_operator.aura.models import (
    CreateCustomerManagedKeyRequest,
    CreatedInstance,
    CreateInstanceRequest,
    CustomerManagedKey,
    CustomerManagedKeySummary,
    ErrorDetail,
    Instance,
    InstanceConfiguration,
    InstancePatch,
    InstanceStatus,
    InstanceSummary,
    OverwriteRequest,
    Snapshot,
    SnapshotRef,
    SnapshotStatus,
    Tenant,
    TenantSummary,
    is_failed,
    is_known_status,
    is_transitional,
)
from aura_operator.aura.result import Result

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_LIMITS",
    "LANES_BY_PRIORITY",
    "AuraApi",
    "AuraAuthError",
    "AuraClient",
    "AuraClientError",
    "AuraConflict",
    "AuraError",
    "AuraNotFound",
    "AuraNotSent",
    "AuraRateLimited",
    "AuraResponseError",
    "AuraServerError",
    "AuraUnavailable",
    "AuraValidationError",
    "Budget",
    "BudgetStats",
    "CallObserver",
    "CallRecord",
    "Clock",
    "CreateCustomerManagedKeyRequest",
    "CreateInstanceRequest",
    "CreateOutcomeUnknown",
    "CreatedInstance",
    "Credentials",
    "CustomerManagedKey",
    "CustomerManagedKeySummary",
    "ErrorDetail",
    "Instance",
    "InstanceConfiguration",
    "InstancePatch",
    "InstanceStatus",
    "InstanceSummary",
    "Lane",
    "LaneStats",
    "LimiterObserver",
    "LimiterRegistry",
    "OverwriteRequest",
    "Permit",
    "Result",
    "RetryPolicy",
    "Snapshot",
    "SnapshotRef",
    "SnapshotStatus",
    "SystemClock",
    "Tenant",
    "TenantSummary",
    "Timeouts",
    "is_failed",
    "is_known_status",
    "is_transitional",
    "request_id_text",
]
