"""Aura API credentials and access tokens; neither shows its secret in a repr."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: SecretStr


@dataclass(frozen=True, eq=False)
class AccessToken:
    """A bearer token and when (on the client's monotonic clock) to stop using it."""

    value: SecretStr
    refresh_at: float

    def __repr__(self) -> str:
        return f"AccessToken(value=**********, refresh_at={self.refresh_at:.3f})"

    def authorization(self) -> str:
        return f"Bearer {self.value.get_secret_value()}"
