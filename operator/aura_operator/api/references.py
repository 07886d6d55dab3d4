"""What the snapshot and restore kinds share: references to other objects, and the Aura
instance an object acts on with the credentials that reach it (`InstanceTarget`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from aura_operator.api.base import ApiModel
from aura_operator.api.cel_rules import rule
from aura_operator.api.spec import DNS_SUBDOMAIN_PATTERN, InstanceId, SecretReference

SNAPSHOT_ID_MAX_LENGTH = 128


class LocalObjectReference(ApiModel):
    """An object of the named kind in the same namespace."""

    name: str = Field(
        min_length=1,
        max_length=253,
        pattern=DNS_SUBDOMAIN_PATTERN,
        description="metadata.name of the object, in the same namespace.",
    )


@dataclass(frozen=True)
class TargetDescriptions:
    """How a kind describes the fields of `InstanceTarget` in its CRD."""

    instance_ref: str
    instance_id: str
    credentials: str
    """Of credentialsSecretRef."""

    def by_property(self) -> dict[str, str]:
        return {
            "instanceRef": self.instance_ref,
            "instanceId": self.instance_id,
            "credentialsSecretRef": self.credentials,
        }


class InstanceTarget(ApiModel):
    """The Aura instance an object acts on: an AuraInstance in its namespace (instanceRef) or an
    Aura instance id (instanceId), exactly one (`one_target`); and the credentials Secret that
    reaches it (credentialsSecretRef; else the AuraInstance's, else the operator-wide one). A
    kind's spec subclasses it and says in `described_as` what the fields mean for it."""

    described_as: ClassVar[TargetDescriptions]

    instance_ref: LocalObjectReference | None = None
    instance_id: InstanceId | None = None
    credentials_secret_ref: SecretReference | None = None

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema)["properties"]
        for name, description in cls.described_as.by_property().items():
            properties[name]["description"] = description
        return schema


def one_target(kind: str) -> dict[str, Any]:
    """The rule of an `InstanceTarget`: exactly one of instanceRef and instanceId."""
    return rule(
        "has(self.instanceRef) != has(self.instanceId)",
        f"set exactly one of spec.instanceRef (an AuraInstance in this namespace) and "
        f"spec.instanceId (an Aura instance id) as the {kind}",
    )
