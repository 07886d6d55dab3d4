"""The operator's /metrics registry: standard collectors, build info, per-instance gauges."""

from __future__ import annotations

import platform

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from aura_operator import __version__
from aura_operator.aura import Lane, LimiterRegistry
from aura_operator.controller.metrics import Metrics
from aura_operator.controller.tracking import Fleet


def scrape(metrics: Metrics) -> str:
    return generate_latest(metrics.registry).decode()


def families(text: str) -> dict[str, str]:
    return {family.name: family.type for family in text_string_to_metric_families(text)}


def test_registry_carries_process_and_python_collectors() -> None:
    found = families(scrape(Metrics()))
    for name in ("process_cpu_seconds", "process_resident_memory_bytes", "python_info"):
        assert name in found
    assert "python_gc_collections" in found


def test_build_info_names_the_package_version() -> None:
    text = scrape(Metrics())
    python = platform.python_version()
    expected = f'aura_operator_build_info{{python_version="{python}",version="{__version__}"}} 1.0'
    assert expected in text


def test_no_created_series() -> None:
    metrics = Metrics()
    metrics.reconcile_errors.labels("x").inc()
    metrics.on_reconciled(Lane.CREATE, 0.2)
    text = scrape(metrics)
    assert "aura_reconcile_duration_seconds_count" in text
    assert "_created" not in text


def test_reconcile_duration_is_observed_per_lane() -> None:
    metrics = Metrics()
    metrics.on_reconciled(Lane.INTENT, 0.3)
    metrics.on_reconciled(Lane.INTENT, 7.0)
    text = scrape(metrics)
    assert 'aura_reconcile_duration_seconds_count{lane="intent"} 2.0' in text
    assert 'aura_reconcile_duration_seconds_bucket{lane="intent",le="0.5"} 1.0' in text


def body(namespace: str, name: str, **conditions: str) -> dict[str, object]:
    return {
        "metadata": {"namespace": namespace, "name": name, "uid": f"{namespace}-{name}"},
        "spec": {},
        "status": {
            "phase": "Ready" if conditions.get("Ready") == "True" else "Pending",
            "conditions": [{"type": t, "status": s} for t, s in conditions.items()],
        },
    }


def test_each_instance_reports_ready_and_stalled() -> None:
    fleet = Fleet()
    fleet.track(body("team-a", "movies", Ready="True", Stalled="False"))
    fleet.track(body("team-b", "movies", Ready="False", Stalled="True"))
    fleet.track(body("team-b", "fresh"))  # no status yet
    metrics = Metrics()
    metrics.watch_fleet(fleet)
    text = scrape(metrics)

    assert 'aura_instance_ready{name="movies",namespace="team-a"} 1.0' in text
    assert 'aura_instance_ready{name="movies",namespace="team-b"} 0.0' in text
    assert 'aura_instance_ready{name="fresh",namespace="team-b"} 0.0' in text
    assert 'aura_instance_stalled{name="movies",namespace="team-a"} 0.0' in text
    assert 'aura_instance_stalled{name="movies",namespace="team-b"} 1.0' in text
    assert 'aura_instances{phase="Pending"} 2.0' in text
    assert 'aura_instances{phase="Ready"} 1.0' in text
    fleet.forget(("team-b", "movies"))
    assert 'name="movies",namespace="team-b"' not in scrape(metrics)


def test_each_budget_reports_its_learned_rate() -> None:
    limiters = LimiterRegistry(limit=125, margin=2)
    metrics = Metrics()
    metrics.watch_limiters(limiters)
    crowded = limiters.budget_for("shared-client")
    limiters.budget_for("own-client")

    crowded.note_rate_limited(retry_after=1.0)  # nothing held: down to a tenth of 123

    text = scrape(metrics)
    assert 'aura_limiter_rate{budget="shared-client"} 12.3' in text
    assert 'aura_limiter_rate{budget="own-client"} 123.0' in text
