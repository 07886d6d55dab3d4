"""The desired state of an AuraInstance (`spec`); parses the spec dict kopf hands to handlers."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from aura_operator.api.base import ApiModel
from aura_operator.api.cel_rules import immutable, required_unless_adopting, rule, validations
from aura_operator.api.enums import (
    CdcEnrichmentMode,
    CloudProvider,
    DeletionPolicy,
    InstanceType,
    ManagementPolicy,
)

# Every pattern means the same to the API server (Go's RE2) and to pydantic (Rust's regex):
# explicit character classes of ASCII and Latin-1 escapes only, never \s, \S, \d, \w, \b or
# \p, whose meanings differ (RE2's \S is "not ASCII space", so U+00A0 passed the CRD and failed
# the model). tests/api/test_patterns.py holds the patterns to that and checks both engines agree.
EDGE_WHITESPACE = r"\t\n\v\f\r \x85\xa0"
"""The whitespace a display name may not start or end with: ASCII and Latin-1 (other Unicode
spaces are Aura's to judge; the CRD and the operator accept them alike)."""
AURA_NAME_PATTERN = f"^[^{EDGE_WHITESPACE}](.*[^{EDGE_WHITESPACE}])?$"
"""No such whitespace at either end; `.` (anything but a line feed, in every engine) between."""
SIZE_PATTERN = r"^[0-9]+GB$"
INSTANCE_ID_PATTERN = r"^[0-9a-f]{8}$"
DNS_SUBDOMAIN_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
REGION_PATTERN = r"^[a-z][a-z0-9-]*$"

InstanceId = Annotated[str, Field(max_length=8, pattern=INSTANCE_ID_PATTERN)]
"""An Aura instance id: 8 lowercase hex characters."""

IMMUTABLE_FIELDS = (
    "tenantId",
    "cloudProvider",
    "region",
    "type",
    "version",
    "source",
    "customerManagedKeyId",
    "instanceId",
)
"""Spec fields (by their camelCase names) fixed at creation."""

REQUIRED_UNLESS_ADOPTING = ("cloudProvider", "region", "type", "memory")
"""Spec fields a new instance needs; adopting an existing one (spec.instanceId) needs none."""


class SecretReference(ApiModel):
    """A Secret in the namespace of the AuraInstance."""

    name: str = Field(
        min_length=1,
        max_length=253,
        pattern=DNS_SUBDOMAIN_PATTERN,
        description="Name of the Secret, in the namespace of the AuraInstance.",
    )


class ConnectionSecretSpec(ApiModel):
    """Where the operator writes the connection details (NEO4J_URI, NEO4J_USERNAME,
    NEO4J_PASSWORD, NEO4J_DATABASE, AURA_INSTANCEID, AURA_INSTANCENAME)."""

    name: str | None = Field(
        None,
        min_length=1,
        max_length=253,
        pattern=DNS_SUBDOMAIN_PATTERN,
        description="Name of the connection Secret. Defaults to `<metadata.name>-connection`.",
    )
    labels: dict[str, str] | None = Field(
        None, description="Labels added to the connection Secret."
    )
    annotations: dict[str, str] | None = Field(
        None, description="Annotations added to the connection Secret."
    )


class CloneSource(ApiModel):
    """An existing Aura instance, and optionally one of its snapshots, to clone at creation."""

    instance_id: InstanceId = Field(
        description="Id of the Aura instance to clone (8 lowercase hex characters).",
    )
    snapshot_id: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="Id of an exportable snapshot of that instance to clone. "
        "Defaults to a fresh snapshot taken by Aura.",
    )


_SPEC_RULES = validations(
    *(required_unless_adopting(field, "instanceId") for field in REQUIRED_UNLESS_ADOPTING),
    *(immutable(field) for field in IMMUTABLE_FIELDS),
    rule(
        "!(has(self.instanceId) && has(self.source))",
        "spec.source (clone into a new instance) and spec.instanceId (adopt an existing "
        "instance) cannot be used together",
        ".source",
    ),
    rule(
        "!(has(self.vectorOptimized) && self.vectorOptimized)"
        " || !has(self.memory) || !self.memory.matches('^0*[0-3]GB$')",
        "spec.vectorOptimized needs spec.memory of at least 4GB",
        ".vectorOptimized",
    ),
    rule(
        "!(has(self.paused) && self.paused) || !has(self.type) || self.type != 'free-db'",
        "spec.paused cannot be true for a free-db instance: Aura does not pause free instances "
        "on request",
        ".paused",
    ),
)


