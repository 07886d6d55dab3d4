"""The credentials Secret an object names (or the operator-wide one): its Aura API client id,
client secret and optional tenant id."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from aura_operator.api import CredentialsSecretKey

CLIENT_ID = CredentialsSecretKey.CLIENT_ID.value
CLIENT_SECRET = CredentialsSecretKey.CLIENT_SECRET.value
TENANT_ID = CredentialsSecretKey.TENANT_ID.value


@dataclass(frozen=True)
class AuraCredentials:
    client_id: str
    client_secret: str
    tenant_id: str | None

    def __repr__(self) -> str:
        return f"AuraCredentials(client_id={self.client_id!r}, client_secret=***)"


class CredentialsProblem(Exception):
    """The credentials Secret is missing or incomplete; the message names what is missing."""

    reason = "CredentialsMissing"


class CredentialsNotAllowed(CredentialsProblem):
    """The object names no credentials Secret and the default credentials do not serve its
    namespace; the message says how to fix it."""

    reason = "CredentialsNotAllowed"


def credentials_from_secret(
    secret: dict[str, Any] | None, *, namespace: str, name: str
) -> AuraCredentials:
    if secret is None:
        raise CredentialsProblem(
            f"credentials Secret {namespace}/{name} not found; create it with keys "
            "clientId and clientSecret (and optionally tenantId)"
        )
    data = secret.get("data") or {}
    missing = [key for key in (CLIENT_ID, CLIENT_SECRET) if not data.get(key)]
    if missing:
        raise CredentialsProblem(
            f"credentials Secret {namespace}/{name} has no key {' or '.join(missing)}"
        )
    tenant = _unb64(data[TENANT_ID]) if data.get(TENANT_ID) else None
    return AuraCredentials(
        client_id=_unb64(data[CLIENT_ID]).strip(),
        client_secret=_unb64(data[CLIENT_SECRET]).strip(),
        tenant_id=tenant.strip() if tenant else None,
    )


def _unb64(value: str) -> str:
    return base64.b64decode(value).decode()
