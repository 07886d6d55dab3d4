"""What the API server does to an object before storing it, per resource type.

- custom resources: unknown fields pruned and `default`s filled from the CRD's schema;
- Secrets: `stringData` folded into base64 `data`, `type: Opaque` by default;
- Namespaces: `status.phase: Active`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from aura_operator.kube_emulator.resources import NAMESPACES, SECRETS, ResourceType
from aura_operator.kube_emulator.schema import apply_schema_defaults, prune_unknown_fields


def admit(resource_type: ResourceType, obj: dict[str, Any]) -> None:
    """Adjust `obj` (a full object about to be stored) in place."""
    if resource_type.schema is not None:
        prune_unknown_fields(obj, resource_type.schema)
        apply_schema_defaults(obj, resource_type.schema)
    if resource_type.key == SECRETS.key:
        _fold_secret_string_data(obj)
    elif resource_type.key == NAMESPACES.key:
        obj.setdefault("status", {}).setdefault("phase", "Active")


def _fold_secret_string_data(secret: dict[str, Any]) -> None:
    secret.setdefault("type", "Opaque")
    string_data: Mapping[str, str] = secret.pop("stringData", None) or {}
    if string_data:
        data = secret.setdefault("data", {})
        for key, text in string_data.items():
            data[key] = base64.b64encode(text.encode("utf-8")).decode("ascii")
