"""Prometheus metrics served on /metrics (design 3.5). One registry per operator process.

Besides the operator's own metrics the registry carries the standard process_* and python_*
collectors and aura_operator_build_info. Counters and histograms export no `_created` series:
they double the series count and no dashboard or alert reads them.
"""

from __future__ import annotations

import platform
from collections import Counter as Tally
from collections.abc import Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from aura_operator import __version__
from aura_operator.aura import CallRecord, Lane, LimiterRegistry
from aura_operator.controller.tracking import Fleet, Tracked

disable_created_metrics()  # type: ignore[no-untyped-call]


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        build_info = Gauge(
            "aura_operator_build_info",
            "Always 1; the running operator's version and Python version as labels",
            ["version", "python_version"],
            registry=r,
        )
        build_info.labels(__version__, platform.python_version()).set(1)
        self.leader = Gauge(
            "aura_operator_leader",
            "1 while this process is the one handling AuraInstances, else 0",
            registry=r,
        )
        self.reconcile_seconds = Histogram(
            "aura_reconcile_duration_seconds",
            "Time one reconcile of an AuraInstance took (Aura calls and limiter waits included), "
            "by lane",
            ["lane"],
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
        )
        self.requests = Counter(
            "aura_requests",
            "Aura API requests by method, endpoint template and HTTP status code",
            ["method", "endpoint", "code"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "aura_request_duration_seconds",
            "Aura API request latency",
            ["method", "endpoint"],
            registry=r,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.limiter_wait_seconds = Histogram(
            "aura_limiter_wait_seconds",
            "Time a request waited for the rate limiter, by lane",
            ["lane"],
            registry=r,
            buckets=(0.001, 0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120),
        )
        self.rate_limited = Counter(
            "aura_rate_limited", "HTTP 429 answers received from Aura", registry=r
        )
        self.token_refreshes = Counter(
            "aura_token_refreshes", "OAuth tokens requested from Aura", registry=r
        )
        self.reconcile_errors = Counter(
            "aura_reconcile_errors",
            "Reconcile attempts that ended in an error, by reason",
            ["reason"],
            registry=r,
        )

    def on_reconciled(self, lane: Lane, seconds: float) -> None:
        self.reconcile_seconds.labels(lane.value).observe(seconds)

    # CallObserver (the Aura client)
    def on_call(self, record: CallRecord) -> None:
        code = str(record.status) if record.status is not None else "none"
        self.requests.labels(record.method, record.endpoint, code).inc()
        self.request_seconds.labels(record.method, record.endpoint).observe(record.duration)
        if record.endpoint == "token" and record.status == 200:
            self.token_refreshes.inc()

    # LimiterObserver
    def on_granted(self, budget_key: str, lane: Lane, waited: float) -> None:
        self.limiter_wait_seconds.labels(lane.value).observe(waited)

    def on_rate_limited(self, budget_key: str, pause: float) -> None:
        self.rate_limited.inc()

    def watch_limiters(self, limiters: LimiterRegistry) -> None:
        """Expose `aura_limiter_queue_depth{lane}`, summed over budgets, and each budget's
        `aura_limiter_rate{budget}`, read at scrape time."""
        self.registry.register(_QueueCollector(limiters))
        self.registry.register(_RateCollector(limiters))

    def watch_fleet(self, fleet: Fleet) -> None:
        """Expose `aura_instances{phase}`, `aura_instance_ready{namespace,name}` and
        `aura_instance_stalled{namespace,name}`, read from the fleet at scrape time."""
        self.registry.register(_FleetCollector(fleet))


def _condition_true(tracked: Tracked, type_: str) -> bool:
    conditions = tracked.status.get("conditions") or []
    return any(c.get("type") == type_ and c.get("status") == "True" for c in conditions)


class _FleetCollector(Collector):
    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    def collect(self) -> Iterator[GaugeMetricFamily]:
        tracked = sorted(self.fleet.all(), key=lambda t: t.key)
        phases = GaugeMetricFamily(
            "aura_instances", "AuraInstance resources by phase", labels=["phase"]
        )
        for phase, count in sorted(
            Tally(t.status.get("phase") or "Pending" for t in tracked).items()
        ):
            phases.add_metric([phase], count)
        yield phases
        ready = GaugeMetricFamily(
            "aura_instance_ready",
            "1 when the AuraInstance's Ready condition is True, else 0",
            labels=["namespace", "name"],
        )
        stalled = GaugeMetricFamily(
            "aura_instance_stalled",
            "1 when the AuraInstance is Stalled (a person must act: kubectl describe it), else 0",
            labels=["namespace", "name"],
        )
        for t in tracked:
            ready.add_metric(list(t.key), 1 if _condition_true(t, "Ready") else 0)
            stalled.add_metric(list(t.key), 1 if _condition_true(t, "Stalled") else 0)
        yield ready
        yield stalled


class _QueueCollector(Collector):
    def __init__(self, limiters: LimiterRegistry) -> None:
        self.limiters = limiters

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "aura_limiter_queue_depth",
            "Requests waiting for the rate limiter, by lane",
            labels=["lane"],
        )
        depth = {lane: 0 for lane in Lane}
        for budget in self.limiters.budgets():
            for lane, stats in budget.stats().lanes.items():
                depth[lane] += stats.queued
        for lane, count in depth.items():
            family.add_metric([lane.value], count)
        yield family


class _RateCollector(Collector):
    def __init__(self, limiters: LimiterRegistry) -> None:
        self.limiters = limiters

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "aura_limiter_rate",
            "Requests per 60 Aura seconds each budget (client id, or * for one per process) "
            "allows itself: the limit less the margin, lowered after a 429, raised by one per "
            "window while none come",
            labels=["budget"],
        )
        for budget in self.limiters.budgets():
            family.add_metric([budget.key], budget.rate())
        yield family
