"""Field types the snapshot and restore kinds share: references to other objects and ids."""

from __future__ import annotations

from pydantic import Field

from aura_operator.api.base import ApiModel
from aura_operator.api.spec import DNS_SUBDOMAIN_PATTERN

SNAPSHOT_ID_MAX_LENGTH = 128


class LocalObjectReference(ApiModel):
    """An object of the named kind in the same namespace."""

    name: str = Field(
        min_length=1,
        max_length=253,
        pattern=DNS_SUBDOMAIN_PATTERN,
        description="metadata.name of the object, in the same namespace.",
    )
