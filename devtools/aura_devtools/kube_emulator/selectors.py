"""Label selectors and the few field selectors every resource supports (name, namespace)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

# One requirement: `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`.
_LABEL_REQUIREMENT = re.compile(
    r"""^\s*(?:
        (?P<absent>!)\s*(?P<absent_key>[^\s!=(),]+)
      | (?P<set_key>[^\s!=(),]+)\s+(?P<set_op>in|notin)\s*\((?P<values>[^()]*)\)
      | (?P<key>[^\s!=(),]+)\s*(?:(?P<op>==|=|!=)\s*(?P<value>[^\s!=(),]*))?
    )\s*$""",
    re.VERBOSE,
)

_FIELD_REQUIREMENT = re.compile(r"^\s*(?P<field>[^\s!=]+)\s*(?P<op>==|!=|=)\s*(?P<value>\S*)\s*$")
_SUPPORTED_FIELDS = ("metadata.name", "metadata.namespace")

Requirement = Callable[[Mapping[str, str]], bool]


class SelectorError(ValueError):
    """A selector the API server would reject (400 Bad Request)."""


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside `(...)` value sets."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part.strip()]


def _label_requirement(text: str) -> Requirement:
    match = _LABEL_REQUIREMENT.match(text)
    if match is None:
        raise SelectorError(f"unable to parse requirement: {text!r}")
    if match["absent"]:
        absent_key = match["absent_key"]
        return lambda labels: absent_key not in labels
    if match["set_key"]:
        set_key = match["set_key"]
        values = frozenset(value.strip() for value in match["values"].split(","))
        if match["set_op"] == "in":
            return lambda labels: labels.get(set_key) in values
        return lambda labels: labels.get(set_key) not in values
    key, op, value = match["key"], match["op"], match["value"]
    if op is None:
        return lambda labels: key in labels
    if op == "!=":
        return lambda labels: labels.get(key) != value
    return lambda labels: labels.get(key) == value


@dataclasses.dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> LabelSelector:
        return cls(tuple(_label_requirement(part) for part in _split_top_level(text or "")))

    def matches(self, obj: Mapping[str, Any]) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(requirement(labels) for requirement in self.requirements)


@dataclasses.dataclass(frozen=True)
class FieldSelector:
    # (field path, expected value, whether it must equal or differ)
    requirements: tuple[tuple[str, str, bool], ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> FieldSelector:
        requirements = []
        for part in _split_top_level(text or ""):
            match = _FIELD_REQUIREMENT.match(part)
            if match is None:
                raise SelectorError(f"invalid field selector: {part!r}")
            if match["field"] not in _SUPPORTED_FIELDS:
                raise SelectorError(f"field label not supported: {match['field']}")
            requirements.append((match["field"], match["value"], match["op"] != "!="))
        return cls(tuple(requirements))

    def matches(self, obj: Mapping[str, Any]) -> bool:
        metadata = obj.get("metadata", {})
        for field, value, equal in self.requirements:
            actual = metadata.get(field.removeprefix("metadata.")) or ""
            if (actual == value) != equal:
                return False
        return True


@dataclasses.dataclass(frozen=True)
class ObjectFilter:
    """Which objects of one resource a list or watch request asks for."""

    namespace: str | None = None
    name: str | None = None
    labels: LabelSelector = LabelSelector()
    fields: FieldSelector = FieldSelector()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        metadata = obj.get("metadata", {})
        if self.namespace is not None and metadata.get("namespace") != self.namespace:
            return False
        if self.name is not None and metadata.get("name") != self.name:
            return False
        return self.labels.matches(obj) and self.fields.matches(obj)
