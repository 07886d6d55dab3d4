"""`x-kubernetes-validations` CEL rules: where they run, what they see, how failures read."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from aura_devtools.kube_emulator.cel_validation import CEL_AVAILABLE, rule_errors
from aura_devtools.kube_emulator.field_errors import ErrorType

pytestmark = pytest.mark.skipif(not CEL_AVAILABLE, reason="cel-python is not installed")


def schema_with(rules: list[dict[str, Any]], **properties: Any) -> dict[str, Any]:
    spec = {
        "type": "object",
        "properties": properties or {"a": {"type": "integer"}},
        "x-kubernetes-validations": rules,
    }
    return {"type": "object", "properties": {"spec": spec}}


def obj(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "x"}, "spec": spec}


def failures(
    rules: list[dict[str, Any]], spec: dict[str, Any], old: dict[str, Any] | None = None
) -> list[str]:
    old_obj = None if old is None else obj(**old)
    return [str(error) for error in rule_errors(obj(**spec), old_obj, schema_with(rules))]


def test_a_failed_rule_reports_its_message_at_its_field_path_with_its_reason() -> None:
    rule = {
        "rule": "self.a > 0",
        "message": "a must be positive",
        "fieldPath": ".a",
        "reason": "FieldValueForbidden",
    }

    [error] = rule_errors(obj(a=0), None, schema_with([rule]))

    assert (error.field, error.type) == ("spec.a", ErrorType.FORBIDDEN)
    assert str(error) == "spec.a: Forbidden: a must be positive"


def test_a_rule_without_a_message_reports_the_rule() -> None:
    assert failures([{"rule": "self.a > 0"}], {"a": 0}) == [
        "spec: Invalid value: failed rule: self.a > 0"
    ]


def test_a_failed_rule_on_a_scalar_names_the_value_and_on_an_object_does_not() -> None:
    name = {"type": "string", "x-kubernetes-validations": [{"rule": "self != 'bob'"}]}
    schema = schema_with([{"rule": "self.name != 'bob'"}], name=name)

    errors = [str(e) for e in rule_errors(obj(name="bob"), None, schema)]

    assert errors == [
        "spec: Invalid value: failed rule: self.name != 'bob'",
        "spec.name: Invalid value: \"bob\": failed rule: self != 'bob'",
    ]


def test_a_message_expression_words_the_failure() -> None:
    rule = {"rule": "self.a > 0", "messageExpression": "'a is ' + string(self.a)"}

    assert failures([rule], {"a": -2}) == ["spec: Invalid value: a is -2"]


def test_a_passing_rule_reports_nothing() -> None:
    assert failures([{"rule": "self.a > 0"}], {"a": 1}) == []


def test_transition_rules_run_on_updates_only() -> None:
    rule = {"rule": "self.a >= oldSelf.a", "message": "a cannot decrease"}

    assert failures([rule], {"a": 1}) == []
    assert failures([rule], {"a": 1}, old={"a": 2}) == ["spec: Invalid value: a cannot decrease"]


def test_map_list_items_meet_their_old_versions_by_key() -> None:
    item = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "size": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.size >= oldSelf.size", "message": "shrunk"}],
    }
    disks = {
        "type": "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        "items": item,
    }
    schema = schema_with([], disks=disks)
    old = obj(disks=[{"name": "a", "size": 1}, {"name": "b", "size": 5}])

    reordered = obj(disks=[{"name": "b", "size": 5}, {"name": "a", "size": 2}])
    shrunk = obj(disks=[{"name": "b", "size": 4}, {"name": "a", "size": 2}, {"name": "c"}])

    assert rule_errors(reordered, old, schema) == []
    assert [str(e) for e in rule_errors(shrunk, old, schema)] == [
        "spec.disks[0]: Invalid value: shrunk"
    ]


def test_date_time_strings_are_timestamps_to_rules() -> None:
    rule = {"rule": "self.at > timestamp('2020-01-01T00:00:00Z')", "message": "too early"}
    at = {"type": "string", "format": "date-time"}
    schema = schema_with([rule], at=at)

    assert rule_errors(obj(at="2026-01-01T00:00:00Z"), None, schema) == []
    assert len(rule_errors(obj(at="2019-12-31T23:59:59Z"), None, schema)) == 1


def test_rules_at_the_root_see_the_name_but_not_the_rest_of_the_metadata() -> None:
    rules = [
        {"rule": "self.metadata.name == 'x'", "message": "name"},
        {"rule": "!has(self.metadata.labels)", "message": "labels"},
    ]
    schema = {"type": "object", "x-kubernetes-validations": rules}
    labelled = {"metadata": {"name": "x", "labels": {"a": "b"}}}

    assert rule_errors(labelled, None, schema) == []


def test_an_evaluation_error_is_reported_with_the_rule() -> None:
    [message] = failures([{"rule": "self.missing == 1"}], {"a": 1})

    assert message.startswith('spec: Invalid value: "object": ')
    assert message.endswith("evaluating rule: self.missing == 1")


def test_a_kubernetes_library_function_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tags = {"type": "array", "items": {"type": "string"}}
    schema = schema_with([{"rule": "self.tags.isSorted()"}], tags=tags)

    with caplog.at_level(logging.WARNING):
        errors = rule_errors(obj(tags=["b", "a"]), None, schema)

    assert errors == []
    assert "isSorted" in caplog.text


def test_rules_on_a_value_the_update_leaves_alone_are_not_evaluated_again() -> None:
    limits = {
        "type": "object",
        "properties": {"a": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.a > 0"}],
    }
    schema = schema_with([], limits=limits, other={"type": "integer"})
    old = obj(limits={"a": 0}, other=1)  # stored before the rule existed

    untouched = rule_errors(obj(limits={"a": 0}, other=2), old, schema)
    touched = rule_errors(obj(limits={"a": -1}, other=1), old, schema)

    assert untouched == []
    assert len(touched) == 1


def test_rules_do_not_run_on_null_values() -> None:
    limits = {"type": "object", "nullable": True, "x-kubernetes-validations": [{"rule": "false"}]}

    assert rule_errors(obj(limits=None), None, schema_with([], limits=limits)) == []
