"""Which Aura credentials an object uses, and the client for them."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from aura_operator.api import SecretReference
from aura_operator.aura import AuraApi, AuraClient, Credentials
from aura_operator.controller.credentials import (
    AuraCredentials,
    CredentialsNotAllowed,
    credentials_from_secret,
)
from aura_operator.controller.kube import KubeClient
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.tracking import Tracked

Location = tuple[str, str]  # (namespace, name) of a credentials Secret


@dataclass(frozen=True)
class Access:
    client: AuraClient
    credentials: AuraCredentials
    secret_location: Location
    secret_finalizers: tuple[str, ...] = ()


class Accounts:
    def __init__(self, settings: OperatorSettings, aura: AuraApi, kube: KubeClient) -> None:
        self.settings = settings
        self.aura = aura
        self.kube = kube

    def location(self, tracked: Tracked, ref: SecretReference | None) -> Location:
        """Where this object's credentials are: its own Secret (`ref`, its
        spec.credentialsSecretRef), else the default one where the administrator allows it
        (raises CredentialsNotAllowed)."""
        namespace = tracked.ref.namespace
        if ref is not None:
            return namespace, ref.name
        default = self.settings.default_credentials_location()
        self.check_scope(default, namespace)
        return default

    def check_scope(self, location: Location, requester: str) -> None:
        """Raise CredentialsNotAllowed if an object in namespace `requester` may not use the
        Secret at `location`: the default credentials serve only the allowed namespaces."""
        if location[0] == requester or location != self.settings.default_credentials_location():
            return  # a Secret of the object's own namespace
        if not self.settings.default_credentials_allowed(requester):
            raise CredentialsNotAllowed(
                f"spec.credentialsSecretRef is not set and the operator's default credentials "
                f"do not serve namespace {requester}. Create a Secret with keys clientId and "
                f"clientSecret (optionally tenantId) in {requester} and name it in "
                "spec.credentialsSecretRef.name, or ask the operator's administrator to add "
                f"{requester} to AURA_DEFAULT_CREDENTIALS_NAMESPACES. Nothing was sent to Aura."
            )

    async def for_object(self, tracked: Tracked, ref: SecretReference | None) -> Access:
        """The Aura client of this object's credentials Secret (`ref`, as for `location`; raises
        CredentialsProblem); remembered on the object for a delete after the Secret is gone."""
        access = await self.at(self.location(tracked, ref))
        tracked.access = access
        return access

    async def at(self, location: Location, *, requester: str | None = None) -> Access:
        """The Aura client of the Secret at `location`; with `requester`, only if an object in
        that namespace may use it (raises CredentialsNotAllowed, CredentialsProblem)."""
        if requester is not None:
            self.check_scope(location, requester)
        namespace, name = location
        secret = await self.kube.get_secret(namespace, name)
        credentials = credentials_from_secret(secret, namespace=namespace, name=name)
        client = self.aura.client_for(
            Credentials(credentials.client_id, SecretStr(credentials.client_secret))
        )
        finalizers = tuple((secret or {}).get("metadata", {}).get("finalizers") or ())
        return Access(client, credentials, location, finalizers)
