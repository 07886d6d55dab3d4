"""`x-kubernetes-validations` CEL rules of a CRD schema, evaluated with cel-python if installed.

Without cel-python (`celpy`) no rule is evaluated: `CEL_AVAILABLE` tells. As in the API server:
a rule sees `self` (typed by its schema: `date-time` strings are timestamps, `duration`s
durations, `byte`s bytes; at the root only `apiVersion`, `kind`, `metadata.name` and
`metadata.generateName` of the metadata); a transition rule (one using `oldSelf`) runs only
on updates, where the old value is found at the same path (list items by their
`x-kubernetes-list-map-keys`); rules do not run on null values. A failed rule is reported
at its `fieldPath`, with its `message` (or `messageExpression`) and `reason`.

On updates, rules are not evaluated on values equal to their old version (nor inside them):
that is the API server's ratcheting (1.30+) for rules without `oldSelf`, and spares the slow
interpreter most work (a status write re-evaluates no spec rule). Transition rules are
re-evaluated there by the API server: they differ only if they reject an unchanged value.

Left out: rules with `optionalOldSelf` (cel-python has no optional values) and rules calling
the Kubernetes CEL libraries (`isSorted`, `url`, `quantity`, ...), which are skipped with a
warning; cost budgets.
"""

from __future__ import annotations

import base64
import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

from aura_devtools.kube_emulator.correlation import old_items, old_property, unchanged
from aura_devtools.kube_emulator.field_errors import (
    OMITTED,
    ErrorType,
    FieldError,
    Path,
    field_path,
)

try:
    import celpy
    from celpy import celtypes
    from celpy.celparser import CELParseError
    from celpy.evaluation import CELEvalError
except ImportError:  # cel-python is a test dependency only: without it, no rule runs
    CEL_AVAILABLE = False
else:
    CEL_AVAILABLE = True

logger = logging.getLogger(__name__)

_VALIDATIONS = "x-kubernetes-validations"
_OLD_SELF = re.compile(r"\boldSelf\b")
_ROOT_METADATA_FIELDS = ("name", "generateName")
_REASONS = {
    "FieldValueForbidden": ErrorType.FORBIDDEN,
    "FieldValueRequired": ErrorType.REQUIRED,
    "FieldValueDuplicate": ErrorType.DUPLICATE,
}


def rule_errors(
    obj: Mapping[str, Any], old: Mapping[str, Any] | None, schema: Mapping[str, Any]
) -> list[FieldError]:
    """The failed rules of `schema` for `obj` (a whole object; `old` is its stored version on
    an update, None on a create). Empty when cel-python is not installed."""
    if not CEL_AVAILABLE:
        return []
    found: list[FieldError] = []
    root_old = None if old is None else _root_view(old)
    _walk(_root_view(obj), root_old, schema, (), found)
    return found


