"""OpenAPI v3 value validation of custom resources, as the API server does on every write.

Checks: `type` (with `nullable` and `x-kubernetes-int-or-string`), `format` (see formats.py),
`enum`, `pattern`, `minLength`/`maxLength`, `minimum`/`maximum` (and their `exclusive*`),
`multipleOf`, `minItems`/`maxItems`, `minProperties`/`maxProperties`, `required`,
`properties`, `additionalProperties`, `items`, and unique items of `x-kubernetes-list-type: set`
and unique keys of `x-kubernetes-list-type: map`. Not checked: allOf/anyOf/oneOf/not.
Messages are the API server's, e.g. `spec.region in body should match '^[a-z][a-z0-9-]*$'`.

On updates, values equal to their old version are not checked again (the API server's
validation ratcheting, 1.30+): an object stored under an older, looser schema can still be
written as long as the write leaves its invalid parts alone.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aura_devtools.kube_emulator.correlation import old_items, old_property, unchanged
from aura_devtools.kube_emulator.field_errors import (
    ErrorType,
    FieldError,
    Path,
    field_path,
    format_number,
)
from aura_devtools.kube_emulator.formats import conforms

_INT_OR_STRING = "x-kubernetes-int-or-string"


def schema_errors(
    obj: Mapping[str, Any], old: Mapping[str, Any] | None, schema: Mapping[str, Any]
) -> list[FieldError]:
    """Every violation of `schema` (a CRD's `openAPIV3Schema`) by `obj`, a whole object; `old`
    is its stored version on an update. Metadata is left out: the API server checks it by
    rules of its own."""
    found: list[FieldError] = []
    _check(_without_metadata(obj), _without_metadata(old), schema, (), found)
    return found


def _without_metadata(obj: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if obj is None else {key: obj[key] for key in obj if key != "metadata"}


def _check(
    value: Any, old: Any, schema: Mapping[str, Any], path: Path, found: list[FieldError]
) -> None:
    if unchanged(value, old) or (value is None and schema.get("nullable")):
        return
    allowed = _allowed_types(schema)
    actual = _json_type(value)
    if allowed and not _type_allowed(value, actual, allowed):
        found.append(_type_error(path, actual, schema))
        return
    if isinstance(value, str):
        _check_string(value, schema, path, found)
    elif isinstance(value, dict):
        _check_object(value, old, schema, path, found)
    elif isinstance(value, list):
        _check_array(value, old, schema, path, found)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, path, found)
    if "enum" in schema:
        _check_enum(value, schema["enum"], path, found)


def _allowed_types(schema: Mapping[str, Any]) -> tuple[str, ...]:
    if schema.get(_INT_OR_STRING):
        return ("integer", "string")
    declared = schema.get("type")
    return (declared,) if isinstance(declared, str) else ()


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_allowed(value: Any, actual: str, allowed: Sequence[str]) -> bool:
    if actual in allowed:
        return True
    if actual == "integer":
        return "number" in allowed
    # A JSON number like 3.0 is an integer to the API server.
    return actual == "number" and "integer" in allowed and float(value).is_integer()


def _type_error(path: Path, actual: str, schema: Mapping[str, Any]) -> FieldError:
    name = field_path(path)
    expected = ",".join(_allowed_types(schema))
    detail = f'{name} in body must be of type {expected}: "{actual}"'
    return FieldError(ErrorType.TYPE_INVALID, name, actual, detail)


def _check_string(
    value: str, schema: Mapping[str, Any], path: Path, found: list[FieldError]
) -> None:
    name = field_path(path)
    if "format" in schema and not conforms(value, schema["format"]):
        detail = f"{name} in body must be of type {schema['format']}: {json.dumps(value)}"
        found.append(FieldError(ErrorType.TYPE_INVALID, name, value, detail))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        detail = f"may not be longer than {schema['maxLength']}"
        found.append(FieldError(ErrorType.TOO_LONG, name, value, detail))
    if "minLength" in schema and len(value) < schema["minLength"]:
        detail = f"{name} in body should be at least {schema['minLength']} chars long"
        found.append(FieldError(ErrorType.INVALID, name, value, detail))
    pattern = schema.get("pattern")
    compiled = None if pattern is None else _go_regexp(pattern)
    if compiled is not None and compiled.search(value) is None:
        detail = f"{name} in body should match '{pattern}'"
        found.append(FieldError(ErrorType.INVALID, name, value, detail))


def _check_number(
    value: float, schema: Mapping[str, Any], path: Path, found: list[FieldError]
) -> None:
    name = field_path(path)

    def invalid(should: str, bound: float) -> None:
        detail = f"{name} in body should {should} {format_number(bound)}"
        found.append(FieldError(ErrorType.INVALID, name, value, detail))

    factor = schema.get("multipleOf")
    if factor and not float(value / factor).is_integer():
        invalid("be a multiple of", factor)
    if "maximum" in schema:
        maximum = schema["maximum"]
        if schema.get("exclusiveMaximum") and value >= maximum:
            invalid("be less than", maximum)
        elif value > maximum:
            invalid("be less than or equal to", maximum)
    if "minimum" in schema:
        minimum = schema["minimum"]
        if schema.get("exclusiveMinimum") and value <= minimum:
            invalid("be greater than", minimum)
        elif value < minimum:
            invalid("be greater than or equal to", minimum)


def _check_array(
    items: list[Any], old: Any, schema: Mapping[str, Any], path: Path, found: list[FieldError]
) -> None:
    name = field_path(path)
    if "maxItems" in schema and len(items) > schema["maxItems"]:
        detail = f"must have at most {schema['maxItems']} items"
        found.append(FieldError(ErrorType.TOO_MANY, name, len(items), detail))
    if "minItems" in schema and len(items) < schema["minItems"]:
        detail = f"{name} in body should have at least {schema['minItems']} items"
        found.append(FieldError(ErrorType.INVALID, name, len(items), detail))
    item_schema = schema.get("items")
    if isinstance(item_schema, Mapping):
        for index, (item, old_item) in enumerate(
            zip(items, old_items(items, old, schema), strict=True)
        ):
            _check(item, old_item, item_schema, (*path, index), found)
    _check_unique(items, schema, path, found)


def _check_unique(
    items: list[Any], schema: Mapping[str, Any], path: Path, found: list[FieldError]
) -> None:
    list_type = schema.get("x-kubernetes-list-type")
    if list_type not in ("set", "map"):
        return
    map_keys: Sequence[str] = schema.get("x-kubernetes-list-map-keys") or ()
    seen: set[str] = set()
    for index, item in enumerate(items):
        if list_type == "map" and not isinstance(item, dict):
            continue  # already reported as a type error
        identity = item if list_type == "set" else {k: item[k] for k in map_keys if k in item}
        canonical = json.dumps(identity, sort_keys=True)
        if canonical in seen:
            found.append(FieldError(ErrorType.DUPLICATE, field_path((*path, index)), identity))
        seen.add(canonical)


def _check_object(
    obj: dict[str, Any], old: Any, schema: Mapping[str, Any], path: Path, found: list[FieldError]
) -> None:
    name = field_path(path)
    if "maxProperties" in schema and len(obj) > schema["maxProperties"]:
        detail = f"must have at most {schema['maxProperties']} items"
        found.append(FieldError(ErrorType.TOO_MANY, name, len(obj), detail))
    if "minProperties" in schema and len(obj) < schema["minProperties"]:
        detail = f"{name} in body should have at least {schema['minProperties']} properties"
        found.append(FieldError(ErrorType.INVALID, name, len(obj), detail))
    for required in schema.get("required") or ():
        if required not in obj:
            found.append(FieldError(ErrorType.REQUIRED, field_path((*path, required))))
    properties: Mapping[str, Any] = schema.get("properties") or {}
    additional = schema.get("additionalProperties")
    for key, value in obj.items():
        child_schema = properties.get(key, additional)
        if isinstance(child_schema, Mapping):
            _check(value, old_property(old, key), child_schema, (*path, key), found)


def _check_enum(value: Any, allowed: Sequence[Any], path: Path, found: list[FieldError]) -> None:
    canonical = json.dumps(value, sort_keys=True)
    if any(json.dumps(option, sort_keys=True) == canonical for option in allowed):
        return
    quoted = [json.dumps(o if isinstance(o, str) else json.dumps(o)) for o in allowed]
    detail = f"supported values: {', '.join(quoted)}"
    found.append(FieldError(ErrorType.NOT_SUPPORTED, field_path(path), value, detail))


@functools.cache
def _go_regexp(pattern: str) -> re.Pattern[str] | None:
    """`pattern` with Go's meaning where Python's differs: `$` ends the text (Python's also
    matches before a final newline) and `\\d`, `\\w`, `\\s` are ASCII. None if Python cannot
    compile it (the value is then not checked)."""
    translated, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            translated.append("Z" if char == "z" else char)
            escaped = False
        elif char == "\\":
            translated.append(char)
            escaped = True
        elif in_class:
            translated.append(char)
            in_class = char != "]"
        else:
            translated.append(r"\Z" if char == "$" else char)
            in_class = char == "["
    try:
        return re.compile("".join(translated), re.ASCII)
    except re.error:
        return None
