"""The `kind: Status` answers of the emulator (failures, and the success of a delete), shaped as
the API server shapes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aura_devtools.kube_emulator.field_errors import FieldError, aggregate


class ApiStatusError(Exception):
    """A request the API server refuses: rendered as a `kind: Status` body with `code`."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = dict(details or {})

    def to_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Status",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            status["details"] = self.details
        return status


def _object_details(qualified_plural: str, name: str) -> dict[str, str]:
    plural, _, group = qualified_plural.partition(".")
    return {"name": name, "group": group, "kind": plural}


def deleted(qualified_plural: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The answer to a DELETE that removed the object at once (not an error)."""
    details = {**_object_details(qualified_plural, metadata["name"]), "uid": metadata["uid"]}
    return {
        "apiVersion": "v1",
        "kind": "Status",
        "metadata": {},
        "status": "Success",
        "details": details,
    }


def bad_request(message: str) -> ApiStatusError:
    return ApiStatusError(400, "BadRequest", message)


def not_found(qualified_plural: str, name: str) -> ApiStatusError:
    return ApiStatusError(
        404,
        "NotFound",
        f'{qualified_plural} "{name}" not found',
        _object_details(qualified_plural, name),
    )


def no_such_route(path: str) -> ApiStatusError:
    return ApiStatusError(
        404, "NotFound", f"the server could not find the requested resource: {path}"
    )


def method_not_allowed(method: str, path: str) -> ApiStatusError:
    return ApiStatusError(
        405, "MethodNotAllowed", f"the server does not allow this method ({method}) on {path}"
    )


def already_exists(qualified_plural: str, name: str) -> ApiStatusError:
    return ApiStatusError(
        409,
        "AlreadyExists",
        f'{qualified_plural} "{name}" already exists',
        _object_details(qualified_plural, name),
    )


def conflict(qualified_plural: str, name: str, why: str) -> ApiStatusError:
    return ApiStatusError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified_plural} "{name}": {why}',
        _object_details(qualified_plural, name),
    )


def stale_resource_version(qualified_plural: str, name: str) -> ApiStatusError:
    return conflict(
        qualified_plural,
        name,
        "the object has been modified; please apply your changes to the latest version"
        " and try again",
    )


def expired(message: str) -> ApiStatusError:
    return ApiStatusError(410, "Expired", message)


def unsupported_media_type(content_type: str) -> ApiStatusError:
    return ApiStatusError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format: {content_type}",
    )


def invalid(qualified_plural: str, name: str, message: str) -> ApiStatusError:
    kind = qualified_plural.partition(".")[0]
    return ApiStatusError(
        422,
        "Invalid",
        f'{kind} "{name}" is invalid: {message}',
        _object_details(qualified_plural, name),
    )


def patch_not_applied() -> ApiStatusError:
    """422 for a JSON patch that does not apply (a failed `test`, a missing path): the API
    server answers with its generic wording and keeps the reason to itself."""
    return ApiStatusError(
        422, "Invalid", "the server rejected our request due to an error in our request"
    )


def invalid_fields(
    kind: str, group: str, name: str, field_errors: Sequence[FieldError]
) -> ApiStatusError:
    """422 Invalid for an object failing validation: `AuraInstance.aura.neo4j.io "db" is
    invalid: <field errors>`, each field error also a cause in the details."""
    qualified_kind = f"{kind}.{group}" if group else kind
    causes = [
        {"reason": error.type.cause, "message": error.body, "field": error.field}
        for error in field_errors
    ]
    return ApiStatusError(
        422,
        "Invalid",
        f'{qualified_kind} "{name}" is invalid: {aggregate(field_errors)}',
        {"name": name, "group": group, "kind": kind, "causes": causes},
    )
