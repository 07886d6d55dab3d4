"""Field errors as the API server reports invalid objects (apimachinery's `field.Error`).

Each renders as `<path>: <type>[: <value>][: <detail>]`, e.g.
`spec.region: Invalid value: "EU": spec.region in body should match '^[a-z][a-z0-9-]*$'`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Sequence
from typing import Any

Path = tuple[str | int, ...]


class ErrorType(enum.Enum):
    """(cause type in a Status, text in the message), as apimachinery names them."""

    REQUIRED = ("FieldValueRequired", "Required value")
    DUPLICATE = ("FieldValueDuplicate", "Duplicate value")
    INVALID = ("FieldValueInvalid", "Invalid value")
    # A value of the wrong type or format: reads as Invalid, blocks the CEL rules.
    TYPE_INVALID = ("FieldValueTypeInvalid", "Invalid value")
    NOT_SUPPORTED = ("FieldValueNotSupported", "Unsupported value")
    FORBIDDEN = ("FieldValueForbidden", "Forbidden")
    TOO_LONG = ("FieldValueTooLong", "Too long")
    TOO_MANY = ("FieldValueTooMany", "Too many")

    @property
    def cause(self) -> str:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


class _Omitted:
    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Any = _Omitted()
"""A value the message leaves out (Go's `field.OmitValueType`): CEL rules on objects and arrays."""

# The API server leaves the value out of these (it may be long, or there is none).
_WITHOUT_VALUE = frozenset({ErrorType.REQUIRED, ErrorType.FORBIDDEN, ErrorType.TOO_LONG})
# Schema errors after which the API server does not evaluate CEL rules (they assume a
# well-typed object).
BLOCKING = frozenset(
    {
        ErrorType.NOT_SUPPORTED,
        ErrorType.REQUIRED,
        ErrorType.TOO_LONG,
        ErrorType.TOO_MANY,
        ErrorType.TYPE_INVALID,
    }
)


@dataclasses.dataclass(frozen=True)
class FieldError:
    type: ErrorType
    field: str  # e.g. `status.conditions[0].reason`; `<nil>` for the whole object
    value: Any = None
    detail: str = ""

    @property
    def body(self) -> str:
        """The message without the field, as in a Status cause."""
        text = self.type.text
        if self.type not in _WITHOUT_VALUE and self.value is not OMITTED:
            text += f": {render_value(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.field}: {self.body}"


def field_path(path: Path) -> str:
    """`("status", "conditions", 0, "reason")` as `status.conditions[0].reason`."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
    return text or "<nil>"


def render_value(value: Any) -> str:
    """A value as Go prints it in field errors: strings quoted, maps and lists as `%#v`."""
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _go_syntax(value)


def format_number(number: float) -> str:
    """Go's `%v` of a JSON number: `15`, not `15.0`."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def aggregate(errors: Sequence[FieldError]) -> str:
    """One error's message, or several as `[a, b]` (duplicates dropped), like Go's Aggregate."""
    messages = list(dict.fromkeys(str(error) for error in errors))
    return messages[0] if len(messages) == 1 else f"[{', '.join(messages)}]"


def _go_syntax(value: Any) -> str:
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(k)}:{_go_syntax(v)}" for k, v in value.items())
        return f"map[string]interface {{}}{{{items}}}"
    if isinstance(value, list):
        return f"[]interface {{}}{{{', '.join(_go_syntax(item) for item in value)}}}"
    if value is None:
        return "interface {}(nil)"
    return render_value(value)
