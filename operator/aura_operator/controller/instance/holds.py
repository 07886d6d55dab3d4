"""A finalizer of the operator's on a credentials Secret while an AuraInstance under `Delete`
uses it (spec.credentialsSecretRef).

When a namespace is deleted, its Secrets may go before its AuraInstances; an operator that
restarts then has no credentials to carry out their deletion policy, and the instances stay
billed. Held, the Secret stays readable (terminating) until the last AuraInstance under `Delete`
that uses it is finalized. Only the operator's own finalizer is ever added or removed, with the
Secret's resourceVersion as a precondition so no one else's change is overwritten.
"""

from __future__ import annotations

import logging
from typing import Any

from aura_operator.api import FINALIZER, GROUP, PLURAL, DeletionPolicy
from aura_operator.controller.kube import KubeClient, KubeError

logger = logging.getLogger("aura_operator.controller")

CREDENTIALS_FINALIZER = f"{GROUP}/credentials-in-use"


def finalizers_of(obj: dict[str, Any] | None) -> list[str]:
    return list(((obj or {}).get("metadata") or {}).get("finalizers") or [])


class CredentialsHolds:
    def __init__(self, kube: KubeClient, *, default_deletion_policy: str) -> None:
        self.kube = kube
        self.default_deletion_policy = default_deletion_policy

    async def hold(self, namespace: str, name: str) -> None:
        """Add the finalizer to the Secret (a Secret already being deleted cannot take one:
        the API server refuses new finalizers then, and the last known credentials serve)."""
        secret = await self.kube.get_secret(namespace, name)
        if secret is None or CREDENTIALS_FINALIZER in finalizers_of(secret):
            return
        if secret["metadata"].get("deletionTimestamp"):
            return
        try:
            await self._set(namespace, secret, [*finalizers_of(secret), CREDENTIALS_FINALIZER])
        except KubeError as error:  # the next reconcile tries again
            logger.warning("could not hold credentials Secret %s/%s: %s", namespace, name, error)

    async def release_unless_used(self, namespace: str, name: str, *, leaving: str = "") -> None:
        """Remove the finalizer unless another AuraInstance under Delete (not `leaving`, the uid
        of one being finalized) still uses the Secret. Raises KubeError when the write fails, so
        the caller retries: a Secret left held would keep its namespace from going."""
        secret = await self.kube.get_secret(namespace, name)
        if CREDENTIALS_FINALIZER not in finalizers_of(secret):
            return
        assert secret is not None
        users = [
            item["metadata"]["name"]
            for item in await self.kube.list_objects(PLURAL, (namespace,))
            if item["metadata"].get("uid") != leaving and self._uses(item, name)
        ]
        if users:
            return
        remaining = [f for f in finalizers_of(secret) if f != CREDENTIALS_FINALIZER]
        await self._set(namespace, secret, remaining)

    def _uses(self, item: dict[str, Any], name: str) -> bool:
        """Raw fields, not the model: an unreadable spec must not hide a user."""
        spec = item.get("spec") or {}
        reference = (spec.get("credentialsSecretRef") or {}).get("name")
        policy = spec.get("deletionPolicy") or self.default_deletion_policy
        return (
            reference == name
            and policy == DeletionPolicy.DELETE.value
            and FINALIZER in finalizers_of(item)
        )

    async def _set(self, namespace: str, secret: dict[str, Any], finalizers: list[str]) -> None:
        metadata = secret["metadata"]
        patch = {
            "metadata": {
                "finalizers": finalizers or None,
                "resourceVersion": metadata.get("resourceVersion"),
            }
        }
        await self.kube.patch_secret(namespace, metadata["name"], patch)
