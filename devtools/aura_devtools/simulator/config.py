"""Configuration of the simulator: credentials, tenants, timings, rate limit and faults.

Every duration here is in simulated seconds (see docs/contracts.md, "Time scale"); only
`Faults.latency` is in real seconds because it slows the HTTP exchange itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

INSTANCE_TYPES: tuple[str, ...] = (
    "free-db",
    "professional-db",
    "business-critical",
    "enterprise-db",
    "professional-ds",
    "enterprise-ds",
)
CLOUD_PROVIDERS: tuple[str, ...] = ("gcp", "aws", "azure")
MEMORY_LADDER_GB: tuple[int, ...] = (1, 2, 4, 8, 16, 24, 32, 48, 64, 128, 192, 256, 384, 512)

# (cloud provider, region, region name) offered by the default tenants.
DEFAULT_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("gcp", "europe-west1", "Belgium (europe-west1)"),
    ("gcp", "us-central1", "Iowa (us-central1)"),
    ("aws", "us-east-1", "N. Virginia (us-east-1)"),
    ("aws", "eu-west-1", "Ireland (eu-west-1)"),
    ("azure", "eastus", "Virginia (eastus)"),
    ("azure", "westeurope", "Netherlands (westeurope)"),
)

DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 - a published demo value, not a secret
DEMO_TENANTS: tuple[tuple[str, str], ...] = (
    ("8c2a7e4e-5f0b-4d8e-9a51-1f3c6b2d7e01", "Demo Production"),
    ("3b9d1c60-2e7a-4f4c-8b1d-6a0e5c9f4d02", "Demo Staging"),
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Credential(_Model):
    """One API credential (client id and secret) accepted by `/oauth/token`."""

    client_id: str = Field(min_length=1)
    client_secret: SecretStr


class InstanceConfiguration(_Model):
    """One entry of a tenant's `instance_configurations`, exactly as Aura returns it."""

    cloud_provider: str
    region: str
    region_name: str
    type: str
    memory: str
    storage: str
    version: str = "5"


def default_instance_configurations() -> list[InstanceConfiguration]:
    """Every type in every default region over the 1-512 GB ladder (storage = 2 x memory).

    free-db is only offered as 1GB on gcp europe-west1, as the Aura CLI assumes.
    """
    configs = [
        InstanceConfiguration(
            cloud_provider="gcp",
            region="europe-west1",
            region_name="Belgium (europe-west1)",
            type="free-db",
            memory="1GB",
            storage="2GB",
        )
    ]
    for provider, region, region_name in DEFAULT_REGIONS:
        for instance_type in INSTANCE_TYPES[1:]:
            for gb in MEMORY_LADDER_GB:
                configs.append(
                    InstanceConfiguration(
                        cloud_provider=provider,
                        region=region,
                        region_name=region_name,
                        type=instance_type,
                        memory=f"{gb}GB",
                        storage=f"{2 * gb}GB",
                    )
                )
    return configs


class Tenant(_Model):
    """A tenant (project); its configurations decide which creates are valid."""

    id: str = Field(min_length=1)
    name: str
    instance_configurations: list[InstanceConfiguration] = Field(
        default_factory=default_instance_configurations
    )


def default_tenants() -> list[Tenant]:
    return [Tenant(id=tenant_id, name=name) for tenant_id, name in DEMO_TENANTS]


def default_credentials() -> list[Credential]:
    return [Credential(client_id=DEMO_CLIENT_ID, client_secret=SecretStr(DEMO_CLIENT_SECRET))]


class Durations(_Model):
    """Simulated seconds each transition takes; field names are the transitional statuses."""

    creating: float = Field(default=240.0, ge=0)
    updating: float = Field(default=120.0, ge=0)
    pausing: float = Field(default=60.0, ge=0)
    resuming: float = Field(default=120.0, ge=0)
    destroying: float = Field(default=30.0, ge=0)
    restoring: float = Field(default=120.0, ge=0)
    overwriting: float = Field(default=180.0, ge=0)
    loading: float = Field(default=60.0, ge=0)
    suspending: float = Field(default=60.0, ge=0)
    snapshot_pending: float = Field(default=5.0, ge=0)
    snapshot: float = Field(default=60.0, ge=0)
    cmk: float = Field(default=60.0, ge=0)


DURATION_NAMES: tuple[str, ...] = tuple(Durations.model_fields)

ErrorShape = Literal["errors", "middleware"]
CommitThenFail = Literal["500", "502", "503", "504", "drop", "hang"]


