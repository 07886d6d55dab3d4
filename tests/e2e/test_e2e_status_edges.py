"""Status the API server must accept and tools must understand: stalls that carry the
generation and post one Warning Event, bounded messages, no false drift alarm."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import TENANT, Harness, b64, condition, is_ready

from aura_devtools.kube_emulator import SECRETS
from aura_operator.api.status import CONDITION_MESSAGE_MAX_LENGTH
from aura_operator.aura import AuraValidationError
from aura_operator.aura.client import AuraClient

pytestmark = pytest.mark.e2e


def stalled_with(reason: str) -> Any:
    def check(obj: dict[str, Any]) -> bool:
        stalled = condition(obj, "Stalled")
        return stalled.get("status") == "True" and stalled.get("reason") == reason

    return check


async def warnings(operator: Harness, name: str, reason: str) -> list[dict[str, Any]]:
    return [
        e for e in await operator.events(name) if e["reason"] == reason and e["type"] == "Warning"
    ]


async def create_secret(operator: Harness, name: str, data: dict[str, str]) -> None:
    await operator.kube.create(
        SECRETS,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name},
            "data": {k: b64(v) for k, v in data.items()},
        },
        namespace=operator.namespace,
    )


@pytest.mark.parametrize(
    ("reason", "secret"),
    [
        ("CredentialsMissing", None),
        ("TenantIdMissing", {"clientId": "demo-client", "clientSecret": "demo-secret"}),
        (
            "CredentialsInvalid",
            {"clientId": "demo-client", "clientSecret": "wrong", "tenantId": TENANT},
        ),
    ],
)
async def test_a_credentials_stall_carries_the_generation_and_warns_once(
    operator: Harness, reason: str, secret: dict[str, str] | None
) -> None:
    if secret is not None:
        await create_secret(operator, "team-aura", secret)
    await operator.apply("movies", {"credentialsSecretRef": {"name": "team-aura"}})

    obj = await operator.wait("movies", stalled_with(reason))
    assert obj["status"]["observedGeneration"] == obj["metadata"]["generation"] == 1
    assert obj["status"].get("phase", "Pending") == "Pending"  # nothing created: not Creating
    await asyncio.sleep(1.5)  # 15 Aura minutes: the operator looks again several times
    assert len(await warnings(operator, "movies", reason)) == 1

    edited = await operator.patch_spec("movies", {"memory": "4GB"})
    await operator.wait("movies", lambda o: o["status"].get("observedGeneration") == 2)
    assert edited["metadata"]["generation"] == 2
    assert not await operator.aura_requests("POST", "/v1/instances")


async def test_an_aura_message_longer_than_the_crd_allows_is_cut_keeping_the_request_id(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def create_instance(self: Any, request: Any, **options: Any) -> Any:
        raise AuraValidationError(
            "memory not offered: " + "x" * 40_000,
            status=400,
            reason="invalid-memory-size",
            field="memory",
            request_id="req-long-message",
        )

    monkeypatch.setattr(AuraClient, "create_instance", create_instance)
    await operator.apply("movies")

    obj = await operator.wait("movies", stalled_with("AuraRejected"))

    for type_ in ("Stalled", "Synced", "Ready"):
        message = condition(obj, type_)["message"]
        assert len(message) <= CONDITION_MESSAGE_MAX_LENGTH
        assert message.startswith("memory not offered: xxx")
        assert message.endswith("request id req-long-message")


async def test_applying_secondaries_and_cdc_once_running_is_an_update_not_drift(
    operator: Harness,
) -> None:
    spec = {"type": "enterprise-db", "memory": "4GB", "secondariesCount": 2}
    await operator.apply("orders", {**spec, "cdcEnrichmentMode": "DIFF"})

    await operator.wait_ready("orders", within=20)

    reasons = [e["reason"] for e in await operator.events("orders")]
    assert "Updated" in reasons
    assert "DriftReverted" not in reasons


async def test_changes_kept_for_after_a_pause_are_an_update_not_drift(operator: Harness) -> None:
    await operator.apply("movies", {"paused": True})
    await operator.wait("movies", lambda o: is_ready(o) and o["status"]["phase"] == "Paused", 20)
    await operator.patch_spec("movies", {"memory": "4GB"})
    await operator.wait(
        "movies", lambda o: condition(o, "Ready").get("reason") == "PausedWithPendingChanges"
    )

    await operator.patch_spec("movies", {"paused": False})
    await operator.wait("movies", lambda o: is_ready(o) and o["status"]["memory"] == "4GB", 20)

    reasons = [e["reason"] for e in await operator.events("movies")]
    assert "Updated" in reasons
    assert "DriftReverted" not in reasons
