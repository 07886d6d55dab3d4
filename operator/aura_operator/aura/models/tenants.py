"""Tenants (the console's "projects") and their instance configurations."""

from __future__ import annotations

from pydantic import Field

from aura_operator.aura.models.base import AuraResponse


class TenantSummary(AuraResponse):
    id: str
    name: str = ""


class InstanceConfiguration(AuraResponse):
    """One offered (provider, region, type, memory/storage, version) combination."""

    cloud_provider: str | None = None
    region: str | None = None
    region_name: str | None = None
    type: str | None = None
    memory: str | None = None
    storage: str | None = None
    version: str | None = None


class Tenant(AuraResponse):
    id: str
    name: str = ""
    instance_configurations: list[InstanceConfiguration] = Field(default_factory=list)
