"""PATCH bodies by content type: JSON merge patch (RFC 7386) and JSON patch (RFC 6902)."""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping
from typing import Any

import jsonpatch
import jsonpointer


class PatchType(enum.Enum):
    MERGE = "application/merge-patch+json"
    # Strategic merge needs Go struct tags; treated as a merge patch (lists are replaced whole).
    STRATEGIC_MERGE = "application/strategic-merge-patch+json"
    JSON = "application/json-patch+json"

    @classmethod
    def from_content_type(cls, content_type: str) -> PatchType | None:
        media_type = content_type.split(";", 1)[0].strip().lower()
        return next((patch_type for patch_type in cls if patch_type.value == media_type), None)


class PatchTestFailedError(Exception):
    """A JSON patch `test` operation did not hold (the API server answers 422)."""


class PatchNotApplicableError(Exception):
    """A JSON patch operation points at a missing path (the API server answers 422)."""


class MalformedPatchError(Exception):
    """The patch body is not a patch of its declared type (the API server answers 400)."""


def apply_patch(obj: Mapping[str, Any], patch: Any, patch_type: PatchType) -> dict[str, Any]:
    """A patched deep copy of `obj`; `obj` itself is left untouched."""
    if patch_type is PatchType.JSON:
        return apply_json_patch(obj, patch)
    if not isinstance(patch, Mapping):
        raise MalformedPatchError("a merge patch must be a JSON object")
    return apply_merge_patch(obj, patch)


def apply_merge_patch(obj: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7386: objects merge recursively, `null` deletes a key, anything else replaces."""
    merged = copy.deepcopy(dict(obj))
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping):
            base = merged.get(key)
            merged[key] = apply_merge_patch(base if isinstance(base, Mapping) else {}, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_json_patch(obj: Mapping[str, Any], operations: Any) -> dict[str, Any]:
    """RFC 6902, all or nothing. Error messages name the operation and path, never values
    (the object may be a Secret)."""
    if not isinstance(operations, list):
        raise MalformedPatchError("a JSON patch must be a list of operations")
    patched: Any = copy.deepcopy(dict(obj))
    for index, operation in enumerate(operations):
        what = _describe(index, operation)
        try:
            patched = jsonpatch.JsonPatch([operation]).apply(patched, in_place=True)
        except jsonpatch.JsonPatchTestFailed as exc:
            raise PatchTestFailedError(f"{what} failed") from exc
        except (jsonpatch.JsonPatchConflict, jsonpointer.JsonPointerException) as exc:
            raise PatchNotApplicableError(f"{what} does not apply: no such path") from exc
        except (jsonpatch.InvalidJsonPatch, TypeError, KeyError, AttributeError) as exc:
            raise MalformedPatchError(f"{what} is not a valid operation") from exc
    if not isinstance(patched, dict):
        raise MalformedPatchError("a JSON patch must leave an object")
    return dict(patched)


def _describe(index: int, operation: Any) -> str:
    if isinstance(operation, Mapping):
        return f"operation {index} ({operation.get('op')!r} at {operation.get('path')!r})"
    return f"operation {index}"
