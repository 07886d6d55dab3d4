"""The CRD's `pattern`s mean the same to the API server (Go's RE2) as to the operator's models
(pydantic, Rust's regex): whatever the CRD accepts, the operator can read.

google-re2 stands in for the API server's engine (Go's regexp implements RE2's syntax and
semantics). Strings and whole specs are drawn from the committed CRDs themselves, so a field,
pattern or kind added later is covered without touching this file (a new kind needs its spec
model in SPEC_MODELS).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any

import pytest
import re2
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, StringConstraints, TypeAdapter, ValidationError

from aura_operator.api import AuraInstanceSpec
from aura_operator.api.restore import AuraRestoreSpec
from aura_operator.api.snapshot import AuraSnapshotSpec
from aura_operator.controller.instance.desired import desired_from_spec

from .conftest import CRD_DIR

Schema = dict[str, Any]

CRDS = {
    path.name: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(CRD_DIR.glob("*.yaml"))
}
SPEC_MODELS: dict[str, type[BaseModel]] = {
    "aurainstances.aura.neo4j.io.yaml": AuraInstanceSpec,
    "aurasnapshots.aura.neo4j.io.yaml": AuraSnapshotSpec,
    "aurarestores.aura.neo4j.io.yaml": AuraRestoreSpec,
}

# Characters where regex engines disagree (Unicode and ASCII-only whitespace classes, line
# breaks) among ordinary ones.
TRICKY = "aZ09-._ /:\t\n\v\f\r\x1c\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000\ufefféß日"
EDGES = st.text(TRICKY, max_size=2)
DISPLAY_NAMES = [
    ("movies", True),
    ("my movies", True),
    ("x", True),
    ("\u3000movies\u2000", True),  # Unicode spaces: Aura's to judge, for both alike
    (" movies", False),
    ("movies\v", False),  # RE2's \s leaves \v out: \S let it through
    ("\xa0movies", False),
    ("movies\x85", False),
    ("mov\nies", False),
    ("movies\n", False),
]
"""Display names at the engines' edges, and whether the CRD (and so the operator) takes them."""
UNBOUNDED_STRING = 40

# Escapes whose meaning differs between RE2 and Rust's regex (Unicode-aware there, ASCII in
# RE2) or that one of them lacks; plus flags and named groups.
ENGINE_DEPENDENT = re.compile(r"\\[sSdDwWbBpPAzZQEC]|\\x\{|\\u|\(\?")
PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def spec_schema(crd: dict[str, Any]) -> Schema:
    schema: Schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema["properties"]["spec"]  # type: ignore[no-any-return]


