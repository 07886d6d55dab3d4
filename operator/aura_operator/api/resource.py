"""The root of every kind's object (`KindRoot`), the whole AuraInstance object, and names
derived from it."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from aura_operator.api.base import ApiModel
from aura_operator.api.cel_rules import rule, validations
from aura_operator.api.constants import (
    AURA_NAME_MAX_LENGTH,
    CONNECTION_SECRET_SUFFIX,
    METADATA_NAME_MAX_LENGTH,
)
from aura_operator.api.spec import AuraInstanceSpec
from aura_operator.api.status import AuraInstanceStatus


def _plain_object_schema(schema: dict[str, Any]) -> None:
    # The API server owns the metadata schema: a CRD may only say it is an object.
    schema.clear()
    schema["type"] = "object"


class ObjectMeta(ApiModel):
    """The parts of Kubernetes object metadata this package reads."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_plain_object_schema)

    name: str
    namespace: str | None = None
    generation: int | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


def root_schema(schema: dict[str, Any], model: type[Any]) -> None:
    # Every object has metadata; only spec is the user's to forget.
    schema["required"] = ["spec"]
    schema["properties"]["kind"]["description"] = (
        f"REST resource this object represents; `{model.__name__}`."
    )


class KindRoot(ApiModel):
    """What the object of every kind has at its root besides spec and status. A kind's model is
    named as the kind (its name is in the schema's description of `kind`)."""

    model_config = ConfigDict(json_schema_extra=root_schema)

    api_version: str | None = Field(
        None,
        description="Versioned schema of this representation of an object; "
        "`aura.neo4j.io/v1alpha1`.",
    )
    kind: str | None = None
    # No description: the API server rejects a CRD that says anything about metadata but its type.
    metadata: ObjectMeta


def _instance_schema(schema: dict[str, Any], model: type[Any]) -> None:
    root_schema(schema, model)
    schema.update(
        validations(
            rule(
                f"has(self.spec.name) || size(self.metadata.name) <= {AURA_NAME_MAX_LENGTH}",
                f"metadata.name is longer than {AURA_NAME_MAX_LENGTH} characters, the limit of "
                "an Aura instance name: set spec.name",
            ),
            rule(
                "(has(self.spec.connectionSecret) && has(self.spec.connectionSecret.name))"
                f" || size(self.metadata.name) <= {METADATA_NAME_MAX_LENGTH}",
                f"metadata.name is longer than {METADATA_NAME_MAX_LENGTH} characters, so the "
                f"connection Secret name <metadata.name>{CONNECTION_SECRET_SUFFIX} would be "
                "longer than the 253 a Secret name may have: set spec.connectionSecret.name",
            ),
        )
    )


class AuraInstance(KindRoot):
    """A Neo4j Aura instance managed (or observed) from Kubernetes."""

    model_config = ConfigDict(json_schema_extra=_instance_schema)

    spec: AuraInstanceSpec = Field(
        description="Desired state of the Aura instance. cloudProvider, region, type and memory "
        "are required unless instanceId adopts an existing instance. tenantId, cloudProvider, "
        "region, type, version, source, customerManagedKeyId and instanceId are immutable after "
        "creation."
    )
    status: AuraInstanceStatus | None = Field(
        None, description="Observed state of the Aura instance, written by the operator."
    )


def effective_display_name(spec: AuraInstanceSpec, metadata_name: str) -> str:
    """The Aura display name: spec.name, else metadata.name (the CRD caps its length at 30)."""
    return spec.name if spec.name is not None else metadata_name


def connection_secret_name(spec: AuraInstanceSpec, metadata_name: str) -> str:
    """Name of the connection Secret: spec.connectionSecret.name, else `<name>-connection`."""
    if spec.connection_secret is not None and spec.connection_secret.name is not None:
        return spec.connection_secret.name
    return f"{metadata_name}{CONNECTION_SECRET_SUFFIX}"
