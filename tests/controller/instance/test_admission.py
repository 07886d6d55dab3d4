"""Admission into the create pipeline: a few objects at a time, the oldest first."""

from __future__ import annotations

import asyncio

import pytest

from aura_operator.controller.instance.admission import (
    Admission,
    AdmissionKey,
    Ticket,
    admission_key,
    awaits_create,
)
from aura_operator.controller.tracking import Fleet, Tracked


def key(created: str, name: str) -> AdmissionKey:
    return admission_key({"creationTimestamp": created, "namespace": "ns", "name": name})


async def test_objects_wait_while_all_places_are_taken_and_go_in_oldest_first() -> None:
    admission = Admission(capacity=1)
    order: list[str] = []
    holder_may_leave = asyncio.Event()

    async def create(name: str, created: str) -> None:
        async with admission.turn(key(created, name)):
            order.append(name)
            if name == "first":
                await holder_may_leave.wait()

    first = asyncio.create_task(create("first", "2026-01-01T00:00:00Z"))
    await asyncio.sleep(0)
    # They arrive newest first (the order kopf happened to run their handlers in).
    later = [
        asyncio.create_task(create("newest", "2026-01-01T00:00:09Z")),
        asyncio.create_task(create("older", "2026-01-01T00:00:01Z")),
        asyncio.create_task(create("oldest-b", "2026-01-01T00:00:00Z")),
        asyncio.create_task(create("oldest-a", "2026-01-01T00:00:00Z")),
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    assert order == ["first"]
    assert admission.waiting == 4

    holder_may_leave.set()
    await asyncio.gather(first, *later)

    assert order == ["first", "oldest-a", "oldest-b", "older", "newest"]
    assert admission.admitted == 0


async def test_no_more_than_the_capacity_is_inside_at_once() -> None:
    admission = Admission(capacity=3)
    inside, most = 0, 0

    async def create(index: int) -> None:
        nonlocal inside, most
        async with admission.turn(key("2026-01-01T00:00:00Z", f"db-{index:03d}")):
            inside += 1
            most = max(most, inside)
            for _ in range(3):
                await asyncio.sleep(0)
            inside -= 1

    await asyncio.gather(*(create(i) for i in range(20)))

    assert most == 3
    assert admission.admitted == 0


class OneHeldPlace:
    """An admission of one place, held by "holder" until `release()` (or until its ticket is
    left, at once, with `leave_now()`); others line up behind."""

    def __init__(self) -> None:
        self.admission = Admission(capacity=1)
        self._holder_may_leave = asyncio.Event()
        self._ticket: Ticket | None = None
        self.holder = asyncio.create_task(self._hold())

    async def _hold(self) -> None:
        async with self.admission.turn(key("t0", "holder")) as ticket:
            self._ticket = ticket
            await self._holder_may_leave.wait()

    def leave_now(self) -> None:
        """Give the place up in this very turn: the next in line is let in, not yet running."""
        assert self._ticket is not None
        self._ticket.leave()
        self.release()

    def line_up(self, name: str) -> asyncio.Task[None]:
        async def wait_in_line() -> None:
            async with self.admission.turn(key("t1", name)):
                pass

        return asyncio.create_task(wait_in_line())

    def release(self) -> None:
        self._holder_may_leave.set()


async def test_a_waiter_cancelled_before_its_turn_takes_no_place() -> None:
    place = OneHeldPlace()
    await asyncio.sleep(0)
    cancelled = place.line_up("a")
    behind = place.line_up("b")
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)

    place.release()
    await asyncio.wait_for(asyncio.gather(place.holder, behind), 5)
    assert place.admission.admitted == 0


async def test_a_waiter_let_in_and_cancelled_in_the_same_turn_passes_its_place_on() -> None:
    place = OneHeldPlace()
    await asyncio.sleep(0)
    first_in_line = place.line_up("a")
    behind = place.line_up("b")
    await asyncio.sleep(0)
    place.leave_now()  # lets "a" in ...
    first_in_line.cancel()  # ... which is cancelled before it runs
    await asyncio.gather(first_in_line, return_exceptions=True)

    await asyncio.wait_for(asyncio.gather(place.holder, behind), 5)
    assert place.admission.admitted == 0


def test_the_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Admission(capacity=0)


def tracked(status: dict[str, object], spec: dict[str, object] | None = None) -> Tracked:
    return Fleet().track(
        {"metadata": {"namespace": "ns", "name": "db", "uid": "u"}, "spec": spec, "status": status}
    )


def test_only_a_reconcile_that_would_create_goes_through_admission() -> None:
    assert awaits_create(tracked({}))
    assert not awaits_create(tracked({"instanceId": "abc"}))
    assert not awaits_create(tracked({}, {"instanceId": "abc"}))
    assert not awaits_create(tracked({"createIntent": {"name": "db"}}))
    deleting = tracked({})
    deleting.deleting = True
    assert not awaits_create(deleting)
