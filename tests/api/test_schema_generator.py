"""structural_schema() turns pydantic models into what a CRD accepts, or refuses."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from pydantic import BaseModel, Field

from aura_operator.api.schema import NotStructuralError, structural_schema


class Colour(StrEnum):
    """A colour."""

    RED = "red"
    BLUE = "blue"


class Inner(BaseModel):
    """Inner docstring."""

    size: int = Field(ge=1, description="A size.")


class Outer(BaseModel):
    name: str = Field(description="A name.")
    colour: Colour | None = Field(None, description="A colour choice.")
    inner: Inner | None = Field(None, description="Field description wins.")
    tags: dict[str, str] | None = Field(None, description="Tags.")
    items: list[Inner] = Field(default_factory=list, description="Items.")
    flag: bool = Field(True, description="A flag.")


def test_optional_fields_become_non_required_without_null() -> None:
    schema = structural_schema(Outer)

    assert schema["required"] == ["name"]
    assert schema["properties"]["colour"] == {
        "description": "A colour choice.",
        "type": "string",
        "enum": ["red", "blue"],
    }
    assert "anyOf" not in str(schema) and "null" not in str(schema)


def test_references_are_inlined_and_titles_dropped() -> None:
    inner = structural_schema(Outer)["properties"]["inner"]

    assert inner == {
        "description": "Field description wins.",
        "type": "object",
        "required": ["size"],
        "properties": {"size": {"description": "A size.", "type": "integer", "minimum": 1}},
    }


def test_maps_lists_and_defaults() -> None:
    properties = structural_schema(Outer)["properties"]

    assert properties["tags"]["additionalProperties"] == {"type": "string"}
    assert properties["items"]["items"]["properties"]["size"]["type"] == "integer"
    assert properties["flag"]["default"] is True
    assert "default" not in properties["colour"]


def test_keys_follow_one_order() -> None:
    keys = list(structural_schema(Outer)["properties"]["inner"])

    assert keys == ["description", "type", "required", "properties"]


class Union(BaseModel):
    value: int | str


class FreeForm(BaseModel):
    value: dict[str, Any]


@pytest.mark.parametrize(
    ("model", "problem"),
    [(Union, "unions other than Optional"), (FreeForm, "free-form objects")],
)
def test_non_structural_models_are_refused(model: type[BaseModel], problem: str) -> None:
    with pytest.raises(NotStructuralError, match=problem):
        structural_schema(model)