def _root_view(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as rules at the root see it: metadata reduced to name and generateName."""
    metadata = obj.get("metadata") or {}
    view = dict(obj)
    view["metadata"] = {key: metadata[key] for key in _ROOT_METADATA_FIELDS if key in metadata}
    return view


def _walk(
    value: Any, old: Any, schema: Mapping[str, Any], path: Path, found: list[FieldError]
) -> None:
    if value is None or unchanged(value, old):
        return
    rules = schema.get(_VALIDATIONS) or ()
    if rules:
        variables = {"self": _to_cel(value, schema)}
        if old is not None:
            variables["oldSelf"] = _to_cel(old, schema)
        for rule in rules:
            error = _check_rule(rule, variables, value, schema, path)
            if error is not None:
                found.append(error)
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        for key, child in value.items():
            child_schema = properties.get(key, additional)
            if isinstance(child_schema, Mapping):
                _walk(child, old_property(old, key), child_schema, (*path, key), found)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, (item, old_item) in enumerate(
            zip(value, old_items(value, old, schema), strict=True)
        ):
            _walk(item, old_item, schema["items"], (*path, index), found)


def _check_rule(
    rule: Mapping[str, Any],
    variables: Mapping[str, Any],
    value: Any,
    schema: Mapping[str, Any],
    path: Path,
) -> FieldError | None:
    """The error of a failed rule; `variables` has `self` (`value`), and `oldSelf` on updates.
    A rule that fails names the value it saw, unless that is an object or an array; a rule
    that cannot be evaluated names the schema type (as the API server does)."""
    expression: str = rule.get("rule", "")
    uses_old_self = _OLD_SELF.search(expression) is not None
    if not expression or rule.get("optionalOldSelf"):
        return None
    if uses_old_self and "oldSelf" not in variables:
        return None  # a transition rule: it needs the old value
    program = _program(expression)
    if program is None:
        return None
    schema_type = schema.get("type", "")
    try:
        result = program.evaluate(dict(variables))
    except CELEvalError as exc:
        problem = str(exc.args[0]) if exc.args else str(exc)
        if problem.startswith("undeclared reference"):
            _warn_unsupported(expression, problem)
            return None
        detail = f"{problem} evaluating rule: {_rule_text(rule)}"
        return FieldError(ErrorType.INVALID, field_path(path), schema_type, detail)
    if isinstance(result, celtypes.BoolType) and bool(result):
        return None
    detail = _message(rule, variables) or f"failed rule: {_rule_text(rule)}"
    error_type = _REASONS.get(rule.get("reason", ""), ErrorType.INVALID)
    shown = OMITTED if schema_type in ("object", "array") else value
    return FieldError(error_type, _reported_at(path, rule.get("fieldPath")), shown, detail)


def _reported_at(path: Path, rule_field_path: str | None) -> str:
    """The rule's path, extended by its `fieldPath` (like `.region` or `['key']`)."""
    if not rule_field_path:
        return field_path(path)
    if not path:
        return rule_field_path.removeprefix(".")
    return field_path(path) + rule_field_path


def _message(rule: Mapping[str, Any], variables: Mapping[str, Any]) -> str:
    """The rule's messageExpression's value if it evaluates to a string, else its message."""
    message_expression = rule.get("messageExpression")
    if message_expression:
        program = _program(message_expression)
        try:
            message = None if program is None else program.evaluate(dict(variables))
        except CELEvalError:
            message = None
        if isinstance(message, str) and message.strip():
            return message
    return str(rule.get("message") or "").strip()


def _rule_text(rule: Mapping[str, Any]) -> str:
    return str(rule.get("message") or rule.get("rule") or "").strip()


@functools.cache
def _program(expression: str) -> celpy.Runner | None:
    """The compiled expression (compiled once per process); None if cel-python cannot parse
    it (the API server accepted it with the CRD, so it is skipped, not failed)."""
    environment = celpy.Environment()
    try:
        return environment.program(environment.compile(expression))
    except CELParseError as exc:
        _warn_unsupported(expression, str(exc))
        return None


@functools.cache
def _warn_unsupported(expression: str, problem: str) -> None:
    logger.warning("CEL rule %r is not evaluated (cel-python: %s)", expression, problem[:200])


def _to_cel(value: Any, schema: Mapping[str, Any]) -> Any:
    """`value` as a CEL value typed by `schema`, as the API server types it for rules."""
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int | float):
        fractional = isinstance(value, float) and not value.is_integer()
        if schema.get("type") == "number" or fractional:
            return celtypes.DoubleType(value)
        return celtypes.IntType(int(value))
    if isinstance(value, str):
        return _string_to_cel(value, schema.get("format"))
    if isinstance(value, list):
        items = schema.get("items")
        item_schema: Mapping[str, Any] = items if isinstance(items, Mapping) else {}
        return celtypes.ListType([_to_cel(item, item_schema) for item in value])
    properties: Mapping[str, Any] = schema.get("properties") or {}
    additional = schema.get("additionalProperties")
    converted = {}
    for key, item in value.items():
        child_schema = properties.get(key, additional)
        converted[celtypes.StringType(key)] = _to_cel(
            item, child_schema if isinstance(child_schema, Mapping) else {}
        )
    return celtypes.MapType(converted)


def _string_to_cel(text: str, format_name: str | None) -> Any:
    try:
        if format_name in ("date-time", "datetime"):
            return celtypes.TimestampType(text)
        if format_name == "duration":
            return celtypes.DurationType(text)
        if format_name == "byte":
            return celtypes.BytesType(base64.b64decode(text))
    except ValueError:
        pass  # not of its format (already reported by the schema check): a plain string
    return celtypes.StringType(text)
