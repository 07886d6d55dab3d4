"""The connection Secret: reserved before a create, written with the password right after it (a
write that fails goes on in the background, never holding a create slot or the object's lock),
or without the password for an adopted instance (keeping a password already there).

The operator writes only into a Secret it created for this object or marked with this object's
uid (secrets.standing_of); any other Secret of that name is left untouched and reported.
"""

from __future__ import annotations

import logging
from typing import Any

from aura_operator.api import DeletionPolicy, connection_secret_name
from aura_operator.controller.instance.connection_secret import (
    ConnectionDetails,
    SecretStanding,
    Standing,
    connection_secret,
    may_write,
    secret_has_password_for,
    secret_password,
    standing_of,
)
from aura_operator.controller.instance.desired import Desired
from aura_operator.controller.instance.pending import PendingPasswords
from aura_operator.controller.kube import KubeError, ObjectRef
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")


class SecretConflict(Exception):
    """The connection Secret is not this object's to write; the message says why and the fix."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SecretRefused(Exception):
    """The API server refused to create the connection Secret (invalid name, namespace being
    deleted, forbidden, quota); the message carries its answer."""

    def __init__(self, name: str, error: KubeError) -> None:
        super().__init__(f"the API server refused to create connection Secret {name}: {error}")
        self.status = error.status


def conflict(name: str, standing: SecretStanding, *, owner_alive: bool) -> SecretConflict:
    """The stall for a Secret this object may not write; `owner_alive`: the object it was
    written for still exists."""
    if standing.kind in (Standing.KEPT, Standing.RESERVED) and owner_alive:
        return SecretConflict(
            "ConnectionSecretConflict",
            f"Secret {name} is the connection Secret of AuraInstance {standing.owner}; set "
            "spec.connectionSecret.name to another Secret. Nothing was sent to Aura.",
        )
    if standing.instance_id is not None:
        return SecretConflict(
            "ConnectionSecretInUse",
            f"Secret {name} holds the connection of Aura instance {standing.instance_id} (kept "
            f"from an earlier resource?). To take that instance over, delete this resource and "
            f"apply it again with spec.instanceId: {standing.instance_id} (it is fixed at "
            "creation); to create a new one, set spec.connectionSecret.name to another Secret. "
            "Nothing was sent to Aura.",
        )
    if standing.kind is Standing.RESERVED:
        return SecretConflict(
            "ConnectionSecretConflict",
            f"Secret {name} was reserved by AuraInstance {standing.owner or 'another resource'}"
            ", now deleted, and holds nothing; delete that Secret or set "
            "spec.connectionSecret.name to another Secret. Nothing was sent to Aura.",
        )
    return SecretConflict(
        "ConnectionSecretConflict",
        f"Secret {name} already exists and was not written by the operator for this resource; "
        "it is left untouched. Set spec.connectionSecret.name to a Secret name not in use (or "
        "remove that Secret). Nothing was sent to Aura.",
    )


class ConnectionSecrets:
    def __init__(self, publisher: Publisher, *, retry_first: float = 1.0) -> None:
        self.publish = publisher
        self.pending = PendingPasswords(self._write_password, publisher, retry_first=retry_first)

    @staticmethod
    def name(tracked: Tracked, desired: Desired) -> str:
        return connection_secret_name(desired.spec, tracked.ref.name)

    def manifest(
        self,
        tracked: Tracked,
        desired: Desired,
        details: ConnectionDetails | None,
        *,
        bare: bool = False,
        owned: bool | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """The Secret; `bare` leaves out the user's labels and annotations (a fallback when the
        API server refuses them: the password must land first); `owned` overrides the policy."""
        name = self.name(tracked, desired)
        spec = desired.spec.model_copy(update={"connection_secret": None}) if bare else desired.spec
        if owned is None:
            owned = desired.deletion_policy is DeletionPolicy.DELETE
        return name, connection_secret(
            name=name,
            namespace=tracked.ref.namespace,
            details=details,
            spec=spec,
            owner_name=tracked.ref.name,
            owner_uid=tracked.ref.uid,
            owned=owned,
        )

    async def standing(self, tracked: Tracked, name: str) -> tuple[dict[str, Any] | None, Any]:
        secret = await self.publish.kube.get_secret(tracked.ref.namespace, name)
        return secret, standing_of(secret, tracked.ref.uid)

    async def _conflict(
        self, tracked: Tracked, name: str, standing: SecretStanding
    ) -> SecretConflict:
        alive = False
        if standing.owner and standing.owner_uid:
            namespace, _, owner_name = standing.owner.partition("/")
            owner = await self.publish.kube.get_instance(ObjectRef(namespace, owner_name))
            alive = owner is not None and owner["metadata"].get("uid") == standing.owner_uid
        return conflict(name, standing, owner_alive=alive)

    # Before a create ------------------------------------------------------------------------

    async def reserve(self, tracked: Tracked, desired: Desired) -> None:
        """Create the empty connection Secret marked as this object's, before anything is sent
        to Aura. Raises SecretConflict (the name is taken) or SecretRefused; a KubeError of a
        failing API server passes through."""
        name, body = self.manifest(tracked, desired, None)
        for _ in range(2):  # a second try if the Secret is deleted between the 409 and the read
            try:
                await self.publish.kube.create_secret(tracked.ref.namespace, body)
                return
            except KubeError as error:
                if error.status != 409:
                    if 400 <= error.status < 500:
                        raise SecretRefused(name, error) from None
                    raise
            _, standing = await self.standing(tracked, name)
            if standing.kind is Standing.OURS and standing.instance_id is None:
                return  # reserved by an earlier attempt of this object
            if standing.kind is not Standing.ABSENT:
                raise await self._conflict(tracked, name, standing)
        raise KubeError(409, "POST", name, "the Secret keeps appearing and disappearing")

    async def release_reservation(self, tracked: Tracked, desired: Desired) -> None:
        """Delete this object's empty reservation (an object deleted before its create)."""
        name = self.name(tracked, desired)
        secret, standing = await self.standing(tracked, name)
        if secret is not None and standing.kind is Standing.OURS and not standing.instance_id:
            try:
                await self.publish.kube.delete_secret(
                    tracked.ref.namespace, name, uid=secret["metadata"]["uid"]
                )
            except KubeError as error:
                if error.status not in (404, 409):
                    raise

    # Writing ------------------------------------------------------------------------------

    async def _write(
        self,
        tracked: Tracked,
        name: str,
        body: dict[str, Any],
        *,
        taking: str | None = None,
    ) -> dict[str, Any] | None:
        """Create the Secret, or update it if it is this object's (or one kept for `taking`).
        Returns the Secret as it was before. Raises SecretConflict, KubeError."""
        namespace = tracked.ref.namespace
        existing, standing = await self.standing(tracked, name)
        if not may_write(standing, taking=taking):
            raise await self._conflict(tracked, name, standing)
        if existing is None:
            await self.publish.kube.create_secret(namespace, body)
            return None
        metadata = body["metadata"]
        patch = {
            "metadata": {
                "labels": metadata["labels"],
                "annotations": metadata["annotations"],
                "ownerReferences": metadata.get("ownerReferences"),
                # Fails with 409 if the Secret changed since it was read: never a blind merge.
                "resourceVersion": existing["metadata"].get("resourceVersion"),
            },
            "data": body["data"],
        }
        await self.publish.kube.patch_secret(namespace, name, patch)
        return existing

    async def _write_password(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails, owned: bool | None
    ) -> str:
        name, body = self.manifest(tracked, desired, details, owned=owned)
        try:
            await self._write(tracked, name, body)
        except KubeError as error:
            if error.status not in (400, 422):
                raise
            # The user's labels or annotations were refused: the password must land first.
            name, body = self.manifest(tracked, desired, details, bare=True, owned=owned)
            await self._write(tracked, name, body)
        return name

    async def write_with_password(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails
    ) -> str | None:
        """Write the Secret now; the Secret's name, or None when the write failed and goes on
        in the background (the password exists nowhere else), freeing the caller at once."""
        try:
            return await self._write_password(tracked, desired, details, None)
        except Exception as error:  # any failure: the password must not be dropped
            logger.warning(
                "%s: writing connection Secret %s failed, retrying in the background: %s",
                tracked.ref,
                self.name(tracked, desired),
                error,
            )
            self.pending.start(tracked, desired, details, str(error))
            return None

    async def write_without_password(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails, report: Report
    ) -> bool:
        """Everything but the password, which Aura never sends again; a password already in
        the Secret for this instance is kept. Fills the report; returns whether a password is
        available. Raises SecretConflict for a Secret that is not this object's."""
        name, body = self.manifest(tracked, desired, details)
        existing = await self._write(tracked, name, body, taking=details.instance_id)
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

    async def move(
        self,
        tracked: Tracked,
        desired: Desired,
        old_name: str,
        details: ConnectionDetails,
        report: Report,
    ) -> None:
        """spec.connectionSecret.name changed: write the new Secret, with the password the old
        one holds, then free the old one of any owner reference (it stays: applications may
        still mount it) so no garbage collection takes the password. Raises SecretConflict."""
        old, standing = await self.standing(tracked, old_name)
        password = None
        if standing.kind is Standing.OURS and secret_has_password_for(old, details.instance_id):
            password = secret_password(old)
        moved = ConnectionDetails(
            details.instance_id,
            details.instance_name,
            details.connection_url,
            details.username,
            password,
        )
        has_password = await self.write_without_password(tracked, desired, moved, report)
        if password is not None and not has_password:
            name = self.name(tracked, desired)
            report.credentials_available(True, "PasswordStored", f"Secret {name}")
        await self.set_owned(tracked, desired, owned=False, name=old_name)

    # Reading and ownership ------------------------------------------------------------------

    async def keep_after_owner_vanished(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails
    ) -> None:
        """The resource vanished (its finalizer removed by hand) while a create was answered:
        the Aura instance stays, so its Secret, the only copy of the password, must not go to
        the garbage collector with its owner. It is freed of its owner or, if the collector
        took it already, written again owned by nothing. (The collector deletes with the
        resourceVersion it judged by: a Secret freed since is left alone.)"""
        name = self.name(tracked, desired)
        logger.warning(
            "%s vanished while Aura created instance %s; the instance is left alone and Secret "
            "%s keeps its password",
            tracked.ref,
            details.instance_id,
            name,
        )
        for _ in range(3):  # a Secret taken by the collector between our read and our write
            secret, standing = await self.standing(tracked, name)
            try:
                if secret is None:
                    _, body = self.manifest(tracked, desired, details, owned=False)
                    await self.publish.kube.create_secret(tracked.ref.namespace, body)
                elif (
                    standing.kind is Standing.OURS
                    and standing.instance_id == details.instance_id
                    and secret["metadata"].get("ownerReferences")
                ):
                    await self.publish.kube.patch_secret(
                        tracked.ref.namespace,
                        name,
                        {
                            "metadata": {
                                "ownerReferences": None,
                                "resourceVersion": secret["metadata"]["resourceVersion"],
                            }
                        },
                    )
                return
            except KubeError as error:
                if error.status not in (404, 409):
                    raise

    async def instance_in_secret(self, tracked: Tracked, desired: Desired) -> str | None:
        """The Aura instance this object's own connection Secret holds, with its password
        (None: no such Secret, or not this object's)."""
        secret, standing = await self.standing(tracked, self.name(tracked, desired))
        instance_id = standing.instance_id
        if standing.kind is not Standing.OURS or instance_id is None:
            return None
        return instance_id if secret_has_password_for(secret, instance_id) else None

    async def set_owned(
        self, tracked: Tracked, desired: Desired, *, owned: bool, name: str | None = None
    ) -> None:
        """Make this object's Secret follow a deletion policy: owned by the resource (deleted
        with it) under Delete, free under Retain. The policy may have changed since it was
        written. Another object's or a foreign Secret is never touched."""
        name = name or self.name(tracked, desired)
        secret, standing = await self.standing(tracked, name)
        if secret is None or standing.kind is not Standing.OURS:
            return
        if owned and standing.instance_id != tracked.instance_id:
            # Never hand the garbage collector a password of an instance this object has not
            # recorded (its status write may have been lost with the object itself).
            return
        _, wanted = self.manifest(tracked, desired, None, owned=owned)
        owners = wanted["metadata"].get("ownerReferences")
        if (secret["metadata"].get("ownerReferences") or None) != owners:
            await self.publish.kube.patch_secret(
                tracked.ref.namespace,
                name,
                {
                    "metadata": {
                        "ownerReferences": owners,
                        "resourceVersion": secret["metadata"].get("resourceVersion"),
                    }
                },
            )
