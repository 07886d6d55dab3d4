"""The OpenAPI v3 checks, one keyword at a time, with the API server's messages."""

from __future__ import annotations

from typing import Any

import pytest

from aura_devtools.kube_emulator.field_errors import ErrorType
from aura_devtools.kube_emulator.formats import conforms
from aura_devtools.kube_emulator.schema_validation import schema_errors


def spec_schema(**properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": properties}},
    }


def messages(
    spec: dict[str, Any], old_spec: dict[str, Any] | None = None, **schema: Any
) -> list[str]:
    obj = {"metadata": {"name": "x"}, "spec": spec}
    old = None if old_spec is None else {"metadata": {"name": "x"}, "spec": old_spec}
    return [str(error) for error in schema_errors(obj, old, spec_schema(**schema))]


@pytest.mark.parametrize(
    ("field_schema", "value", "message"),
    [
        (
            {"type": "integer"},
            "3",
            'spec.f: Invalid value: "string": spec.f in body must be of type integer: "string"',
        ),
        (
            {"type": "integer"},
            1.5,
            'spec.f: Invalid value: "number": spec.f in body must be of type integer: "number"',
        ),
        (
            {"type": "integer"},
            True,
            'spec.f: Invalid value: "boolean": spec.f in body must be of type integer: "boolean"',
        ),
        (
            {"type": "string"},
            None,
            'spec.f: Invalid value: "null": spec.f in body must be of type string: "null"',
        ),
        (
            {"type": "object"},
            [],
            'spec.f: Invalid value: "array": spec.f in body must be of type object: "array"',
        ),
        (
            {"x-kubernetes-int-or-string": True},
            1.5,
            'spec.f in body must be of type integer,string: "number"',
        ),
        (
            {"type": "string", "enum": ["a", "b"]},
            "c",
            'spec.f: Unsupported value: "c": supported values: "a", "b"',
        ),
        (
            {"type": "integer", "enum": [1, 2]},
            3,
            'spec.f: Unsupported value: 3: supported values: "1", "2"',
        ),
        (
            {"type": "string", "pattern": "^[a-z]+$"},
            "abc\n",
            """spec.f: Invalid value: "abc\\n": spec.f in body should match '^[a-z]+$'""",
        ),
        ({"type": "string", "pattern": r"^\d+$"}, "١٢", r"""spec.f in body should match '^\d+$'"""),
        (
            {"type": "string", "minLength": 2},
            "a",
            'spec.f: Invalid value: "a": spec.f in body should be at least 2 chars long',
        ),
        ({"type": "string", "maxLength": 2}, "abc", "spec.f: Too long: may not be longer than 2"),
        (
            {"type": "integer", "minimum": 0},
            -1,
            "spec.f: Invalid value: -1: spec.f in body should be greater than or equal to 0",
        ),
        (
            {"type": "number", "maximum": 1.5},
            2,
            "spec.f: Invalid value: 2: spec.f in body should be less than or equal to 1.5",
        ),
        (
            {"type": "integer", "maximum": 3, "exclusiveMaximum": True},
            3,
            "spec.f in body should be less than 3",
        ),
        (
            {"type": "integer", "minimum": 3, "exclusiveMinimum": True},
            3,
            "spec.f in body should be greater than 3",
        ),
        ({"type": "integer", "multipleOf": 5}, 12, "spec.f in body should be a multiple of 5"),
        (
            {"type": "array", "maxItems": 1},
            [1, 2],
            "spec.f: Too many: 2: must have at most 1 items",
        ),
        (
            {"type": "array", "minItems": 1},
            [],
            "spec.f: Invalid value: 0: spec.f in body should have at least 1 items",
        ),
        (
            {"type": "object", "maxProperties": 1},
            {"a": 1, "b": 2},
            "spec.f: Too many: 2: must have at most 1 items",
        ),
        (
            {"type": "object", "minProperties": 1},
            {},
            "spec.f in body should have at least 1 properties",
        ),
        ({"type": "object", "required": ["name"]}, {}, "spec.f.name: Required value"),
        (
            {"type": "string", "format": "date-time"},
            "2026-01-01 10:00",
            'spec.f: Invalid value: "2026-01-01 10:00": spec.f in body must be of type date-time:'
            ' "2026-01-01 10:00"',
        ),
    ],
)
def test_a_violation_is_reported_as_the_api_server_words_it(
    field_schema: dict[str, Any], value: Any, message: str
) -> None:
    reported = messages({"f": value}, f=field_schema)

    assert len(reported) == 1
    assert message in reported[0]


