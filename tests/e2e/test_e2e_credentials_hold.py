"""A deletion under `Delete` keeps the credentials it needs: the operator holds a credentials
Secret (its own finalizer) while an AuraInstance under `Delete` uses it."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_harness import Harness

from aura_devtools.kube_emulator import AURA_INSTANCES, SECRETS
from aura_operator.controller.instance.holds import CREDENTIALS_FINALIZER

pytestmark = pytest.mark.e2e

USING_TEAM_SECRET = {"credentialsSecretRef": {"name": "team-aura"}, "deletionPolicy": "Delete"}


async def held(operator: Harness) -> bool:
    secret: dict[str, Any] = await operator.kube.get(
        SECRETS, "team-aura", namespace=operator.namespace
    )
    return CREDENTIALS_FINALIZER in (secret["metadata"].get("finalizers") or [])


async def test_delete_completes_after_a_restart_when_the_namespace_took_the_secret_first(
    operator: Harness,
) -> None:
    await operator.create_credentials("team-aura")
    await operator.apply("movies", USING_TEAM_SECRET)
    await operator.wait_ready("movies")
    await operator.poll(lambda: held(operator))

    await operator.stop_operator()
    # A namespace being deleted: its Secrets may go before its AuraInstances.
    await operator.kube.delete(SECRETS, "team-aura", namespace=operator.namespace)
    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
    await operator.start_operator()

    await operator.kube.wait_gone(AURA_INSTANCES, "movies", namespace=operator.namespace, within=20)
    assert await operator.aura_instances() == []
    await operator.kube.wait_gone(
        SECRETS, "team-aura", namespace=operator.namespace
    )  # then released


async def test_the_secret_is_held_only_while_a_resource_under_delete_uses_it(
    operator: Harness,
) -> None:
    await operator.create_credentials("team-aura")
    await operator.apply("movies", USING_TEAM_SECRET)
    await operator.apply("books", USING_TEAM_SECRET)
    await operator.wait_ready("movies")
    await operator.wait_ready("books")
    assert await held(operator)

    await operator.patch_spec("movies", {"deletionPolicy": "Retain"})
    await operator.wait("movies", lambda o: o["status"].get("observedGeneration") == 2)
    assert await held(operator)  # books still needs it

    await operator.kube.delete(AURA_INSTANCES, "books", namespace=operator.namespace)
    await operator.kube.wait_gone(AURA_INSTANCES, "books", namespace=operator.namespace, within=20)
    assert not await held(operator)
    secret = await operator.secret("team-aura")
    assert secret is not None and secret["clientId"] == "demo-client"
