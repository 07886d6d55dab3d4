"""What the API server does to an object before storing it, per resource type.

- custom resources: unknown fields pruned, disallowed nulls dropped and `default`s filled from
  the CRD's schema, then the result validated against the schema and its CEL rules (422
  Invalid, nothing stored, if it fails);
- Secrets: `stringData` folded into base64 `data`, `type: Opaque` by default;
- Namespaces: `status.phase: Active`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from aura_devtools.kube_emulator import errors
from aura_devtools.kube_emulator.cel_validation import rule_errors
from aura_devtools.kube_emulator.field_errors import BLOCKING, ErrorType, FieldError
from aura_devtools.kube_emulator.resources import NAMESPACES, SECRETS, ResourceType
from aura_devtools.kube_emulator.schema import apply_schema_defaults, prune_unknown_fields
from aura_devtools.kube_emulator.schema_validation import schema_errors

_RULES_NOT_CHECKED = FieldError(
    ErrorType.INVALID,
    "<nil>",
    None,
    "some validation rules were not checked because the object was invalid; correct the existing"
    " errors to complete validation",
)


def admit(
    resource_type: ResourceType, obj: dict[str, Any], old: Mapping[str, Any] | None = None
) -> None:
    """Adjust `obj` (a full object about to be stored) in place, or raise ApiStatusError (422)
    if it is invalid; `old` is the stored object on an update (for CEL transition rules)."""
    if resource_type.schema is not None:
        prune_unknown_fields(obj, resource_type.schema)
        apply_schema_defaults(obj, resource_type.schema)
        _validate(resource_type, obj, old, resource_type.schema)
    if resource_type.key == SECRETS.key:
        _fold_secret_string_data(obj)
    elif resource_type.key == NAMESPACES.key:
        obj.setdefault("status", {}).setdefault("phase", "Active")


def _validate(
    resource_type: ResourceType,
    obj: dict[str, Any],
    old: Mapping[str, Any] | None,
    schema: Mapping[str, Any],
) -> None:
    found = schema_errors(obj, old, schema)
    # As the API server: CEL rules assume a well-typed object, so they wait for one.
    if any(error.type in BLOCKING for error in found):
        found.append(_RULES_NOT_CHECKED)
    else:
        found.extend(rule_errors(obj, old, schema))
    if found:
        name = str(obj.get("metadata", {}).get("name", ""))
        raise errors.invalid_fields(resource_type.kind, resource_type.group, name, found)


def _fold_secret_string_data(secret: dict[str, Any]) -> None:
    secret.setdefault("type", "Opaque")
    string_data: Mapping[str, str] = secret.pop("stringData", None) or {}
    if string_data:
        data = secret.setdefault("data", {})
        for key, text in string_data.items():
            data[key] = base64.b64encode(text.encode("utf-8")).decode("ascii")
