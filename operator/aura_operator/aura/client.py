"""The Aura v1 calls the operator makes, for one credential."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter, ValidationError

from aura_operator.aura.calls import Call
from aura_operator.aura.credentials import Credentials
from aura_operator.aura.errors import AuraResponseError
from aura_operator.aura.exchange import Exchange
from aura_operator.aura.failures import outcome_unknown
from aura_operator.aura.lanes import Lane
from aura_operator.aura.models import (
    CreateCustomerManagedKeyRequest,
    CreatedInstance,
    CreateInstanceRequest,
    CustomerManagedKey,
    CustomerManagedKeySummary,
    Instance,
    InstancePatch,
    InstanceSummary,
    OverwriteRequest,
    Snapshot,
    SnapshotRef,
    Tenant,
    TenantSummary,
)
from aura_operator.aura.result import Result
from aura_operator.aura.retry_rules import CallKind
from aura_operator.aura.session import CredentialSession

M = TypeVar("M", bound=BaseModel)

AURA_TIME_MAX_AGE = 600.0
"""Real seconds after which Aura's time is asked for again rather than extrapolated (the local
monotonic clock drifts a little against Aura's)."""

_EMPTY_BODY: Mapping[str, Any] = {}
"""Action POSTs send `{}` so that the JSON Content-Type goes with them (else Aura says 415)."""


@functools.cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def _segment(value: str) -> str:
    return quote(value, safe=":")


