"""The desired Aura instance, derived from an AuraInstance's spec and the operator settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

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


DELETION_NEEDS = frozenset(
    {"deletionPolicy", "managementPolicy", "credentialsSecretRef", "connectionSecret"}
)
"""Spec fields (camelCase) that carrying out the deletion policy reads."""


class InvalidSpec(ValueError):
    """A spec the CRD accepted but the operator cannot read; `problems` maps each field
    (`spec.name`) to what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{field}: {why}" for field, why in self.problems.items()))

    @property
    def top_level_fields(self) -> set[str]:
        return {field.removeprefix("spec.").split(".")[0] for field in self.problems}


def parse_spec(spec: Mapping[str, Any]) -> AuraInstanceSpec:
    """The spec as the operator's model; raises InvalidSpec naming each offending field."""
    try:
        return AuraInstanceSpec.model_validate(spec)
    except ValidationError as error:
        problems = {
            ".".join(["spec", *(str(part) for part in item["loc"])]): item["msg"]
            for item in error.errors(include_url=False, include_input=False)
        }
        raise InvalidSpec(problems) from None


def salvaged_spec(
    spec: Mapping[str, Any], last_good: Mapping[str, Any] | None, invalid: InvalidSpec
) -> dict[str, Any]:
    """For carrying out a deletion: `spec` with each unreadable top-level field taken from the
    last good spec (or left out when that had none). Raises InvalidSpec when a field the
    deletion reads is unreadable and no good value of it is known: guessing it (say, the
    default credentials instead of the named ones) could leave a billed instance behind."""
    salvaged = dict(spec)
    for name in invalid.top_level_fields:
        if last_good is not None and name in last_good:
            salvaged[name] = last_good[name]
        elif last_good is None and name in DELETION_NEEDS:
            raise invalid
        else:
            salvaged.pop(name, None)
    return salvaged


def desired_from_spec(
    spec: Mapping[str, Any], *, metadata_name: str, default_deletion_policy: str
) -> Desired:
    """Raises InvalidSpec for a spec the models refuse."""
    parsed = parse_spec(spec)
    return Desired(
        spec=parsed,
        name=effective_display_name(parsed, metadata_name),
        deletion_policy=parsed.deletion_policy or DeletionPolicy(default_deletion_policy),
    )
