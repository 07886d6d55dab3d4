"""Customer-managed encryption keys (VDC / AuraDS Enterprise)."""

from __future__ import annotations

from aura_operator.aura.models.base import AuraRequest, AuraResponse, LenientDatetime


class CreateCustomerManagedKeyRequest(AuraRequest):
    key_id: str
    name: str
    cloud_provider: str
    instance_type: str
    region: str
    tenant_id: str


class CustomerManagedKeySummary(AuraResponse):
    id: str
    name: str = ""
    tenant_id: str | None = None


class CustomerManagedKey(AuraResponse):
    id: str
    name: str = ""
    tenant_id: str | None = None
    status: str = ""
    created: LenientDatetime = None
    cloud_provider: str | None = None
    key_id: str | None = None
    region: str | None = None
    instance_type: str | None = None
    type: str | None = None
