"""Object metadata rules: system fields, generated names, timestamps, what bumps `generation`."""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping
from typing import Any

# Set by the server only: kept from the stored object whatever a write sends.
SYSTEM_METADATA_FIELDS = (
    "name",
    "namespace",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "resourceVersion",
    "selfLink",
)

# Fields outside the "desired state": a change to anything else bumps metadata.generation.
_NOT_GENERATION_FIELDS = frozenset({"apiVersion", "kind", "metadata", "status"})

# The API server's alphabet for generateName suffixes (no vowels, no look-alike characters).
_NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_NAME_SUFFIX_LENGTH = 5
_MAX_NAME_LENGTH = 63


def generated_name(prefix: str) -> str:
    head = prefix[: _MAX_NAME_LENGTH - _NAME_SUFFIX_LENGTH]
    return head + "".join(random.choices(_NAME_SUFFIX_ALPHABET, k=_NAME_SUFFIX_LENGTH))


def timestamp(moment: datetime.datetime) -> str:
    """RFC 3339 in UTC with second precision, as `metadata.creationTimestamp` is rendered."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def desired_state(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Everything whose change bumps `metadata.generation` (all but metadata and status)."""
    return {key: value for key, value in obj.items() if key not in _NOT_GENERATION_FIELDS}


def with_system_fields_of(metadata: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """`metadata` from a write, with every server-owned field taken from the stored object."""
    merged = {key: value for key, value in metadata.items() if key not in SYSTEM_METADATA_FIELDS}
    merged.update({key: stored[key] for key in SYSTEM_METADATA_FIELDS if key in stored})
    return merged
