"""The password is written to the connection Secret before anything else, and a failing write
is retried from memory until it succeeds (promise 2), with the status saying so meanwhile."""

from __future__ import annotations

from typing import Any

from aura_operator.controller.connection import ConnectionSecrets
from aura_operator.controller.desired import desired_from_spec
from aura_operator.controller.kube import KubeError, ObjectRef
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.secrets import ConnectionDetails
from aura_operator.controller.tracking import Fleet


class FlakyKube:
    """Records every write; the first `failures` Secret writes fail as an API server would."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.writes: list[tuple[str, Any]] = []

    async def apply_secret(self, namespace: str, secret: dict[str, Any]) -> None:
        if self.failures:
            self.failures -= 1
            self.writes.append(("secret-failed", None))
            raise KubeError(503, "POST", "/api/v1/namespaces/shop/secrets", "unavailable")
        self.writes.append(("secret", secret))

    async def patch_status(self, ref: ObjectRef, status: dict[str, Any]) -> dict[str, Any]:
        self.writes.append(("status", status))
        return {}

    async def post_event(self, ref: ObjectRef, **event: Any) -> None:
        self.writes.append(("event", event))


async def test_a_failing_secret_write_is_retried_until_the_password_is_stored() -> None:
    kube = FlakyKube(failures=3)
    fleet = Fleet()
    tracked = fleet.track({"metadata": {"name": "orders", "namespace": "shop", "uid": "u1"}})
    secrets = ConnectionSecrets(Publisher(kube), retry_first=0.001)  # type: ignore[arg-type]
    desired = desired_from_spec({}, metadata_name="orders", default_deletion_policy="Retain")
    details = ConnectionDetails("0a1b2c3d", "orders", "neo4j+s://x", password="s3cret-pw")

    name = await secrets.write_with_password(tracked, desired, details, "rid-1")

    assert name == "orders-connection"
    kinds = [kind for kind, _ in kube.writes]
    assert kinds == ["secret-failed", "status", "secret-failed", "secret-failed", "secret"]
    pending = kube.writes[1][1]
    assert pending["instanceId"] == "0a1b2c3d"  # recorded while the Secret is pending
    assert pending["conditions"][0]["reason"] == "ConnectionSecretWritePending"
    assert "s3cret-pw" not in repr(pending)
    stored = kube.writes[-1][1]
    assert stored["data"]["NEO4J_PASSWORD"] == "czNjcmV0LXB3"  # base64 of the password
