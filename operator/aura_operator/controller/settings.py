"""Operator settings, read once from the environment (names in README "Operator settings")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aura_operator.controller.lease import ElectionTimings

DEFAULT_API_URL = "https://api.neo4j.io"


class SettingsError(ValueError):
    """An operator setting has a value the operator cannot use; the message names the variable."""


class OperatorSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_url: str = DEFAULT_API_URL
    default_credentials_secret: str = "aura-credentials"  # noqa: S105 - a Secret name
    default_credentials_namespaces: tuple[str, ...] = ()
    """Namespaces the default credentials serve; empty: only the operator's own; `*`: all."""
    default_deletion_policy: Literal["Retain", "Delete"] = "Retain"
    watch_namespaces: tuple[str, ...] = ()
    rate_limit: int = Field(default=125, ge=1)
    rate_limit_margin: int = Field(default=2, ge=0)
    rate_limit_scope: Literal["credential", "process"] = "credential"
    background_share: float = Field(default=0.5, gt=0, le=1)
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    health_port: int = Field(default=8080, ge=0, le=65535)
    metrics_port: int = Field(default=9090, ge=0, le=65535)
    time_scale: float = Field(default=1.0, gt=0)
    shutdown_grace: float = Field(default=20.0, ge=0)
    """Seconds a stopping operator gives handlers to finish storing a create answer."""
    pod_namespace: str = "default"
    pod_name: str = ""
    """The Lease holder identity (downward API); empty: host name and a random suffix."""
    leader_election: bool = True
    lease_name: str = Field(default="aura-operator", min_length=1, max_length=253)
    lease_duration: float = Field(default=15.0, gt=0)
    renew_deadline: float = Field(default=10.0, gt=0)
    retry_period: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _election_timings(self) -> OperatorSettings:
        self.election_timings  # noqa: B018 - validates the three together
        return self

    @property
    def election_timings(self) -> ElectionTimings:
        try:
            return ElectionTimings(
                lease_duration=self.lease_duration,
                renew_deadline=self.renew_deadline,
                retry_period=self.retry_period,
            )
        except ValidationError as error:
            raise ValueError(
                "AURA_LEASE_RETRY_PERIOD < AURA_LEASE_RENEW_DEADLINE < AURA_LEASE_DURATION "
                f"is needed, got {self.retry_period} < {self.renew_deadline} < "
                f"{self.lease_duration}"
            ) from error

    @field_validator("api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def effective_rate_limit(self) -> int:
        return max(1, self.rate_limit - self.rate_limit_margin)

    def default_credentials_location(self) -> tuple[str, str]:
        """(namespace, name) of the operator-wide credentials Secret."""
        namespace, _, name = self.default_credentials_secret.rpartition("/")
        return (namespace or self.pod_namespace, name)

    def default_credentials_allowed(self, namespace: str) -> bool:
        """Whether AuraInstances in `namespace` may use the default credentials (those without
        spec.credentialsSecretRef)."""
        allowed = self.default_credentials_namespaces or (self.pod_namespace,)
        return "*" in allowed or namespace in allowed

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OperatorSettings:
        env = os.environ if env is None else env
        raw: dict[str, object] = {}
        for field_name, variable in ENVIRONMENT.items():
            value = env.get(variable, "").strip()
            if value:
                raw[field_name] = value
        for list_field in ("watch_namespaces", "default_credentials_namespaces"):
            namespaces = raw.get(list_field)
            if isinstance(namespaces, str):
                raw[list_field] = tuple(n.strip() for n in namespaces.split(",") if n.strip())
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(
                f"{ENVIRONMENT[str(e['loc'][0])]}: {e['msg']}" if e["loc"] else e["msg"]
                for e in error.errors()
            )
            raise SettingsError(f"invalid operator settings: {problems}") from None


# field name -> environment variable
ENVIRONMENT: dict[str, str] = {
    "api_url": "AURA_API_URL",
    "default_credentials_secret": "AURA_DEFAULT_CREDENTIALS_SECRET",
    "default_credentials_namespaces": "AURA_DEFAULT_CREDENTIALS_NAMESPACES",
    "default_deletion_policy": "AURA_DEFAULT_DELETION_POLICY",
    "watch_namespaces": "AURA_WATCH_NAMESPACES",
    "rate_limit": "AURA_RATE_LIMIT",
    "rate_limit_margin": "AURA_RATE_LIMIT_MARGIN",
    "rate_limit_scope": "AURA_RATE_LIMIT_SCOPE",
    "background_share": "AURA_BACKGROUND_SHARE",
    "log_format": "AURA_LOG_FORMAT",
    "log_level": "AURA_LOG_LEVEL",
    "health_port": "AURA_HEALTH_PORT",
    "metrics_port": "AURA_METRICS_PORT",
    "time_scale": "AURA_TIME_SCALE",
    "shutdown_grace": "AURA_SHUTDOWN_GRACE",
    "pod_namespace": "POD_NAMESPACE",
    "pod_name": "POD_NAME",
    "leader_election": "AURA_LEADER_ELECTION",
    "lease_name": "AURA_LEASE_NAME",
    "lease_duration": "AURA_LEASE_DURATION",
    "renew_deadline": "AURA_LEASE_RENEW_DEADLINE",
    "retry_period": "AURA_LEASE_RETRY_PERIOD",
}
