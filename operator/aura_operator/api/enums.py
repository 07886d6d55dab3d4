"""Enumerations of the AuraInstance API. Values are the exact strings of the CRD schema."""

from __future__ import annotations

from enum import StrEnum


class CloudProvider(StrEnum):
    """Cloud provider hosting an Aura instance."""

    GCP = "gcp"
    AWS = "aws"
    AZURE = "azure"


class InstanceType(StrEnum):
    """Aura instance type (tier)."""

    FREE_DB = "free-db"
    PROFESSIONAL_DB = "professional-db"
    PROFESSIONAL_DS = "professional-ds"
    ENTERPRISE_DB = "enterprise-db"
    ENTERPRISE_DS = "enterprise-ds"
    BUSINESS_CRITICAL = "business-critical"


class CdcEnrichmentMode(StrEnum):
    """Change data capture enrichment mode."""

    OFF = "OFF"
    DIFF = "DIFF"
    FULL = "FULL"


class DeletionPolicy(StrEnum):
    """What deleting the custom resource does to the Aura instance."""

    RETAIN = "Retain"
    DELETE = "Delete"


class ManagementPolicy(StrEnum):
    """Whether the operator may write to Aura for this resource."""

    MANAGE = "Manage"
    OBSERVE_ONLY = "ObserveOnly"


class Phase(StrEnum):
    """Summary of where the resource is in its lifecycle."""

    PENDING = "Pending"
    CREATING = "Creating"
    READY = "Ready"
    UPDATING = "Updating"
    PAUSING = "Pausing"
    PAUSED = "Paused"
    RESUMING = "Resuming"
    DELETING = "Deleting"
    FAILED = "Failed"


class ConditionStatus(StrEnum):
    """Status of a condition (KEP-1623)."""

    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


class ConditionType(StrEnum):
    """Condition types the operator writes."""

    READY = "Ready"
    SYNCED = "Synced"
    STALLED = "Stalled"
    CREDENTIALS_AVAILABLE = "CredentialsAvailable"
