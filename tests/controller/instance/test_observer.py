"""The observer's start-up listing: every resumed object gets a next look, none a burst."""

from __future__ import annotations

import asyncio

from aura_operator.controller.instance.listing import Confirmation
from aura_operator.controller.instance.observer import LISTING_DEBOUNCE, Observer
from aura_operator.controller.schedule import STARTUP_GRACE
from aura_operator.controller.tracking import Fleet, Key


def fleet_of(*names: str) -> Fleet:
    fleet = Fleet()
    for index, name in enumerate(names):
        fleet.track(
            {
                "metadata": {"namespace": "ns", "name": name, "uid": name},
                "status": {"instanceId": f"{index:08x}"},
            }
        )
    return fleet


async def test_objects_resumed_during_a_listing_are_listed_next_and_all_scheduled() -> None:
    fleet = fleet_of("a", "b")
    listed: list[list[Key]] = []

    async def observe(key: Key) -> None:
        return None

    async def confirm(keys: list[Key]) -> Confirmation:
        listed.append(list(keys))
        await asyncio.sleep(0.3)  # the Secret read and the tenant list take a moment
        return Confirmation(present=list(keys))

    observer = Observer(fleet, observe, confirm, requests_per_minute=120, background_share=0.5)
    observer.confirm_at_startup(("ns", "a"))
    await asyncio.sleep(LISTING_DEBOUNCE + 0.1)  # the listing of [a] is under way
    observer.confirm_at_startup(("ns", "b"))
    await asyncio.sleep(LISTING_DEBOUNCE + 0.6)

    assert listed == [[("ns", "a")], [("ns", "b")]]
    for key in (("ns", "a"), ("ns", "b")):
        due = observer.due_in(key)
        assert due is not None and due >= STARTUP_GRACE - 2  # spread out, not read at once


async def test_a_failed_listing_spreads_the_reads_instead_of_reading_everything_now() -> None:
    names = [f"db{i}" for i in range(50)]
    fleet = fleet_of(*names)

    async def observe(key: Key) -> None:
        return None

    async def confirm(keys: list[Key]) -> Confirmation:
        raise RuntimeError("Aura is down")

    observer = Observer(fleet, observe, confirm, requests_per_minute=120, background_share=0.5)
    for name in names:
        observer.confirm_at_startup(("ns", name))
    await asyncio.sleep(LISTING_DEBOUNCE + 0.2)

    dues = [observer.due_in(("ns", name)) for name in names]
    assert all(due is not None and due >= STARTUP_GRACE - 2 for due in dues)
