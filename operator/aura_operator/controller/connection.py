"""Writing the connection Secret: with the password right after a create (retried from memory
until it is stored, promise 2), or without it for an adopted instance (keeping a password
already there)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aura_operator.api import DeletionPolicy, connection_secret_name
from aura_operator.controller.desired import Desired
from aura_operator.controller.kube import KubeError
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.secrets import (
    ConnectionDetails,
    connection_secret,
    secret_has_password_for,
    secret_instance_id,
)
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")

RETRY_MAX = 30.0


class ConnectionSecrets:
    def __init__(self, publisher: Publisher, *, retry_first: float = 1.0) -> None:
        self.publish = publisher
        self.retry_first = retry_first

    @staticmethod
    def name(tracked: Tracked, desired: Desired) -> str:
        return connection_secret_name(desired.spec, tracked.ref.name)

    def manifest(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails, *, bare: bool = False
    ) -> tuple[str, dict[str, Any]]:
        """The Secret; `bare` leaves out the user's labels and annotations (a fallback when the
        API server refuses them: the password must land first)."""
        name = self.name(tracked, desired)
        spec = desired.spec.model_copy(update={"connection_secret": None}) if bare else desired.spec
        return name, connection_secret(
            name=name,
            namespace=tracked.ref.namespace,
            details=details,
            spec=spec,
            owner_name=tracked.ref.name,
            owner_uid=tracked.ref.uid,
            owned=desired.deletion_policy is DeletionPolicy.DELETE,
        )

    async def instance_in_secret(
        self, tracked: Tracked, desired: Desired, *, with_password: bool = True
    ) -> str | None:
        """The Aura instance the connection Secret already belongs to (None: no Secret, or one
        that names no instance; with `with_password`, also None when it holds no password)."""
        secret = await self.publish.kube.get_secret(
            tracked.ref.namespace, self.name(tracked, desired)
        )
        instance_id = secret_instance_id(secret)
        if instance_id is None or (
            with_password and not secret_has_password_for(secret, instance_id)
        ):
            return None
        return instance_id

    async def set_owned(self, tracked: Tracked, desired: Desired, *, owned: bool) -> None:
        """Make the Secret follow the current deletion policy: owned by the resource (deleted
        with it) under Delete, free under Retain. The policy may have changed since it was
        written."""
        name = self.name(tracked, desired)
        secret = await self.publish.kube.get_secret(tracked.ref.namespace, name)
        if secret is None or secret_instance_id(secret) != tracked.instance_id:
            return
        _, wanted = self.manifest(tracked, desired, ConnectionDetails("", "", None))
        owners = wanted["metadata"].get("ownerReferences") if owned else None
        if (secret["metadata"].get("ownerReferences") or None) != owners:
            await self.publish.kube.patch_secret(
                tracked.ref.namespace, name, {"metadata": {"ownerReferences": owners}}
            )

    async def keep_after_owner_vanished(
        self, tracked: Tracked, name: str, instance_id: str
    ) -> None:
        """The resource vanished (its finalizer removed by hand) while a create was answered:
        the Aura instance stays, so its Secret, the only copy of the password, must not go to
        the garbage collector with its owner."""
        logger.warning(
            "%s vanished while Aura created instance %s; the instance is left alone and Secret "
            "%s keeps its password",
            tracked.ref,
            instance_id,
            name,
        )
        secret = await self.publish.kube.get_secret(tracked.ref.namespace, name)
        if (
            secret_instance_id(secret) == instance_id
            and secret
            and secret["metadata"].get("ownerReferences")
        ):
            await self.publish.kube.patch_secret(
                tracked.ref.namespace, name, {"metadata": {"ownerReferences": None}}
            )

    async def write_with_password(
        self,
        tracked: Tracked,
        desired: Desired,
        details: ConnectionDetails,
        request_id: str | None,
    ) -> str:
        """Write the Secret, retrying until it is written: the password exists nowhere else.
        While it fails, the status records the instance id and says the Secret is pending."""
        name, secret = self.manifest(tracked, desired, details)
        delay, reported = self.retry_first, False
        while True:
            try:
                await self.publish.kube.apply_secret(tracked.ref.namespace, secret)
                return name
            except KubeError as error:
                if error.status in (400, 422):  # refused labels or annotations: drop them
                    name, secret = self.manifest(tracked, desired, details, bare=True)
                logger.warning("%s: writing Secret %s failed: %s", tracked.ref, name, error)
                if not reported:
                    reported = await self._report_pending(tracked, details, name, request_id)
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX, delay * 2)
            except Exception as error:  # any failure: the password must not be dropped
                logger.warning(
                    "%s: writing connection Secret %s failed, retrying in %.0fs: %s",
                    tracked.ref,
                    name,
                    delay,
                    error,
                )
                if not reported:
                    reported = await self._report_pending(tracked, details, name, request_id)
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX, delay * 2)

    async def _report_pending(
        self, tracked: Tracked, details: ConnectionDetails, name: str, request_id: str | None
    ) -> bool:
        report = Report(
            fields={
                "instanceId": details.instance_id,
                "createIntent": None,
                "lastRequestId": request_id,
            }
        )
        report.credentials_available(
            False,
            "ConnectionSecretWritePending",
            f"Writing Secret {name} failed; the operator holds the password in memory and "
            "keeps retrying",
        )
        try:
            await self.publish.status(tracked, report)
            return True
        except Exception:  # the API server is failing; the next attempt will tell
            return False

    async def write_without_password(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails, report: Report
    ) -> bool:
        """Everything but the password, which Aura never sends again; a password already in
        the Secret for this instance is kept. Fills the report; returns whether a password is
        available."""
        name, secret = self.manifest(tracked, desired, details)
        existing = await self.publish.kube.get_secret(tracked.ref.namespace, name)
        await self.publish.kube.apply_secret(tracked.ref.namespace, secret)
        report.fields["connectionSecretName"] = name
        if secret_has_password_for(existing, details.instance_id):
            report.credentials_available(True, "PasswordStored", f"Secret {name}")
            return True
        report.credentials_available(
            False,
            "PasswordNotRecoverable",
            f"Aura shows the password of instance {details.instance_id} only when it creates "
            f"it; reset it in the Aura console and store it in Secret {name} under "
            "NEO4J_PASSWORD",
        )
        return False
