"""The base of every AuraInstance API model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """camelCase on the wire, snake_case in Python, immutable once parsed.

    Unknown keys are ignored: the API server prunes them anyway, and a newer CRD must not break
    an older operator. Dump for the API with `model_dump(mode="json", by_alias=True,
    exclude_none=True)`.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )
