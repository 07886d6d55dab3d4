"""The connection Secret (issue 9): reserved before the create, never another's, never a global
stall, and under Retain never garbage-collected with the password."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import Harness, b64, condition, is_ready

from aura_devtools.kube_emulator import AURA_INSTANCES, SECRETS
from aura_devtools.kube_emulator.api import KubernetesApiError
from aura_devtools.simulator import SimulatorConfig
from aura_operator.controller import kube as kube_module
from aura_operator.controller.instance.admission import CREATES_ADMITTED

pytestmark = pytest.mark.e2e


@pytest.fixture
def sim_config() -> SimulatorConfig:
    # Aura time 120x, not 600x: with 17 creates at once on two shared cores, a create's 2
    # minutes (SEND_WINDOW) to get its limiter permit must be more than 0.2 real seconds.
    return SimulatorConfig(seed=11, time_scale=120.0, initial_scheduled_snapshot=False)


async def stored_secret(operator: Harness, name: str) -> dict[str, Any] | None:
    return await operator.kube.find(SECRETS, name, namespace=operator.namespace)


async def gone(operator: Harness, name: str) -> bool:
    return await operator.kube.find(AURA_INSTANCES, name, namespace=operator.namespace) is None


async def password_of(operator: Harness, instance_id: str) -> str:
    [instance] = [i for i in await operator.aura_instances() if i["id"] == instance_id]
    return str(instance["password"])


async def test_a_foreign_secret_is_neither_merged_into_nor_garbage_collected(
    operator: Harness,
) -> None:
    """Case 2: the connection Secret name is an existing Secret the operator did not create."""
    await operator.kube.create(
        SECRETS,
        {"metadata": {"name": "app-config"}, "data": {"API_KEY": b64("k-123")}},
        namespace=operator.namespace,
    )
    before = await stored_secret(operator, "app-config")
    await operator.apply(
        "movies", {"connectionSecret": {"name": "app-config"}, "deletionPolicy": "Delete"}
    )

    obj = await operator.wait_stalled("movies", "ConnectionSecretConflict")

    assert "app-config" in condition(obj, "Stalled")["message"]
    assert not await operator.aura_requests("POST", "/v1/instances")  # nothing billed
    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
    await operator.poll(lambda: gone(operator, "movies"))
    await asyncio.sleep(operator.backend.gc_grace)  # what the garbage collector would take
    assert await stored_secret(operator, "app-config") == before  # untouched, still there


async def test_two_objects_naming_one_secret_cannot_both_create(operator: Harness) -> None:
    """Case 3: both used to pass the in-use check, both created, one password was lost."""
    shared = {"connectionSecret": {"name": "shared-connection"}}
    await asyncio.gather(operator.apply("movies", shared), operator.apply("books", shared))

    def settled(obj: dict[str, Any]) -> bool:
        stalled = condition(obj, "Stalled")
        return is_ready(obj) or stalled.get("reason") == "ConnectionSecretConflict"

    objects = [await operator.wait(name, settled) for name in ("movies", "books")]

    [winner] = [o for o in objects if is_ready(o)]
    [loser] = [o for o in objects if not is_ready(o)]
    winner_name = f"{operator.namespace}/{winner['metadata']['name']}"
    assert winner_name in condition(loser, "Stalled")["message"]
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1
    secret = await operator.secret("shared-connection")
    instance_id = winner["status"]["instanceId"]
    assert secret is not None and secret["AURA_INSTANCEID"] == instance_id
    assert secret["NEO4J_PASSWORD"] == await password_of(operator, instance_id)

    # Deleting the loser leaves the winner's Secret alone.
    await operator.kube.delete(
        AURA_INSTANCES, loser["metadata"]["name"], namespace=operator.namespace
    )
    await operator.poll(lambda: gone(operator, loser["metadata"]["name"]))
    assert (await operator.secret("shared-connection")) == secret


async def test_a_name_whose_secret_name_would_be_too_long_is_refused_by_the_crd(
    operator: Harness,
) -> None:
    """Case 4, the name: 250 characters make a 261-character Secret name."""
    with pytest.raises(KubernetesApiError) as refused:
        await operator.apply("m" * 250, {"name": "movies"})

    assert refused.value.status == 422
    assert "spec.connectionSecret.name" in str(refused.value)
    assert not await operator.aura_requests("POST", "/v1/instances")


SLOTS = CREATES_ADMITTED  # creates in the pipeline at once


async def test_secrets_the_api_server_refuses_stop_only_their_own_objects(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 4, refused before the create: a forbidden namespace, a quota, a webhook."""
    original = kube_module.KubeClient.create_secret

    async def create_secret(self: Any, namespace: str, secret: dict[str, Any]) -> Any:
        if secret["metadata"]["name"].startswith("doomed-"):
            raise kube_module.KubeError(403, "POST", "secrets", "exceeded quota: secrets=100")
        return await original(self, namespace, secret)

    monkeypatch.setattr(kube_module.KubeClient, "create_secret", create_secret)
    doomed = [f"doomed-{i}" for i in range(SLOTS + 1)]
    for name in doomed:
        await operator.apply(name)

    for name in doomed:
        obj = await operator.wait_stalled(name, "ConnectionSecretRefused")
        assert "exceeded quota: secrets=100" in condition(obj, "Stalled")["message"]
    await operator.apply("movies")
    await operator.wait_ready("movies")

    posts = await operator.aura_requests("POST", "/v1/instances")
    assert len(posts) == 1  # only movies: nothing billed for the refused ones


