"""The operator's finalizer on a credentials Secret: added while a resource under Delete uses
it, removed (only ours, resourceVersion-guarded) once none does."""

from __future__ import annotations

import copy
from typing import Any

from aura_operator.api import FINALIZER
from aura_operator.controller.instance.holds import CREDENTIALS_FINALIZER, CredentialsHolds


class FakeKube:
    def __init__(self, secret: dict[str, Any] | None, instances: list[dict[str, Any]]) -> None:
        self.secret = secret
        self.instances = instances
        self.patches: list[dict[str, Any]] = []

    async def get_secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.secret)

    async def patch_secret(self, namespace: str, name: str, patch: dict[str, Any]) -> None:
        self.patches.append(patch)

    async def list_objects(self, plural: str, namespaces: tuple[str, ...]) -> list[Any]:
        return self.instances


def secret(*finalizers: str, deleting: bool = False) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": "team-aura",
        "resourceVersion": "7",
        "finalizers": list(finalizers),
    }
    if deleting:
        metadata["deletionTimestamp"] = "2026-12-02T10:00:00Z"
    return {"metadata": metadata, "data": {}}


def user(uid: str, uses: str = "team-aura", policy: str | None = "Delete") -> Any:
    spec: dict[str, Any] = {"credentialsSecretRef": {"name": uses}}
    if policy:
        spec["deletionPolicy"] = policy
    return {"metadata": {"name": uid, "uid": uid, "finalizers": [FINALIZER]}, "spec": spec}


def holds(kube: FakeKube) -> CredentialsHolds:
    return CredentialsHolds(kube, default_deletion_policy="Retain")  # type: ignore[arg-type]


async def test_hold_adds_only_its_finalizer_guarded_by_the_resource_version() -> None:
    kube = FakeKube(secret("someone/else"), [])
    await holds(kube).hold("ns", "team-aura")
    assert kube.patches == [
        {
            "metadata": {
                "finalizers": ["someone/else", CREDENTIALS_FINALIZER],
                "resourceVersion": "7",
            }
        }
    ]


async def test_a_secret_already_held_or_being_deleted_is_left_alone() -> None:
    for existing in (secret(CREDENTIALS_FINALIZER), secret(deleting=True), None):
        kube = FakeKube(existing, [])
        await holds(kube).hold("ns", "team-aura")
        assert kube.patches == []


async def test_release_waits_for_every_other_user_under_delete() -> None:
    others = [user("b"), user("c", policy=None), user("d", uses="other")]
    kube = FakeKube(secret(CREDENTIALS_FINALIZER), [user("a"), *others])
    await holds(kube).release_unless_used("ns", "team-aura", leaving="a")
    assert kube.patches == []  # b still uses it under Delete

    kube.instances = [user("a"), *others[1:]]  # c is Retain (the default), d uses another
    await holds(kube).release_unless_used("ns", "team-aura", leaving="a")
    assert kube.patches == [{"metadata": {"finalizers": None, "resourceVersion": "7"}}]


async def test_release_keeps_everyone_elses_finalizers() -> None:
    kube = FakeKube(secret("someone/else", CREDENTIALS_FINALIZER), [])
    await holds(kube).release_unless_used("ns", "team-aura")
    assert kube.patches == [{"metadata": {"finalizers": ["someone/else"], "resourceVersion": "7"}}]


async def test_an_unreadable_spec_still_counts_as_a_user() -> None:
    broken = user("b")
    broken["spec"]["name"] = "\u3000 not readable by a stricter model "
    broken["spec"]["memory"] = "lots"
    kube = FakeKube(secret(CREDENTIALS_FINALIZER), [broken])
    await holds(kube).release_unless_used("ns", "team-aura", leaving="a")
    assert kube.patches == []
