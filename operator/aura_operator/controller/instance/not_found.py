"""Whether Aura's 404 for an instance proves it gone: for a while after a create Aura can answer
404 to reads and to DELETEs of an instance that exists (eventual consistency), so a 404 is
confirmed by repeated tries for NOT_FOUND_CONFIRM Aura seconds and then a tenant listing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

NOT_FOUND_CONFIRM = 600.0
"""Aura seconds of 404s (and then a tenant listing without it) before an instance is taken as
gone: Aura can miss a new instance in reads, DELETEs and listings for a while after its create."""
NOT_FOUND_FIRST_RETRY = 10.0
LISTED_RETRY = 60.0
"""Aura seconds before a DELETE is sent again when it answered 404 but the listing shows the
instance."""


def confirming_pause(elapsed: float) -> float | None:
    """Aura seconds until the next try while a run of 404s that began `elapsed` Aura seconds ago
    is being confirmed (growing pauses); None once the window is over: list the tenant."""
    if elapsed < NOT_FOUND_CONFIRM:
        return min(NOT_FOUND_CONFIRM - elapsed, max(NOT_FOUND_FIRST_RETRY, elapsed))
    return None


class DeleteAction(Enum):
    GONE = "gone"
    """Proven gone: the finalizer may be released."""
    RETRY = "retry"
    """Keep the finalizer; send the DELETE again after `pause`."""
    LIST = "list"
    """List the tenant, then decide again with what it shows."""


@dataclass(frozen=True)
class DeleteDecision:
    action: DeleteAction
    pause: float | None = None


def after_delete_404(
    *, confirmed_gone: bool, elapsed: float, tenant_known: bool, listed: bool | None
) -> DeleteDecision:
    """What to do after a DELETE answered 404.

    `confirmed_gone`: the operator already reported the instance gone (InstanceNotFound), which
    took the same confirmation; `elapsed`: Aura seconds since the first 404 of this run;
    `listed`: whether a tenant listing taken after the window shows the instance (None: no
    listing yet)."""
    if confirmed_gone:
        return DeleteDecision(DeleteAction.GONE)
    pause = confirming_pause(elapsed)
    if pause is not None:
        return DeleteDecision(DeleteAction.RETRY, pause)
    if not tenant_known:  # nothing to list: as for a read, the window alone decides
        return DeleteDecision(DeleteAction.GONE)
    if listed is None:
        return DeleteDecision(DeleteAction.LIST)
    if listed:
        return DeleteDecision(DeleteAction.RETRY, LISTED_RETRY)
    return DeleteDecision(DeleteAction.GONE)