class Faults(_Model):
    """Fault switches; replaceable at run time through `/_sim/faults`.

    Counters (`create_commit_then_fail_count`, `create_fail_count`) count down as they fire, and
    `rate_limit_storm_seconds` reads back as the time left, so a GET shows what is still armed.
    """

    error_rate: float = Field(default=0.0, ge=0, le=1)
    error_codes: list[int] = Field(default_factory=lambda: [500, 502, 503], min_length=1)
    error_retry_after: int | None = Field(default=None, ge=0)
    # Restrict injected 5xx to these methods (e.g. ["GET"]); None means every method.
    error_methods: list[str] | None = None
    # Whether `/oauth/token` gets injected 5xx too (by default only /v1 does).
    error_token_endpoint: bool = False
    latency: float = Field(default=0.0, ge=0)
    # Real seconds added to every `/oauth/token` answer (on top of `latency`).
    token_latency: float = Field(default=0.0, ge=0)
    # "hang": the answer never comes (until the client gives up): a process killed meanwhile.
    # A status code: the gateway answers it (HTML with `gateway_error_html` for 502-504).
    create_commit_then_fail: CommitThenFail | None = None
    create_commit_then_fail_count: int = Field(default=1, ge=0)
    # Simulated seconds between such a failed create and its commit: the instance appears
    # (with that `created_at`) long after the client was told the create failed.
    create_commit_delay: float = Field(default=0.0, ge=0)
    # Eventual consistency: for this many simulated seconds after an instance is created,
    # `GET /instances/{id}` answers 404 and the listing leaves it out.
    read_after_create_404_seconds: float = Field(default=0.0, ge=0)
    list_after_create_lag_seconds: float = Field(default=0.0, ge=0)
    # The same for `DELETE /instances/{id}`: it answers 404 (and deletes nothing) while the
    # instance exists, for this many simulated seconds after the create.
    delete_after_create_404_seconds: float = Field(default=0.0, ge=0)
    # `memory` and `storage` are null in instance answers while the instance is creating.
    null_sizes_while_creating: bool = False
    # business-critical instances answer `cdc_enrichment_mode` null, even after a PATCH that
    # set it (seen by the Labs Terraform provider).
    cdc_unreported_on_business_critical: bool = False
    # The next N created instances end in `loading failed` instead of `running`.
    create_fail_count: int = Field(default=0, ge=0)
    rate_limit_storm_seconds: float = Field(default=0.0, ge=0)
    rate_limit_retry_after: bool = True
    # `Retry-After` (429 and injected 5xx) as delta seconds or as an HTTP date on the
    # simulated clock (compare it with the `Date` header, not the host's clock).
    retry_after_format: Literal["seconds", "http-date"] = "seconds"
    unknown_status: str | None = None
    extra_fields: bool = False
    auth_error_shape: ErrorShape = "errors"
    # Shape of errors the gateway produces itself: 415, 429 and injected 5xx.
    gateway_error_shape: ErrorShape = "errors"
    # Injected 502/503/504 come from a load balancer: a text/html page, no X-Request-Id.
    gateway_error_html: bool = False
    unknown_request_fields: Literal["ignore", "reject"] = "ignore"
    external_load: dict[str, float] = Field(default_factory=dict)
    free_db_limit_status: int = 405
    # Status for pause-when-not-running, resume-when-not-paused and similar.
    wrong_state_status: int = 409
    max_instances: int | None = Field(default=None, ge=0)
    missing_billing_details: bool = False
    snapshot_fail: bool = False
    # The v1 spec lists 402 Payment Required for POST .../snapshots (a plan without on-demand
    # snapshots); every snapshot request gets it while this is on.
    snapshots_payment_required: bool = False
    # "Commit then fail" for action POSTs: Aura acts (takes the snapshot, starts the restore or
    # overwrite) but the client never learns it. `action_commit_then_fail_on` limits it to one
    # endpoint; None means the next snapshot, restore or overwrite request.
    action_commit_then_fail: CommitThenFail | None = None
    action_commit_then_fail_on: Literal["snapshot", "restore", "overwrite"] | None = None
    api_expires: str | None = None


class SimulatorConfig(_Model):
    """Everything the simulator needs; `SimulatorConfig()` equals `SimulatorConfig.default()`."""

    credentials: list[Credential] = Field(default_factory=default_credentials, min_length=1)
    tenants: list[Tenant] = Field(default_factory=default_tenants)
    time_scale: float = Field(default=1.0, gt=0)
    # Simulated seconds Aura's clock is ahead of (positive) or behind (negative) the host's:
    # `created_at`, `Date` headers and HTTP-date `Retry-After` values all carry it.
    clock_offset: float = 0.0
    rate_limit_per_minute: int = Field(default=125, ge=1)
    rate_limit_scope: Literal["client", "global"] = "client"
    rate_limit_token_endpoint: bool = True
    token_lifetime: float = Field(default=3600.0, gt=0)
    durations: Durations = Field(default_factory=Durations)
    # Sigma of a lognormal factor (median 1) applied to every duration; 0 keeps them exact.
    duration_jitter: float = Field(default=0.0, ge=0)
    seed: int | None = None
    # Aura takes a scheduled snapshot right after creation, refusing ad-hoc ones meanwhile.
    initial_scheduled_snapshot: bool = True
    request_log_limit: int = Field(default=100_000, ge=1)
    faults: Faults = Field(default_factory=Faults)

    @classmethod
    def default(cls) -> SimulatorConfig:
        """The demo configuration the README quotes: `demo-client`/`demo-secret`, two tenants."""
        return cls()
