"""Failure paths found in review: each breaks a promise if the operator regresses."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest
from e2e_harness import TENANT, Harness, condition, is_ready

from aura_devtools.kube_emulator import AURA_INSTANCES
from aura_operator.aura.client import AuraClient
from aura_operator.controller import kube as kube_module
from aura_operator.controller.publishing import Publisher

pytestmark = pytest.mark.e2e


async def gone(operator: Harness, name: str) -> bool:
    return await operator.kube.find(AURA_INSTANCES, name, namespace=operator.namespace) is None


async def test_reapplying_a_retained_resource_keeps_the_retained_password(
    operator: Harness,
) -> None:
    await operator.apply("movies")  # Retain
    first = (await operator.wait_ready("movies"))["status"]["instanceId"]
    kept = await operator.secret("movies-connection")
    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
    await operator.poll(lambda: gone(operator, "movies"))

    await operator.apply("movies")  # delete -f / apply -f, or an Argo CD replace

    obj = await operator.wait("movies", lambda o: condition(o, "Stalled").get("status") == "True")
    stalled = condition(obj, "Stalled")
    assert stalled["reason"] == "ConnectionSecretInUse"
    assert f"spec.instanceId: {first}" in stalled["message"]
    assert await operator.secret("movies-connection") == kept
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1


async def test_switching_delete_to_retain_frees_the_secret_from_garbage_collection(
    operator: Harness,
) -> None:
    await operator.apply("movies", {"deletionPolicy": "Delete"})
    await operator.wait_ready("movies")
    await operator.patch_spec("movies", {"deletionPolicy": "Retain"})
    await operator.wait_ready("movies")

    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
    await operator.poll(lambda: gone(operator, "movies"))
    await asyncio.sleep(operator.backend.gc_grace)  # what the garbage collector would take

    assert len(await operator.aura_instances()) == 1
    secret = await operator.kube.find("secrets", "movies-connection", namespace=operator.namespace)
    assert secret is not None
    assert not secret["metadata"].get("ownerReferences")


async def test_an_unknown_tenant_is_rejected_once_not_posted_every_minute(
    operator: Harness,
) -> None:
    await operator.apply("movies", {"tenantId": "00000000-0000-0000-0000-000000000000"})

    obj = await operator.wait("movies", lambda o: condition(o, "Stalled").get("status") == "True")
    await asyncio.sleep(1.5)  # 15 Aura minutes

    assert condition(obj, "Stalled")["reason"] == "AuraRejected"
    assert "tenant" in condition(obj, "Synced")["message"].lower()
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1


async def test_a_refused_create_is_pending_not_creating_in_status_and_metrics(
    operator: Harness,
) -> None:
    await operator.apply("movies", {"tenantId": "00000000-0000-0000-0000-000000000000"})
    obj = await operator.wait("movies", lambda o: condition(o, "Stalled").get("status") == "True")

    assert obj["status"]["phase"] == "Pending"  # nothing exists in Aura
    text = await operator.scrape_metrics()
    assert 'aura_instances{phase="Pending"} 1.0' in text
    assert 'phase="Creating"' not in text
    assert f'aura_instance_stalled{{name="movies",namespace="{operator.namespace}"}} 1.0' in text
    assert f'aura_instance_ready{{name="movies",namespace="{operator.namespace}"}} 0.0' in text


async def test_deleting_while_the_create_outcome_is_ambiguous_keeps_the_finalizer(
    operator: Harness,
) -> None:
    body = {
        "name": "movies",
        "tenant_id": TENANT,
        "cloud_provider": "gcp",
        "region": "europe-west1",
        "type": "professional-db",
        "memory": "2GB",
        "version": "5",
    }
    # Our create and, right after it, someone else's of the same name both lose their answer
    # and commit ten minutes later, after our intent and in the same listing interval: either
    # could be ours.
    await operator.faults(
        create_commit_then_fail="drop", create_commit_then_fail_count=2, create_commit_delay=600
    )
    await operator.apply("movies", {"deletionPolicy": "Delete"})
    await operator.poll(lambda: operator.aura_requests("POST", "/v1/instances"))
    with contextlib.suppress(httpx.HTTPError):
        await operator.aura_call("POST", "/instances", body)
    await operator.wait(
        "movies", lambda o: condition(o, "Stalled").get("reason") == "AmbiguousInstances"
    )

    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
    await asyncio.sleep(1.0)

    assert not await gone(operator, "movies")  # a person must decide which one is ours
    assert len(await operator.aura_instances()) == 2
    assert not await operator.aura_requests("DELETE")


async def test_refused_secret_labels_stop_the_create_before_anything_is_billed(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = kube_module.KubeClient.create_secret

    async def create_secret(self: Any, namespace: str, secret: dict[str, Any]) -> Any:
        labels = secret["metadata"].get("labels") or {}
        if any(" " in value for value in labels.values()):  # the API server's label rules
            raise kube_module.KubeError(422, "POST", "secrets", "metadata.labels: Invalid value")
        return await original(self, namespace, secret)

    monkeypatch.setattr(kube_module.KubeClient, "create_secret", create_secret)
    await operator.apply("movies", {"connectionSecret": {"labels": {"team": "data team"}}})

    obj = await operator.wait_stalled("movies", "ConnectionSecretRefused")

    assert "metadata.labels: Invalid value" in condition(obj, "Stalled")["message"]
    assert not await operator.aura_requests("POST", "/v1/instances")
    await operator.patch_spec("movies", {"connectionSecret": {"labels": {"team": "data-team"}}})
    obj = await operator.wait_ready("movies")
    [instance] = await operator.aura_instances()
    secret = await operator.secret("movies-connection")
    assert secret is not None and secret["NEO4J_PASSWORD"] == instance["password"]
    assert condition(obj, "CredentialsAvailable")["status"] == "True"


async def test_labels_refused_only_on_the_password_write_still_let_the_password_land(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = kube_module.KubeClient.patch_secret

    async def patch_secret(self: Any, namespace: str, name: str, patch: dict[str, Any]) -> None:
        if (patch["metadata"].get("labels") or {}).get("team"):  # say, an admission webhook
            raise kube_module.KubeError(400, "PATCH", "secrets", "denied by policy")
        await original(self, namespace, name, patch)

    monkeypatch.setattr(kube_module.KubeClient, "patch_secret", patch_secret)
    await operator.apply("movies", {"connectionSecret": {"labels": {"team": "data"}}})

    obj = await operator.wait_ready("movies")

    [instance] = await operator.aura_instances()
    secret = await operator.secret("movies-connection")
    assert secret is not None and secret["NEO4J_PASSWORD"] == instance["password"]
    assert condition(obj, "CredentialsAvailable")["status"] == "True"


async def test_a_lost_status_write_after_the_answer_does_not_duplicate(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed: list[bool] = []
    original_status = Publisher.status

    async def status(self: Any, tracked: Any, report: Any, **options: Any) -> None:
        if "connectionSecretName" in report.fields and "instanceId" in report.fields and not failed:
            failed.append(True)
            raise kube_module.KubeError(503, "PATCH", "status", "etcdserver: request timed out")
        await original_status(self, tracked, report, **options)

    original_list = AuraClient.list_instances
    lagging = [2]  # the new instance shows in listings only after a while (design 3.1)

    async def list_instances(self: Any, tenant_id: Any = None, *, lane: Any) -> Any:
        result = await original_list(self, tenant_id, lane=lane)
        if lagging[0] > 0:
            lagging[0] -= 1
            result = type(result)([], result.request_id, result.status)
        return result

    monkeypatch.setattr(Publisher, "status", status)
    monkeypatch.setattr(AuraClient, "list_instances", list_instances)
    await operator.apply("movies")

    obj = await operator.wait_ready("movies")

    assert failed
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1
    assert len(await operator.aura_instances()) == 1
    assert condition(obj, "CredentialsAvailable")["status"] == "True"


async def test_a_graceful_stop_while_storing_the_answer_keeps_the_password(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = kube_module.KubeClient.patch_secret
    slow = [True]

    async def patch_secret(self: Any, namespace: str, name: str, patch: dict[str, Any]) -> None:
        if slow[0] and "NEO4J_PASSWORD" in (patch.get("data") or {}):
            await asyncio.sleep(3)  # a slow API server while the operator is told to stop
        await original(self, namespace, name, patch)

    monkeypatch.setattr(kube_module.KubeClient, "patch_secret", patch_secret)
    await operator.apply("movies")
    await operator.poll(operator.aura_instances)  # Aura answered 202 with the password
    await asyncio.sleep(0.3)

    await operator.stop_operator()  # SIGTERM during a rolling upgrade
    slow[0] = False
    await operator.start_operator()

    obj = await operator.wait("movies", is_ready, within=20)
    [instance] = await operator.aura_instances()
    assert (await operator.secret("movies-connection") or {}).get("NEO4J_PASSWORD") == instance[
        "password"
    ]
    assert condition(obj, "CredentialsAvailable")["reason"] == "PasswordStored"
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1


async def test_deleting_while_aura_is_still_creating_waits_then_deletes(operator: Harness) -> None:
    await operator.apply("movies", {"deletionPolicy": "Delete"})
    obj = await operator.wait("movies", lambda o: bool((o.get("status") or {}).get("instanceId")))
    instance_id = obj["status"]["instanceId"]

    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)

    await operator.kube.wait_gone(AURA_INSTANCES, "movies", namespace=operator.namespace, within=20)
    assert await operator.aura_instances() == []
    deletes = await operator.aura_requests("DELETE", f"/v1/instances/{instance_id}")
    assert deletes[0]["status"] == 409  # busy creating: refused, sent again later
    assert deletes[-1]["status"] == 202
