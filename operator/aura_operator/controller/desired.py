"""The desired Aura instance, derived from an AuraInstance's spec and the operator settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aura_operator.api import (
    AuraInstanceSpec,
    DeletionPolicy,
    ManagementPolicy,
    effective_display_name,
)


@dataclass(frozen=True)
class Desired:
    """Everything the operator wants of one Aura instance, in Aura's vocabulary."""

    spec: AuraInstanceSpec
    name: str
    deletion_policy: DeletionPolicy

    @property
    def observe_only(self) -> bool:
        return self.spec.management_policy is ManagementPolicy.OBSERVE_ONLY

    @property
    def paused(self) -> bool:
        return self.spec.paused

    @property
    def tenant_id(self) -> str | None:
        return self.spec.tenant_id

    def managed_fields(self) -> dict[str, Any]:
        """Aura fields the spec sets that a PATCH can change (None: left to Aura)."""
        spec = self.spec
        return {
            "name": self.name,
            "memory": spec.memory,
            "storage": spec.storage,
            "vector_optimized": spec.vector_optimized,
            "graph_analytics_plugin": spec.graph_analytics_plugin,
            "secondaries_count": spec.secondaries_count,
            "cdc_enrichment_mode": spec.cdc_enrichment_mode.value
            if spec.cdc_enrichment_mode
            else None,
        }

    def create_body(self, tenant_id: str) -> dict[str, Any]:
        """The POST /v1/instances body; secondaries and CDC are PATCHed once running."""
        spec = self.spec
        body: dict[str, Any] = {
            "name": self.name,
            "tenant_id": tenant_id,
            "cloud_provider": spec.cloud_provider.value if spec.cloud_provider else None,
            "region": spec.region,
            "type": spec.instance_type.value if spec.instance_type else None,
            "version": spec.version,
            "memory": spec.memory,
        }
        optional = {
            "storage": spec.storage,
            "vector_optimized": spec.vector_optimized,
            "graph_analytics_plugin": spec.graph_analytics_plugin,
            "source_instance_id": spec.source.instance_id if spec.source else None,
            "source_snapshot_id": spec.source.snapshot_id if spec.source else None,
            "customer_managed_key_id": spec.customer_managed_key_id,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body


def desired_from_spec(
    spec: dict[str, Any], *, metadata_name: str, default_deletion_policy: str
) -> Desired:
    parsed = AuraInstanceSpec.model_validate(spec)
    return Desired(
        spec=parsed,
        name=effective_display_name(parsed, metadata_name),
        deletion_policy=parsed.deletion_policy or DeletionPolicy(default_deletion_policy),
    )
