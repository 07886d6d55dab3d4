"""The leader elector: takes the Lease, renews it, lets it go; and the gate every write asks.

A standby polls the Lease every retry period and takes it once it is free or has lapsed. The
leader renews every retry period; its gate (`refusal`) closes by itself `renew_deadline` after
the last successful renewal began, whether or not anything notices, so no write (to Aura or
to Kubernetes) starts later than that. `hold()` returns (raises `LeadershipLost`) at that
moment, and the process stops.

The elector runs on a thread and event loop of its own (process.py), so that a main loop kept
busy by reconciles cannot delay a renewal. Other threads only read it: `refusal()` compares the
monotonic clock with a deadline the elector's thread moves, with no lock to wait for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from aura_operator.controller.kube import KubeError
from aura_operator.controller.lease import (
    ElectionTimings,
    Observation,
    claimed,
    may_take,
    observe,
    released,
)

logger = logging.getLogger("aura_operator.election")

JSON = dict[str, Any]


class LeaseApi(Protocol):
    async def get_lease(self, namespace: str, name: str) -> JSON | None: ...

    async def create_lease(self, namespace: str, body: JSON) -> JSON: ...

    async def replace_lease(self, namespace: str, name: str, body: JSON) -> JSON: ...


class LeadershipLost(Exception):
    """The Lease was not renewed within the renew deadline: this process must stop."""


@dataclass(frozen=True)
class Predecessor:
    """What the Lease said when this process took it over."""

    existed: bool
    """False: no Lease at all (the first operator ever in this namespace)."""
    holder: str
    annotations: dict[str, str] = field(default_factory=dict)
    seen_at: float = 0.0
    """This process's monotonic time when it first saw that version of the Lease."""
    released: bool = False
    """The holder let the Lease go (a graceful stop), rather than letting it lapse."""


class LeaderElector:
    def __init__(
        self,
        api: LeaseApi,
        *,
        namespace: str,
        name: str,
        identity: str,
        timings: ElectionTimings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.timings = timings
        self._clock = clock
        self.leading = False
        self.holder = ""
        """The holder as last seen ("" unknown or none)."""
        self.predecessor: Predecessor | None = None
        self.record: Callable[[], dict[str, str]] = dict
        """Annotations to publish with every renewal (the budget record); called on the
        elector's thread, so it may only read what other threads change."""
        self._observation: Observation | None = None
        self._renewed_at: float | None = None

    # the gate

    def refusal(self) -> str | None:
        """None while this process may write; else why not."""
        if not self.leading or self._renewed_at is None:
            return f"this process ({self.identity}) does not hold the leader Lease"
        if self._clock() >= self._renewed_at + self.timings.renew_deadline:
            return f"this process ({self.identity}) did not renew the leader Lease in time"
        return None

    # the loops

    async def acquire(self, stopping: Callable[[], bool]) -> bool:
        """Wait as a standby until this process holds the Lease (True) or `stopping()` says so
        (False; asked between attempts, so it may be another thread's flag)."""
        while not stopping():
            if await self._attempt():
                logger.info("%s leads (Lease %s/%s)", self.identity, self.namespace, self.name)
                return True
            await asyncio.sleep(self.timings.retry_period)
        return False

    async def hold(self) -> None:
        """Renew every retry period; raise `LeadershipLost` once the renew deadline passes."""
        while True:
            await asyncio.sleep(self._until_deadline(cap=self.timings.retry_period))
            remaining = self._until_deadline()
            if remaining > 0:
                try:
                    renewed = await asyncio.wait_for(self._attempt(), remaining)
                except TimeoutError:
                    renewed = False
                if renewed:
                    continue
                logger.warning(
                    "%s: renewing Lease %s/%s failed; %.1f s left before the renew deadline",
                    self.identity,
                    self.namespace,
                    self.name,
                    self._until_deadline(),
                )
            if self.refusal() is not None:
                self.leading = False
                raise LeadershipLost(
                    f"{self.identity} could not renew Lease {self.namespace}/{self.name} "
                    f"within {self.timings.renew_deadline:g} s"
                )

    async def release(self, annotations: dict[str, str]) -> None:
        """Give the Lease up (graceful stop), leaving `annotations` (the final budget record)."""
        if self.refusal() is not None:
            self.leading = False
            return
        self.leading = False
        try:
            lease = await self.api.get_lease(self.namespace, self.name)
            spec = (lease or {}).get("spec") or {}
            if lease is not None and spec.get("holderIdentity") == self.identity:
                body = released(lease, now=datetime.now(UTC), annotations=annotations)
                await self.api.replace_lease(self.namespace, self.name, body)
                logger.info("%s released Lease %s/%s", self.identity, self.namespace, self.name)
        except Exception as error:  # the Lease then lapses by itself
            logger.warning("could not release Lease %s/%s: %s", self.namespace, self.name, error)

    # one attempt

    async def _attempt(self) -> bool:
        started = self._clock()
        try:
            return await self._try_acquire_or_renew(started)
        except KubeError as error:
            if error.status != 409:
                logger.warning("Lease %s/%s: %s", self.namespace, self.name, error)
            return False
        except Exception as error:  # the API server is unreachable: try again next period
            logger.warning("Lease %s/%s: %s", self.namespace, self.name, error)
            return False

    async def _try_acquire_or_renew(self, started: float) -> bool:
        lease = await self.api.get_lease(self.namespace, self.name)
        now = datetime.now(UTC)
        if lease is None:
            body = claimed(
                None,
                identity=self.identity,
                lease_duration=self.timings.lease_duration,
                now=now,
                annotations=self.record(),
            )
            body["metadata"].update(name=self.name, namespace=self.namespace)
            if not self.leading:
                self.predecessor = Predecessor(existed=False, holder="", seen_at=started)
            updated = await self.api.create_lease(self.namespace, body)
        else:
            self._observation = observe(lease, self._observation, started)
            self.holder = self._observation.holder
            if not may_take(lease, self._observation, self.identity, started):
                return False
            if not self.leading:
                self.predecessor = Predecessor(
                    existed=True,
                    holder=self._observation.holder,
                    annotations=dict((lease.get("metadata") or {}).get("annotations") or {}),
                    seen_at=self._observation.seen_at,
                    released=not self._observation.holder,
                )
            body = claimed(
                lease,
                identity=self.identity,
                lease_duration=self.timings.lease_duration,
                now=now,
                annotations=self.record(),
            )
            updated = await self.api.replace_lease(self.namespace, self.name, body)
        self._renewed_at = started
        self.leading = True
        self.holder = self.identity
        self._observation = observe(updated, None, started)
        return True

    def _until_deadline(self, cap: float | None = None) -> float:
        if self._renewed_at is None:
            return 0.0
        remaining = self._renewed_at + self.timings.renew_deadline - self._clock()
        return max(0.0, remaining if cap is None else min(cap, remaining))
