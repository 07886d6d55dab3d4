"""Builders of CEL `x-kubernetes-validations` rules, attached to the models via json_schema_extra.

Rules live at the object that holds the fields they check (spec, or the resource root) rather
than on the fields: a rule on an optional field never runs when the field is absent, so a field-
level `self == oldSelf` could not stop a field from being added or removed after creation.
"""

from __future__ import annotations

from typing import Any

# pydantic's own JsonDict alias is not exported; dict[str, Any] is accepted where it is expected.
JsonDict = dict[str, Any]

VALIDATIONS_KEY = "x-kubernetes-validations"


def rule(expression: str, message: str, field_path: str | None = None) -> JsonDict:
    """One validation rule; `field_path` (like `.region`) is where the API server reports it."""
    result: JsonDict = {"rule": expression, "message": message}
    if field_path is not None:
        result["fieldPath"] = field_path
    return result


def immutable(field: str) -> JsonDict:
    """A transition rule: `field` keeps its creation-time presence and value."""
    expression = (
        f"has(self.{field}) == has(oldSelf.{field})"
        f" && (!has(self.{field}) || self.{field} == oldSelf.{field})"
    )
    return rule(
        expression,
        f"spec.{field} is immutable: it cannot be added, changed or removed after creation",
        f".{field}",
    )


def required_unless_adopting(field: str, adopt_field: str) -> JsonDict:
    """`field` must be set unless `adopt_field` names an existing instance to adopt."""
    return rule(
        f"has(self.{adopt_field}) || has(self.{field})",
        f"spec.{field} is required unless spec.{adopt_field} adopts an existing instance",
        f".{field}",
    )


def validations(*rules: JsonDict) -> JsonDict:
    """The json_schema_extra that attaches `rules` to a model's schema."""
    return {VALIDATIONS_KEY: list(rules)}
