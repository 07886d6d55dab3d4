"""The leader elector against the emulator's Leases (real resourceVersion conflicts), with a
clock the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from aura_devtools.kube_emulator import LEASES
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_operator.controller.election import LeaderElector, LeadershipLost
from aura_operator.controller.kube import Connection, KubeClient
from aura_operator.controller.lease import ElectionTimings

TIMINGS = ElectionTimings(lease_duration=15, renew_deadline=10, retry_period=2)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def kube() -> AsyncIterator[KubernetesApi]:
    async with KubernetesApi() as api:
        yield api


def elector(kube: KubernetesApi, identity: str, clock: Clock) -> LeaderElector:
    async def connect() -> Connection:
        return Connection(server=kube.url)

    return LeaderElector(
        KubeClient(connect),
        namespace="default",
        name="aura-operator",
        identity=identity,
        timings=TIMINGS,
        clock=clock,
    )


async def holder(kube: KubernetesApi) -> str | None:
    lease = await kube.get(LEASES, "aura-operator", namespace="default")
    return lease["spec"].get("holderIdentity")


async def test_of_three_starting_at_once_exactly_one_leads(kube: KubernetesApi) -> None:
    clock = Clock()
    electors = [elector(kube, name, clock) for name in ("a", "b", "c")]

    won = await asyncio.gather(*(e._attempt() for e in electors))

    assert sum(won) == 1
    leader = electors[won.index(True)]
    assert await holder(kube) == leader.identity
    assert [e.refusal() is None for e in electors] == list(won)


async def test_a_standby_waits_for_the_lease_to_lapse_by_its_own_clock(
    kube: KubernetesApi,
) -> None:
    clock = Clock()
    leader, standby = elector(kube, "a", clock), elector(kube, "b", clock)
    assert await leader._attempt()
    assert not await standby._attempt()  # first sight of the Lease: the lapse clock starts

    clock.now += 14.9
    assert not await standby._attempt()
    clock.now += 0.1
    assert await standby._attempt()

    assert await holder(kube) == "b"
    lease = await kube.get(LEASES, "aura-operator", namespace="default")
    assert lease["spec"]["leaseTransitions"] == 1
    assert standby.predecessor is not None and standby.predecessor.holder == "a"


async def test_a_renewing_leader_keeps_the_lease(kube: KubernetesApi) -> None:
    clock = Clock()
    leader, standby = elector(kube, "a", clock), elector(kube, "b", clock)
    assert await leader._attempt()
    assert not await standby._attempt()
    for _ in range(10):
        clock.now += 2
        assert await leader._attempt()
        assert not await standby._attempt()

    assert await holder(kube) == "a"


async def test_the_gate_closes_at_the_renew_deadline_with_no_call_made(
    kube: KubernetesApi,
) -> None:
    clock = Clock()
    leader = elector(kube, "a", clock)
    assert leader.refusal() is not None  # not yet leading
    assert await leader._attempt()
    assert leader.refusal() is None

    clock.now += 9.99
    assert leader.refusal() is None
    clock.now += 0.01
    refusal = leader.refusal()

    assert refusal is not None and "did not renew" in refusal
    # ... well before a standby may take over (lease duration 15 s after it last saw a renewal)


async def test_a_leader_whose_lease_was_taken_stops_at_its_deadline(
    kube: KubernetesApi,
) -> None:
    fast = ElectionTimings(lease_duration=0.6, renew_deadline=0.4, retry_period=0.1)

    async def connect() -> Connection:
        return Connection(server=kube.url)

    leader = LeaderElector(
        KubeClient(connect), namespace="default", name="aura-operator", identity="a", timings=fast
    )
    assert await leader._attempt()
    lease = await kube.get(LEASES, "aura-operator", namespace="default")
    lease["spec"]["holderIdentity"] = "z"  # e.g. taken over while this process was frozen
    await kube.replace(LEASES, "aura-operator", lease, namespace="default")

    with pytest.raises(LeadershipLost):
        await asyncio.wait_for(leader.hold(), 5)

    assert leader.refusal() is not None
    assert not leader.leading


async def test_a_release_hands_over_at_the_standbys_next_look(kube: KubernetesApi) -> None:
    clock = Clock()
    leader, standby = elector(kube, "a", clock), elector(kube, "b", clock)
    assert await leader._attempt()
    assert not await standby._attempt()

    await leader.release({"aura.neo4j.io/budget": "final-record"})
    assert await standby._attempt()  # no lapse to wait for

    assert leader.refusal() is not None
    assert standby.predecessor is not None
    assert standby.predecessor.released
    assert standby.predecessor.annotations["aura.neo4j.io/budget"] == "final-record"


async def test_the_record_is_published_with_every_renewal(kube: KubernetesApi) -> None:
    clock = Clock()
    leader = elector(kube, "a", clock)
    calls = iter(range(100))
    leader.record = lambda: {"aura.neo4j.io/budget": f"r{next(calls)}"}

    assert await leader._attempt()
    clock.now += 2
    assert await leader._attempt()

    lease = await kube.get(LEASES, "aura-operator", namespace="default")
    assert lease["metadata"]["annotations"]["aura.neo4j.io/budget"] == "r1"
