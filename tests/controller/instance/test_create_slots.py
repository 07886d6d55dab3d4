"""A place in the create admission is held up to Aura's answer, never across the retries of
storing that answer: an object whose status write the API server keeps refusing must not hold
up the creates of other objects (one object never blocks others)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aura_operator.aura import CreatedInstance, Result
from aura_operator.controller.instance.admission import Admission, admission_key
from aura_operator.controller.instance.connection_secret import ConnectionDetails
from aura_operator.controller.instance.creation import Creator
from aura_operator.controller.instance.desired import Desired, desired_from_spec
from aura_operator.controller.kube import KubeError, ObjectRef
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.tracking import Fleet, Tracked

TENANT = "8c2a7e4e-5f0b-4d8e-9a51-1f3c6b2d7e01"
SPEC = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "1GB",
}


class Kube:
    """Takes every write but the status writes of one object after its intent."""

    def __init__(self, fleet: Fleet, refusing: str) -> None:
        self.fleet = fleet
        self.refusing = refusing
        self.refused = asyncio.Event()

    async def get_instance(self, ref: ObjectRef) -> dict[str, Any]:
        tracked = self.fleet.get((ref.namespace, ref.name))
        assert tracked is not None
        metadata = {**tracked.metadata, "resourceVersion": "1"}
        return {"metadata": metadata, "spec": tracked.spec, "status": dict(tracked.status)}

    async def patch_status_json(self, ref: ObjectRef, ops: list[dict[str, Any]]) -> dict[str, Any]:
        status: dict[str, Any] = {}
        for op in ops:
            if op["path"] == "/status":
                status.update(op["value"])
            elif op["path"].startswith("/status/"):
                status[op["path"].removeprefix("/status/")] = op["value"]
        return {"status": status}

    async def patch_status(self, ref: ObjectRef, patch: dict[str, Any]) -> dict[str, Any]:
        if ref.namespace == self.refusing:
            self.refused.set()
            raise KubeError(500, "PATCH", "status", "etcdserver: request timed out")
        return {}

    async def post_event(self, ref: ObjectRef, *, type_: str, reason: str, message: str) -> None:
        pass


class Pending:
    def report(self, tracked: Tracked, report: Any, name: str) -> None: ...
    def recorded(self, tracked: Tracked) -> None: ...
    def keep_after_delete(self, tracked: Tracked) -> None: ...


class Secrets:
    pending = Pending()

    def name(self, tracked: Tracked, desired: Desired) -> str:
        return f"{tracked.ref.name}-connection"

    async def reserve(self, tracked: Tracked, desired: Desired) -> None:
        pass

    async def write_with_password(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails
    ) -> str:
        return self.name(tracked, desired)


class Client:
    client_id = "demo-client"

    def __init__(self) -> None:
        self.created = 0

    async def aura_time(self, *, lane: Any = None) -> datetime:
        return datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)

    async def create_instance(self, request: Any, **_: Any) -> Result[CreatedInstance]:
        self.created += 1
        instance_id = f"{self.created:08x}"
        created = CreatedInstance(id=instance_id, password="s3cret", name=request.name)
        return Result(created, f"request-{instance_id}", 202)

    def requests_per_minute(self) -> float:
        return 125.0


def body(namespace: str) -> dict[str, Any]:
    metadata = {"namespace": namespace, "name": "movies", "uid": f"uid-{namespace}"}
    return {"metadata": metadata, "spec": SPEC, "status": {}}


async def test_an_answer_that_cannot_be_recorded_holds_no_admission_place() -> None:
    admission = Admission(capacity=1)  # one place: any holder blocks all
    fleet = Fleet()
    kube = Kube(fleet, refusing="team-a")
    creator = Creator(Publisher(kube), Secrets(), recovery=None)  # type: ignore[arg-type]
    desired = desired_from_spec(SPEC, metadata_name="movies", default_deletion_policy="Retain")
    client = Client()
    stuck, other = fleet.track(body("team-a")), fleet.track(body("team-b"))

    async def admitted_create(tracked: Tracked) -> float | None:
        """As the engine runs a create: inside a place of the admission."""
        async with admission.turn(admission_key(tracked.metadata)) as ticket:
            tracked.admission = ticket
            try:
                return await creator.create(tracked, desired, client, TENANT)  # type: ignore[arg-type]
            finally:
                tracked.admission = None

    first = asyncio.create_task(admitted_create(stuck))
    await kube.refused.wait()  # answered; its status write is being retried
    try:
        # A guard against a hang, not a measurement: the create needs no real time at all.
        await asyncio.wait_for(admitted_create(other), 60)
        assert other.status.get("instanceId") == "00000002"
    finally:
        for task in (first, *creator.storing):
            task.cancel()
        await asyncio.gather(first, *creator.storing, return_exceptions=True)
