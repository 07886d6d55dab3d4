"""What the API server does to an AuraInstance before storing it, without an API server.

Applies the schema's defaults, checks the object structurally against the CRD's OpenAPI schema
(types, enums, patterns, lengths, bounds, required and unknown fields), then evaluates the CRD's
own `x-kubernetes-validations` rules with cel-python, binding `self` and, on updates,
`oldSelf`. Like the API server, CEL runs only on a structurally valid object, a rule runs only
where its value exists, and a transition rule (one using oldSelf) only where the old value does.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import celpy
from celpy.adapter import json_to_cel
from celpy.evaluation import CELEvalError

Schema = dict[str, Any]

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


class CrdValidator:
    """Validates objects against one version of a CustomResourceDefinition."""

    def __init__(self, crd: dict[str, Any]) -> None:
        self.schema: Schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        self._environment = celpy.Environment()
        self._programs: dict[str, celpy.Runner] = {}

    def validate_create(self, obj: dict[str, Any]) -> list[str]:
        """Errors the API server would report on creating `obj`, as `path: message`."""
        return self._validate(obj, None)

    def validate_update(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """Errors the API server would report on replacing `old` by `new`."""
        return self._validate(new, apply_defaults(self.schema, copy.deepcopy(old)))

    def _validate(self, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        new = apply_defaults(self.schema, copy.deepcopy(obj))
        errors = structural_errors(self.schema, new, "")
        if errors:
            return errors
        return self._cel_errors(self.schema, new, old, "")

    def _cel_errors(self, schema: Schema, new: Any, old: Any, path: str) -> list[str]:
        errors = []
        for rule in schema.get("x-kubernetes-validations", []):
            uses_old_self = "oldSelf" in rule["rule"]
            if uses_old_self and old is None:
                continue
            bindings = {"self": new, **({"oldSelf": old} if uses_old_self else {})}
            if self._evaluate(rule["rule"], bindings) is not True:
                errors.append(f"{_join(path, rule.get('fieldPath', ''))}: {rule['message']}")
        if isinstance(new, dict):
            for name, child in _children(schema, new):
                old_child = old.get(name) if isinstance(old, dict) else None
                errors += self._cel_errors(child, new[name], old_child, _join(path, name))
        elif isinstance(new, list) and "items" in schema:
            # Transition rules inside list items would need items correlated; there are none.
            for index, item in enumerate(new):
                errors += self._cel_errors(schema["items"], item, None, f"{path}[{index}]")
        return errors

    def _evaluate(self, expression: str, bindings: dict[str, Any]) -> Any:
        program = self._programs.get(expression)
        if program is None:
            program = self._environment.program(self._environment.compile(expression))
            self._programs[expression] = program
        activation = {name: json_to_cel(value) for name, value in bindings.items()}
        try:
            result = program.evaluate(activation)
        except CELEvalError as error:
            return error
        return bool(result) if isinstance(result, celpy.celtypes.BoolType) else result


def apply_defaults(schema: Schema, obj: Any) -> Any:
    """Fill in schema defaults where a value is absent, as the API server does on write."""
    if isinstance(obj, dict):
        for name, child in schema.get("properties", {}).items():
            if name not in obj and "default" in child:
                obj[name] = copy.deepcopy(child["default"])
            if name in obj:
                obj[name] = apply_defaults(child, obj[name])
        if "additionalProperties" in schema:
            for name in obj:
                obj[name] = apply_defaults(schema["additionalProperties"], obj[name])
    elif isinstance(obj, list) and "items" in schema:
        return [apply_defaults(schema["items"], item) for item in obj]
    return obj


def structural_errors(schema: Schema, value: Any, path: str) -> list[str]:
    """Violations of the OpenAPI schema keywords a structural CRD schema uses."""
    where = path or "(root)"
    expected = schema["type"]
    if not isinstance(value, _TYPES[expected]) or (
        isinstance(value, bool) and expected != "boolean"
    ):
        return [f"{where}: must be of type {expected}, got {type(value).__name__}"]
    errors = [f"{where}: {problem}" for problem in _value_problems(schema, value)]
    if isinstance(value, dict):
        errors += _object_errors(schema, value, path)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += structural_errors(schema["items"], item, f"{path}[{index}]")
    return errors


def _value_problems(schema: Schema, value: Any) -> list[str]:
    checks = (
        ("enum", lambda v, e: v in e, "must be one of {}"),
        ("pattern", lambda v, p: re.search(p, v) is not None, "must match {}"),
        ("minLength", lambda v, n: len(v) >= n, "must be at least {} characters"),
        ("maxLength", lambda v, n: len(v) <= n, "must be at most {} characters"),
        ("minimum", lambda v, n: v >= n, "must be greater than or equal to {}"),
        ("maximum", lambda v, n: v <= n, "must be less than or equal to {}"),
        ("minItems", lambda v, n: len(v) >= n, "must have at least {} items"),
        ("maxItems", lambda v, n: len(v) <= n, "must have at most {} items"),
    )
    problems = [
        f"Invalid value {value!r}: " + message.format(schema[key])
        for key, holds, message in checks
        if key in schema and not holds(value, schema[key])
    ]
    if schema.get("format") == "date-time" and not _is_rfc3339(value):
        problems.append(f"Invalid value {value!r}: must be an RFC 3339 date-time")
    if schema.get("x-kubernetes-list-type") == "map":
        keys = [tuple(item.get(k) for k in schema["x-kubernetes-list-map-keys"]) for item in value]
        if len(keys) != len(set(keys)):
            problems.append(f"Duplicate value: list-map keys must be unique, got {keys}")
    return problems


def _object_errors(schema: Schema, value: dict[str, Any], path: str) -> list[str]:
    properties: dict[str, Schema] = schema.get("properties", {})
    additional: Schema | None = schema.get("additionalProperties")
    if not properties and additional is None:
        return []  # an object the API server owns, such as metadata
    errors = [
        f"{_join(path, name)}: Required value"
        for name in schema.get("required", ())
        if name not in value
    ]
    for name, child_value in value.items():
        child_schema = properties.get(name, additional)
        if child_schema is None:
            errors.append(f"{_join(path, name)}: unknown field")
        else:
            errors += structural_errors(child_schema, child_value, _join(path, name))
    return errors


def _children(schema: Schema, value: dict[str, Any]) -> Iterator[tuple[str, Schema]]:
    properties: dict[str, Schema] = schema.get("properties", {})
    additional: Schema | None = schema.get("additionalProperties")
    for name in value:
        child = properties.get(name, additional)
        if child is not None:
            yield name, child


def _is_rfc3339(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _join(path: str, name: str) -> str:
    name = name.removeprefix(".")
    if not name:
        return path or "(root)"
    return f"{path}.{name}" if path else name
