"""Who owns an Aura instance id: at most one AuraInstance cluster-wide (design 3.1b, Claims).

Plain functions over AuraInstance objects as the API server lists them. An object claims an id
by naming it in `spec.instanceId` (adoption, ObserveOnly) or by holding it in
`status.instanceId` (the operator recorded it: after a create, a recovery or a won claim).

The order is total and stable, so every reconcile, in any namespace, at any time, picks the
same owner from the same objects: recorded claims come before claims only named in a spec
(a claim the operator already acted on is never overtaken by a newcomer), each group by the
time of the claim (`status.claimedAt`, or the object's creationTimestamp where none was
recorded), then by creationTimestamp, then by uid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECHECK_CLAIM = 300.0
"""Aura seconds between looks of an object whose instance another object owns (only the API
server is read: the owner may have been deleted)."""


@dataclass(frozen=True)
class Claim:
    namespace: str
    name: str
    uid: str
    instance_id: str
    created_at: datetime
    recorded_at: datetime | None
    """When the operator recorded the claim in status; None: only named in the spec."""

    @property
    def owner(self) -> str:
        return f"{self.namespace}/{self.name}"

    def order(self) -> tuple[bool, datetime, datetime, str]:
        return (
            self.recorded_at is None,
            self.recorded_at or self.created_at,
            self.created_at,
            self.uid,
        )


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def claim_of(obj: Mapping[str, Any]) -> Claim | None:
    """The claim an AuraInstance object makes, if it names an instance id at all."""
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    created_at = parse_time(metadata.get("creationTimestamp")) or EPOCH
    recorded_id = status.get("instanceId")
    instance_id = recorded_id or spec.get("instanceId")
    if not instance_id:
        return None
    recorded_at = None
    if recorded_id:
        recorded_at = parse_time(status.get("claimedAt")) or created_at
    return Claim(
        namespace=str(metadata.get("namespace") or ""),
        name=str(metadata.get("name") or ""),
        uid=str(metadata.get("uid") or ""),
        instance_id=str(instance_id),
        created_at=created_at,
        recorded_at=recorded_at,
    )


def claims_of(objects: Iterable[Mapping[str, Any]]) -> list[Claim]:
    return [claim for obj in objects if (claim := claim_of(obj)) is not None]


def owner_of(instance_id: str, claims: Iterable[Claim]) -> Claim | None:
    """The claim that owns `instance_id`: the first in claim order; None when nobody names it."""
    candidates = [claim for claim in claims if claim.instance_id == instance_id]
    return min(candidates, key=Claim.order) if candidates else None


def claimed_by_others(claims: Iterable[Claim], uid: str) -> set[str]:
    """Ids any other object claims (recorded or named in its spec): not free for `uid` to take."""
    return {claim.instance_id for claim in claims if claim.uid != uid}


def merge(listed: Iterable[Mapping[str, Any]], known: Iterable[Mapping[str, Any]]) -> list[Claim]:
    """Claims from an API-server listing and from this process's memory (statuses it wrote and
    the watch has not delivered yet); by uid, the memory wins, as it is never older."""
    by_uid: dict[str, Mapping[str, Any]] = {}
    for obj in listed:
        by_uid[str((obj.get("metadata") or {}).get("uid") or id(obj))] = obj
    for obj in known:
        uid = str((obj.get("metadata") or {}).get("uid") or "")
        if uid in by_uid:
            by_uid[uid] = obj
    return claims_of(by_uid.values())


def foreign_owner(namespace: str, instance_id: str, claims: Iterable[Claim]) -> Claim | None:
    """The claim of an AuraInstance in another namespace than `namespace` that owns
    `instance_id`; None when nobody owns it or its owner is in `namespace`."""
    owner = owner_of(instance_id, claims)
    return owner if owner is not None and owner.namespace != namespace else None


def oneshot_refusal(
    kind: str, namespace: str, uses: Mapping[str, str | None], claims: Iterable[Claim]
) -> str | None:
    """Why an AuraSnapshot or AuraRestore in `namespace` may not touch the instances it uses
    (`uses`: role, such as "target" or "source", to instance id; None: not known), or None.

    An instance owned by an AuraInstance of another namespace is that team's: snapshotting it,
    overwriting it, or copying its data into this namespace's instance is refused alike."""
    listed = list(claims)
    for role, instance_id in uses.items():
        if not instance_id:
            continue
        owner = foreign_owner(namespace, instance_id, listed)
        if owner is not None:
            return (
                f"Aura instance {instance_id} (the {role}) is managed by AuraInstance "
                f"{owner.owner} in another namespace; an {kind} may use only instances managed "
                f"in its own namespace ({namespace}) or by no AuraInstance. Nothing was sent to "
                "Aura. Delete this resource; a new one may name another instance."
            )
    return None