def patterns(node: Schema, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, pattern) of every string node with a pattern."""
    if "pattern" in node:
        yield path, node["pattern"]
    for name, child in node.get("properties", {}).items():
        yield from patterns(child, f"{path}.{name}")
    if isinstance(node.get("additionalProperties"), dict):
        yield from patterns(node["additionalProperties"], f"{path}{{}}")
    if "items" in node:
        yield from patterns(node["items"], f"{path}[]")


def crd_accepts(pattern: str, value: str) -> bool:
    """The API server's check: Go's regexp.MatchString (a search, not a full match)."""
    return re2.search(pattern, value) is not None


@cache
def candidate_strings(pattern: str | None, max_size: int) -> st.SearchStrategy[str]:
    """Strings near the pattern's edge: its own matches, those with tricky characters around,
    and tricky text."""
    tricky = st.text(TRICKY, max_size=max_size)
    if pattern is None:
        return tricky
    own = st.from_regex(pattern, fullmatch=True)
    decorated = st.tuples(EDGES, own, EDGES).map("".join)
    return st.one_of(own, decorated, tricky)


@cache
def model_check(pattern: str) -> TypeAdapter[str]:
    """A string field constrained as pydantic constrains a model field with this pattern."""
    return TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])


def model_accepts(pattern: str, value: str) -> bool:
    try:
        model_check(pattern).validate_python(value)
    except ValidationError:
        return False
    return True


def valid_for_crd(node: Schema) -> st.SearchStrategy[Any]:
    """Values the CRD's OpenAPI schema accepts at `node` (CEL rules aside: the models do not
    enforce them, so accepting more is fine)."""
    kind = node["type"]
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if kind == "string":
        low, high = node.get("minLength", 0), node.get("maxLength", UNBOUNDED_STRING)
        pattern = node.get("pattern")
        return candidate_strings(pattern, high).filter(
            lambda s: low <= len(s) <= high and (pattern is None or crd_accepts(pattern, s))
        )
    if kind == "integer":
        return st.integers(node.get("minimum", -(2**31)), node.get("maximum", 2**31))
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(valid_for_crd(node["items"]), max_size=3)
    if kind == "object" and isinstance(node.get("additionalProperties"), dict):
        return st.dictionaries(
            st.text(TRICKY, min_size=1, max_size=8),
            valid_for_crd(node["additionalProperties"]),
            max_size=3,
        )
    properties = node.get("properties", {})
    required = set(node.get("required", ()))
    return st.fixed_dictionaries(
        {name: valid_for_crd(child) for name, child in properties.items() if name in required},
        optional={
            name: valid_for_crd(child) for name, child in properties.items() if name not in required
        },
    )


@cache
def spec_strategy(schema_json: str) -> st.SearchStrategy[Any]:
    """Built once per schema: strategies with regexes are costly to build."""
    return valid_for_crd(json.loads(schema_json))


def all_patterns() -> list[tuple[str, str]]:
    return sorted(
        {
            (f"{name}:{path}", pattern)
            for name, crd in CRDS.items()
            for version in crd["spec"]["versions"]
            for path, pattern in patterns(version["schema"]["openAPIV3Schema"])
        }
    )


def test_every_crd_has_its_spec_model_here() -> None:
    assert set(CRDS) == set(SPEC_MODELS)


def test_every_pattern_uses_only_syntax_both_engines_read_alike() -> None:
    found = all_patterns()
    assert found
    for path, pattern in found:
        assert not ENGINE_DEPENDENT.search(pattern), (path, pattern)
        assert pattern.isascii(), (path, pattern)


@pytest.mark.parametrize(("value", "accepted"), DISPLAY_NAMES)
def test_the_display_name_pattern_means_the_same_in_both_engines(
    committed_crd: dict[str, Any], value: str, accepted: bool
) -> None:
    pattern = spec_schema(committed_crd)["properties"]["name"]["pattern"]
    assert crd_accepts(pattern, value) is accepted
    assert model_accepts(pattern, value) is accepted


@PROPERTY_SETTINGS
@given(data=st.data())
def test_every_pattern_accepts_and_refuses_the_same_strings_in_both_engines(
    data: st.DataObject,
) -> None:
    path, pattern = data.draw(st.sampled_from(all_patterns()), label="field")
    value = data.draw(candidate_strings(pattern, UNBOUNDED_STRING), label="value")
    assert crd_accepts(pattern, value) == model_accepts(pattern, value), path


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_operator_reads_every_spec_the_crd_accepts(
    committed_crd: dict[str, Any], data: st.DataObject
) -> None:
    spec = data.draw(spec_strategy(json.dumps(spec_schema(committed_crd))), label="spec")
    parsed = AuraInstanceSpec.model_validate(spec)
    desired = desired_from_spec(spec, metadata_name="movies", default_deletion_policy="Retain")
    assert desired.spec == parsed


@pytest.mark.parametrize(
    "crd_file", ["aurasnapshots.aura.neo4j.io.yaml", "aurarestores.aura.neo4j.io.yaml"]
)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_models_read_every_snapshot_and_restore_spec_the_crd_accepts(
    crd_file: str, data: st.DataObject
) -> None:
    spec = data.draw(spec_strategy(json.dumps(spec_schema(CRDS[crd_file]))), label="spec")
    SPEC_MODELS[crd_file].model_validate(spec)
