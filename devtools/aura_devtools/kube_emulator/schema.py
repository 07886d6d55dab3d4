"""Structural-schema processing the API server does on every write of a custom resource:
pruning fields the schema does not declare, then dropping nulls the schema does not allow and
filling declared defaults."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

_PRESERVE_UNKNOWN = "x-kubernetes-preserve-unknown-fields"
# Top-level fields every object keeps whatever its schema says.
_OBJECT_ENVELOPE = frozenset({"apiVersion", "kind", "metadata"})


def prune_unknown_fields(obj: dict[str, Any], schema: Mapping[str, Any]) -> None:
    """Drop, in place, every field `schema` neither declares nor preserves."""
    _prune(obj, schema, envelope=_OBJECT_ENVELOPE)


def apply_schema_defaults(value: Any, schema: Mapping[str, Any]) -> None:
    """Fill, in place, absent properties that declare a `default`, at every level present;
    a null where the schema is not `nullable` counts as absent (it is dropped, or defaulted)."""
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        for key in list(value):
            if value[key] is None and _drops_null(properties.get(key, additional)):
                del value[key]
        for key, subschema in properties.items():
            if key not in value and "default" in subschema:
                value[key] = copy.deepcopy(subschema["default"])
            if key in value and key != "metadata":
                apply_schema_defaults(value[key], subschema)
        if isinstance(additional, Mapping):
            for key, item in value.items():
                if key not in properties:
                    apply_schema_defaults(item, additional)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for item in value:
                apply_schema_defaults(item, items)


def _drops_null(schema: Any) -> bool:
    return isinstance(schema, Mapping) and not schema.get("nullable")


def _prune(value: Any, schema: Mapping[str, Any], envelope: frozenset[str] = frozenset()) -> None:
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        preserve = bool(schema.get(_PRESERVE_UNKNOWN)) or additional is True
        for key in list(value):
            if key in envelope:
                continue
            if key in properties:
                _prune(value[key], properties[key])
            elif isinstance(additional, Mapping):
                _prune(value[key], additional)
            elif not preserve:
                del value[key]
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for item in value:
                _prune(item, items)