class AuraClient:
    """All calls of one credential. Get one from `AuraApi.client_for`.

    Every method returns a `Result` (value and `X-Request-Id`) or raises an `AuraError`.
    Reads default to the background lane, creates to the create lane, writes to intent.
    """

    def __init__(self, session: CredentialSession) -> None:
        self._session = session

    @property
    def credentials(self) -> Credentials:
        return self._session.credentials

    @property
    def client_id(self) -> str:
        return self._session.credentials.client_id

    async def aura_time(self, *, lane: Lane = Lane.CREATE) -> dt.datetime:
        """Aura's current time (a lower bound, whole seconds) from the `Date` of its latest
        answer; asks Aura (a tenant listing) when it has not answered for a while."""
        server_clock = self._session.server_clock
        age = server_clock.age()
        if age is None or age > AURA_TIME_MAX_AGE:
            await self.list_tenants(lane=lane)
        now = server_clock.now()
        if now is None:  # Aura sends no Date header: fall back to the local clock
            return dt.datetime.now(dt.UTC).replace(microsecond=0)
        return dt.datetime.fromtimestamp(math.floor(now.timestamp()), dt.UTC)

    def requests_per_minute(self) -> float:
        """What this credential's budget currently allows per 60 Aura seconds (its learned
        rate: lower while another client spends part of the limit)."""
        return self._session.budget.rate()

    # Tenants

    async def list_tenants(self, *, lane: Lane = Lane.BACKGROUND) -> Result[list[TenantSummary]]:
        call = self._read("/v1/tenants", "list_tenants", lane)
        return self._parse_list(call, await self._session.request(call), TenantSummary)

    async def get_tenant(self, tenant_id: str, *, lane: Lane = Lane.BACKGROUND) -> Result[Tenant]:
        call = self._read(f"/v1/tenants/{_segment(tenant_id)}", "get_tenant", lane)
        return self._parse(call, await self._session.request(call), Tenant)

    # Instances

    async def list_instances(
        self, tenant_id: str | None = None, *, lane: Lane = Lane.BACKGROUND
    ) -> Result[list[InstanceSummary]]:
        params = {"tenantId": tenant_id} if tenant_id else None
        call = self._read("/v1/instances", "list_instances", lane, params)
        return self._parse_list(call, await self._session.request(call), InstanceSummary)

    async def get_instance(
        self, instance_id: str, *, lane: Lane = Lane.BACKGROUND
    ) -> Result[Instance]:
        call = self._read(f"/v1/instances/{_segment(instance_id)}", "get_instance", lane)
        return self._parse(call, await self._session.request(call), Instance)

    async def create_instance(
        self,
        request: CreateInstanceRequest,
        *,
        lane: Lane = Lane.CREATE,
        send_by: float | None = None,
    ) -> Result[CreatedInstance]:
        """Send the create at most once (retried only on 429 or a connection never made).

        Raises `CreateOutcomeUnknown` when Aura may have created the instance without the
        client learning it (timeout, 5xx, dropped connection, unreadable 202 body), and
        `AuraNotSent` when no attempt could be sent by `send_by` (monotonic seconds).
        """
        call = Call(
            "POST",
            "/v1/instances",
            "create_instance",
            CallKind.CREATE,
            lane,
            request.to_body(),
            send_by=send_by,
        )
        exchange = await self._session.request(call)
        try:
            return self._parse(call, exchange, CreatedInstance)
        except AuraResponseError as exc:
            assert exchange.response is not None
            raise outcome_unknown(
                call,
                f"the 202 body could not be read: {exc.message}",
                exchange.sent_at,
                status=exchange.response.status_code,
                request_id=exchange.request_id,
            ) from None

    async def patch_instance(
        self, instance_id: str, patch: InstancePatch, *, lane: Lane = Lane.INTENT
    ) -> Result[Instance | None]:
        """Instance is None when Aura answers with an empty body (the spec's 202 `{}`)."""
        call = self._action(
            "PATCH", f"/v1/instances/{_segment(instance_id)}", "patch_instance", lane, patch
        )
        return self._parse_optional_instance(call, await self._session.request(call))

    async def delete_instance(
        self, instance_id: str, *, lane: Lane = Lane.INTENT
    ) -> Result[Instance | None]:
        """Raises `AuraNotFound` when the instance is already gone (which means done)."""
        call = Call(
            "DELETE",
            f"/v1/instances/{_segment(instance_id)}",
            "delete_instance",
            CallKind.IDEMPOTENT,
            lane,
        )
        return self._parse_optional_instance(call, await self._session.request(call))

    async def pause_instance(
        self, instance_id: str, *, lane: Lane = Lane.INTENT
    ) -> Result[Instance | None]:
        call = self._action(
            "POST", f"/v1/instances/{_segment(instance_id)}/pause", "pause_instance", lane
        )
        return self._parse_optional_instance(call, await self._session.request(call))

    async def resume_instance(
        self, instance_id: str, *, lane: Lane = Lane.INTENT
    ) -> Result[Instance | None]:
        call = self._action(
            "POST", f"/v1/instances/{_segment(instance_id)}/resume", "resume_instance", lane
        )
        return self._parse_optional_instance(call, await self._session.request(call))

    async def overwrite_instance(
        self, instance_id: str, request: OverwriteRequest, *, lane: Lane = Lane.INTENT
    ) -> Result[Instance | None]:
        path = f"/v1/instances/{_segment(instance_id)}/overwrite"
        call = self._action("POST", path, "overwrite_instance", lane, request)
        return self._parse_optional_instance(call, await self._session.request(call))

    # Snapshots

    async def create_snapshot(
        self, instance_id: str, *, lane: Lane = Lane.INTENT
    ) -> Result[SnapshotRef]:
        path = f"/v1/instances/{_segment(instance_id)}/snapshots"
        call = self._action("POST", path, "create_snapshot", lane)
        return self._parse(call, await self._session.request(call), SnapshotRef)

    async def list_snapshots(
        self, instance_id: str, *, date: dt.date | None = None, lane: Lane = Lane.BACKGROUND
    ) -> Result[list[Snapshot]]:
        """Aura lists one UTC day at a time: `date`, or today."""
        params = {"date": date.isoformat()} if date else None
        path = f"/v1/instances/{_segment(instance_id)}/snapshots"
        call = self._read(path, "list_snapshots", lane, params)
        return self._parse_list(call, await self._session.request(call), Snapshot)

    async def get_snapshot(
        self, instance_id: str, snapshot_id: str, *, lane: Lane = Lane.BACKGROUND
    ) -> Result[Snapshot]:
        path = f"/v1/instances/{_segment(instance_id)}/snapshots/{_segment(snapshot_id)}"
        call = self._read(path, "get_snapshot", lane)
        return self._parse(call, await self._session.request(call), Snapshot)

    async def restore_snapshot(
        self, instance_id: str, snapshot_id: str, *, lane: Lane = Lane.INTENT
    ) -> Result[Instance | None]:
        path = f"/v1/instances/{_segment(instance_id)}/snapshots/{_segment(snapshot_id)}/restore"
        call = self._action("POST", path, "restore_snapshot", lane)
        return self._parse_optional_instance(call, await self._session.request(call))

    # Customer-managed keys

    async def list_customer_managed_keys(
        self, tenant_id: str | None = None, *, lane: Lane = Lane.BACKGROUND
    ) -> Result[list[CustomerManagedKeySummary]]:
        params = {"tenantId": tenant_id} if tenant_id else None
        call = self._read("/v1/customer-managed-keys", "list_customer_managed_keys", lane, params)
        return self._parse_list(call, await self._session.request(call), CustomerManagedKeySummary)

    async def get_customer_managed_key(
        self, key_id: str, *, lane: Lane = Lane.BACKGROUND
    ) -> Result[CustomerManagedKey]:
        path = f"/v1/customer-managed-keys/{_segment(key_id)}"
        call = self._read(path, "get_customer_managed_key", lane)
        return self._parse(call, await self._session.request(call), CustomerManagedKey)

    async def create_customer_managed_key(
        self, request: CreateCustomerManagedKeyRequest, *, lane: Lane = Lane.INTENT
    ) -> Result[CustomerManagedKey]:
        call = self._action(
            "POST", "/v1/customer-managed-keys", "create_customer_managed_key", lane, request
        )
        return self._parse(call, await self._session.request(call), CustomerManagedKey)

    async def delete_customer_managed_key(
        self, key_id: str, *, lane: Lane = Lane.INTENT
    ) -> Result[None]:
        path = f"/v1/customer-managed-keys/{_segment(key_id)}"
        call = Call("DELETE", path, "delete_customer_managed_key", CallKind.IDEMPOTENT, lane)
        exchange = await self._session.request(call)
        assert exchange.response is not None
        return Result(None, exchange.request_id, exchange.response.status_code)

    # Building calls and reading responses

    @staticmethod
    def _read(
        path: str, endpoint: str, lane: Lane, params: Mapping[str, str] | None = None
    ) -> Call:
        return Call("GET", path, endpoint, CallKind.IDEMPOTENT, lane, params=params)

    @staticmethod
    def _action(
        method: str, path: str, endpoint: str, lane: Lane, body: BaseModel | None = None
    ) -> Call:
        json = _EMPTY_BODY if body is None else body.model_dump(mode="json", exclude_none=True)
        return Call(method, path, endpoint, CallKind.ACTION, lane, json)

    def _parse(self, call: Call, exchange: Exchange, model: type[M]) -> Result[M]:
        data = self._data(call, exchange)
        return self._result(exchange, self._validate(call, exchange, _adapter(model), data))

    def _parse_list(self, call: Call, exchange: Exchange, model: type[M]) -> Result[list[M]]:
        data = self._data(call, exchange)
        items = self._validate(call, exchange, _adapter(list[model]), data)  # type: ignore[valid-type]
        return self._result(exchange, items)

    def _parse_optional_instance(self, call: Call, exchange: Exchange) -> Result[Instance | None]:
        data = self._data(call, exchange, allow_empty=True)
        if not isinstance(data, Mapping) or "id" not in data or "status" not in data:
            return self._result(exchange, None)
        return self._result(exchange, self._validate(call, exchange, _adapter(Instance), data))

    @staticmethod
    def _result(exchange: Exchange, value: Any) -> Result[Any]:
        assert exchange.response is not None
        return Result(value, exchange.request_id, exchange.response.status_code)

    @staticmethod
    def _data(call: Call, exchange: Exchange, *, allow_empty: bool = False) -> Any:
        response = exchange.response
        assert response is not None
        if allow_empty and not response.content.strip():
            return None
        try:
            body = response.json()
        except ValueError:
            raise AuraResponseError(
                "the response body is not JSON",
                method=call.method,
                path=call.path,
                status=response.status_code,
                request_id=exchange.request_id,
            ) from None
        if isinstance(body, Mapping) and "data" in body:
            return body["data"]
        return body

    @staticmethod
    def _validate(call: Call, exchange: Exchange, adapter: TypeAdapter[Any], data: Any) -> Any:
        try:
            return adapter.validate_python(data)
        except ValidationError as exc:
            # Without input values: the rejected input might be a password.
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}"
                for error in exc.errors(include_input=False, include_url=False)
            )
            assert exchange.response is not None
            raise AuraResponseError(
                f"unexpected response shape: {problems}",
                method=call.method,
                path=call.path,
                status=exchange.response.status_code,
                request_id=exchange.request_id,
            ) from None
