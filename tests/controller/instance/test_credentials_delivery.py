"""The password is written to the connection Secret before anything else; a write that fails is
retried from memory in the background until it succeeds (promise 2), never holding the caller
(a create slot, the object's lock) meanwhile (design 3.1b)."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from aura_operator.controller.instance.connection import ConnectionSecrets
from aura_operator.controller.instance.connection_secret import ConnectionDetails
from aura_operator.controller.instance.desired import desired_from_spec
from aura_operator.controller.kube import KubeError, ObjectRef
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.tracking import Fleet, Tracked

PASSWORD_B64 = "czNjcmV0LXB3"  # base64 of the password


class FlakyKube:
    """Secrets in memory; the first `failures` Secret writes fail as an API server would."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.writes: list[tuple[str, Any]] = []
        self.secrets: dict[str, dict[str, Any]] = {}

    def _fail(self) -> None:
        if self.failures:
            self.failures -= 1
            self.writes.append(("secret-failed", None))
            raise KubeError(403, "POST", "/api/v1/namespaces/shop/secrets", "quota exceeded")

    async def get_secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.secrets.get(name))

    async def create_secret(self, namespace: str, secret: dict[str, Any]) -> dict[str, Any]:
        self._fail()
        stored = copy.deepcopy(secret)
        stored["metadata"].update(uid="secret-uid", resourceVersion="1")
        self.secrets[secret["metadata"]["name"]] = stored
        self.writes.append(("secret", stored))
        return stored

    async def patch_secret(self, namespace: str, name: str, patch: dict[str, Any]) -> None:
        self._fail()
        stored = self.secrets[name]
        stored["metadata"].update(patch["metadata"])
        stored["data"].update(patch.get("data") or {})
        self.writes.append(("secret", stored))

    async def patch_status(self, ref: ObjectRef, status: dict[str, Any]) -> dict[str, Any]:
        self.writes.append(("status", status))
        return {}

    async def post_event(self, ref: ObjectRef, **event: Any) -> None:
        self.writes.append(("event", event))


def setup(failures: int, policy: str = "Retain") -> tuple[FlakyKube, ConnectionSecrets, Tracked]:
    kube = FlakyKube(failures)
    tracked = Fleet().track({"metadata": {"name": "orders", "namespace": "shop", "uid": "u1"}})
    secrets = ConnectionSecrets(Publisher(kube), retry_first=0.001)  # type: ignore[arg-type]
    return kube, secrets, tracked


DETAILS = ConnectionDetails("0a1b2c3d", "orders", "neo4j+s://x", password="s3cret-pw")


async def until_written(secrets: ConnectionSecrets, tracked: Tracked) -> None:
    async with asyncio.timeout(5):
        while secrets.pending.holds(tracked):  # noqa: ASYNC110 - a background task's state
            await asyncio.sleep(0.001)


async def test_a_failing_secret_write_frees_the_caller_and_is_retried_until_stored() -> None:
    kube, secrets, tracked = setup(failures=3)
    desired = desired_from_spec({}, metadata_name="orders", default_deletion_policy="Retain")

    name = await secrets.write_with_password(tracked, desired, DETAILS)

    assert name is None  # handed over: the create slot and the lock are released now
    assert secrets.pending.holds(tracked)
    secrets.pending.recorded(tracked)  # the create's own status write is done
    await until_written(secrets, tracked)
    kinds = [kind for kind, _ in kube.writes]
    assert kinds == ["secret-failed"] * 3 + ["secret", "status"]
    assert kube.secrets["orders-connection"]["data"]["NEO4J_PASSWORD"] == PASSWORD_B64
    status = kube.writes[-1][1]
    assert status["connectionSecretName"] == "orders-connection"
    assert status["conditions"][0]["reason"] == "PasswordStored"
    assert "s3cret-pw" not in repr(status)


async def test_a_pending_password_outlives_a_retained_object_owned_by_nothing() -> None:
    kube, secrets, tracked = setup(failures=2)
    desired = desired_from_spec({}, metadata_name="orders", default_deletion_policy="Delete")

    assert await secrets.write_with_password(tracked, desired, DETAILS) is None
    secrets.pending.keep_after_delete(tracked)  # deleted while the write was failing: Retain
    secrets.pending.recorded(tracked)
    await until_written(secrets, tracked)

    stored = kube.secrets["orders-connection"]
    assert stored["data"]["NEO4J_PASSWORD"] == PASSWORD_B64
    assert not stored["metadata"].get("ownerReferences")  # nothing garbage-collects it


async def test_a_pending_password_is_dropped_when_its_instance_is_deleted() -> None:
    kube, secrets, tracked = setup(failures=10_000)
    desired = desired_from_spec({}, metadata_name="orders", default_deletion_policy="Delete")
    assert await secrets.write_with_password(tracked, desired, DETAILS) is None

    secrets.pending.drop(tracked)
    await asyncio.sleep(0.05)
    failed = len(kube.writes)
    await asyncio.sleep(0.05)

    assert not secrets.pending.holds(tracked)
    assert len(kube.writes) == failed  # no more attempts
