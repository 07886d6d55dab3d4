"""Prometheus metrics served on /metrics (design 3.5). One registry per operator process."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from aura_operator.aura import CallRecord, Lane, LimiterRegistry
from aura_operator.controller.tracking import Fleet


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
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
        """Expose `aura_limiter_queue_depth{lane}`, summed over budgets at scrape time."""
        self.registry.register(_QueueCollector(limiters))

    def watch_fleet(self, fleet: Fleet) -> None:
        """Expose `aura_instances{phase}`, counted from the fleet at scrape time."""
        self.registry.register(_FleetCollector(fleet))


class _FleetCollector(Collector):
    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "aura_instances", "AuraInstance resources by phase", labels=["phase"]
        )
        phases = Tally(t.status.get("phase") or "Pending" for t in self.fleet.all())
        for phase, count in sorted(phases.items()):
            family.add_metric([phase], count)
        yield family


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
