"""Confirming many instances at once: one list call per (credentials, tenant) instead of a
GET per instance (design 3.4, start-up and the periodic existence check)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aura_operator.aura import AuraError, Lane
from aura_operator.controller.access import Access, Accounts, Location
from aura_operator.controller.credentials import CredentialsProblem
from aura_operator.controller.instance.desired import Desired
from aura_operator.controller.tracking import Fleet, Key, Tracked

logger = logging.getLogger("aura_operator.controller")


@dataclass
class Confirmation:
    present: list[Key] = field(default_factory=list)
    """Listed by Aura: their detailed reads can wait."""
    absent: list[Key] = field(default_factory=list)
    """Not listed: read each to find out (a 404 is reported as InstanceNotFound)."""
    unconfirmed: list[Key] = field(default_factory=list)
    """Could not be listed (credentials, tenant unknown, Aura error)."""


DesiredOf = Callable[[Tracked], Desired | None]
"""None: the spec cannot be read (the object is left unconfirmed, the others are listed)."""


async def confirm_by_listing(
    fleet: Fleet, accounts: Accounts, keys: list[Key], desired_of: DesiredOf
) -> Confirmation:
    """Group the objects by credentials Secret and tenant and list each group once."""
    result = Confirmation()
    groups: dict[tuple[Location, str], list[Tracked]] = {}
    accesses: dict[Location, Access | None] = {}  # each Secret is read once
    for key in keys:
        tracked = fleet.get(key)
        if tracked is None or tracked.instance_id is None or tracked.deleting:
            continue
        desired = desired_of(tracked)
        if desired is None:
            result.unconfirmed.append(key)
            continue
        try:
            location = accounts.location(tracked, desired.spec.credentials_secret_ref)
        except CredentialsProblem:
            result.unconfirmed.append(key)
            continue
        if location not in accesses:
            try:
                accesses[location] = await accounts.at(location)
            except CredentialsProblem:
                accesses[location] = None
        access = accesses[location]
        tenant = desired.tenant_id or (access.credentials.tenant_id if access else None)
        if access is None or not tenant:
            result.unconfirmed.append(key)
            continue
        groups.setdefault((location, tenant), []).append(tracked)
    for (location, tenant), members in groups.items():
        access = accesses[location]
        assert access is not None
        try:
            listing = await access.client.list_instances(tenant_id=tenant, lane=Lane.BACKGROUND)
        except AuraError as error:
            logger.warning("listing tenant %s failed: %s", tenant, error)
            result.unconfirmed.extend(t.key for t in members)
            continue
        ids = {item.id for item in listing.value}
        for tracked in members:
            (result.present if tracked.instance_id in ids else result.absent).append(tracked.key)
    return result