class AuraInstanceSpec(ApiModel):
    """Desired state of a Neo4j Aura instance."""

    model_config = ConfigDict(json_schema_extra=_SPEC_RULES)

    name: str | None = Field(
        None,
        min_length=1,
        max_length=30,
        pattern=AURA_NAME_PATTERN,
        description="Display name of the Aura instance: 1-30 characters, no leading or trailing "
        "whitespace. Defaults to metadata.name, which must then be at most 30 characters. "
        "A change renames the instance in place.",
    )
    tenant_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="Aura project (tenant) id the instance belongs to. Defaults to the "
        "`tenantId` key of the credentials Secret. Immutable after creation.",
    )
    cloud_provider: CloudProvider | None = Field(
        None,
        description="Cloud provider hosting the instance. Required unless instanceId is set. "
        "Immutable after creation.",
    )
    region: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=REGION_PATTERN,
        description="Cloud region of the instance, for example `europe-west1`; must be offered "
        "to the project for this provider and type. Required unless instanceId is set. "
        "Immutable after creation.",
    )
    instance_type: InstanceType | None = Field(
        None,
        alias="type",
        description="Aura instance type (`enterprise-db` is AuraDB Virtual Dedicated Cloud). "
        "Required unless instanceId is set. Immutable after creation.",
    )
    version: str = Field(
        "5",
        min_length=1,
        max_length=16,
        description="Neo4j major version; `5` provisions the latest calendar-versioned Neo4j. "
        "Immutable after creation.",
    )
    memory: str | None = Field(
        None,
        max_length=8,
        pattern=SIZE_PATTERN,
        description="Memory size such as `8GB`; must be offered to the project for this type "
        "and region. A change resizes the instance in place. Required unless instanceId is set.",
    )
    storage: str | None = Field(
        None,
        max_length=8,
        pattern=SIZE_PATTERN,
        description="Storage size such as `16GB`. Unset: Aura derives it from memory "
        "(usually twice the memory). Only some plans allow storage independent of memory.",
    )
    paused: bool = Field(
        False,
        description="Desired power state: true pauses the instance, false resumes it. "
        "Free instances cannot be paused on request.",
    )
    vector_optimized: bool | None = Field(
        None,
        description="Optimise the instance for vector search; needs at least 4GB memory. "
        "Unset: the operator leaves Aura's setting alone.",
    )
    graph_analytics_plugin: bool | None = Field(
        None,
        description="Enable the Graph Analytics plugin. Unset: the operator leaves Aura's "
        "setting alone.",
    )
    secondaries_count: int | None = Field(
        None,
        ge=0,
        le=15,
        description="Number of secondaries (enterprise-db only), 0-15. Applied once the "
        "instance is running (Aura does not take it at creation). Unset: left alone.",
    )
    cdc_enrichment_mode: CdcEnrichmentMode | None = Field(
        None,
        description="Change data capture enrichment mode (enterprise-db and business-critical "
        "only). Applied once the instance is running. Unset: left alone.",
    )
    source: CloneSource | None = Field(
        None,
        description="Clone a new instance from this Aura instance (or one of its snapshots) at "
        "creation. Immutable after creation.",
    )
    customer_managed_key_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="Id of the Aura customer managed encryption key (enterprise-db and "
        "enterprise-ds only). Immutable after creation.",
    )
    credentials_secret_ref: SecretReference | None = Field(
        None,
        description="Secret with the Aura API credentials (keys `clientId`, `clientSecret` and "
        "optionally `tenantId`) in this namespace. Defaults to the operator-wide Secret.",
    )
    connection_secret: ConnectionSecretSpec | None = Field(
        None,
        description="The Secret the operator writes the connection details to. Defaults to "
        "`<metadata.name>-connection`.",
    )
    deletion_policy: DeletionPolicy | None = Field(
        None,
        description="What deleting this resource does to the Aura instance: `Delete` deletes "
        "it, `Retain` leaves it (and the connection Secret) in place. Unset: the operator "
        "setting AURA_DEFAULT_DELETION_POLICY applies, itself `Retain` by default.",
    )
    instance_id: InstanceId | None = Field(
        None,
        description="Adopt this existing Aura instance (8 lowercase hex characters) instead "
        "of creating one. Immutable after creation.",
    )
    management_policy: ManagementPolicy = Field(
        ManagementPolicy.MANAGE,
        description="`Manage` creates, updates and deletes the instance to match this spec. "
        "`ObserveOnly` reads and reports its state but never writes to Aura.",
    )
