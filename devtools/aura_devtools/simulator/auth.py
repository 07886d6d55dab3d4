"""Credentials and bearer tokens.

Tokens look like Auth0 JWTs (header.payload.signature, base64url) so clients that peek at `exp`
see sensible values, but the signature is random: clients must treat them as opaque.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
from dataclasses import dataclass
from enum import Enum

from aura_devtools.simulator.config import Credential


class TokenCheck(Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass
class IssuedToken:
    client_id: str
    issued_at: float
    expires_at: float
    revoked: bool = False


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class CredentialStore:
    def __init__(self, credentials: list[Credential]) -> None:
        self._secrets = {c.client_id: c.client_secret.get_secret_value() for c in credentials}

    def knows(self, client_id: str) -> bool:
        return client_id in self._secrets

    def verify(self, client_id: str, client_secret: str) -> bool:
        expected = self._secrets.get(client_id)
        if expected is None:
            return False
        return hmac.compare_digest(expected.encode(), client_secret.encode())


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """(client id, secret) from an `Authorization: Basic ...` header, or None."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        return None
    return client_id, secret


def parse_bearer(header: str | None) -> str | None:
    if not header or header[:7].lower() != "bearer ":
        return None
    token = header[7:].strip()
    return token or None


class TokenStore:
    def __init__(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}

    def __repr__(self) -> str:
        return f"TokenStore({len(self._tokens)} tokens)"

    def issue(self, client_id: str, now: float, lifetime: float) -> str:
        issued_at = int(now)
        expires_at = issued_at + int(lifetime)
        header = {"alg": "RS256", "typ": "JWT", "kid": "aura-simulator"}
        payload = {
            "iss": "https://aura-api.eu.auth0.com/",
            "aud": "https://console.neo4j.io",
            "sub": f"{client_id}@clients",
            "usr": client_id,
            "gty": "client-credentials",
            "iat": issued_at,
            "exp": expires_at,
            "jti": secrets.token_hex(8),
        }
        token = ".".join(
            (
                _b64(json.dumps(header).encode()),
                _b64(json.dumps(payload).encode()),
                _b64(secrets.token_bytes(32)),
            )
        )
        self._tokens[token] = IssuedToken(client_id, float(issued_at), float(expires_at))
        return token

    def check(self, token: str, now: float) -> tuple[TokenCheck, str | None]:
        """The verdict and, when the token was ever issued, its client id."""
        issued = self._tokens.get(token)
        if issued is None:
            return TokenCheck.UNKNOWN, None
        if issued.revoked:
            return TokenCheck.REVOKED, issued.client_id
        if now >= issued.expires_at:
            return TokenCheck.EXPIRED, issued.client_id
        return TokenCheck.VALID, issued.client_id

    def expire_all(self, now: float, client_id: str | None = None) -> int:
        count = 0
        for issued in self._tokens.values():
            if (client_id is None or issued.client_id == client_id) and issued.expires_at > now:
                issued.expires_at = now
                count += 1
        return count

    def revoke_all(self, client_id: str | None = None) -> int:
        count = 0
        for issued in self._tokens.values():
            if (client_id is None or issued.client_id == client_id) and not issued.revoked:
                issued.revoked = True
                count += 1
        return count

    def clear(self) -> None:
        self._tokens.clear()

    def issued(self) -> list[str]:
        """Every bearer token handed out (tests check that none leaks)."""
        return list(self._tokens)

    def __len__(self) -> int:
        return len(self._tokens)
