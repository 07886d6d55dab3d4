"""Turn a pydantic model into a Kubernetes structural OpenAPI v3 schema.

Starts from pydantic's JSON schema and rewrites it into what a CRD accepts: `$ref`s inlined,
`Optional[X]` (anyOf X or null) reduced to X, titles and null defaults dropped, keys in one
stable order. Anything a structural schema cannot say (other unions, free-form objects, unknown
keywords) raises NotStructuralError instead of reaching the CRD.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

# Keys a node may carry, in the order they are written.
KEY_ORDER = (
    "description",
    "type",
    "format",
    "enum",
    "default",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "x-kubernetes-validations",
)
RULE_KEY_ORDER = ("rule", "message", "messageExpression", "reason", "fieldPath", "optionalOldSelf")
_DROPPED = frozenset({"title"})
_REF_PREFIX = "#/$defs/"

Schema = dict[str, Any]


class NotStructuralError(ValueError):
    """The model uses something a Kubernetes structural schema cannot express."""


def structural_schema(model: type[BaseModel]) -> Schema:
    """The structural schema of `model`, with camelCase (alias) property names."""
    raw = model.model_json_schema(by_alias=True, mode="validation")
    definitions: dict[str, Schema] = raw.pop("$defs", {})
    return _convert(raw, definitions, path=model.__name__)


def _convert(node: Schema, definitions: dict[str, Schema], path: str) -> Schema:
    node = _inline(node, definitions, path)
    result: Schema = {}
    for key, value in node.items():
        if key in _DROPPED or (key == "default" and value is None):
            continue
        if key not in KEY_ORDER:
            raise NotStructuralError(f"{path}: keyword {key!r} is not supported in a CRD schema")
        if key == "properties":
            result[key] = {
                name: _convert(child, definitions, f"{path}.{name}")
                for name, child in value.items()
            }
        elif key == "items":
            result[key] = _convert(value, definitions, f"{path}[]")
        elif key == "additionalProperties":
            if value is False:
                continue
            if not isinstance(value, dict) or not value:
                raise NotStructuralError(f"{path}: free-form objects are not structural")
            result[key] = _convert(value, definitions, f"{path}{{}}")
        elif key == "x-kubernetes-validations":
            result[key] = [{k: rule[k] for k in RULE_KEY_ORDER if k in rule} for rule in value]
        elif key == "required":
            if value:
                result[key] = sorted(value, key=list(node.get("properties", {})).index)
        else:
            result[key] = value
    if "type" not in result:
        raise NotStructuralError(f"{path}: every node of a structural schema needs a type")
    return {key: result[key] for key in KEY_ORDER if key in result}


def _inline(node: Schema, definitions: dict[str, Schema], path: str) -> Schema:
    """Replace `$ref` and `anyOf [X, null]` by X, keeping the node's own keys on top."""
    node = dict(node)
    if "anyOf" in node:
        choices = [c for c in node.pop("anyOf") if c != {"type": "null"}]
        if len(choices) != 1:
            raise NotStructuralError(f"{path}: unions other than Optional[X] are not structural")
        node = {**_inline(choices[0], definitions, path), **node}
    if "$ref" in node:
        reference = node.pop("$ref")
        if not reference.startswith(_REF_PREFIX):
            raise NotStructuralError(f"{path}: cannot resolve {reference}")
        target = definitions[reference.removeprefix(_REF_PREFIX)]
        node = {**_inline(target, definitions, path), **node}
    return node
