"""A description of one Aura API call, independent of attempts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aura_operator.aura.lanes import Lane
from aura_operator.aura.retry_rules import CallKind


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    """Path below the base URL, e.g. `/v1/instances/2f49c2b3`."""
    endpoint: str
    """A low-cardinality name for logs and metrics, e.g. `get_instance`."""
    kind: CallKind
    lane: Lane
    json: Mapping[str, Any] | None = None
    params: Mapping[str, str] | None = None
    form: Mapping[str, str] | None = None
    authenticated: bool = True
    """False only for the token request, which uses Basic auth instead of a bearer token."""
    send_by: float | None = None
    """The clock's monotonic time after which the call is not sent any more (it fails with
    `AuraNotSent`): a create whose intent says when it was requested must go out soon after."""
