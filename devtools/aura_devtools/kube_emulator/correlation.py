"""Pairing the values of an updated object with their stored versions, as the API server does
for CEL transition rules (`oldSelf`) and for validation ratcheting.

A property pairs with the same property of the old object; an item of an
`x-kubernetes-list-type: map` list pairs with the old item of the same keys; items of other
lists pair with nothing (`None`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def old_property(old: Any, key: str) -> Any:
    return old.get(key) if isinstance(old, dict) else None


def old_items(items: list[Any], old: Any, schema: Mapping[str, Any]) -> list[Any]:
    """Each item's old version, or None."""
    keys: Sequence[str] = schema.get("x-kubernetes-list-map-keys") or ()
    if schema.get("x-kubernetes-list-type") != "map" or not keys or not isinstance(old, list):
        return [None] * len(items)
    by_key = {_map_key(item, keys): item for item in old if isinstance(item, dict)}
    return [by_key.get(_map_key(item, keys)) if isinstance(item, dict) else None for item in items]


def unchanged(value: Any, old: Any) -> bool:
    """Whether `value` has an old version and equals it, as JSON (`true` is not `1`)."""
    return old is not None and _same(value, old)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def _map_key(item: Mapping[str, Any], keys: Sequence[str]) -> tuple[str, ...]:
    return tuple(repr(item.get(key)) for key in keys)