async def test_a_password_write_that_keeps_failing_blocks_no_other_object(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 4, refused after the create: the password waits in memory, not in a create slot."""
    original = kube_module.KubeClient.patch_secret
    refusing = [True]

    async def patch_secret(self: Any, namespace: str, name: str, patch: dict[str, Any]) -> None:
        if refusing[0] and name.startswith("stuck-") and "data" in patch:
            raise kube_module.KubeError(403, "PATCH", "secrets", "denied by admission webhook")
        await original(self, namespace, name, patch)

    monkeypatch.setattr(kube_module.KubeClient, "patch_secret", patch_secret)
    stuck = [f"stuck-{i}" for i in range(SLOTS + 1)]
    for name in stuck:
        await operator.apply(name, {"deletionPolicy": "Delete"})

    def pending(obj: dict[str, Any]) -> bool:
        credentials = condition(obj, "CredentialsAvailable")
        return credentials.get("reason") == "ConnectionSecretWritePending"

    for name in stuck:
        obj = await operator.wait(name, pending, within=60)
        assert "denied by admission webhook" in condition(obj, "CredentialsAvailable")["message"]
        assert obj["status"]["instanceId"]
    await operator.apply("movies")  # a create after all slots' worth of failing writes
    await operator.wait_ready("movies", within=60)

    # Deleting one while its write is pending still deletes its instance (Delete).
    victim = (await operator.get("stuck-0"))["status"]["instanceId"]
    await operator.kube.delete(AURA_INSTANCES, "stuck-0", namespace=operator.namespace)
    await operator.kube.wait_gone(
        AURA_INSTANCES, "stuck-0", namespace=operator.namespace, within=30
    )
    assert victim not in {i["id"] for i in await operator.aura_instances()}

    # The API server takes the writes again: every password lands, none was lost.
    refusing[0] = False
    for name in stuck[1:]:
        obj = await operator.wait(
            name,
            lambda o: condition(o, "CredentialsAvailable").get("reason") == "PasswordStored",
            within=60,
        )
        secret = await operator.secret(f"{name}-connection")
        instance_id = obj["status"]["instanceId"]
        assert secret is not None
        assert secret["NEO4J_PASSWORD"] == await password_of(operator, instance_id)
    assert len(await operator.aura_requests("POST", "/v1/instances")) == SLOTS + 2


async def test_retain_with_a_renamed_secret_keeps_the_password_from_garbage_collection(
    operator: Harness,
) -> None:
    """Case 5: Delete -> Retain and a new connection Secret name in one change."""
    await operator.apply("movies", {"deletionPolicy": "Delete"})
    instance_id = (await operator.wait_ready("movies"))["status"]["instanceId"]
    password = await password_of(operator, instance_id)

    await operator.patch_spec(
        "movies", {"deletionPolicy": "Retain", "connectionSecret": {"name": "movies-db"}}
    )
    await operator.wait(
        "movies", lambda o: o["status"].get("connectionSecretName") == "movies-db" and is_ready(o)
    )
    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
    await operator.poll(lambda: gone(operator, "movies"))
    await asyncio.sleep(operator.backend.gc_grace)  # what the garbage collector would take

    assert instance_id in {i["id"] for i in await operator.aura_instances()}
    for name in ("movies-db", "movies-connection"):
        secret = await stored_secret(operator, name)
        assert secret is not None, name
        assert not secret["metadata"].get("ownerReferences")
        assert (await operator.secret(name) or {}).get("NEO4J_PASSWORD") == password


async def test_a_renamed_connection_secret_gets_the_connection_and_the_password(
    operator: Harness,
) -> None:
    await operator.apply("movies")
    first = await operator.wait_ready("movies")
    old = await operator.secret("movies-connection")

    await operator.patch_spec("movies", {"connectionSecret": {"name": "movies-db"}})
    obj = await operator.wait(
        "movies", lambda o: o["status"].get("connectionSecretName") == "movies-db"
    )

    assert await operator.secret("movies-db") == old  # every key, the password included
    assert condition(obj, "CredentialsAvailable")["reason"] == "PasswordStored"
    assert obj["status"]["instanceId"] == first["status"]["instanceId"]
    kept = await stored_secret(operator, "movies-connection")
    assert kept is not None and not kept["metadata"].get("ownerReferences")  # released, kept
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1