@pytest.mark.parametrize(
    ("field_schema", "value"),
    [
        ({"type": "integer"}, 3.0),
        ({"type": "number"}, 3),
        ({"type": "string", "nullable": True}, None),
        ({"x-kubernetes-int-or-string": True}, "50%"),
        ({"x-kubernetes-preserve-unknown-fields": True}, {"any": ["thing"]}),
        ({"type": "string", "pattern": r"^\S(.*\S)?$"}, "a b"),
        ({"type": "string", "format": "date-time"}, "2026-01-01T10:00:00.5+01:00"),
        ({"type": "string", "format": "unknown-format"}, "anything"),
        ({"type": "array", "x-kubernetes-list-type": "set"}, [1, "1", True]),
    ],
)
def test_a_conforming_value_passes(field_schema: dict[str, Any], value: Any) -> None:
    assert messages({"f": value}, f=field_schema) == []


def test_nested_objects_and_arrays_report_the_full_path() -> None:
    items = {"type": "object", "properties": {"port": {"type": "integer", "maximum": 10}}}
    schema = {
        "type": "object",
        "properties": {"servers": {"type": "array", "items": items}},
    }

    reported = messages({"f": {"servers": [{"port": 1}, {"port": 11}]}}, f=schema)

    assert reported == [
        "spec.f.servers[1].port: Invalid value: 11: spec.f.servers[1].port in body should be"
        " less than or equal to 10"
    ]


def test_additional_properties_are_checked_against_their_schema() -> None:
    labels = {"type": "object", "additionalProperties": {"type": "string"}}

    reported = messages({"labels": {"a": "x", "b": 2}}, labels=labels)

    assert reported == [
        'spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type'
        ' string: "integer"'
    ]


def test_map_list_keys_must_be_unique() -> None:
    conditions = {
        "type": "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
        "items": {"type": "object", "properties": {"type": {"type": "string"}}},
    }
    value = [{"type": "Ready"}, {"type": "Synced"}, {"type": "Ready"}]

    [error] = schema_errors(
        {"spec": {"conditions": value}}, None, spec_schema(conditions=conditions)
    )

    assert error.type is ErrorType.DUPLICATE
    assert str(error) == (
        'spec.conditions[2]: Duplicate value: map[string]interface {}{"type":"Ready"}'
    )


def test_set_list_items_must_be_unique() -> None:
    reported = messages(
        {"tags": ["a", "b", "a"]}, tags={"type": "array", "x-kubernetes-list-type": "set"}
    )

    assert reported == ['spec.tags[2]: Duplicate value: "a"']


def test_required_fields_of_the_root_are_checked_but_metadata_is_not() -> None:
    schema = {
        "type": "object",
        "required": ["spec"],
        "properties": {"metadata": {"type": "object", "required": ["labels"]}},
    }

    errors = schema_errors({"metadata": {"name": "x"}}, None, schema)

    assert [str(error) for error in errors] == ["spec: Required value"]


def test_an_unchanged_invalid_value_is_not_reported_again_on_update() -> None:
    region = {"type": "string", "pattern": "^[a-z]+$"}

    unchanged = messages({"region": "EU", "size": 1}, {"region": "EU", "size": 2}, region=region)
    changed = messages({"region": "US"}, {"region": "EU"}, region=region)

    assert unchanged == []
    assert len(changed) == 1


def test_a_type_change_from_integer_to_boolean_counts_as_a_change() -> None:
    assert messages({"n": True}, {"n": 1}, n={"type": "integer"}) != []


@pytest.mark.parametrize(
    ("format_name", "text", "valid"),
    [
        ("date-time", "2026-01-31T23:59:59Z", True),
        ("date-time", "2026-01-31t23:59:59.123456-05:30", True),
        ("date-time", "2026-02-30T00:00:00Z", False),
        ("date-time", "2026-01-31T24:00:00Z", False),
        ("date-time", "2026-01-31T10:00:00", False),
        ("date", "2026-01-31", True),
        ("date", "2026-1-31", False),
        ("byte", "aGVsbG8=", True),
        ("byte", "not base64!", False),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", True),
        ("uuid", "123e4567", False),
        ("ipv4", "10.0.0.1", True),
        ("ipv4", "::1", False),
        ("ipv6", "::1", True),
        ("cidr", "10.0.0.0/8", True),
        ("cidr", "10.0.0.0", False),
    ],
)
def test_formats(format_name: str, text: str, valid: bool) -> None:
    assert conforms(text, format_name) is valid
